// cdn_server.h: one CDN of the origin: an HTTP server on one 127.0.0.1 port with its own shaped
// link (SharedLink), its own fault rules, and the origin's shared content, log and collectors.
//
// Routes: GET/HEAD any path (content, byte ranges via cpp-httplib), GET /utc (ISO time for
// UTCTiming), POST /play (playback API), POST /telemetry, GET /telemetry/sessions. Other methods on
// content get 405. A content response goes: request latency -> fault decision -> (slow first byte)
// -> status fault or body; the body is paced chunk by chunk through the link, where stall, reset,
// truncate and corrupt faults act (paced_body.h).
//
// Threads: start() runs httplib's accept loop on a thread this object owns; httplib serves each
// connection on its pool (kPoolThreads). Handlers may wait (that is the simulated network), always
// through OriginContext::stop so stop() ends them promptly. stop() and the destructor join.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>

#include <httplib.h>

#include "fault_plan.h"
#include "origin_context.h"
#include "shared_link.h"

namespace abrplay::origin {

class CdnServer {
 public:
  // Waiting handlers each hold a pool thread; 32 covers a player's parallel loaders, several
  // players and the API without queueing behind a stalled response.
  static constexpr int kPoolThreads = 32;

  CdnServer(int index, OriginContext& context, LinkParams link, std::shared_ptr<FaultPlan> faults);
  ~CdnServer();
  CdnServer(const CdnServer&) = delete;
  CdnServer& operator=(const CdnServer&) = delete;

  // Binds 127.0.0.1:port (0: an ephemeral port); returns the bound port.
  Expected<int, std::string> bind(int port);
  void start();
  void stop();

  int port() const { return port_; }

 private:
  struct Transfer;  // per-request state, from arrival to the log line

  std::shared_ptr<Transfer> transfer_of(const httplib::Request& req);
  void register_routes();
  void serve_content(const httplib::Request& req, httplib::Response& res);
  void send_body(const httplib::Request& req, httplib::Response& res, std::shared_ptr<Body> body,
                 const std::string& content_type, std::shared_ptr<Transfer> t);
  // A low-latency live segment still being encoded: chunked transfer, each CMAF chunk when it is
  // available (low_latency.h).
  void send_encoding(const httplib::Request& req, httplib::Response& res, std::shared_ptr<Body> body,
                     LiveIndex::Span span, const std::string& content_type, std::shared_ptr<Transfer> t);
  // Body of an MPD as served: live rendering, CDN BaseURLs, device filter. Sets an error status on failure.
  std::shared_ptr<Body> mpd_body(const httplib::Request& req, httplib::Response& res,
                                 const std::filesystem::path& file);
  void log_request(const httplib::Request& req, const httplib::Response& res);

  const int index_;
  OriginContext& ctx_;
  SharedLink link_;
  std::shared_ptr<FaultPlan> faults_;
  httplib::Server server_;
  std::atomic<bool> listen_returned_{false};
  std::thread thread_;
  int port_ = 0;
  std::mutex mutex_;
  std::unordered_map<const httplib::Request*, std::shared_ptr<Transfer>> in_flight_;  // GUARDED_BY(mutex_)
};

}  // namespace abrplay::origin
