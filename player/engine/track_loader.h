// track_loader.h (private): one loader per selected track (see streaming_engine.h for the whole).
//
// pump() is the loader's single step, called whenever something changed (a download finished, the
// play position moved, a timer fired, the MPD was refreshed). It does at most one thing:
//   hold back (end of stream, a download in flight, a timer pending, the hysteresis says rest, no
//   room under the byte cap) or start one download: the sidx of a SegmentBase representation, or
//   the next media segment. The init segment of a representation not cached yet goes beside that
//   media segment, requested at the same time (one round trip less at the start and at each switch
//   to such a representation); a media segment that arrives first waits for it (awaiting_init_).
//   Low-latency (chunked) representations fetch the init segment first: a chunk is buffered as it
//   arrives and needs it then.
// Loaded media time is contiguous from the (re)start point, so the buffer level the hysteresis and
// ABR see is next_time() - play position.
// Threads: player thread only. Callbacks of cancelled downloads are recognised by a sequence number
// and a liveness token, so they are harmless after restart() or destruction.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "abrplay/abr/algorithm/abr_algorithm.h"
#include "abrplay/player/engine/liveness.h"
#include "abrplay/player/engine/track_buffer.h"
#include "abrplay/player/manifest/segment_index.h"
#include "loader_host.h"

namespace abrplay::engine {

// A media time as the ABR's seconds.
inline Seconds seconds_of(MediaTime t) { return Seconds(static_cast<double>(t.count()) / 1e6); }

class TrackLoader {
 public:
  TrackLoader(LoaderHost& host, TrackType type, BufferLimits limits);
  ~TrackLoader();
  TrackLoader(const TrackLoader&) = delete;
  TrackLoader& operator=(const TrackLoader&) = delete;

  // Loads `selection` of period `period`, starting with the segment containing `from` (MPD time).
  // Cancels what is in flight; keeps the buffer (the caller flushes it when needed).
  void enter_period(std::size_t period, const SelectedTrack& selection, MediaTime from);
  // A track switch in place: loads `selection` (another adaptation set) from the segment containing
  // `from`, after the caller spliced the buffer (TrackBuffer::splice). Drops what is in flight and a
  // segment parked for room (both of the old set).
  void switch_track(std::size_t period, const SelectedTrack& selection, MediaTime from);
  // No period left for this track: after what is buffered, the stream ends.
  void finish();
  // The MPD was refreshed (live): rebuilds the segment indices from host.mpd().
  void refresh_indices();
  void pump();
  void cancel_in_flight();

  TrackType type() const { return type_; }
  TrackBuffer& buffer() { return buffer_; }
  const TrackBuffer& buffer() const { return buffer_; }
  const BufferLimits& limits() const { return limits_; }
  // Nothing more will be buffered.
  bool finished() const { return finished_ && !parked_; }
  // The byte cap holds back the next segment: this track's buffer cannot grow before playback
  // moves on, so playback must not wait for it to reach the startup buffer.
  bool capped() const { return capped_ || parked_.has_value(); }
  std::size_t period() const { return period_; }
  // The adaptation set being loaded (index in the period), empty before enter_period().
  std::optional<std::size_t> adaptation_set() const {
    return reps_.empty() ? std::nullopt : std::optional<std::size_t>(reps_.front().adaptation_set);
  }
  MediaTime next_time() const { return next_time_; }
  // Low-latency live: segments arrive in CMAF chunks, buffered (and decoded) as they come.
  bool chunked() const;
  // Media loaded ahead of the play position (what the hysteresis and ABR see).
  MediaTime level() const;
  // A media segment download is in flight.
  bool media_in_flight() const { return in_flight_ && in_flight_->kind == DownloadKind::kMedia; }
  // Idle, and the load-control hysteresis says load: it would start a download if pumped now.
  bool wants_to_load() const;
  // Will ask for the link for a media segment next: it wants to load, or an init or index fetch
  // is in flight, after which its media segment follows (serial media waits for it in its turn).
  bool wants_media_next() const {
    return wants_to_load() || (in_flight_ && in_flight_->kind != DownloadKind::kMedia) ||
           (init_beside_ && !in_flight_ && !awaiting_init_);
  }

 private:
  struct Rep {
    std::size_t adaptation_set = 0;
    std::size_t representation = 0;
    std::string id;
    DataRate bandwidth;
    std::optional<manifest::SegmentIndex> index;
    Bytes init;
  };
  struct InFlight {
    std::uint64_t seq = 0;
    net::Fetcher* fetcher = nullptr;
    net::Fetcher::FetchId id = 0;
    DownloadKind kind = DownloadKind::kMedia;
    std::size_t rep = 0;
    std::optional<manifest::Segment> segment;
    std::string url;
    std::vector<std::uint8_t> body;    // what has arrived and is not yet buffered as CMAF chunks
    std::uint64_t received = 0;        // body bytes that arrived (those buffered as chunks included)
    std::uint64_t expected_bytes = 0;  // reserved for `body` at the first byte
    // Low-latency live (SegmentIndex::chunked): complete CMAF chunks are buffered as they arrive.
    bool chunked = false;
    int chunks_buffered = 0;
    MediaTime chunks_end{0};  // where the chunks buffered so far end (MPD time)
    // The link's busy time and bytes over the chunks (sample_of, note_chunk_burst); the waits for
    // the encoder in between are left out.
    std::optional<SteadyTime> last_chunk_done;
    std::optional<SteadyTime> chunk_began;  // when the first piece of the chunk now arriving came
    std::uint64_t chunk_first_piece = 0;    // and its bytes
    Seconds busy{0};
    std::uint64_t busy_bytes = 0;
    SteadyTime sent{};
    std::optional<SteadyTime> first_byte;
    abr::AbrInput context;  // the state when the download started (for should_abandon)
  };

  std::size_t choose();  // the representation for the next media segment (emits the decision)
  // The index of the representation last chosen (else any loaded one) when the MPD is static.
  const manifest::SegmentIndex* static_index() const;
  std::optional<manifest::Segment> next_segment_in(const manifest::SegmentIndex& index) const;
  bool at_end() const;                                 // no segment left at next_time_ (static)
  void locate_next_segment(abr::AbrInput& in) const;   // AbrInput::next_segment, segment_count
  std::optional<abr::LiveChunks> live_chunks() const;  // AbrInput::live_chunks
  void judge_chunked_first_byte(const InFlight& f);    // LoaderHost::chunked_first_byte
  bool ensure_index(Rep& rep);
  // `beside`: an init segment fetched beside the media segment that needs it (init_beside_).
  void start_fetch(DownloadKind kind, std::size_t rep, const std::string& url,
                   const std::optional<manifest::ByteRange>& range, std::optional<manifest::Segment> segment,
                   bool beside = false);
  // The media segment of `rep` may be requested together with its init segment (not chunked: a
  // chunk is buffered as it arrives and needs the init then).
  bool init_goes_beside(const Rep& rep) const;
  // Starts the init segment of `rep` beside its media segment, unless it is on its way already (one
  // for another representation is cancelled).
  void fetch_init_beside(std::size_t rep);
  // The init segment fetched beside failed: the media of its representation goes too.
  void drop_media_of(std::size_t rep);
  void on_chunk(std::uint64_t seq, const std::vector<std::uint8_t>& chunk);
  // Chunked media download: buffers the complete CMAF chunks that arrived in `f` (cmaf_chunks.h);
  // false when the buffer refused one (the session has failed).
  bool buffer_chunks(InFlight& f);
  // The link time of a chunk of `bytes` that ends at `chunk_end` (MPD time) and has just arrived.
  void note_chunk_burst(InFlight& f, MediaTime chunk_end, std::uint64_t bytes);
  // Buffers [start, end) of the in-flight segment (a chunk, the rest of a failed one as a gap).
  bool buffer_part(const InFlight& f, const Rep& rep, MediaTime start, MediaTime end, Bytes media);
  void on_complete(std::uint64_t seq, net::FetchOutcome outcome);
  void check_abandon();
  void schedule_abandon_check();
  void wait_until(WallTime when);
  void wait_for(MediaTime delay);
  abr::ThroughputSample sample_of(const InFlight& f) const;
  bool push_or_park(BufferedSegment segment);
  // Buffers the media segment `f` fetched (empty `media`: skipped, a gap to step over) and moves
  // next_time_ past it; false when the buffer refused it (the session has failed).
  bool buffer_segment(const InFlight& f, const Rep& rep, Bytes media);

  LoaderHost& host_;
  const TrackType type_;
  const BufferLimits limits_;
  TrackBuffer buffer_;
  std::vector<Rep> reps_;  // ascending bandwidth
  std::vector<abr::Representation> ladder_;
  std::size_t period_ = 0;
  MediaTime next_time_{0};
  MediaTime last_duration_ = std::chrono::seconds(2);  // of the last segment seen: ABR's hint
  std::optional<MediaTime> last_chunk_;                // low-latency live: the last whole CMAF chunk's length
  std::optional<std::size_t> last_index_;
  std::optional<std::size_t> forced_index_;    // after an abandonment or a failed download
  std::string forced_reason_;                  // the ABR decision's reason for forced_index_
  std::optional<std::size_t> pending_choice_;  // chosen; its index/init are being fetched first
  bool loading_burst_ = false;
  bool finished_ = false;
  int live_retries_ = 0;
  // Failed media/init downloads since the last media segment that arrived (see on_complete).
  static constexpr int kMaxSegmentFailures = 3;
  int consecutive_failures_ = 0;
  std::optional<InFlight> in_flight_;
  // The init segment of a representation whose first media segment is requested at the same time
  // (one round trip less at the start and at each switch to a representation not cached yet), and
  // a media segment that arrived before its init segment did.
  std::optional<InFlight> init_beside_;
  struct AwaitingInit {
    InFlight fetch;
    Bytes media;
  };
  std::optional<AwaitingInit> awaiting_init_;
  std::optional<BufferedSegment> parked_;  // downloaded, waiting for room under the byte cap
  bool capped_ = false;                    // the last pump found no room for the next segment
  std::uint64_t seq_ = 0;
  EventLoop::TimerId wait_timer_ = 0;
  EventLoop::TimerId abandon_timer_ = 0;
  Liveness alive_;  // tasks posted to the loop check it before touching this

  // The next download would be a media segment (its representation's index and init are loaded).
  bool next_is_media() const;
};

}  // namespace abrplay::engine
