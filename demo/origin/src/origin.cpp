#include "origin.h"

#include <algorithm>

#include "abrplay/abr/traceio/load_trace.h"

namespace abrplay::origin {

Expected<OriginConfig, std::string> config_from_options(const OriginOptions& o) {
  OriginConfig c;
  c.roots = o.roots;
  c.first_port = o.port;
  c.cdns.assign(static_cast<std::size_t>(o.cdn), CdnSetup{});
  std::vector<abr::Trace> traces;
  for (const auto& path : o.traces) {
    auto t = abr::load_trace_file(path);
    if (!t) return Unexpected{"--trace: " + t.error().message};  // the message names the file
    traces.push_back(std::move(*t));
  }
  for (std::size_t i = 0; i < c.cdns.size(); ++i) {
    if (!traces.empty()) c.cdns[i].trace = traces[std::min(i, traces.size() - 1)];
    if (i < o.cdn_priority.size()) c.cdns[i].dvb.priority = o.cdn_priority[i];
    if (i < o.cdn_weight.size()) c.cdns[i].dvb.weight = o.cdn_weight[i];
    if (i < o.faults.size()) {
      auto plan = FaultPlan::load(o.faults[i]);
      if (!plan) return Unexpected{"--faults " + plan.error()};
      c.cdns[i].faults = std::make_shared<FaultPlan>(std::move(*plan));
    }
  }
  c.added_latency = std::chrono::milliseconds(o.rtt_ms);
  c.trace_from_start = o.trace_from_start;
  c.live = o.live;
  c.live_window = std::chrono::seconds(o.live_window_s);
  c.live_preroll = std::chrono::seconds(o.live_preroll_s);
  c.low_latency.enabled = o.low_latency;
  c.low_latency.chunk = std::chrono::milliseconds(o.chunk_ms);
  c.low_latency.target_latency = std::chrono::milliseconds(o.target_latency_ms);
  c.low_latency.chunked_transfer = !o.no_chunked_transfer;
  // The catch-up band around the target: from 2/3 of it (at least one chunk) to twice it.
  c.low_latency.min_latency = std::max(c.low_latency.chunk, c.low_latency.target_latency * 2 / 3);
  c.low_latency.max_latency = c.low_latency.target_latency * 2;
  if (!o.steering.empty()) {
    auto script = SteeringScript::load(o.steering);
    if (!script) return Unexpected{"--steering " + script.error()};
    c.steering = std::make_shared<const SteeringScript>(std::move(*script));
  }
  c.log_path = o.log;
  c.telemetry_out = o.telemetry_out;
  c.token = o.token;
  return c;
}

Expected<std::unique_ptr<Origin>, std::string> Origin::start(OriginConfig config) {
  auto store = ContentStore::open(config.roots);
  if (!store) return Unexpected{store.error()};
  if (config.cdns.empty()) return Unexpected{std::string("at least one CDN is needed")};
  std::unique_ptr<Origin> origin(new Origin(std::move(*store)));
  OriginContext& ctx = origin->ctx_;
  ctx.wall_clock = config.wall_clock ? config.wall_clock : [] { return std::chrono::system_clock::now(); };
  ctx.started = std::chrono::steady_clock::now();
  ctx.started_wall = ctx.wall_clock();
  if (config.log_path.empty()) {
    ctx.log = std::make_unique<RequestLog>();
  } else {
    auto log = RequestLog::open(config.log_path);
    if (!log) return Unexpected{log.error()};
    ctx.log = std::move(*log);
  }
  auto telemetry = TelemetryCollector::open(config.telemetry_out);
  if (!telemetry) return Unexpected{telemetry.error()};
  ctx.telemetry = std::move(*telemetry);
  ctx.live = config.live;
  // Whole seconds keep the MPD's availabilityStartTime readable.
  ctx.live_params.availability_start = std::chrono::time_point_cast<std::chrono::seconds>(ctx.started_wall) -
                                       config.live_preroll;
  ctx.live_params.time_shift_buffer = config.live_window;
  ctx.live_params.low_latency = config.low_latency;
  ctx.live_params.low_latency.enabled = config.live && config.low_latency.enabled;

  for (std::size_t i = 0; i < config.cdns.size(); ++i) {
    LinkParams link{config.cdns[i].trace, !config.trace_from_start, config.added_latency};
    origin->cdns_.push_back(
        std::make_unique<CdnServer>(static_cast<int>(i), ctx, std::move(link), config.cdns[i].faults));
    auto port = origin->cdns_.back()->bind(config.first_port == 0 ? 0 : config.first_port + static_cast<int>(i));
    if (!port) return Unexpected{port.error()};
    ctx.cdn_base_urls.push_back("http://127.0.0.1:" + std::to_string(*port) + "/");
    ctx.cdn_dvb.push_back(config.cdns[i].dvb);
  }
  if (config.steering) {
    ctx.steering = config.steering;
    ctx.steering_url = config.steering->url.empty() ? ctx.cdn_base_urls.front() + "steering" : config.steering->url;
  }
  ctx.api = std::make_unique<PlaybackApi>(PlaybackApiConfig{config.token, ctx.cdn_base_urls, std::chrono::seconds(10)},
                                          &ctx.store);
  for (auto& cdn : origin->cdns_) cdn->start();
  return origin;
}

Origin::~Origin() { stop(); }

void Origin::stop() {
  if (stopped_) return;
  stopped_ = true;
  ctx_.stop.stop();  // wakes every paced or stalled response first
  for (auto& cdn : cdns_) cdn->stop();
}

std::string Origin::listening_line() const {
  std::string line = "listening";
  for (const auto& u : ctx_.cdn_base_urls) line += " " + u.substr(0, u.size() - 1);
  return line;
}

}  // namespace abrplay::origin
