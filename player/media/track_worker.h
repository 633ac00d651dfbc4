// player/media/track_worker.h: the decode thread of one track.
//
// Thread: owns one std::thread, started by start() and joined by the destructor (after the
// pipeline closes the feed and the queues, so no call blocks forever). Everything below `thread_`
// except TrackShared is touched only by that thread.
//
// Loop: pop a segment from the feed -> open a SegmentDemuxer on init+media -> (re)open the decoder
// only if the codec parameters changed (draining the old one first, so no frame is lost at a
// switch) -> decode -> convert -> push into the track's bounded queue. A segment that fails to
// demux is reported (kMediaDemux) and skipped whole; a packet the decoder rejects is reported
// (kMediaDecode, once per segment) and skipped. On a flush (seek) the decoder is flushed and frames
// before the seek target are discarded; after a track switch in place (MediaPipeline::splice) the
// same happens for this track alone, before the switch point. On end of stream the decoder is drained.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "converters.h"
#include "decoder.h"
#include "segment_demuxer.h"
#include "track_shared.h"

namespace abrplay::media {

class TrackWorker {
 public:
  TrackWorker(TrackShared& shared, DecoderOptions options, AudioFormat audio_out);
  ~TrackWorker();
  TrackWorker(const TrackWorker&) = delete;
  TrackWorker& operator=(const TrackWorker&) = delete;

  void start();

 private:
  void run();
  void on_flush();
  void on_splice();  // the feed's splice mark: the track switch (MediaPipeline::splice) starts here
  void process(const MediaSegment& segment);
  // Text (track_worker_text.cpp): a WebVTT file, a TTML file, or fragmented MP4 with wvtt or stpp
  // samples, told apart by their first bytes; cues go to the CueQueue.
  void process_text(const MediaSegment& segment);
  void process_webvtt(const MediaSegment& segment);
  void process_ttml_file(const MediaSegment& segment);
  void process_mp4_text(const MediaSegment& segment);
  // False when the epoch moved on (a seek: stop this segment).
  bool push_cues(std::vector<TextCue> cues, std::chrono::microseconds shift);
  // Timestamps beyond a century come only from corrupt data (av_rescale saturates to
  // INT64_MIN/MAX); the offset and continuity arithmetic would overflow on them: not trusted.
  static bool sane_time(std::chrono::microseconds t);
  // MPD timeline minus media time for a segment whose first packet is `first`: 0 when the
  // fragment's time agrees with the MPD within kTimelineTolerance, else what maps it onto `start`.
  static std::chrono::microseconds timeline_offset(const AVPacket& first, AVRational time_base,
                                                   std::chrono::microseconds segment_start);
  bool open_decoder_for(const AVStream& stream, const std::string& where);
  // Sends one packet (nullptr drains). False when the epoch moved on (stop this segment).
  bool decode(AVPacket* pkt, const std::string& where, std::int64_t offset);
  bool receive_all(const std::string& where);
  bool emit_video(AVFrame& frame);
  bool emit_audio(const AVFrame& frame);
  void report(MediaEvent::Kind kind, Error error);
  void error(Error error);

  TrackShared& shared_;
  DecoderOptions options_;
  SegmentDemuxer demuxer_;
  Decoder decoder_;
  VideoConverter video_convert_;
  AudioConverter audio_convert_;
  ff::FramePtr frame_;
  ff::PacketPtr packet_;
  AVRational time_base_{1, 1'000'000};
  std::chrono::microseconds offset_{0};  // MPD timeline minus media time, for this segment
  std::chrono::microseconds default_duration_{0};
  std::uint64_t epoch_ = 0;
  std::uint64_t splice_ = 0;  // the track switch generation this thread decodes for
  std::optional<std::chrono::microseconds> target_;
  std::optional<std::chrono::microseconds> next_audio_pts_;  // continuity of the audio timeline
  std::string rep_;
  // What a frame needs from the segment it came from. Frames leave a (threaded, B-frame) decoder
  // after the next segment was opened, so each packet is tagged with its segment's sequence number
  // (Decoder::send tag), the frame carries it back, and the tag is looked up here.
  struct SegmentTag {
    std::int64_t seq = 0;
    std::chrono::microseconds offset{0};
    AVRational time_base{1, 1'000'000};
    std::string rep;
  };
  std::deque<SegmentTag> tags_;  // the last few segments, newest last
  SegmentTag no_tag_;            // before any packet was sent
  std::int64_t seq_ = 0;
  const SegmentTag& tag_of(const AVFrame& frame) const;
  bool segment_decode_error_reported_ = false;
  std::thread thread_;  // last: started after every member above exists
};

}  // namespace abrplay::media
