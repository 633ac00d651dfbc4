// SegmentIndex::load_index: reads the sidx box of a SegmentBase representation and follows its
// references of reference_type 1 to further sidx boxes (see segment_index.h), depth first, so the
// subsegments come out in presentation order.
#include <algorithm>
#include <string>
#include <utility>

#include "abrplay/player/manifest/segment_index.h"

namespace abrplay::manifest {
namespace {

std::string at(uint64_t offset) { return "byte " + std::to_string(offset); }

}  // namespace

Error SegmentIndex::index_error(ErrorCode code, const std::string& what) const {
  return Error{code, index_request_->url + " (" + path_ + "): " + what};
}

Expected<uint64_t, Error> SegmentIndex::load_index(std::span<const uint8_t> bytes) {
  if (addressing_ != Addressing::kBaseIndexed || !index_request_)
    return Unexpected{Error{ErrorCode::kInvalidState, path_ + ": this representation has no sidx index"}};
  const ResourceRef& req = *index_request();
  const uint64_t offset = req.range ? req.range->first : 0;
  std::optional<Error> err;
  if (!index_walk_) {  // the top box, at index_request_
    auto box = parse_sidx(bytes, offset);
    if (!box) return Unexpected{index_error(box.error().code, box.error().message)};
    index_walk_.emplace();
    index_walk_->timescale = box->timescale;
    err = add_index_box(std::move(*box), 0);
  }
  if (!err) err = follow_index(bytes, offset);
  if (err) {
    index_walk_.reset();  // the next call starts from the top box again
    return Unexpected{std::move(*err)};
  }
  if (index_walk_->request) return static_cast<uint64_t>(index_walk_->leaves.size());
  finish_index();
  return static_cast<uint64_t>(runs_.size());
}

std::optional<Error> SegmentIndex::add_index_box(SegmentIndexBox box, std::size_t depth) {
  detail::SidxWalk& w = *index_walk_;
  auto it = std::lower_bound(w.boxes_read.begin(), w.boxes_read.end(), box.box_offset);
  if (it != w.boxes_read.end() && *it == box.box_offset)
    return index_error(ErrorCode::kManifestBadIndex,
                       "sidx at " + at(box.box_offset) + " is referenced again: the sidx references loop");
  if (w.boxes_read.size() >= sidx_limits_.max_boxes)
    return index_error(ErrorCode::kManifestLimitExceeded,
                       "sidx at " + at(box.box_offset) + ": the index has more than " +
                           std::to_string(sidx_limits_.max_boxes) + " sidx boxes (the documented limit)");
  if (box.box_size > sidx_limits_.max_bytes - std::min(w.bytes_read, sidx_limits_.max_bytes))
    return index_error(ErrorCode::kManifestLimitExceeded,
                       "sidx at " + at(box.box_offset) + ": the index's sidx boxes exceed " +
                           std::to_string(sidx_limits_.max_bytes) + " bytes (the documented limit)");
  if (box.timescale != w.timescale)
    return index_error(ErrorCode::kManifestBadIndex, "sidx at " + at(box.box_offset) + ": timescale " +
                                                         std::to_string(box.timescale) +
                                                         " differs from the top sidx's " + std::to_string(w.timescale));
  w.boxes_read.insert(it, box.box_offset);
  w.bytes_read += box.box_size;
  w.stack.push_back(detail::SidxFrame{box.box_offset, std::move(box.entries), 0, depth});
  return std::nullopt;
}

std::optional<Error> SegmentIndex::follow_index(std::span<const uint8_t> bytes, uint64_t offset) {
  detail::SidxWalk& w = *index_walk_;
  w.request.reset();
  while (!w.stack.empty()) {
    detail::SidxFrame& f = w.stack.back();
    if (f.next == f.entries.size()) {
      w.stack.pop_back();
      continue;
    }
    const SidxEntry e = f.entries[f.next];
    const std::string ref = "reference " + std::to_string(f.next) + " of the sidx at " + at(f.box_offset);
    if (!e.is_index) {
      if (!w.leaves.empty() && e.time <= w.leaves.back().time)
        return index_error(ErrorCode::kManifestBadIndex, ref + " starts at tick " + std::to_string(e.time) +
                                                             ", not after the subsegment before it (tick " +
                                                             std::to_string(w.leaves.back().time) + ")");
      if (w.leaves.size() >= max_segments_)
        return index_error(ErrorCode::kManifestLimitExceeded, ref + ": the index addresses more than " +
                                                                  std::to_string(max_segments_) +
                                                                  " segments (the documented limit)");
      w.leaves.push_back(e);
      ++f.next;
      continue;
    }
    // A daisy chain's next link (the box's last reference) stays on the box's level.
    const bool last = f.next + 1 == f.entries.size();
    const std::size_t depth = last ? f.depth : f.depth + 1;
    if (depth > sidx_limits_.max_depth)
      return index_error(ErrorCode::kManifestLimitExceeded, ref + ": sidx boxes nest deeper than " +
                                                                std::to_string(sidx_limits_.max_depth) +
                                                                " levels (the documented limit)");
    // The referenced box, when `bytes` hold all of it.
    std::span<const uint8_t> sub;
    if (e.offset >= offset && e.offset - offset < bytes.size())
      sub = bytes.subspan(static_cast<std::size_t>(e.offset - offset));
    const std::optional<BoxHeader> h = read_box_header(sub);
    const bool asked = w.want_bytes > 0 && e.offset == offset;  // `bytes` answer a request for it
    if (h && h->size != 0 && h->size < h->header_size)
      return index_error(ErrorCode::kManifestBadIndex, ref + " points at " + at(e.offset) +
                                                           ", where a box claims only " + std::to_string(h->size) +
                                                           " bytes");
    if (h && h->type != kSidxBoxType)
      return index_error(ErrorCode::kManifestBadIndex, ref + " points at " + at(e.offset) + ", which holds a '" +
                                                           box_type_name(h->type) + "' box, not a sidx");
    if (h && (h->size == 0 || h->size > e.size))
      return index_error(ErrorCode::kManifestBadIndex,
                         ref + " points at a sidx at " + at(e.offset) + " of " +
                             (h->size == 0 ? std::string("unstated size") : std::to_string(h->size) + " bytes") +
                             ", beyond the " + std::to_string(e.size) + " bytes it references");
    if (!h || h->size > sub.size()) {
      if (asked && !(h && h->size > w.want_bytes)) {
        return index_error(ErrorCode::kManifestBadIndex, ref + " points at a sidx at " + at(e.offset) + " but only " +
                                                             std::to_string(sub.size()) + " of " +
                                                             (h ? std::to_string(h->size) : std::string("its")) +
                                                             " bytes arrived there (past the end of the resource?)");
      }
      // Ask for the box: its exact size once the header is known, else a probe.
      w.want_bytes = h ? h->size : std::min(e.size, sidx_limits_.probe_bytes);
      w.request = ResourceRef{index_request_->url, ByteRange{e.offset, e.offset + w.want_bytes - 1}};
      return std::nullopt;
    }
    w.want_bytes = 0;
    auto box = parse_sidx(sub.first(static_cast<std::size_t>(h->size)), e.offset);
    if (!box) return index_error(box.error().code, ref + ": " + box.error().message);
    ++f.next;
    if (last) w.stack.pop_back();  // `f` is gone: the chain continues in the next box
    if (auto err = add_index_box(std::move(*box), depth)) return err;
  }
  return std::nullopt;
}

void SegmentIndex::finish_index() {
  detail::SidxWalk w = std::move(*index_walk_);
  index_walk_.reset();
  if (w.timescale != timescale_) {  // presentationTimeOffset is in the MPD's timescale
    pto_ = duration_to_ticks(ticks_to_duration(pto_, timescale_), w.timescale);
    timescale_ = w.timescale;
  }
  runs_.clear();
  index_ranges_.clear();
  runs_.reserve(w.leaves.size());
  index_ranges_.reserve(w.leaves.size());
  uint64_t number = first_number_;
  for (const SidxEntry& e : w.leaves) {
    runs_.push_back(Run{e.time, e.duration, 1, runs_.size(), number++});
    index_ranges_.push_back(ByteRange{e.offset, e.offset + e.size - 1});
  }
}

}  // namespace abrplay::manifest
