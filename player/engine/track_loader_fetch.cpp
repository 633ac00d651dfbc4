// TrackLoader, downloading: starting a fetch, chunks, completion, throughput samples, abandonment.
#include <algorithm>

#include "cmaf_chunks.h"
#include "net_error_code.h"
#include "track_loader.h"

namespace abrplay::engine {

namespace {

// The most a response may carry, so that a broken or hostile server cannot fill memory: a byte
// range exactly its length; an init or index segment without a range 4 MiB (real ones are a few
// KiB); a media segment 8 times its declared size (bandwidth x duration: VBR peaks stay well under
// 3x), at least 8 MiB. Never more than net's default (64 MiB).
std::uint64_t body_limit(DownloadKind kind, const std::optional<manifest::ByteRange>& range, DataRate bandwidth,
                         MediaTime duration) {
  constexpr std::uint64_t kMiB = 1ull << 20;
  const std::uint64_t ceiling = net::Request{}.max_body_bytes;
  if (range && range->last >= range->first) return std::min(ceiling, range->size());
  if (kind != DownloadKind::kMedia) return 4 * kMiB;
  const double declared = bytes_in(bandwidth, seconds_of(duration));
  return std::clamp(static_cast<std::uint64_t>(8.0 * declared), 8 * kMiB, ceiling);
}

}  // namespace

void TrackLoader::start_fetch(DownloadKind kind, std::size_t rep, const std::string& url,
                              const std::optional<manifest::ByteRange>& range, std::optional<manifest::Segment> segment,
                              bool beside) {
  const auto& bases = reps_[rep].index->base_urls();
  net::Request req;
  std::vector<std::string> hosts;
  if (!bases.empty() && url.size() > bases.front().size() && url.compare(0, bases.front().size(), bases.front()) == 0 &&
      bases.front().back() == '/') {
    req.url = url.substr(bases.front().size());  // relative: the Fetcher picks the CDN
    hosts = bases;
  } else {
    req.url = url;
  }
  if (range) req.range = net::ByteRange{range->first, range->last};
  req.max_body_bytes = body_limit(kind, range, reps_[rep].bandwidth, segment ? segment->duration : MediaTime{0});
  if (range && range->last >= range->first) {
    req.expected_bytes = range->size();
  } else if (kind == DownloadKind::kMedia && segment) {
    req.expected_bytes = static_cast<std::uint64_t>(bytes_in(reps_[rep].bandwidth, seconds_of(segment->duration)));
  }
  req.priority = kind == DownloadKind::kMedia ? net::Priority::kNormal : net::Priority::kHigh;
  if (const auto& decorate = host_.config().decorate_request) {
    decorate(req, RequestInfo{kind, type_, reps_[rep].bandwidth, segment ? segment->duration : MediaTime{0}});
  }

  InFlight f;
  f.seq = ++seq_;
  f.fetcher = &host_.fetcher_for(hosts, reps_[rep].index->base_url_hosts());
  f.kind = kind;
  f.rep = rep;
  f.segment = std::move(segment);
  f.url = url;
  f.chunked = kind == DownloadKind::kMedia && reps_[rep].index->chunked() && reps_[rep].init;
  if (f.segment) f.chunks_end = f.segment->start;
  f.sent = host_.loop().clock().steady();
  {
    const double declared = f.segment ? bytes_in(reps_[rep].bandwidth, seconds_of(f.segment->duration)) : 0.0;
    const std::uint64_t guess = range && range->last >= range->first ? range->size()
                                                                     : static_cast<std::uint64_t>(declared * 1.25);
    f.expected_bytes = std::min(guess, req.max_body_bytes);
  }
  if (kind == DownloadKind::kMedia && type_ == TrackType::kVideo) {
    f.context.ladder = ladder_;
    f.context.buffer_level = seconds_of(level());
    f.context.buffer_capacity = seconds_of(host_.config().load.max_buffer);
    f.context.last_index = rep;
    f.context.throughput = host_.throughput();
    f.context.segment_duration = seconds_of(f.segment->duration);
    f.context.now = host_.session_time();
  }
  const std::uint64_t seq = f.seq;
  const Liveness::Watch alive = alive_.watch();
  net::FetchCallbacks cbs;
  cbs.on_chunk = [this, alive, seq](const net::BodyChunk& chunk) {
    if (!alive.expired()) on_chunk(seq, chunk);
  };
  cbs.on_complete = [this, alive, seq](net::FetchOutcome outcome) {
    if (!alive.expired()) on_complete(seq, std::move(outcome));
  };
  net::Fetcher* fetcher = f.fetcher;
  std::optional<InFlight>& slot = beside ? init_beside_ : in_flight_;
  slot = std::move(f);
  slot->id = fetcher->fetch(std::move(req), std::move(cbs));
  if (!beside && in_flight_ && in_flight_->kind == DownloadKind::kMedia && type_ == TrackType::kVideo)
    schedule_abandon_check();
}

void TrackLoader::drop_media_of(std::size_t rep) {
  if (in_flight_ && in_flight_->rep == rep && in_flight_->kind == DownloadKind::kMedia) {
    in_flight_->fetcher->cancel(in_flight_->id);
    in_flight_.reset();
    host_.download_ended(type_);
    if (abandon_timer_ != 0) host_.loop().cancel(abandon_timer_);
    abandon_timer_ = 0;
  }
  if (awaiting_init_ && awaiting_init_->fetch.rep == rep) awaiting_init_.reset();
}

void TrackLoader::on_chunk(std::uint64_t seq, const std::vector<std::uint8_t>& chunk) {
  if (init_beside_ && init_beside_->seq == seq) {
    if (!init_beside_->first_byte) init_beside_->first_byte = host_.loop().clock().steady();
    init_beside_->body.insert(init_beside_->body.end(), chunk.begin(), chunk.end());
    init_beside_->received += chunk.size();
    return;
  }
  if (!in_flight_ || in_flight_->seq != seq) return;
  if (!in_flight_->first_byte) {
    in_flight_->first_byte = host_.loop().clock().steady();
    if (in_flight_->chunked) judge_chunked_first_byte(*in_flight_);
    // One allocation for the expected body instead of a doubling series of copies: the range's
    // length, else the declared size (bandwidth x duration) with VBR headroom, within the cap.
    in_flight_->body.reserve(static_cast<std::size_t>(in_flight_->expected_bytes));
  }
  InFlight& f = *in_flight_;
  const bool starts_chunk = f.chunked && f.body.empty();
  const int buffered_before = f.chunks_buffered;
  f.body.insert(f.body.end(), chunk.begin(), chunk.end());
  f.received += chunk.size();
  if (f.chunked) {
    if (starts_chunk) {
      f.chunk_began = host_.loop().clock().steady();
      f.chunk_first_piece = chunk.size();
    }
    if (!buffer_chunks(f) || !in_flight_) return;
    if (f.chunks_buffered > buffered_before && !f.body.empty()) {  // the next chunk began in this piece
      f.chunk_began = host_.loop().clock().steady();
      f.chunk_first_piece = f.body.size();
    }
  } else if (in_flight_->kind == DownloadKind::kMedia && type_ == TrackType::kVideo) {
    check_abandon();
  }
}

void TrackLoader::judge_chunked_first_byte(const InFlight& f) {
  // Requested at least half a second before the segment's end on the live clock, a chunked segment's
  // first bytes come with its first chunk; when they come only within 250 ms of its end or later,
  // the server waited for the whole segment.
  const auto& ast = host_.mpd().availability_start_time;
  if (!f.segment || !ast) return;
  const WallTime now = host_.live_now();
  const WallTime end = *ast + std::chrono::duration_cast<WallTime::duration>(f.segment->end());
  const WallTime sent = now - std::chrono::duration_cast<WallTime::duration>(*f.first_byte - f.sent);
  if (sent + std::chrono::milliseconds(500) > end) return;  // asked for late: nothing to judge
  host_.chunked_first_byte(type_, f.url, now + std::chrono::milliseconds(250) >= end);
}

bool TrackLoader::buffer_chunks(InFlight& f) {
  const Rep& rep = reps_[f.rep];
  const auto timing = detail::init_timing(*rep.init);
  auto chunks = detail::complete_chunks(f.body, 0, timing.default_sample_duration);
  auto stop = [&](const std::string& why) {
    f.chunked = false;  // the rest is buffered when the download completes, as one piece
    host_.warn(Error{ErrorCode::kMediaDemux, std::string(to_string(type_)) + " segment " + f.url +
                                                 ": CMAF chunks cannot be buffered as they arrive (" + why +
                                                 "); waiting for the whole segment"});
    return true;
  };
  if (!timing.timescale) return stop("the init segment gives no media timescale");
  if (!chunks) return stop(chunks.error());
  std::size_t used = 0;
  for (const detail::CmafChunk& c : *chunks) {
    if (!c.duration) return stop("a chunk's samples carry no durations");
    const MediaTime length = std::chrono::duration_cast<MediaTime>(
        std::chrono::duration<double>(static_cast<double>(*c.duration) / *timing.timescale));
    // Chunks tile the segment from its start. Media time need not match the MPD's to the sample
    // (AAC frames straddle a 4 s boundary): a chunk may end a little past the segment's end, within
    // what the buffer takes as contiguous with the next segment; a chunk beyond that gets a token
    // millisecond (the pipeline places its samples by their own timestamps).
    MediaTime end = f.chunks_end + length;
    const MediaTime limit = f.segment->end() + kContinuityTolerance / 2;
    if (end > limit) end = std::max<MediaTime>(limit, f.chunks_end + std::chrono::milliseconds(1));
    auto part = std::make_shared<const std::vector<std::uint8_t>>(f.body.begin() + static_cast<std::ptrdiff_t>(used),
                                                                  f.body.begin() + static_cast<std::ptrdiff_t>(c.end));
    note_chunk_burst(f, end, c.end - used);
    if (end - f.chunks_end > MediaTime(std::chrono::milliseconds(1))) last_chunk_ = end - f.chunks_end;
    if (!buffer_part(f, rep, f.chunks_end, end, std::move(part))) return false;
    used = c.end;
    f.chunks_end = end;
    ++f.chunks_buffered;
  }
  // Memory stays at one chunk: what is buffered leaves the download's body.
  f.body.erase(f.body.begin(), f.body.begin() + static_cast<std::ptrdiff_t>(used));
  return true;
}

void TrackLoader::note_chunk_burst(InFlight& f, MediaTime chunk_end, std::uint64_t bytes) {
  const SteadyTime now = host_.loop().clock().steady();
  const std::optional<SteadyTime> first_piece = std::exchange(f.chunk_began, std::nullopt);
  const SteadyTime previous_done = std::exchange(f.last_chunk_done, now).value_or(f.sent);
  if (first_piece && *first_piece < now && bytes > f.chunk_first_piece) {
    // A chunk that came in pieces: the link's rate is the bytes after its first piece over the time
    // from that piece to the last (as dash.js times a chunk from its moof). Timed from the
    // publication instead, each chunk also counted the trip to us: 10-15 % low on the LL
    // benchmark's traces (40 ms RTT, 1 s chunks).
    f.busy += Seconds(now - *first_piece);
    f.busy_bytes += bytes - f.chunk_first_piece;
    return;
  }
  // In one piece: from its publication (or the previous chunk's arrival, if later) to its arrival.
  SteadyTime began = previous_done;
  if (const auto& ast = host_.mpd().availability_start_time) {
    // The packager publishes a chunk when the live clock passes its end (MPD time).
    const auto published = *ast + chunk_end;
    const SteadyTime at = now + std::chrono::duration_cast<SteadyTime::duration>(published - host_.live_now());
    began = std::max(began, at);
  }
  // A chunk that came in one piece right after its publication took under a millisecond of link:
  // count one, so a fast link reads as fast, never as infinite.
  f.busy += std::max(Seconds(now - began), Seconds(1e-3));
  f.busy_bytes += bytes;
}

bool TrackLoader::buffer_part(const InFlight& f, const Rep& rep, MediaTime start, MediaTime end, Bytes media) {
  BufferedSegment s;
  s.start = start;
  s.duration = end - start;
  s.period = period_;
  s.representation_id = rep.id;
  s.bandwidth = rep.bandwidth;
  s.init = rep.init;
  s.media = std::move(media);
  // Low-latency buffers are a few seconds: a chunk is never parked for room, the oldest media goes.
  buffer_.evict(host_.play_position(), limits_, s.bytes());
  if (!buffer_.push(std::move(s))) {
    host_.fatal(Error{ErrorCode::kInternal, std::string(to_string(type_)) + " loader: chunk of " + f.url +
                                                " out of presentation order was refused"});
    return false;
  }
  next_time_ = end;
  host_.segment_buffered(type_);
  return true;
}

abr::ThroughputSample TrackLoader::sample_of(const InFlight& f) const {
  const SteadyTime now = host_.loop().clock().steady();
  abr::ThroughputSample s;
  s.end_time = host_.session_time();
  s.bytes = DataSize::bytes(f.received);
  s.duration = std::max(Seconds(now - f.sent), Seconds(1e-6));
  s.ttfb = f.first_byte ? Seconds(*f.first_byte - f.sent) : s.duration;
  if (f.busy_bytes > 0) {
    // Chunked at the live edge: bytes / time is the encoder's pace; the link's is over its bursts.
    s.bytes = DataSize::bytes(f.busy_bytes);
    s.duration = std::max(f.busy, Seconds(1e-3));
  }
  return s;
}

void TrackLoader::schedule_abandon_check() {
  const Liveness::Watch alive = alive_.watch();
  abandon_timer_ = host_.loop().post_after(host_.config().abandon_check_every, [this, alive] {
    if (alive.expired()) return;
    abandon_timer_ = 0;
    check_abandon();
    if (in_flight_ && in_flight_->kind == DownloadKind::kMedia) schedule_abandon_check();
  });
}

void TrackLoader::check_abandon() {
  // The lowest is never abandoned; nor is a chunked download, which comes at the encoder's pace.
  if (!in_flight_ || in_flight_->rep == 0 || in_flight_->chunked) return;
  InFlight& f = *in_flight_;
  const SteadyTime now = host_.loop().clock().steady();
  // The context's buffer level is refreshed: the decision is about running out from now on.
  f.context.buffer_level = seconds_of(level());
  abr::AbandonInput in;
  in.context = &f.context;
  in.index = f.rep;
  const double declared = bytes_in(reps_[f.rep].bandwidth, f.context.segment_duration);
  in.bytes_total = f.segment && f.segment->range ? static_cast<double>(f.segment->range->size()) : declared;
  in.bytes_loaded = static_cast<double>(f.received);
  in.elapsed = Seconds(now - f.sent);
  in.ttfb = f.first_byte ? Seconds(*f.first_byte - f.sent) : Seconds(0);
  const abr::AbandonDecision d = host_.abr().should_abandon(in);
  if (!d.abandon || d.switch_to >= f.rep) return;

  InFlight gone = std::move(*in_flight_);
  in_flight_.reset();
  gone.fetcher->cancel(gone.id);
  host_.download_ended(type_);
  ++seq_;
  if (abandon_timer_ != 0) host_.loop().cancel(abandon_timer_);
  abandon_timer_ = 0;
  DownloadEvent ev;
  ev.kind = DownloadKind::kMedia;
  ev.track = type_;
  ev.url = gone.url;
  ev.representation_id = reps_[gone.rep].id;
  ev.segment_start = gone.segment->start;
  ev.bytes = DataSize::bytes(gone.received);
  ev.abandoned = true;
  ev.sample = sample_of(gone);
  if (gone.received > 0) host_.record_sample(type_, ev.sample);
  host_.emit(ev);
  AbrDecisionEvent dec;
  dec.track = type_;
  dec.index = d.switch_to;
  dec.representation_id = reps_[d.switch_to].id;
  dec.bandwidth = reps_[d.switch_to].bandwidth;
  dec.reason = d.reason;
  dec.segment_start = gone.segment->start;
  dec.buffer_ahead = level();
  dec.throughput = host_.throughput();
  host_.emit(dec);
  forced_index_ = d.switch_to;
  forced_reason_ = "refetch after abandonment";
  pending_choice_.reset();
  const Liveness::Watch alive = alive_.watch();
  host_.loop().post([this, alive] {
    if (!alive.expired()) pump();
  });
}

void TrackLoader::on_complete(std::uint64_t seq, net::FetchOutcome outcome) {
  const bool beside = init_beside_ && init_beside_->seq == seq;
  if (!beside && (!in_flight_ || in_flight_->seq != seq)) return;
  std::optional<InFlight>& slot = beside ? init_beside_ : in_flight_;
  InFlight f = std::move(*slot);
  slot.reset();
  if (f.kind == DownloadKind::kMedia) host_.download_ended(type_);
  if (!beside && abandon_timer_ != 0) host_.loop().cancel(abandon_timer_);
  if (!beside) abandon_timer_ = 0;
  Rep& rep = reps_[f.rep];
  if (!outcome) {
    const net::NetError& e = outcome.error();
    if (e.code == net::NetErrorCode::kCancelled) return;
    if (beside) drop_media_of(f.rep);  // its media segment is refetched with the next choice
    if (host_.mpd().is_dynamic() && e.http_status == 404 && live_retries_ < 5) {
      // Published a little later than our synced clock expected: look again shortly. The first two
      // look again quietly: a segment asked for at its availability time (a low-latency one, a
      // second into its encoding) may be a moment early, or lie past the end of an event whose MPD
      // does not say so until its next refresh.
      if (++live_retries_ > 2)
        host_.warn(Error{ErrorCode::kNetworkHttpStatus,
                         std::string(to_string(type_)) + ": " + e.describe() + " (live: not published yet? retrying)"});
      wait_for(std::chrono::milliseconds(500));
      return;
    }
    Error error{code_of(e.code), std::string(to_string(type_)) + " " + std::string(to_string(f.kind)) +
                                     " of representation '" + rep.id + "': " + e.describe()};
    if (f.chunks_buffered > 0) {
      // Part of the segment is buffered (and maybe playing): the rest becomes a gap to step over.
      error.message += " (after " + std::to_string(f.chunks_buffered) +
                       " CMAF chunks: the rest of the segment skipped)";
      host_.warn(error);
      if (f.chunks_end + kContinuityTolerance < f.segment->end() &&
          !buffer_part(f, rep, f.chunks_end, f.segment->end(), std::make_shared<const std::vector<std::uint8_t>>()))
        return;
      next_time_ = f.segment->end();
      pump();
      return;
    }
    if (f.kind == DownloadKind::kMedia || f.kind == DownloadKind::kInit) {
      // The fetcher has retried and failed over already. Another rendition may be intact: try the
      // lowest; if that fails too, skip the segment (a gap playback steps over). Only a run of
      // kMaxSegmentFailures failures in a row ends the session.
      if (++consecutive_failures_ <= kMaxSegmentFailures) {
        if (f.rep != 0) {
          forced_index_ = 0;
          forced_reason_ = "the lowest after a failed download";
          pending_choice_.reset();
          error.message += " (trying the lowest representation)";
        } else if (f.kind == DownloadKind::kMedia) {
          error.message += " (segment skipped: playback steps over the gap)";
          host_.warn(error);
          // An empty segment holds its place, so the buffer stays contiguous and consumers step
          // over it (the media pipeline sees a discontinuity after it). Behind its init segment
          // when that is still on its way.
          auto gap = std::make_shared<const std::vector<std::uint8_t>>();
          if (rep.index->init() && !rep.init && init_beside_ && init_beside_->rep == f.rep) {
            awaiting_init_ = AwaitingInit{std::move(f), std::move(gap)};
            return;
          }
          if (buffer_segment(f, rep, std::move(gap))) pump();
          return;
        } else {
          host_.fatal(error);
          return;
        }
        host_.warn(error);
        pump();
        return;
      }
      error.message += " (" + std::to_string(kMaxSegmentFailures) + " failed downloads in a row)";
    }
    host_.fatal(error);
    return;
  }
  live_retries_ = 0;
  if (f.kind == DownloadKind::kMedia) consecutive_failures_ = 0;
  const net::FetchResult& r = *outcome;
  DownloadEvent ev;
  ev.kind = f.kind;
  ev.track = type_;
  ev.url = f.url;
  ev.base_url = r.base_url;
  ev.representation_id = rep.id;
  ev.bandwidth = rep.bandwidth;
  ev.bytes = DataSize::bytes(f.received);
  ev.attempts = r.attempts;
  ev.from_cache = r.response.from_cache;
  ev.sample = sample_of(f);
  ev.from_memory = r.response.from_memory;
  if (f.kind == DownloadKind::kMedia && f.chunks_buffered > 0) {
    // Chunked: what is left is the last chunk (or a chunk cut short, which the pipeline reports
    // and skips like a truncated segment).
    InFlight& last = f;
    if (last.chunked && !buffer_chunks(last)) return;  // the session failed
    ev.segment_start = last.segment->start;
    ev.segment_duration = last.segment->duration;
    if (!ev.from_memory && !ev.from_cache) host_.record_sample(type_, ev.sample);  // as below: no link was timed
    host_.emit(ev);
    if (!last.body.empty() && last.chunks_end + kContinuityTolerance < last.segment->end()) {
      auto rest = std::make_shared<const std::vector<std::uint8_t>>(std::move(last.body));
      if (!buffer_part(last, rep, last.chunks_end, last.segment->end(), std::move(rest))) return;
    }
    next_time_ = last.segment->end();
    pump();
    return;
  }
  auto bytes = std::make_shared<const std::vector<std::uint8_t>>(std::move(f.body));
  switch (f.kind) {
    case DownloadKind::kIndex: {
      auto loaded = rep.index->load_index(*bytes);
      if (!loaded) {
        host_.fatal(loaded.error());
        return;
      }
      host_.emit(ev);
      break;
    }
    case DownloadKind::kInit:
      rep.init = bytes;
      host_.emit(ev);
      if (awaiting_init_ && awaiting_init_->fetch.rep == f.rep) {  // its media segment came first
        AwaitingInit waiting = std::move(*awaiting_init_);
        awaiting_init_.reset();
        if (!buffer_segment(waiting.fetch, rep, std::move(waiting.media))) return;
      }
      break;
    case DownloadKind::kMedia: {
      ev.segment_start = f.segment->start;
      ev.segment_duration = f.segment->duration;
      // A body from a preload or the HTTP cache took no time on the link: no throughput sample.
      if (!ev.from_memory && !ev.from_cache) host_.record_sample(type_, ev.sample);
      host_.emit(ev);
      if (rep.index->init() && !rep.init) {  // its init segment, fetched beside it, is still on its way
        const std::size_t waiting = f.rep;
        awaiting_init_ = AwaitingInit{std::move(f), std::move(bytes)};
        fetch_init_beside(waiting);  // on its way, or cancelled meanwhile: ask again
        break;
      }
      if (!buffer_segment(f, rep, bytes)) return;
      break;
    }
    case DownloadKind::kManifest:
    case DownloadKind::kClockSync:
    case DownloadKind::kThumbnail:
    case DownloadKind::kSteering: break;
  }
  pump();
}

bool TrackLoader::buffer_segment(const InFlight& f, const Rep& rep, Bytes media) {
  BufferedSegment s;
  s.start = f.segment->start;
  s.duration = f.segment->duration;
  s.period = period_;
  s.representation_id = rep.id;
  s.bandwidth = rep.bandwidth;
  s.init = rep.init;
  s.media = std::move(media);
  next_time_ = f.segment->end();
  if (!push_or_park(std::move(s))) return false;
  host_.segment_buffered(type_);  // parked too: playback may be waiting for more than the cap holds
  return true;
}

}  // namespace abrplay::engine
