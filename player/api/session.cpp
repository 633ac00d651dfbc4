// Player::Impl, sessions (player thread): load() directly or through the playback API, the engine
// for a session, request decoration (headers, CMCD) and teardown.
#include "player_impl.h"

#include <cstdio>
#include <random>

#include <nlohmann/json.hpp>

#include "../engine/net_error_code.h"
#include "abrplay/abr/algorithm/registry.h"
#include "abrplay/net/url.h"
#include "abrplay/player/manifest/model.h"
#include "abrplay/player/telemetry/cmcd.h"

namespace abrplay {

namespace {

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

}  // namespace

void Player::Impl::do_load_playback(PlaybackRequest request) {
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

void Player::Impl::on_playback_answer(net::Result result) {
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
  // The answer came over http(s) (a playback API is never read from file:), so the manifest it
  // names must not be a file: the local-file rule of docs/security.md.
  const std::string manifest_url = j["manifest_url"].get<std::string>();
  if (auto allowed = net::check_request_url(manifest_url, net::FileAccess::kRefused); !allowed) {
    return fail(engine::code_of(allowed.error().code), "manifest_url " + allowed.error().message);
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
  do_load(manifest_url, std::move(api));
}

void Player::Impl::do_load(std::string url, std::optional<ApiSession> api) {
  end_session(telemetry::EndReason::kStopped);
  teardown_engine();
  ++generation_;
  api_state_.reset();
  api_ = api ? std::move(*api) : ApiSession{};
  {
    std::lock_guard lock(visible_mu_);
    languages_ = {};
    audio_sets_.clear();
  }
  url_ = url;
  first_playing_ = false;
  stall_start_.reset();
  video_rep_ = {};
  audio_rep_ = {};
  fed_video_.clear();
  shown_video_.clear();
  first_frame_seen_ = false;
  load_time_ = clock_.steady();
  session_id_ = api_.session_id.empty() ? random_session_id() : api_.session_id;
  starved_.clear();
  {
    std::lock_guard lock(visible_mu_);
    stats_ = PlayerStats{};
    stats_.abr = std::string(abr::resolve_algorithm_name(abr_spec_));
    if (cache_) {
      cache_->set_enabled(true);  // until the manifest says live (apply_cache_policy)
      cache_base_ = cache_->stats();
    }
    stats_.playback_rate = playback_rate_;
  }
  const engine::EngineConfig ec = engine_config();
  auto algo = player_impl::make_abr(abr_spec_, config_.abr_pensieve_compat);
  if (!algo) algo = abr::make_algorithm(abr::kDefaultAlgorithm);
  auto switchable = std::make_unique<SwitchableAbr>(std::move(algo));
  abr_ = switchable.get();
  engine::EngineDeps deps{*loop_, session_transport(url), *this, std::move(switchable), nullptr, nullptr};
  engine_state_ = PlayerState::kIdle;
  engine_ = std::make_unique<engine::StreamingEngine>(std::move(deps), ec);
  engine_->add_observer(*this);
  start_session(url);
  const Error e = engine_->load(url);
  if (e.code != ErrorCode::kOk) on_error(e);
}

engine::EngineConfig Player::Impl::engine_config() {
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
  ec.hosts.measured_choice = config_.measured_cdn_choice;
  if (config_.target_latency) ec.target_latency = std::chrono::duration_cast<MediaTime>(*config_.target_latency);
  ec.live_catchup = config_.live_catchup;
  ec.content_steering = config_.content_steering;
  ec.decorate_request = [this](net::Request& req, const engine::RequestInfo& info) { decorate(req, info); };
  return ec;
}

// Player thread, before every engine request: request headers, then CMCD (CTA-5004).
void Player::Impl::decorate(net::Request& req, const engine::RequestInfo& info) {
  for (const auto& [name, value] : config_.request_headers) req.headers.push_back({name, value});
  if (config_.cmcd == CmcdMode::kOff) return;
  telemetry::CmcdData d;
  d.sid = session_id_;
  d.cid = content_id_.substr(0, 64);
  using K = engine::DownloadKind;
  switch (info.kind) {
    case K::kManifest: d.ot = telemetry::CmcdObject::kManifest; break;
    case K::kClockSync:
    case K::kThumbnail:
    case K::kSteering: d.ot = telemetry::CmcdObject::kOther; break;
    case K::kIndex:
    case K::kInit: d.ot = telemetry::CmcdObject::kInit; break;
    case K::kMedia:
      d.ot = info.track == TrackType::kVideo   ? telemetry::CmcdObject::kVideo
             : info.track == TrackType::kAudio ? telemetry::CmcdObject::kAudio
                                               : telemetry::CmcdObject::kTimedText;
      break;
  }
  const bool segment = info.kind == K::kIndex || info.kind == K::kInit || info.kind == K::kMedia;
  if (segment && info.bandwidth > DataRate::zero()) d.br = info.bandwidth;
  if (info.kind == K::kMedia) {
    d.d_ms = std::chrono::duration_cast<milliseconds>(info.duration).count();
    if (engine_) d.bl_ms = std::chrono::duration_cast<milliseconds>(engine_->buffer_ahead(info.track)).count();
    d.bs = starved_[info.track];
    starved_[info.track] = false;
    d.su = !first_playing_;
  }
  {
    std::lock_guard lock(visible_mu_);
    if (stats_.throughput_kbps) d.mtp = DataRate::kilobits_per_second(*stats_.throughput_kbps);
  }
  if (config_.cmcd == CmcdMode::kHeader) {
    for (auto& h : telemetry::encode_headers(d)) req.headers.push_back(std::move(h));
  } else if (auto with_query = net::append_query(req.url, "CMCD", telemetry::encode(d))) {  // URL-encoded there
    req.url = std::move(*with_query);
  } else {
    log(LogLevel::kWarning, "CMCD not sent: " + with_query.error().message);
  }
}

void Player::Impl::teardown_engine() {
  cancel_tick();
  cancel_thumbnails("cancelled: the session ended (load, stop or destruction)");
  thumb_cache_.clear();
  if (engine_) {
    engine_->remove_observer(*this);
    engine_->stop();
    engine_.reset();
  }
  pooled_transport_.reset();  // after the engine that used it
  abr_ = nullptr;
  source_ = nullptr;
  tracks_.clear();
  engine_state_ = PlayerState::kIdle;
  position_ = microseconds{0};
  set_output(nullptr);
}

}  // namespace abrplay
