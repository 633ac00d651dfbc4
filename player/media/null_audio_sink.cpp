#include <algorithm>
#include <vector>

#include "abrplay/player/media/sinks.h"

namespace abrplay::media {

Expected<AudioFormat, Error> NullAudioSink::open(const AudioFormat& preferred, AudioSource& source) {
  format_ = preferred;
  source_ = &source;
  paused_ = true;
  return format_;
}

void NullAudioSink::set_paused(bool paused) {
  if (paused_ && !paused) {
    last_ = clock_.steady();
    owed_frames_ = 0;
  }
  paused_ = paused;
}

void NullAudioSink::pump() {
  if (source_ == nullptr || paused_) return;
  // Reads in blocks of 10 ms, the period of a typical sound card callback.
  const auto block_frames = static_cast<std::size_t>(format_.sample_rate / 100);
  std::vector<float> block(block_frames * static_cast<std::size_t>(format_.channels));
  if (pace_ == NullPace::kAsFastAsPossible) {
    for (;;) {
      const std::size_t got = source_->read(block);
      frames_read_ += got;
      if (got < block_frames) return;
    }
  }
  const SteadyTime now = clock_.steady();
  owed_frames_ += std::chrono::duration<double>(now - last_).count() * format_.sample_rate;
  last_ = now;
  while (owed_frames_ >= 1.0) {
    const auto n = std::min(block_frames, static_cast<std::size_t>(owed_frames_));
    frames_read_ += source_->read(std::span<float>(block.data(), n * static_cast<std::size_t>(format_.channels)));
    owed_frames_ -= static_cast<double>(n);
  }
}

}  // namespace abrplay::media
