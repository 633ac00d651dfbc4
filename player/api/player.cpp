// player/api/player.cpp: abrplay::Player, joining the streaming engine, the media pipeline and
// telemetry (see abrplay/player.h for the threading contract).
//
// Threads:
//  - caller threads: commands update the visible (cached) state under vmu_ and post to the loop;
//  - "abrplay-player" (EventLoop): the engine, the SegmentConsumer side of this class (feeds the
//    pipeline, reports the position every kTick), telemetry, listener calls;
//  - "abrplay-present": pumps the current pipeline (null and frame-callback sinks need no main thread);
//  - the pipeline's decode threads and the HttpClient's net thread.
#include "abrplay/player.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <random>
#include <thread>

#include <nlohmann/json.hpp>

#include "abrplay/abr/algorithm/fixed.h"
#include "abrplay/abr/algorithm/registry.h"
#include "abrplay/net/http_client.h"
#include "abrplay/net/request.h"
#include "abrplay/player/clock.h"
#include "abrplay/player/engine/event_loop.h"
#include "abrplay/player/engine/streaming_engine.h"
#include "abrplay/player/manifest/model.h"
#include "abrplay/player/media/pipeline.h"
#include "abrplay/player/media/sinks.h"
#include "abrplay/player/telemetry/cmcd.h"
#include "abrplay/player/telemetry/reporter.h"
#include "abrplay/player/telemetry/session_recorder.h"
#include "../engine/net_error_code.h"

namespace abrplay {

using std::chrono::microseconds;
using std::chrono::milliseconds;

std::string_view to_string(PlayerState state) {
  switch (state) {
    case PlayerState::kIdle: return "idle";
    case PlayerState::kLoading: return "loading";
    case PlayerState::kBuffering: return "buffering";
    case PlayerState::kPlaying: return "playing";
    case PlayerState::kPaused: return "paused";
    case PlayerState::kSeeking: return "seeking";
    case PlayerState::kEnded: return "ended";
    case PlayerState::kError: return "error";
  }
  return "unknown";
}

namespace {

// How often the pipeline's position and events are carried to the engine (the engine wants at least
// every 250 ms; 50 ms keeps max-speed playback responsive).
constexpr milliseconds kTick{50};

PlayerState from_engine(engine::EngineState s) {
  switch (s) {
    case engine::EngineState::kIdle: return PlayerState::kIdle;
    case engine::EngineState::kLoading: return PlayerState::kLoading;
    case engine::EngineState::kBuffering: return PlayerState::kBuffering;
    case engine::EngineState::kPlaying: return PlayerState::kPlaying;
    case engine::EngineState::kPaused: return PlayerState::kPaused;
    case engine::EngineState::kSeeking: return PlayerState::kSeeking;
    case engine::EngineState::kEnded: return PlayerState::kEnded;
    case engine::EngineState::kError: return PlayerState::kError;
  }
  return PlayerState::kError;
}

// "fixed:N" or a registry name; null when neither.
std::unique_ptr<abr::AbrAlgorithm> make_abr(std::string_view spec, bool pensieve_compat) {
  if (spec.substr(0, 6) == "fixed:") {
    const std::string_view n = spec.substr(6);
    if (n.empty() || n.size() > 6 || n.find_first_not_of("0123456789") != std::string_view::npos) return nullptr;
    return std::make_unique<abr::FixedAlgorithm>(std::stoul(std::string(n)));
  }
  abr::RegistryOptions options;
  options.pensieve_compat = pensieve_compat;
  return abr::make_algorithm(spec, options);
}

// The engine owns its algorithm for its whole life; this one lets set_abr() swap the inside.
// Player thread only (the engine asks it there, set() runs there).
class SwitchableAbr final : public abr::AbrAlgorithm {
 public:
  explicit SwitchableAbr(std::unique_ptr<abr::AbrAlgorithm> inner) : inner_(std::move(inner)) {}
  void set(std::unique_ptr<abr::AbrAlgorithm> inner) { inner_ = std::move(inner); }
  [[nodiscard]] abr::Decision choose(const abr::AbrInput& input) override { return inner_->choose(input); }
  [[nodiscard]] abr::AbandonDecision should_abandon(const abr::AbandonInput& input) const override {
    return inner_->should_abandon(input);
  }
  void reset() override { inner_->reset(); }
  std::string_view name() const override { return inner_->name(); }
  bool pinned() const override { return inner_->pinned(); }

 private:
  std::unique_ptr<abr::AbrAlgorithm> inner_;
};

std::string random_session_id() {
  std::random_device rd;
  std::mt19937_64 gen((static_cast<std::uint64_t>(rd()) << 32) ^ rd());
  const std::uint64_t a = gen(), b = gen();
  char buf[40];
  std::snprintf(buf, sizeof buf, "%08x-%04x-4%03x-%04x-%012llx", static_cast<unsigned>(a >> 32),
                static_cast<unsigned>((a >> 16) & 0xffff), static_cast<unsigned>(a & 0xfff),
                static_cast<unsigned>(0x8000 | ((b >> 48) & 0x3fff)),
                static_cast<unsigned long long>(b & 0xffffffffffffull));
  return buf;
}

// RFC 3986 percent-encoding of everything but unreserved characters (the CMCD query value).
std::string percent_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
        c == '_' || c == '~') {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    }
  }
  return out;
}

// Hands due cues to SinkConfig::on_cue (presentation thread).
class CueCallbackTextSink final : public media::TextSink {
 public:
  explicit CueCallbackTextSink(std::function<void(const media::TextCue&)> callback) : callback_(std::move(callback)) {}
  void cue(const media::TextCue& cue) override {
    if (callback_) callback_(cue);
  }
  void clear() override {}

 private:
  std::function<void(const media::TextCue&)> callback_;
};

// The pipeline with the sinks it needs (declared first, so they outlive it).
struct Output {
  std::unique_ptr<media::NullAudioSink> audio;
  std::unique_ptr<media::VideoSink> video;
  std::unique_ptr<media::TextSink> text;
  std::unique_ptr<media::MediaPipeline> pipeline;
};

}  // namespace

class Player::Impl final : public engine::EngineObserver, public engine::SegmentConsumer {
  // What the playback API said for a session (load(PlaybackRequest)).
  struct ApiSession {
    std::string session_id, telemetry_url;
    std::optional<milliseconds> telemetry_interval;
  };

 public:
  explicit Impl(PlayerConfig config)
      : config_(std::move(config)),
        clock_owner_(config_.clock ? config_.clock : std::make_shared<const SystemClock>()),
        clock_(*clock_owner_),
        abr_spec_(config_.abr), play_when_ready_(config_.play_when_ready),
        volume_(config_.volume), visible_pwr_(config_.play_when_ready) {
    audio_languages_ = config_.preferred_audio_languages;
    text_languages_ = config_.preferred_text_languages;
    http_ = std::make_unique<net::HttpClient>();
    loop_ = std::make_unique<engine::EventLoop>(clock_, engine::EventLoop::Mode::kOwnThread);
    if (config_.sinks.kind != SinkKind::kExternal) present_thread_ = std::thread([this] { present_main(); });
  }

  ~Impl() override { shutdown(); }

  void shutdown() {
    if (shut_down_) return;
    shut_down_ = true;
    loop_->run_sync([this] {
      end_session(telemetry::EndReason::kDestroyed);
      teardown_engine();
    });
    {
      std::lock_guard lock(pmu_);
      present_stop_ = true;
    }
    pcv_.notify_all();
    if (present_thread_.joinable()) present_thread_.join();
    http_->shutdown();
    loop_->stop();
    http_.reset();
    loop_.reset();
  }

  // ---- caller side ------------------------------------------------------------------------

  void set_listener(PlayerListener* listener) {
    std::lock_guard lock(lmu_);
    listener_ = listener;
  }

  Error load(std::string url) {
    if (url.empty()) return {ErrorCode::kInvalidArgument, "load: empty URL"};
    {
      std::lock_guard lock(vmu_);
      visible_state_ = PlayerState::kLoading;
      visible_position_ = microseconds{0};
    }
    command([this, url = std::move(url)]() mutable { do_load(std::move(url), std::nullopt); });
    return {};
  }

  Error load_playback(PlaybackRequest request) {
    if (request.api_url.empty()) return {ErrorCode::kInvalidArgument, "load: empty playback API URL"};
    {
      std::lock_guard lock(vmu_);
      visible_state_ = PlayerState::kLoading;
      visible_position_ = microseconds{0};
    }
    command([this, request = std::move(request)]() mutable { do_load_playback(std::move(request)); });
    return {};
  }

  void api_play() {
    {
      std::lock_guard lock(vmu_);
      visible_pwr_ = true;
      if (visible_state_ == PlayerState::kPaused) visible_state_ = PlayerState::kBuffering;
    }
    command([this] {
      play_when_ready_ = true;
      if (engine_) engine_->play();
    });
  }

  void api_pause() {
    {
      std::lock_guard lock(vmu_);
      visible_pwr_ = false;
      if (visible_state_ == PlayerState::kPlaying || visible_state_ == PlayerState::kBuffering) {
        visible_state_ = PlayerState::kPaused;
      }
    }
    command([this] {
      play_when_ready_ = false;
      if (engine_) engine_->pause();
    });
  }

  Error seek(microseconds target) {
    if (target < microseconds{0}) target = microseconds{0};
    {
      std::lock_guard lock(vmu_);
      if (visible_state_ == PlayerState::kIdle || visible_state_ == PlayerState::kLoading ||
          visible_state_ == PlayerState::kError) {
        return {ErrorCode::kInvalidState,
                "seek: nothing is loaded (state " + std::string(to_string(visible_state_)) + ")"};
      }
      visible_state_ = PlayerState::kSeeking;
      visible_position_ = target;
    }
    command([this, target] {
      if (!engine_) return;
      if (recorder_) recorder_->on_seek(clock_.steady(), seconds(position_), seconds(target));
      const Error e = engine_->seek(target);
      if (e.code != ErrorCode::kOk) {
        emit_warning(e);
      } else {
        position_ = target;  // what position() shows once no command is pending (ticks refine it)
      }
    });
    return {};
  }

  void stop() {
    {
      std::lock_guard lock(vmu_);
      visible_state_ = PlayerState::kIdle;
      visible_position_ = microseconds{0};
    }
    command([this] {
      end_session(telemetry::EndReason::kStopped);
      teardown_engine();
      ++generation_;  // an answer of the playback API still in flight is ignored
      api_state_.reset();
    });
  }

  Error set_abr(std::string_view name) {
    auto algo = make_abr(name, config_.abr_pensieve_compat);
    if (!algo) {
      std::string known;
      for (auto n : abr::algorithm_names()) known += " " + std::string(n);
      return {ErrorCode::kInvalidArgument, "set_abr: unknown algorithm '" + std::string(name) + "'; known:" + known +
                                               " fixed:N"};
    }
    auto shared = std::make_shared<std::unique_ptr<abr::AbrAlgorithm>>(std::move(algo));
    command([this, shared, spec = std::string(name)] {
      abr_spec_ = spec;
      if (abr_) abr_->set(std::move(*shared));
      std::lock_guard lock(vmu_);
      stats_.abr = std::string(abr::resolve_algorithm_name(spec));
    });
    return {};
  }

  void set_volume(float volume) {
    volume = std::clamp(volume, 0.0F, 1.0F);
    command([this, volume] {
      volume_ = volume;
      if (auto out = output()) out->pipeline->set_volume(volume);
    });
  }

  void select_audio_language(std::string language) {
    command([this, language = std::move(language)] {
      audio_languages_.erase(std::remove(audio_languages_.begin(), audio_languages_.end(), language),
                             audio_languages_.end());
      audio_languages_.insert(audio_languages_.begin(), language);
      reload_at_position();
    });
  }

  // Player thread. The engine selects tracks when it loads: reload at the current position.
  void reload_at_position() {
    if (!engine_ || url_.empty()) return;
    const auto s = engine_->state();
    if (s == engine::EngineState::kIdle || s == engine::EngineState::kError) return;
    const microseconds at = position_;
    std::string url = url_;
    do_load(std::move(url), at);
  }

  void select_text_language(std::string language) {
    command([this, language = std::move(language)] {
      text_languages_.erase(std::remove(text_languages_.begin(), text_languages_.end(), language),
                            text_languages_.end());
      if (language.empty()) {
        text_languages_.clear();
      } else {
        text_languages_.insert(text_languages_.begin(), language);
      }
      reload_at_position();
    });
  }

  PlayerState state() const {
    std::lock_guard lock(vmu_);
    return visible_state_;
  }
  microseconds api_position() const {
    std::lock_guard lock(vmu_);
    return visible_position_;
  }
  bool play_when_ready() const {
    std::lock_guard lock(vmu_);
    return visible_pwr_;
  }
  TrackLanguages languages() const {
    std::lock_guard lock(vmu_);
    TrackLanguages l = languages_;
    for (const auto& [lang, ids] : audio_sets_) {
      if (std::find(ids.begin(), ids.end(), stats_.audio_representation) != ids.end()) l.audio_playing = lang;
    }
    return l;
  }

  // Player thread, once the engine has the manifest: what languages() reports.
  void capture_languages() {
    const manifest::Mpd* mpd = engine_ ? engine_->manifest() : nullptr;
    if (!mpd || mpd->periods.empty()) return;
    TrackLanguages l;
    std::vector<std::pair<std::string, std::vector<std::string>>> audio_sets;
    for (const manifest::AdaptationSet& set : mpd->periods.front().adaptation_sets) {
      const std::string_view type = engine::track_type_name(set);
      if (set.lang.empty() || (type != "audio" && type != "text")) continue;
      auto& list = type == "audio" ? l.audio : l.text;
      if (std::find(list.begin(), list.end(), set.lang) == list.end()) list.push_back(set.lang);
      if (type == "audio") {
        std::vector<std::string> ids;
        for (const auto& r : set.representations) ids.push_back(r.id);
        audio_sets.emplace_back(set.lang, std::move(ids));
      }
    }
    std::lock_guard lock(vmu_);
    languages_ = std::move(l);
    audio_sets_ = std::move(audio_sets);
  }

  PlayerStats stats() const {
    std::lock_guard lock(vmu_);
    PlayerStats s = stats_;
    s.state = visible_state_;
    s.position = visible_position_;
    return s;
  }

  // ---- SegmentConsumer (player thread) ----------------------------------------------------

  void attach(engine::SegmentSource& source, std::span<const engine::TrackType> tracks,
              engine::MediaTime start) override {
    source_ = &source;
    tracks_.assign(tracks.begin(), tracks.end());
    eos_.clear();
    gap_after_.clear();
    last_rebuffers_ = 0;
    last_dropped_ = 0;
    consumer_playing_ = false;
    start_position_ = start;
    auto out = std::make_shared<Output>();
    const bool max_speed = config_.sinks.kind == SinkKind::kNullMaxSpeed ||
                           ((config_.sinks.kind == SinkKind::kFrameCallback || config_.sinks.kind == SinkKind::kExternal) &&
                            config_.sinks.max_speed);
    media::PipelineConfig pc;
    pc.mode = max_speed ? media::PresentMode::kAsFastAsPossible : media::PresentMode::kRealTime;
    pc.video = has(engine::TrackType::kVideo);
    pc.audio = has(engine::TrackType::kAudio);
    pc.text = has(engine::TrackType::kText);
    media::PipelineSinks sinks;
    const bool external = config_.sinks.kind == SinkKind::kExternal;
    if (pc.audio && external && config_.sinks.audio) {
      sinks.audio = config_.sinks.audio;
    } else if (pc.audio) {
      out->audio = std::make_unique<media::NullAudioSink>(
          clock_, max_speed ? media::NullPace::kAsFastAsPossible : media::NullPace::kWallClock);
      sinks.audio = out->audio.get();
    }
    if (external && config_.sinks.video) {
      // the embedder's
    } else if (config_.sinks.kind == SinkKind::kFrameCallback && config_.sinks.on_frame) {
      out->video = std::make_unique<media::FrameCallbackVideoSink>(config_.sinks.on_frame);
    } else {
      out->video = std::make_unique<media::NullVideoSink>();
    }
    sinks.video = external && config_.sinks.video ? config_.sinks.video : out->video.get();
    if (pc.text) {
      out->text = std::make_unique<CueCallbackTextSink>(config_.sinks.on_cue);
      sinks.text = out->text.get();
    }
    out->pipeline = std::make_unique<media::MediaPipeline>(clock_, pc, sinks);
    // Started here, before anything is pushed and before the presentation thread sees it.
    if (auto e = out->pipeline->start()) {
      emit_warning(*e);
    }
    out->pipeline->pause();
    out->pipeline->set_volume(volume_);
    if (start > microseconds{0}) out->pipeline->seek(start);
    set_output(std::move(out));
    schedule_tick();
  }

  void on_data() override {
    auto out = output();
    if (!source_ || !out) return;
    for (engine::TrackType t : tracks_) {
      while (auto seg = source_->read(t)) {
        if (seg->media->empty()) {  // skipped by the engine (failed everywhere): step over the gap
          gap_after_[t] = true;
          continue;
        }
        media::MediaSegment m;
        m.init = seg->init;
        m.data = seg->media;
        m.start = seg->start;
        m.duration = seg->duration;
        m.representation_id = seg->representation_id;
        m.init_changed = seg->representation_changed;
        m.discontinuity = seg->discontinuity || std::exchange(gap_after_[t], false);
        out->pipeline->feed(to_media(t)).push(std::move(m));
        eos_[t] = false;
      }
      if (source_->end_of_stream(t) && !eos_[t]) {
        out->pipeline->feed(to_media(t)).end_of_stream();
        eos_[t] = true;
      }
    }
  }

  void play() override {
    consumer_playing_ = true;
    if (auto out = output()) out->pipeline->resume();
  }

  void pause() override {
    consumer_playing_ = false;
    if (auto out = output()) out->pipeline->pause();
  }

  void flush(engine::MediaTime position) override {
    eos_.clear();
    gap_after_.clear();
    start_position_ = position;
    position_ = position;
    if (auto out = output()) {
      out->pipeline->seek(position);
      last_rebuffers_ = out->pipeline->stats().rebuffers;
    }
  }

  engine::MediaTime position() const override {
    auto out = output();
    return out ? out->pipeline->position() : start_position_;
  }

  // ---- EngineObserver (player thread) -----------------------------------------------------

  void on_state(const engine::StateChange& change) override {
    const PlayerState from = from_engine(change.from), to = from_engine(change.to);
    const SteadyTime now = clock_.steady();
    engine_state_ = to;
    if (from == PlayerState::kLoading) capture_languages();
    if (to == PlayerState::kPlaying && !first_playing_) {
      first_playing_ = true;
      if (recorder_) recorder_->on_first_frame(now);
      std::lock_guard lock(vmu_);
      stats_.startup_time = std::chrono::duration_cast<microseconds>(now - load_time_);
    }
    if (from == PlayerState::kPlaying && to == PlayerState::kBuffering) {
      stall_start_ = now;
      starved_[engine::TrackType::kVideo] = starved_[engine::TrackType::kAudio] = true;
      if (recorder_) recorder_->on_stall_start(now, seconds(change.position));
      std::lock_guard lock(vmu_);
      ++stats_.stalls;
    }
    if (stall_start_ && to != PlayerState::kBuffering) {
      if (recorder_) recorder_->on_stall_end(now);
      std::lock_guard lock(vmu_);
      stats_.stall_time += std::chrono::duration_cast<microseconds>(now - *stall_start_);
      stall_start_.reset();
    }
    if (to == PlayerState::kBuffering && from == PlayerState::kLoading && pending_seek_) {
      const microseconds at = *pending_seek_;
      pending_seek_.reset();
      (void)engine_->seek(at);
    }
    sync_visible();
    PlayerEvent ev;
    ev.kind = PlayerEvent::Kind::kStateChanged;
    ev.state = to;
    ev.previous_state = from;
    ev.position = change.position;
    emit(ev);
    if (to == PlayerState::kEnded) {
      end_session(telemetry::EndReason::kEndOfStream);
      PlayerEvent e;
      e.kind = PlayerEvent::Kind::kEnded;
      e.state = to;
      e.position = change.position;
      emit(e);
    }
  }

  void on_abr_decision(const engine::AbrDecisionEvent& ev) override {
    if (ev.track == engine::TrackType::kText) return;
    const bool video = ev.track == engine::TrackType::kVideo;
    std::string& current = video ? video_rep_.id : audio_rep_.id;
    if (ev.throughput_kbps) {
      std::lock_guard lock(vmu_);
      stats_.throughput_kbps = ev.throughput_kbps;
    }
    if (current == ev.representation_id) return;
    telemetry::RepresentationInfo next = rep_info(ev.representation_id, ev.bandwidth_bps);
    if (video) {
      if (!video_rep_.id.empty() && recorder_) {
        recorder_->on_switch(clock_.steady(), seconds(position_), video_rep_, next, ev.reason);
      }
      {
        std::lock_guard lock(vmu_);
        if (!video_rep_.id.empty()) ++stats_.switches;
        stats_.video_representation = next.id;
        stats_.video_bitrate_bps = static_cast<std::uint64_t>(next.bitrate_bps);
        stats_.video_width = next.width;
        stats_.video_height = next.height;
      }
      video_rep_ = next;
    } else {
      audio_rep_ = next;
      std::lock_guard lock(vmu_);
      stats_.audio_representation = next.id;
    }
    PlayerEvent e;
    e.kind = PlayerEvent::Kind::kRepresentationChanged;
    e.state = engine_state_;
    e.track = video ? "video" : "audio";
    e.representation_id = ev.representation_id;
    e.bandwidth_bps = ev.bandwidth_bps;
    e.position = position_;
    emit(e);
  }

  void on_download(const engine::DownloadEvent& ev) override {
    if (!ev.base_url.empty()) cdn_ = ev.base_url;
    const bool init = ev.kind == engine::DownloadKind::kInit || ev.kind == engine::DownloadKind::kIndex;
    if (recorder_ && !ev.abandoned && (init || ev.kind == engine::DownloadKind::kMedia))
      recorder_->on_download(engine::to_string(ev.track), ev.representation_id, init, ev.bytes);
    if (ev.kind != engine::DownloadKind::kMedia || ev.abandoned) return;
    {
      std::lock_guard lock(vmu_);
      ++stats_.segments_downloaded;
    }
    if (ev.track == engine::TrackType::kVideo && recorder_) {
      recorder_->on_video_segment(rep_info(ev.representation_id, ev.bandwidth_bps),
                                  seconds(ev.segment_duration));
    }
  }

  void on_error(const Error& error) override {
    if (recorder_) recorder_->on_error(clock_.steady(), error, url_);
    log(LogLevel::kError, error.describe());
    PlayerEvent e;
    e.kind = PlayerEvent::Kind::kError;
    e.state = PlayerState::kError;
    e.error = error;
    emit(e);
    // The state event (to kError) follows or preceded; the session's telemetry ends with it.
    end_session(telemetry::EndReason::kError);
  }

  void on_warning(const Error& error) override {
    emit_warning(error);
    // A worked-around error (a skipped segment, a failed MPD refresh) is an error for telemetry too;
    // notices without a code (a live jump forward) are not.
    if (recorder_ && error.code != ErrorCode::kOk) recorder_->on_error(clock_.steady(), error, "");
  }

 private:
  static double seconds(microseconds t) { return static_cast<double>(t.count()) / 1e6; }
  static media::TrackType to_media(engine::TrackType t) {
    return t == engine::TrackType::kVideo ? media::TrackType::kVideo
           : t == engine::TrackType::kAudio ? media::TrackType::kAudio
                                            : media::TrackType::kText;
  }
  bool has(engine::TrackType t) const { return std::find(tracks_.begin(), tracks_.end(), t) != tracks_.end(); }

  void log(LogLevel level, std::string_view text) const {
    if (config_.log) config_.log(level, text);
  }

  // Runs `fn` on the player thread; the visible state is held until every queued command ran.
  template <class Fn>
  void command(Fn fn) {
    {
      std::lock_guard lock(vmu_);
      ++pending_;
    }
    loop_->post([this, fn = std::move(fn)]() mutable {
      fn();
      {
        std::lock_guard lock(vmu_);
        --pending_;
      }
      sync_visible();
    });
  }

  // Player thread: when no command is queued, the visible state follows the engine.
  void sync_visible() {
    std::lock_guard lock(vmu_);
    if (pending_ > 0) return;
    visible_state_ = engine_ ? engine_state_ : api_state_.value_or(PlayerState::kIdle);
    visible_position_ = position_;
    visible_pwr_ = play_when_ready_;
  }

  void emit(const PlayerEvent& e) {
    std::lock_guard lock(lmu_);
    if (listener_) listener_->on_event(e);
  }

  void emit_warning(const Error& error) {
    log(LogLevel::kWarning, error.describe());
    PlayerEvent e;
    e.kind = PlayerEvent::Kind::kWarning;
    e.state = engine_state_;
    e.error = error;
    emit(e);
  }

  telemetry::RepresentationInfo rep_info(const std::string& id, std::uint64_t bandwidth) const {
    telemetry::RepresentationInfo info;
    info.id = id;
    info.bitrate_bps = static_cast<std::int64_t>(bandwidth);
    if (const manifest::Mpd* mpd = engine_ ? engine_->manifest() : nullptr) {
      for (const auto& period : mpd->periods) {
        for (const auto& set : period.adaptation_sets) {
          for (const auto& rep : set.representations) {
            if (rep.id != id) continue;
            info.width = static_cast<int>(rep.width.value_or(0));
            info.height = static_cast<int>(rep.height.value_or(0));
            info.codecs = rep.codecs;
            return info;
          }
        }
      }
    }
    return info;
  }

  // ---- sessions (player thread) -----------------------------------------------------------

  void do_load_playback(PlaybackRequest request) {
    end_session(telemetry::EndReason::kStopped);
    teardown_engine();
    api_ = ApiSession{};
    api_state_ = PlayerState::kLoading;
    const std::uint64_t generation = ++generation_;
    nlohmann::json body = nlohmann::json::object();
    if (!request.content.empty()) body["content"] = request.content;
    nlohmann::json device = nlohmann::json::object();
    if (!request.codecs.empty()) device["codecs"] = request.codecs;
    if (request.max_height > 0) device["max_height"] = request.max_height;
    if (!device.empty()) body["device"] = device;
    net::Request req;
    req.url = request.api_url;
    req.post_body = body.dump();
    req.headers.push_back({"Content-Type", "application/json"});
    if (!request.token.empty()) req.headers.push_back({"Authorization", "Bearer " + request.token});
    for (const auto& [name, value] : config_.request_headers) req.headers.push_back({name, value});
    req.priority = net::Priority::kHigh;
    req.max_body_bytes = 64 * 1024;
    req.timeouts.total = std::chrono::seconds(15);
    net::RequestCallbacks callbacks;
    callbacks.on_complete = [this, generation](net::Result result) {
      if (generation != generation_) return;  // a newer load() or stop() superseded it
      on_playback_answer(std::move(result));
    };
    http_->submit(std::move(req), *loop_, std::move(callbacks));
  }

  void on_playback_answer(net::Result result) {
    const std::string text(result.response.body.begin(), result.response.body.end());
    auto fail = [this](ErrorCode code, std::string message) {
      api_state_ = PlayerState::kError;
      on_error(Error{code, "playback API: " + std::move(message)});
      PlayerEvent ev;
      ev.kind = PlayerEvent::Kind::kStateChanged;
      ev.previous_state = PlayerState::kLoading;
      ev.state = PlayerState::kError;
      sync_visible();
      emit(ev);
    };
    if (!result.ok()) {
      std::string message = result.error->message;
      const auto j = nlohmann::json::parse(text, nullptr, false);
      if (j.is_object() && j.contains("error") && j["error"].is_string()) {
        message += ": " + j["error"].get<std::string>();
      }
      return fail(engine::code_of(result.error->code), message);
    }
    const auto j = nlohmann::json::parse(text, nullptr, false);
    if (!j.is_object() || !j.contains("manifest_url") || !j["manifest_url"].is_string()) {
      return fail(ErrorCode::kManifestInvalidValue, "the answer has no manifest_url string");
    }
    ApiSession api;
    if (j.contains("session_id") && j["session_id"].is_string()) api.session_id = j["session_id"].get<std::string>();
    if (j.contains("telemetry_url") && j["telemetry_url"].is_string()) {
      api.telemetry_url = j["telemetry_url"].get<std::string>();
    }
    if (j.contains("heartbeat_interval_s") && j["heartbeat_interval_s"].is_number() &&
        j["heartbeat_interval_s"].get<double>() > 0) {
      api.telemetry_interval = milliseconds(static_cast<std::int64_t>(j["heartbeat_interval_s"].get<double>() * 1000));
    }
    do_load(j["manifest_url"].get<std::string>(), std::nullopt, std::move(api));
  }

  void do_load(std::string url, std::optional<microseconds> resume_at, std::optional<ApiSession> api = std::nullopt) {
    end_session(telemetry::EndReason::kStopped);
    teardown_engine();
    ++generation_;
    api_state_.reset();
    api_ = api ? std::move(*api) : ApiSession{};
    if (url != url_) {  // a reload of the same manifest keeps them until it is loaded again
      std::lock_guard lock(vmu_);
      languages_ = {};
      audio_sets_.clear();
    }
    url_ = url;
    pending_seek_ = resume_at;
    first_playing_ = false;
    stall_start_.reset();
    video_rep_ = {};
    audio_rep_ = {};
    load_time_ = clock_.steady();
    session_id_ = api_.session_id.empty() ? random_session_id() : api_.session_id;
    starved_.clear();
    {
      std::lock_guard lock(vmu_);
      stats_ = PlayerStats{};
      stats_.abr = std::string(abr::resolve_algorithm_name(abr_spec_));
    }
    engine::EngineConfig ec;
    ec.load.min_buffer = config_.min_buffer;
    ec.load.max_buffer = config_.max_buffer;
    ec.load.startup_buffer = config_.startup_buffer;
    ec.load.rebuffer_buffer = config_.rebuffer_buffer;
    if (config_.max_width) ec.tracks.max_width = config_.max_width;
    if (config_.max_height) ec.tracks.max_height = config_.max_height;
    ec.tracks.audio_languages = audio_languages_;
    ec.tracks.text_languages = text_languages_;
    ec.play_when_ready = play_when_ready_;
    ec.decorate_request = [this](net::Request& req, const engine::RequestInfo& info) { decorate(req, info); };
    auto algo = make_abr(abr_spec_, config_.abr_pensieve_compat);
    if (!algo) algo = abr::make_algorithm(abr::kDefaultAlgorithm);
    auto switchable = std::make_unique<SwitchableAbr>(std::move(algo));
    abr_ = switchable.get();
    engine::EngineDeps deps{*loop_, *http_, *this, std::move(switchable), nullptr, nullptr};
    engine_state_ = PlayerState::kIdle;
    engine_ = std::make_unique<engine::StreamingEngine>(std::move(deps), ec);
    engine_->add_observer(*this);
    start_session(url);
    const Error e = engine_->load(url);
    if (e.code != ErrorCode::kOk) on_error(e);
  }

  // Player thread, before every engine request: request headers, then CMCD (CTA-5004).
  void decorate(net::Request& req, const engine::RequestInfo& info) {
    for (const auto& [name, value] : config_.request_headers) req.headers.push_back({name, value});
    if (config_.cmcd == CmcdMode::kOff) return;
    telemetry::CmcdData d;
    d.sid = session_id_;
    d.cid = content_id_.substr(0, 64);
    using K = engine::DownloadKind;
    switch (info.kind) {
      case K::kManifest: d.ot = telemetry::CmcdObject::kManifest; break;
      case K::kClockSync: d.ot = telemetry::CmcdObject::kOther; break;
      case K::kIndex:
      case K::kInit: d.ot = telemetry::CmcdObject::kInit; break;
      case K::kMedia:
        d.ot = info.track == engine::TrackType::kVideo   ? telemetry::CmcdObject::kVideo
               : info.track == engine::TrackType::kAudio ? telemetry::CmcdObject::kAudio
                                                         : telemetry::CmcdObject::kTimedText;
        break;
    }
    const bool segment = info.kind == K::kIndex || info.kind == K::kInit || info.kind == K::kMedia;
    if (segment && info.bandwidth_bps > 0) d.br_kbps = static_cast<std::int64_t>(info.bandwidth_bps / 1000);
    if (info.kind == K::kMedia) {
      d.d_ms = std::chrono::duration_cast<milliseconds>(info.duration).count();
      if (engine_) d.bl_ms = std::chrono::duration_cast<milliseconds>(engine_->buffer_ahead(info.track)).count();
      d.bs = starved_[info.track];
      starved_[info.track] = false;
      d.su = !first_playing_;
    }
    {
      std::lock_guard lock(vmu_);
      if (stats_.throughput_kbps) d.mtp_kbps = static_cast<std::int64_t>(*stats_.throughput_kbps);
    }
    if (config_.cmcd == CmcdMode::kHeader) {
      for (auto& h : telemetry::encode_headers(d)) req.headers.push_back(std::move(h));
    } else {
      const auto fragment = req.url.find('#');
      std::string tail = fragment == std::string::npos ? std::string() : req.url.substr(fragment);
      if (fragment != std::string::npos) req.url.resize(fragment);
      req.url += (req.url.find('?') == std::string::npos ? "?CMCD=" : "&CMCD=") + percent_encode(telemetry::encode(d));
      req.url += tail;
    }
  }

  void teardown_engine() {
    cancel_tick();
    if (engine_) {
      engine_->remove_observer(*this);
      engine_->stop();
      engine_.reset();
    }
    abr_ = nullptr;
    source_ = nullptr;
    tracks_.clear();
    engine_state_ = PlayerState::kIdle;
    position_ = microseconds{0};
    set_output(nullptr);
  }

  void start_session(const std::string& url) {
    content_id_ = config_.content_id;
    if (content_id_.empty()) {  // the manifest's folder: ".../number/manifest.mpd" -> "number"
      const std::string path = telemetry::redact_url(url);
      const auto slash = path.find_last_of('/');
      content_id_ = slash == std::string::npos ? path : path.substr(0, slash);
      const auto prev = content_id_.find_last_of('/');
      if (prev != std::string::npos) content_id_ = content_id_.substr(prev + 1);
    }
    const std::string& telemetry_url = config_.telemetry_url.empty() ? api_.telemetry_url : config_.telemetry_url;
    if (telemetry_url.empty()) return;
    telemetry_interval_ = config_.telemetry_url.empty() && api_.telemetry_interval ? *api_.telemetry_interval
                                                                                    : config_.telemetry_interval;
    telemetry::SessionInfo info;
    info.session_id = session_id_;
    info.content_id = content_id_;
    info.device = "linux";
    info.library_version = "abrplay";
    recorder_ = std::make_unique<telemetry::SessionRecorder>(std::move(info));
    recorder_->on_load(load_time_);
    telemetry::ReporterConfig rc;
    rc.url = telemetry_url;
    for (const auto& [name, value] : config_.request_headers) rc.headers.push_back({name, value});
    reporter_ = std::make_unique<telemetry::Reporter>(*http_, *loop_, clock_, rc);
    schedule_heartbeat();
  }

  void schedule_heartbeat() {
    heartbeat_timer_ = loop_->post_after(telemetry_interval_, [this] {
      heartbeat_timer_ = 0;
      if (!recorder_ || !reporter_) return;
      reporter_->enqueue(recorder_->heartbeat(snapshot(), clock_.wall(), clock_.steady()));
      reporter_->poll();
      schedule_heartbeat();
    });
  }

  telemetry::Snapshot snapshot() const {
    telemetry::Snapshot s;
    s.position_s = seconds(position_);
    s.state = std::string(to_string(engine_state_));
    if (engine_) {
      for (engine::TrackType t : tracks_) {
        s.buffer_s[std::string(engine::to_string(t))] = seconds(engine_->buffer_ahead(t));
      }
    }
    if (!video_rep_.id.empty()) s.video = video_rep_;
    if (!audio_rep_.id.empty()) s.audio = audio_rep_;
    {
      std::lock_guard lock(vmu_);
      s.throughput_kbps = stats_.throughput_kbps;
    }
    s.cdn = telemetry::redact_url(cdn_);
    return s;
  }

  void end_session(telemetry::EndReason reason) {
    if (heartbeat_timer_) loop_->cancel(heartbeat_timer_);
    heartbeat_timer_ = 0;
    if (!recorder_ || !reporter_) return;
    auto recorder = std::move(recorder_);
    auto reporter = std::move(reporter_);
    const bool ok = reporter->flush(recorder->final_report(snapshot(), reason, clock_.wall(), clock_.steady()),
                                    config_.telemetry_flush_deadline);
    PlayerEvent e;
    e.kind = PlayerEvent::Kind::kTelemetrySent;
    e.state = engine_state_;
    if (!ok) e.error = {ErrorCode::kNetworkTimeout, "final telemetry report not delivered before the deadline"};
    reporter.reset();
    emit(e);
  }

  // ---- position and pipeline events (player thread) ---------------------------------------

  void schedule_tick() {
    cancel_tick();
    tick_timer_ = loop_->post_after(kTick, [this] {
      tick_timer_ = 0;
      on_tick();
      if (source_) schedule_tick();
    });
  }
  void cancel_tick() {
    if (tick_timer_) loop_->cancel(tick_timer_);
    tick_timer_ = 0;
  }

  void on_tick() {
    auto out = output();
    if (!out || !source_ || !engine_) return;
    position_ = out->pipeline->position();
    const media::MediaStats ms = out->pipeline->stats();
    bool ended = false;
    for (const media::MediaEvent& ev : out->pipeline->take_events()) {
      if (ev.kind == media::MediaEvent::Kind::kEnded) ended = true;
      if (ev.kind == media::MediaEvent::Kind::kError || ev.kind == media::MediaEvent::Kind::kHardwareFallback) {
        emit_warning(ev.error);
        if (recorder_) recorder_->on_error(clock_.steady(), ev.error, "");
      }
    }
    if (ms.video_frames_dropped_late > last_dropped_ && recorder_) {
      recorder_->on_dropped_frames(ms.video_frames_dropped_late - last_dropped_);
    }
    last_dropped_ = ms.video_frames_dropped_late;
    {
      std::lock_guard lock(vmu_);
      stats_.frames_presented = ms.video_frames_presented;
      stats_.frames_dropped = ms.video_frames_dropped_late;
      stats_.video_buffer = engine_->buffer_ahead(engine::TrackType::kVideo);
      stats_.audio_buffer = engine_->buffer_ahead(engine::TrackType::kAudio);
    }
    source_->report_position(position_);
    if (ended || out->pipeline->state() == media::PipelineState::kEnded) {
      // The engine takes the end only while playing: repeated on every tick until it did (it may be
      // rebuffering or seeking when the pipeline drains).
      if (engine_->state() != engine::EngineState::kEnded) source_->report_ended();
    } else if (ms.rebuffers > last_rebuffers_ && consumer_playing_ &&
               engine_->state() == engine::EngineState::kPlaying) {
      // The pipeline ran dry before the end: the engine rebuffers and calls play() when ready.
      consumer_playing_ = false;
      out->pipeline->pause();
      source_->report_starved();
    }
    last_rebuffers_ = ms.rebuffers;
    sync_visible();
  }

  // ---- presentation thread ----------------------------------------------------------------

  std::shared_ptr<Output> output() const {
    std::lock_guard lock(pmu_);
    return output_;
  }
  void set_output(std::shared_ptr<Output> out) {
    std::shared_ptr<Output> old;
    {
      std::lock_guard lock(pmu_);
      old = std::move(output_);
      output_ = std::move(out);
    }
    pcv_.notify_all();
    if (old && config_.sinks.kind == SinkKind::kExternal) {
      // The embedder's audio sink is shared by every session: the old pipeline must close it here,
      // before a new one opens it on this thread. pump() holds a copy for one step at most and
      // lets it go under pmu_ (otherwise the old pipeline would close the sink on the pump thread
      // while the new one reopens it here: two SDL_CloseAudioDevice calls, a hang).
      std::unique_lock lock(pmu_);
      pcv_.wait(lock, [&] { return old.use_count() == 1; });
    }
    old.reset();  // joins its decode threads (unless the presentation thread still holds it)
  }

  // The embedder's thread (SinkKind::kExternal).
 public:
  void pump(microseconds max_wait) {
    if (config_.sinks.kind != SinkKind::kExternal) return;
    std::shared_ptr<Output> out;
    {
      std::unique_lock lock(pmu_);
      if (!output_) {
        pcv_.wait_for(lock, max_wait, [this] { return present_stop_ || output_ != nullptr; });
        return;
      }
      out = output_;
    }
    const microseconds next = out->pipeline->pump();
    out->pipeline->wait(std::clamp(next, microseconds{0}, max_wait));
    {
      std::lock_guard lock(pmu_);  // set_output() may be waiting for this copy to go
      out.reset();
    }
    pcv_.notify_all();
  }

 private:
  void present_main() {
    for (;;) {
      std::shared_ptr<Output> out;
      {
        std::unique_lock lock(pmu_);
        pcv_.wait(lock, [this] { return present_stop_ || output_ != nullptr; });
        if (present_stop_) return;
        out = output_;
      }
      const microseconds next = out->pipeline->pump();
      out->pipeline->wait(std::clamp(next, microseconds{0}, microseconds{20'000}));
    }
  }

  // ---- fields -----------------------------------------------------------------------------

  const PlayerConfig config_;
  const std::shared_ptr<const Clock> clock_owner_;  // PlayerConfig::clock, or a SystemClock
  const Clock& clock_;
  std::unique_ptr<net::HttpClient> http_;
  std::unique_ptr<engine::EventLoop> loop_;  // after http_ in code order; destroyed explicitly
  bool shut_down_ = false;

  // Player thread.
  std::unique_ptr<engine::StreamingEngine> engine_;
  SwitchableAbr* abr_ = nullptr;  // owned by engine_
  std::string abr_spec_;
  bool play_when_ready_;
  float volume_;
  std::vector<std::string> audio_languages_;
  std::vector<std::string> text_languages_;
  std::string url_;
  std::string cdn_;
  ApiSession api_;                          // what the playback API said for this session
  std::optional<PlayerState> api_state_;    // loading / error while no engine exists (playback API)
  std::uint64_t generation_ = 0;            // bumped by every load() and stop()
  milliseconds telemetry_interval_{10'000};
  std::string session_id_;  // per load(): telemetry session_id and CMCD sid
  std::string content_id_;
  std::map<engine::TrackType, bool> starved_;  // CMCD bs: a stall since that track's last request
  std::optional<microseconds> pending_seek_;
  PlayerState engine_state_ = PlayerState::kIdle;
  microseconds position_{0};
  SteadyTime load_time_{};
  bool first_playing_ = false;
  std::optional<SteadyTime> stall_start_;
  telemetry::RepresentationInfo video_rep_, audio_rep_;
  std::unique_ptr<telemetry::SessionRecorder> recorder_;
  std::unique_ptr<telemetry::Reporter> reporter_;
  engine::EventLoop::TimerId heartbeat_timer_ = 0, tick_timer_ = 0;
  engine::SegmentSource* source_ = nullptr;
  std::vector<engine::TrackType> tracks_;
  std::map<engine::TrackType, bool> eos_;
  std::map<engine::TrackType, bool> gap_after_;  // a skipped segment came before the next one
  bool consumer_playing_ = false;
  std::uint64_t last_rebuffers_ = 0, last_dropped_ = 0;
  microseconds start_position_{0};

  // Visible (cached) state: any thread.
  mutable std::mutex vmu_;
  int pending_ = 0;
  PlayerState visible_state_ = PlayerState::kIdle;
  microseconds visible_position_{0};
  bool visible_pwr_;
  PlayerStats stats_;
  TrackLanguages languages_;  // languages() without audio_playing
  std::vector<std::pair<std::string, std::vector<std::string>>> audio_sets_;  // @lang, representation ids

  // Listener.
  std::mutex lmu_;
  PlayerListener* listener_ = nullptr;

  // Presentation.
  mutable std::mutex pmu_;
  std::condition_variable pcv_;
  std::shared_ptr<Output> output_;
  bool present_stop_ = false;
  std::thread present_thread_;  // last: starts once everything above exists
};

Player::Player(PlayerConfig config) : impl_(std::make_shared<Impl>(std::move(config))) {}
Player::~Player() { impl_->shutdown(); }
void Player::set_listener(PlayerListener* listener) { impl_->set_listener(listener); }
Error Player::load(std::string mpd_url) { return impl_->load(std::move(mpd_url)); }
Error Player::load(PlaybackRequest request) { return impl_->load_playback(std::move(request)); }
void Player::play() { impl_->api_play(); }
void Player::pause() { impl_->api_pause(); }
Error Player::seek(std::chrono::microseconds target) { return impl_->seek(target); }
void Player::stop() { impl_->stop(); }
Error Player::set_abr(std::string_view name) { return impl_->set_abr(name); }
void Player::pin_representation(std::size_t index) { (void)impl_->set_abr("fixed:" + std::to_string(index)); }
void Player::set_volume(float volume) { impl_->set_volume(volume); }
void Player::select_audio_language(std::string language) { impl_->select_audio_language(std::move(language)); }
void Player::select_text_language(std::string language) { impl_->select_text_language(std::move(language)); }
void Player::pump(std::chrono::microseconds max_wait) { impl_->pump(max_wait); }
PlayerState Player::state() const { return impl_->state(); }
std::chrono::microseconds Player::position() const { return impl_->api_position(); }
bool Player::play_when_ready() const { return impl_->play_when_ready(); }
PlayerStats Player::stats() const { return impl_->stats(); }
TrackLanguages Player::languages() const { return impl_->languages(); }

}  // namespace abrplay
