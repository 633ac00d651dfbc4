#include "abrplay/abr/algorithm/abr_algorithm.h"

namespace abrplay::abr {

double AbrInput::segment_bytes(std::size_t index, std::size_t segment) const {
  const Representation& rep = ladder[index];
  if (segment < rep.segment_bytes.size()) return static_cast<double>(rep.segment_bytes[segment]);
  return bytes_in(rep.bitrate, segment_duration);
}

std::optional<std::size_t> AbrInput::segments_left() const {
  if (!segment_count) return std::nullopt;
  return *segment_count > next_segment ? *segment_count - next_segment : 0;
}

std::size_t AbrInput::highest_index_at_most(DataRate rate) const {
  std::size_t best = 0;
  for (std::size_t i = 0; i < ladder.size(); ++i) {
    if (ladder[i].bitrate <= rate) best = i;
  }
  return best;
}

AbandonDecision AbrAlgorithm::should_abandon(const AbandonInput& in) const {
  const AbandonParams params;
  if (in.context == nullptr || in.index == 0 || in.elapsed < params.grace || in.bytes_loaded <= 0) {
    return {false, in.index, "keep: too early to judge"};
  }
  const double flowing_s = in.elapsed.count() - in.ttfb.count();
  if (flowing_s <= 0) return {false, in.index, "keep: no bytes flowing yet"};
  const double rate_Bps = in.bytes_loaded / flowing_s;
  const double remaining_s = (in.bytes_total - in.bytes_loaded) / rate_Bps;
  const double projected_s = in.elapsed.count() + remaining_s;
  const double segment_s = in.context->segment_duration.count();
  if (projected_s <= params.max_duration_multiplier * segment_s) return {false, in.index, "keep: on time"};
  // Abandoning throws the bytes away and refetches: worth it only when waiting would stall. A
  // download that completes with a segment's worth of media still buffered is kept.
  if (remaining_s + params.reserve_segments * segment_s < in.context->buffer_level.count()) {
    return {false, in.index, "keep: slow, but done before the buffer runs low"};
  }
  std::size_t target = 0;
  for (std::size_t i = 0; i < in.index; ++i) {
    if (in.context->segment_bytes(i, in.context->next_segment) / rate_Bps <= segment_s) target = i;
  }
  // At the same rate, a refetch no smaller than what is left of this download only takes longer.
  if (in.context->segment_bytes(target, in.context->next_segment) >= in.bytes_total - in.bytes_loaded) {
    return {false, in.index, "keep: less is left of it than a lower rung's whole segment"};
  }
  return {true, target, "abandon: projected download exceeds 1.8 segment durations"};
}

}  // namespace abrplay::abr
