// origin.h: abrplay-origin as a library, so tests start it in-process.
//
//   auto origin = Origin::start(config);          // binds every CDN port, then serves
//   origin.value()->url(0)                        // "http://127.0.0.1:PORT/"
//   origin.value()->stop();                       // or let the destructor do it
//
// Threads: each CDN runs its own accept thread and connection pool (cdn_server.h). start(), stop(),
// the destructor and the accessors are for the owning thread; the destructor stops and joins.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "abrplay/abr/trace/trace.h"
#include "cdn_server.h"
#include "fault_plan.h"
#include "options.h"
#include "origin_context.h"

namespace abrplay::origin {

struct CdnSetup {
  std::optional<abr::Trace> trace;    // none: unshaped
  std::shared_ptr<FaultPlan> faults;  // null: no faults
  CdnDvb dvb;                         // the BaseURL's dvb:priority and dvb:weight in MPDs (0: omitted)
};

struct OriginConfig {
  std::vector<std::string> roots;
  int first_port = 0;  // 0: ephemeral ports
  std::vector<CdnSetup> cdns = std::vector<CdnSetup>(1);
  std::chrono::milliseconds added_latency{0};
  bool trace_from_start = false;  // else the trace starts at the first request
  bool live = false;
  std::chrono::seconds live_window{30};
  std::chrono::seconds live_preroll{8};  // AST = start - preroll
  LowLatencyParams low_latency;          // live only
  std::string log_path, telemetry_out;   // empty: off
  std::string token = "abrplay-demo";
  std::function<WallTime()> wall_clock;  // null: std::chrono::system_clock::now
};

// Loads the traces and fault files the options name; errors name the file (and line).
Expected<OriginConfig, std::string> config_from_options(const OriginOptions& options);

class Origin {
 public:
  static Expected<std::unique_ptr<Origin>, std::string> start(OriginConfig config);
  ~Origin();
  Origin(const Origin&) = delete;
  Origin& operator=(const Origin&) = delete;

  void stop();
  std::size_t cdn_count() const { return cdns_.size(); }
  int port(std::size_t cdn) const { return cdns_.at(cdn)->port(); }
  std::string url(std::size_t cdn) const { return ctx_.cdn_base_urls.at(cdn); }
  // "listening http://127.0.0.1:P0 http://127.0.0.1:P1 ..."
  std::string listening_line() const;
  TelemetryCollector& telemetry() { return *ctx_.telemetry; }
  WallTime availability_start() const { return ctx_.live_params.availability_start; }

 private:
  explicit Origin(ContentStore store) : ctx_(std::move(store)) {}
  OriginContext ctx_;
  std::vector<std::unique_ptr<CdnServer>> cdns_;
  bool stopped_ = false;
};

}  // namespace abrplay::origin
