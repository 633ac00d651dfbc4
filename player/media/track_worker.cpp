#include "track_worker.h"

#include <cmath>
#include <cstdlib>
#include <utility>

extern "C" {
#include <libavutil/version.h>
}

namespace abrplay::media {
namespace {
// Audio packets whose timestamps are this close to the running sample count are treated as
// contiguous: encoders jitter timestamps by a few samples (the test content by 8 samples in
// 1024); a real gap (a skipped segment) is far larger than 30 ms.
constexpr std::chrono::microseconds kAudioContinuity{30'000};

std::int64_t frame_duration(const AVFrame& f) {
#if LIBAVUTIL_VERSION_INT >= AV_VERSION_INT(58, 2, 100)
  return f.duration;
#else
  return f.pkt_duration;
#endif
}

}  // namespace

TrackWorker::TrackWorker(TrackShared& shared, DecoderOptions options, AudioFormat audio_out)
    : shared_(shared), options_(std::move(options)), frame_(av_frame_alloc()), packet_(av_packet_alloc()) {
  audio_convert_.set_output(audio_out);
}

TrackWorker::~TrackWorker() {
  shared_.feed.close();
  if (thread_.joinable()) thread_.join();
}

void TrackWorker::start() {
  thread_ = std::thread([this] { run(); });
}

void TrackWorker::report(MediaEvent::Kind kind, Error error) {
  shared_.report(MediaEvent{kind, shared_.type, std::move(error)});
}

void TrackWorker::error(Error e) {
  shared_.counters->errors.fetch_add(1, std::memory_order_relaxed);
  report(MediaEvent::Kind::kError, std::move(e));
}

void TrackWorker::run() {
  on_flush();
  MediaSegment segment;
  for (;;) {
    switch (shared_.feed.pop(segment)) {
      case SegmentFeed::PopStatus::kClosed: return;
      case SegmentFeed::PopStatus::kFlushed: on_flush(); break;
      case SegmentFeed::PopStatus::kSpliced: on_splice(); break;
      case SegmentFeed::PopStatus::kEndOfStream:
        if (decoder_.is_open()) {
          decode(nullptr, "end of stream of representation '" + rep_ + "'", -1);
          decoder_.flush();
        }
        shared_.ended_epoch.store(epoch_);
        if (shared_.notify) shared_.notify();
        break;
      case SegmentFeed::PopStatus::kSegment:
        if (shared_.type == TrackType::kText) {
          process_text(segment);
        } else {
          process(segment);
        }
        segment = MediaSegment{};  // release the bytes now, not at the next pop
        break;
    }
  }
}

const TrackWorker::SegmentTag& TrackWorker::tag_of(const AVFrame& frame) const {
  const std::int64_t seq = Decoder::frame_tag(frame);
  for (auto it = tags_.rbegin(); it != tags_.rend(); ++it) {
    if (it->seq == seq) return *it;
  }
  return tags_.empty() ? no_tag_ : tags_.back();  // untagged (should not happen): the newest
}

void TrackWorker::on_flush() {
  tags_.clear();
  std::lock_guard lock(shared_.control->mu);
  epoch_ = shared_.control->epoch;
  target_ = shared_.control->target;
  // No track switch pending (a seek cleared it, or none came): decode for the latest generation. A
  // switch whose mark is still ahead in the feed (made before this thread started) waits for it.
  if (!shared_.splice_at) splice_ = shared_.splice;
  decoder_.flush();
  next_audio_pts_.reset();
}

void TrackWorker::on_splice() {
  tags_.clear();
  std::lock_guard lock(shared_.control->mu);
  splice_ = shared_.splice;
  if (!shared_.splice_at) return;  // superseded by a seek (its flush follows)
  target_ = shared_.splice_at;
  decoder_.flush();
  // The old audio ended a little before the cut (the sets' segments split the AAC frames
  // differently): the new track starts where the old one ended, so nothing is lost.
  if (next_audio_pts_ && *next_audio_pts_ <= *target_ && *target_ - *next_audio_pts_ <= kTimelineTolerance) {
    target_ = next_audio_pts_;
    return;  // next_audio_pts_ kept: the new audio continues it
  }
  next_audio_pts_.reset();
}

bool TrackWorker::open_decoder_for(const AVStream& stream, const std::string& where) {
  if (!decoder_.needs_reopen(*stream.codecpar)) return true;
  const bool was_open = decoder_.is_open();
  if (was_open && !decode(nullptr, where + " (draining before a codec change)", -1)) return false;
  if (auto e = decoder_.open(*stream.codecpar, stream.time_base, options_, where)) {
    error(std::move(*e));
    return false;
  }
  if (decoder_.hw_fallback()) report(MediaEvent::Kind::kHardwareFallback, *decoder_.hw_fallback());
  shared_.counters->hardware_decoding.store(decoder_.hardware());
  if (was_open) {
    shared_.counters->decoder_reinits.fetch_add(1, std::memory_order_relaxed);
    report(MediaEvent::Kind::kDecoderReinit,
           Error{ErrorCode::kOk, where + ": codec parameters changed, decoder re-created"});
  }
  return true;
}

bool TrackWorker::sane_time(std::chrono::microseconds t) {
  constexpr std::chrono::microseconds kSaneTime = std::chrono::hours(24 * 365 * 100);
  return t > -kSaneTime && t < kSaneTime;
}

std::chrono::microseconds TrackWorker::timeline_offset(const AVPacket& first, AVRational time_base,
                                                       std::chrono::microseconds segment_start) {
  const std::int64_t ts = first.pts != AV_NOPTS_VALUE ? first.pts : first.dts;
  const auto media = ts == AV_NOPTS_VALUE || !sane_time(ff::to_us(ts, time_base)) ? segment_start
                                                                                  : ff::to_us(ts, time_base);
  return std::chrono::abs(media - segment_start) > kTimelineTolerance ? segment_start - media
                                                                      : std::chrono::microseconds{0};
}

void TrackWorker::process(const MediaSegment& segment) {
  if (auto e = demuxer_.open(segment, Container::kMp4)) {
    shared_.counters->segments_skipped.fetch_add(1, std::memory_order_relaxed);
    next_audio_pts_.reset();
    error(std::move(*e));
    return;
  }
  shared_.counters->segments_demuxed.fetch_add(1, std::memory_order_relaxed);
  if (segment.discontinuity) next_audio_pts_.reset();
  rep_ = segment.representation_id;
  segment_decode_error_reported_ = false;
  const AVStream& stream = *demuxer_.stream();
  const std::string where = demuxer_.where();
  time_base_ = stream.time_base;
  default_duration_ = stream.avg_frame_rate.num > 0 ? ff::to_us(1, av_inv_q(stream.avg_frame_rate))
                                                    : std::chrono::microseconds{0};
  if (!open_decoder_for(stream, where)) return;

  bool first = true;
  for (;;) {
    const int rc = demuxer_.read(packet_.get());
    if (rc == AVERROR_EOF) break;
    if (rc < 0) {
      shared_.counters->segments_skipped.fetch_add(1, std::memory_order_relaxed);
      error(ff::make_error(ErrorCode::kMediaDemux, where + " at byte offset " + std::to_string(demuxer_.media_offset()),
                           rc));
      break;
    }
    if (first) {
      first = false;
      offset_ = timeline_offset(*packet_, time_base_, segment.start);
      tags_.push_back(SegmentTag{++seq_, offset_, time_base_, rep_});
      if (tags_.size() > 4) tags_.pop_front();  // a decoder holds frames of 2 segments at most
    }
    const std::int64_t offset = packet_->pos;
    decoder_.tag_next(seq_);
    const bool ok = decode(packet_.get(), where, offset);
    av_packet_unref(packet_.get());
    if (!ok) return;
  }
}

bool TrackWorker::decode(AVPacket* pkt, const std::string& where, std::int64_t offset) {
  for (;;) {
    const int rc = decoder_.send(pkt);
    if (rc == AVERROR(EAGAIN)) {
      if (!receive_all(where)) return false;
      continue;
    }
    if (rc < 0 && rc != AVERROR_EOF) {
      shared_.counters->errors.fetch_add(1, std::memory_order_relaxed);
      if (!segment_decode_error_reported_) {
        segment_decode_error_reported_ = true;
        report(MediaEvent::Kind::kError,
               ff::make_error(ErrorCode::kMediaDecode,
                              where + ": packet at byte offset " + std::to_string(offset) + " (of init+media)", rc));
      }
    }
    break;
  }
  return receive_all(where);
}

bool TrackWorker::receive_all(const std::string& where) {
  for (;;) {
    const int rc = decoder_.receive(frame_.get());
    if (rc == AVERROR(EAGAIN) || rc == AVERROR_EOF) return true;
    if (rc < 0) {
      shared_.counters->errors.fetch_add(1, std::memory_order_relaxed);
      if (!segment_decode_error_reported_) {
        segment_decode_error_reported_ = true;
        report(MediaEvent::Kind::kError, ff::make_error(ErrorCode::kMediaDecode, where + ": decoding", rc));
      }
      return true;
    }
    const bool ok = shared_.type == TrackType::kVideo ? emit_video(*frame_) : emit_audio(*frame_);
    av_frame_unref(frame_.get());
    if (!ok) return false;
  }
}

bool TrackWorker::emit_video(AVFrame& frame) {
  shared_.counters->video_frames_decoded.fetch_add(1, std::memory_order_relaxed);
  const SegmentTag& tag = tag_of(frame);
  const auto pts = ff::to_us(frame.best_effort_timestamp, tag.time_base) + tag.offset;
  const std::int64_t d = frame_duration(frame);
  const auto duration = d > 0 ? ff::to_us(d, tag.time_base) : default_duration_;
  if (target_ && pts + duration <= *target_) {
    shared_.counters->video_frames_discarded_seek.fetch_add(1, std::memory_order_relaxed);
    return true;
  }
  auto converted = video_convert_.convert(frame);
  if (!converted) {
    error(converted.error());
    return true;
  }
  VideoFrame out = std::move(*converted);
  out.pts = pts;
  out.duration = duration;
  out.representation_id = tag.rep;
  return shared_.video->push(std::move(out), epoch_);
}

bool TrackWorker::emit_audio(const AVFrame& frame) {
  const std::int64_t ts = frame.best_effort_timestamp != AV_NOPTS_VALUE ? frame.best_effort_timestamp : frame.pts;
  const SegmentTag& tag = tag_of(frame);
  const bool have_ts = ts != AV_NOPTS_VALUE && sane_time(ff::to_us(ts, tag.time_base));
  auto pts = !have_ts && next_audio_pts_
                 ? *next_audio_pts_
                 : (have_ts ? ff::to_us(ts, tag.time_base) : std::chrono::microseconds{0}) + tag.offset;
  if (next_audio_pts_ && std::chrono::abs(pts - *next_audio_pts_) <= kAudioContinuity) pts = *next_audio_pts_;
  std::vector<float> samples;
  auto n = audio_convert_.convert(frame, samples);
  if (!n) {
    error(n.error());
    return true;
  }
  const AudioFormat& fmt = audio_convert_.output();
  const auto frames_to_us = [&](std::int64_t frames) {
    return std::chrono::microseconds{frames * 1'000'000 / fmt.sample_rate};
  };
  // Sample-exact continuation: the next chunk starts where this one ends.
  const std::int64_t total = *n;
  next_audio_pts_ = pts + frames_to_us(total);
  if (target_) {
    if (*next_audio_pts_ <= *target_) return true;  // wholly before the seek target
    if (pts < *target_) {
      const std::int64_t skip = (*target_ - pts).count() * fmt.sample_rate / 1'000'000;
      samples.erase(samples.begin(), samples.begin() + static_cast<std::ptrdiff_t>(skip * fmt.channels));
      pts += frames_to_us(skip);
    }
  }
  if (samples.empty()) return true;
  return shared_.audio->push(pts, std::move(samples), epoch_, splice_);
}

}  // namespace abrplay::media
