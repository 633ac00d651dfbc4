#include "abrplay/player/telemetry/engine_telemetry.h"

#include <chrono>
#include <utility>

#include "abrplay/net/url.h"

namespace abrplay::telemetry {
namespace {

double to_seconds(MediaTime t) { return std::chrono::duration<double>(t).count(); }

}  // namespace

RepresentationInfo describe_representation(const manifest::Mpd* mpd, const std::string& id, DataRate bandwidth) {
  RepresentationInfo info;
  info.id = id;
  info.bitrate = bandwidth;
  if (mpd == nullptr) return info;
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
  return info;
}

EngineTelemetry::EngineTelemetry(EngineTelemetryDeps deps) : deps_(std::move(deps)) {}

RepresentationInfo EngineTelemetry::describe(const std::string& id, DataRate bandwidth) const {
  return describe_representation(deps_.manifest ? deps_.manifest() : nullptr, id, bandwidth);
}

double EngineTelemetry::position_s() const { return deps_.position_s ? deps_.position_s() : position_s_; }

void EngineTelemetry::on_state(const engine::StateChange& change) {
  const SteadyTime now = deps_.clock.steady();
  state_ = change.to;
  position_s_ = to_seconds(change.position);
  if (change.to == engine::EngineState::kPlaying && !started_) {
    started_ = true;
    deps_.recorder.on_first_frame(now);
  }
  if (change.from == engine::EngineState::kPlaying && change.to == engine::EngineState::kBuffering) {
    stalled_ = true;
    deps_.recorder.on_stall_start(now, to_seconds(change.position));
  }
  if (stalled_ && change.to != engine::EngineState::kBuffering) {
    stalled_ = false;
    deps_.recorder.on_stall_end(now);
  }
}

void EngineTelemetry::on_abr_decision(const engine::AbrDecisionEvent& ev) {
  if (ev.track == TrackType::kText) return;
  if (ev.throughput) throughput_ = ev.throughput;
  const bool video = ev.track == TrackType::kVideo;
  RepresentationInfo& current = video ? video_ : audio_;
  if (current.id == ev.representation_id) return;
  RepresentationInfo next = describe(ev.representation_id, ev.bandwidth);
  if (video && !current.id.empty())
    deps_.recorder.on_switch(deps_.clock.steady(), position_s(), current, next, ev.reason);
  current = std::move(next);
}

void EngineTelemetry::on_cdn_change(const engine::CdnChangeEvent& ev) {
  cdn_ = ev.base_url;
  cdn_reason_ = ev.reason;
}

void EngineTelemetry::on_download(const engine::DownloadEvent& ev) {
  if (!cdn_reason_.empty()) {
    // A choice was made: a measurement fetch from another host does not move the CDN in use.
  } else if (!ev.base_url.empty()) {
    cdn_ = ev.base_url;
  } else if (auto parts = net::parse_http_url(ev.url)) {  // no BaseURL: the host that served it
    cdn_ = parts->scheme + "://" + parts->host + (parts->port.empty() ? "" : ":" + parts->port) + "/";
  }
  if (ev.abandoned) return;
  const bool init = ev.kind == engine::DownloadKind::kInit || ev.kind == engine::DownloadKind::kIndex;
  if (!init && ev.kind != engine::DownloadKind::kMedia) return;
  deps_.recorder.on_download(abrplay::to_string(ev.track), ev.representation_id, init, ev.bytes);
  // A segment from the HTTP cache took no time on the link: its "throughput" would mislead.
  if (ev.kind == engine::DownloadKind::kMedia && !ev.from_cache)
    deps_.recorder.on_segment(deps_.clock.steady(),
                              {std::string(abrplay::to_string(ev.track)), ev.representation_id, ev.bandwidth,
                               to_seconds(ev.segment_start), to_seconds(ev.segment_duration), ev.bytes,
                               ev.sample.duration.count(), ev.sample.ttfb.count()});
  if (ev.kind == engine::DownloadKind::kMedia && ev.track == TrackType::kVideo)
    deps_.recorder.on_video_segment(describe(ev.representation_id, ev.bandwidth), to_seconds(ev.segment_duration));
}

void EngineTelemetry::on_buffer(const engine::BufferLevelEvent& ev) {
  position_s_ = to_seconds(ev.position);
  buffer_s_[std::string(abrplay::to_string(ev.track))] = to_seconds(ev.ahead);
}

void EngineTelemetry::on_error(const Error& error) {
  deps_.recorder.on_error(deps_.clock.steady(), error, deps_.manifest_url);
}

void EngineTelemetry::on_warning(const Error& error) {
  if (error.code != ErrorCode::kOk) deps_.recorder.on_error(deps_.clock.steady(), error, "");
}

Snapshot EngineTelemetry::snapshot() const {
  Snapshot s;
  s.position_s = position_s();
  s.state = std::string(engine::to_string(state_));
  s.buffer_s = buffer_s_;
  if (!video_.id.empty()) s.video = video_;
  if (!audio_.id.empty()) s.audio = audio_;
  s.throughput = throughput_;
  s.cdn = net::redact_url(cdn_);
  s.cdn_reason = cdn_reason_;
  return s;
}

}  // namespace abrplay::telemetry
