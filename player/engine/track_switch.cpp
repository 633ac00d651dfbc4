// StreamingEngine: audio and text track switches in place (select_languages), without touching the
// video loader, its buffer or the consumer's video. The rule is in streaming_engine.h.
#include <algorithm>

#include "engine_impl.h"

namespace abrplay::engine {

BufferLimits StreamingEngine::Impl::limits_of(TrackType type) const {
  return type == TrackType::kVideo   ? config_.video_limits
         : type == TrackType::kAudio ? config_.audio_limits
                                     : config_.text_limits;
}

Error StreamingEngine::Impl::select_languages(TrackType track, std::vector<std::string> languages) {
  if (track == TrackType::kVideo) {
    return Error{ErrorCode::kInvalidArgument, "select_languages: video has no language to choose"};
  }
  (track == TrackType::kAudio ? prefs_.audio_languages : prefs_.text_languages) = std::move(languages);
  selections_.clear();  // every period is selected again with the new preferences
  if (!mpd_ || loaders_.empty() || state_ == EngineState::kIdle || state_ == EngineState::kLoading ||
      state_ == EngineState::kError) {
    return Error{};  // the first selection will use them
  }
  switch_track(track);
  return Error{};
}

// Where the old audio ends: while playing, the end of the first buffered segment at least
// switch_margin ahead of the position (or the end of what is buffered without a gap, when less is);
// paused, seeking or ended, nothing is audible before the next start: the position itself. So is
// a segment at the position the consumer has not read yet, and a seek's target before playback has
// moved past it (the consumer reads what is buffered there at once, but none of it was heard): the
// pipeline drops the old track's audio from the cut.
MediaTime StreamingEngine::Impl::audio_cut(const TrackBuffer& buffer) const {
  MediaTime cut = position_;
  if (state_ != EngineState::kPlaying && state_ != EngineState::kBuffering) return cut;
  if (seek_target_ && position_ <= *seek_target_) return cut;
  const auto& segments = buffer.segments();
  for (std::size_t i = 0; i < segments.size(); ++i) {
    const BufferedSegment& s = segments[i];
    if (s.end() <= position_) continue;
    if (i >= buffer.read_count() && s.start <= position_ + kContinuityTolerance) return position_;
    if (s.start > cut + kContinuityTolerance) break;  // a gap: the old track stops there anyway
    cut = s.end();
    if (cut >= position_ + config_.switch_margin) break;
  }
  return cut;
}

void StreamingEngine::Impl::switch_track(TrackType type) {
  TrackLoader* l = loader(type);
  const MediaTime cut = type == TrackType::kAudio && l != nullptr ? audio_cut(l->buffer()) : position_;
  const std::size_t period = period_at(cut);
  const TrackSelection* sel = selection(period);
  if (sel == nullptr) return;  // fatal() said why
  const SelectedTrack* want = sel->find(type);
  if (l != nullptr && want != nullptr && l->period() == period && l->adaptation_set() == want->adaptation_set) {
    return;  // that set is already playing
  }
  if (l == nullptr && want == nullptr) return;
  if (want == nullptr) {
    // Subtitles off (or no set of this type in the period): the track ends at the cut.
    if (type == TrackType::kText) {
      loaders_.erase(std::find_if(loaders_.begin(), loaders_.end(), [&](const auto& p) { return p.get() == l; }));
    } else {
      l->buffer().splice(position_, cut);
      l->finish();
    }
    consumer_.splice(type, cut);
    consumer_.on_data();  // the end of stream of the track
    emit_buffer_levels();
    check_ready();
    return;
  }
  if (l == nullptr) {  // subtitles on: after the video and audio loaders
    loaders_.push_back(std::make_unique<TrackLoader>(*this, type, limits_of(type)));
    l = loaders_.back().get();
  }
  if (type == TrackType::kText) {
    l->buffer().clear();  // cues of the old language go at once
  } else {
    l->buffer().splice(position_, cut);
  }
  l->switch_track(period, *want, cut);
  if (state_ == EngineState::kEnded) {
    // Nothing more plays: the new set loads when a seek starts loading again (its buffer is empty).
    l->finish();
    consumer_.splice(type, cut);
    consumer_.on_data();
    return;
  }
  consumer_.splice(type, cut);
  emit_buffer_levels();
  pump_all();
  check_ready();
}

}  // namespace abrplay::engine
