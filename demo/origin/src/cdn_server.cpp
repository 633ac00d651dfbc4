#include "cdn_server.h"

#include <algorithm>
#include <optional>
#include <vector>

#include "mpd_rewrite.h"
#include "paced_body.h"
#include "validators.h"

namespace abrplay::origin {

namespace {

using SteadyClock = std::chrono::steady_clock;
constexpr std::size_t kMaxRequestBody = 64u * 1024u;  // heartbeats and /play bodies

void text(httplib::Response& res, int status, const std::string& message) {
  res.status = status;
  res.set_content(message + "\n", "text/plain");
}

// True when every range of the request lies (at least partly) inside a body of `size` bytes.
bool satisfiable(const httplib::Ranges& ranges, std::size_t size) {
  for (const auto& [first, last] : ranges) {
    if (first < 0) {  // suffix range "-N"
      if (last <= 0 || size == 0) return false;
      continue;
    }
    if (static_cast<std::size_t>(first) >= size || (last >= 0 && last < first)) return false;
  }
  return true;
}

std::string query_of(const httplib::Request& req) {
  std::string q;
  for (const auto& [k, v] : req.params) q += (q.empty() ? "" : "&") + k + "=" + v;
  return q;
}

// The oversize fault: the content, then `extra` zero bytes.
class PaddedBody final : public Body {
 public:
  PaddedBody(std::shared_ptr<Body> inner, std::uint64_t extra) : inner_(std::move(inner)), extra_(extra) {}
  std::size_t size() const override { return inner_->size() + static_cast<std::size_t>(extra_); }
  std::size_t read(std::size_t offset, std::size_t length, char* out) const override {
    std::size_t n = 0;
    if (offset < inner_->size()) {
      n = inner_->read(offset, std::min(length, inner_->size() - offset), out);
      if (n == 0) return 0;
    }
    const std::size_t pad = std::min(length - n, size() - std::min(size(), offset + n));
    std::fill_n(out + n, pad, '\0');
    return n + pad;
  }

 private:
  std::shared_ptr<Body> inner_;
  std::uint64_t extra_;
};

}  // namespace

struct CdnServer::Transfer {
  SteadyClock::time_point arrival;
  WallTime wall;
  BodyProgress body;  // the fault decided on arrival, and what the body sender did
};

CdnServer::CdnServer(int index, OriginContext& context, LinkParams link, std::shared_ptr<FaultPlan> faults)
    : index_(index), ctx_(context), link_(std::move(link), context.started), faults_(std::move(faults)) {
  if (!faults_) faults_ = std::make_shared<FaultPlan>();
  server_.new_task_queue = [] { return new httplib::ThreadPool(kPoolThreads); };
  server_.set_payload_max_length(kMaxRequestBody);
  server_.set_keep_alive_max_count(1000);
  // Paced bodies are many small writes: with Nagle's algorithm on, a write waits for the ACK of the
  // one before, and the client's delayed ACK holds that up to 40 ms. That added 30-40 ms to every
  // response's first byte and jitter to every chunk (found comparing the ABR lab with real time).
  server_.set_tcp_nodelay(true);
  server_.set_default_headers({{"Access-Control-Allow-Origin", "*"}});
  server_.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response&) {
    auto t = std::make_shared<Transfer>();
    t->arrival = SteadyClock::now();
    t->wall = ctx_.wall_clock();
    std::lock_guard lock(mutex_);
    in_flight_[&req] = std::move(t);
    return httplib::Server::HandlerResponse::Unhandled;
  });
  server_.set_logger([this](const httplib::Request& req, const httplib::Response& res) { log_request(req, res); });
  register_routes();
}

CdnServer::~CdnServer() { stop(); }

Expected<int, std::string> CdnServer::bind(int port) {
  if (port == 0) {
    port_ = server_.bind_to_any_port("127.0.0.1");
  } else {
    port_ = server_.bind_to_port("127.0.0.1", port) ? port : -1;
  }
  if (port_ <= 0) {
    return Unexpected{"cannot bind 127.0.0.1:" + std::to_string(port) + " for CDN " + std::to_string(index_) +
                      " (port in use?)"};
  }
  return port_;
}

void CdnServer::start() {
  thread_ = std::thread([this] {
    server_.listen_after_bind();
    listen_returned_ = true;
  });
  // httplib 0.11's stop() does nothing until listen_after_bind() has set is_running(), so a stop()
  // right after start() would leave the accept loop running and the join hanging. httplib offers no
  // notification, so wait here for that flag (it is set within microseconds; the socket already
  // listens, so no connection is lost meanwhile).
  while (!server_.is_running() && !listen_returned_) std::this_thread::yield();
}

void CdnServer::stop() {
  server_.stop();
  if (thread_.joinable()) thread_.join();
}

std::shared_ptr<CdnServer::Transfer> CdnServer::transfer_of(const httplib::Request& req) {
  std::lock_guard lock(mutex_);
  auto it = in_flight_.find(&req);
  if (it != in_flight_.end()) return it->second;
  auto t = std::make_shared<Transfer>();  // unreachable in practice: pre-routing made one
  t->arrival = SteadyClock::now();
  t->wall = ctx_.wall_clock();
  return in_flight_[&req] = t;
}

void CdnServer::register_routes() {
  server_.Get("/utc", [this](const httplib::Request&, httplib::Response& res) {
    res.set_header("Cache-Control", "no-store");
    res.set_content(iso8601(ctx_.wall_clock()), "text/plain");
  });
  server_.Get("/telemetry/sessions", [this](const httplib::Request&, httplib::Response& res) {
    res.set_content(ctx_.telemetry->sessions().dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                    "application/json");
  });
  server_.Post("/telemetry", [this](const httplib::Request& req, httplib::Response& res) {
    switch (ctx_.telemetry->add(req.body, ctx_.wall_clock())) {
      case TelemetryCollector::AddResult::kStored: res.status = 204; return;
      case TelemetryCollector::AddResult::kBadJson:
        return text(res, 400, "telemetry: body is not a JSON object or a non-empty array of objects");
      case TelemetryCollector::AddResult::kNoSessionId:
        return text(res, 400, "telemetry: missing string \"session_id\"");
      case TelemetryCollector::AddResult::kTooManySessions: return text(res, 429, "telemetry: too many sessions");
    }
  });
  server_.Post("/play", [this](const httplib::Request& req, httplib::Response& res) {
    const ApiResponse r = ctx_.api->handle(req.body, req.get_header_value("Authorization"));
    res.status = r.status;
    if (r.status == 401) res.set_header("WWW-Authenticate", "Bearer");
    res.set_content(r.body, "application/json");
  });
  server_.Get(".*", [this](const httplib::Request& req, httplib::Response& res) { serve_content(req, res); });
  auto not_allowed = [](const httplib::Request& req, httplib::Response& res) {
    res.set_header("Allow", "GET, HEAD");
    text(res, 405, req.method + " " + req.path + ": method not allowed");
  };
  server_.Post(".*", not_allowed);
  server_.Put(".*", not_allowed);
  server_.Delete(".*", not_allowed);
  server_.Patch(".*", not_allowed);
}

void CdnServer::serve_content(const httplib::Request& req, httplib::Response& res) {
  auto t = transfer_of(req);
  const auto now = SteadyClock::now();
  SteadyClock::duration wait = link_.on_request(now);
  t->body.fault = faults_->decide(req.path, std::chrono::duration_cast<std::chrono::milliseconds>(now - ctx_.started));
  if (t->body.fault && t->body.fault->kind == FaultKind::kSlowFirstByte) wait += t->body.fault->delay;
  if (wait > SteadyClock::duration::zero() && !ctx_.stop.wait_for(wait)) return text(res, 503, "origin stopping");
  if (t->body.fault && t->body.fault->kind == FaultKind::kStatus) {
    return text(res, t->body.fault->status, "injected fault: status " + std::to_string(t->body.fault->status));
  }
  if (t->body.fault && t->body.fault->kind == FaultKind::kRedirectLoop) {
    const std::string query = query_of(req);
    res.set_redirect(req.path + (query.empty() ? "" : "?" + query), 302);
    return;
  }
  if (t->body.fault && t->body.fault->kind == FaultKind::kWrongType) {
    res.status = 200;
    res.set_content("<!DOCTYPE html><html><body><h1>Sign in to the network</h1></body></html>\n", "text/html");
    return;
  }
  if (req.path == "/steering" && ctx_.steering) {
    // The steering manifest of this moment (steering_script.h); the fault rules above applied.
    std::shared_ptr<Body> answer = memory_body(ctx_.steering->answer(
        std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() - ctx_.started)));
    if (t->body.fault && t->body.fault->kind == FaultKind::kOversize)
      answer = std::make_shared<PaddedBody>(std::move(answer), t->body.fault->extra_bytes);
    res.set_header("Cache-Control", "no-store");
    return send_body(req, res, std::move(answer), "application/json", std::move(t));
  }
  PathProblem problem{};
  const auto file = ctx_.store.resolve(req.path, &problem);
  if (!file) {
    return problem == PathProblem::kBadPath ? text(res, 400, req.path + ": bad path")
                                            : text(res, 404, req.path + ": not found");
  }
  std::shared_ptr<Body> body;
  std::string etag;
  if (file->extension() == ".mpd") {
    body = mpd_body(req, res, *file);
    if (!body) return;  // status and message set
    std::string served(body->size(), '\0');
    served.resize(body->read(0, served.size(), served.data()));
    etag = mpd_etag(served);
    res.set_header("Cache-Control", std::string(ctx_.live ? kLiveMpdCacheControl : kVodMpdCacheControl));
  } else {
    std::optional<LiveIndex::Span> encoding;  // low-latency live: the segment is still being encoded
    if (ctx_.live) {
      if (auto idx = ctx_.live_cache.index_for_dir(file->parent_path())) {
        const WallTime now_wall = ctx_.wall_clock();
        switch (idx->check(file->filename().string(), ctx_.live_params, now_wall)) {
          case LiveAvailability::kNotYet: return text(res, 404, req.path + ": not yet available (live)");
          case LiveAvailability::kExpired: return text(res, 404, req.path + ": left the time-shift window (live)");
          case LiveAvailability::kAvailable:
          case LiveAvailability::kNotASegment: break;
        }
        const auto span = idx->span(file->filename().string());
        if (ctx_.live_params.low_latency.enabled && span && now_wall < ctx_.live_params.availability_start + span->end)
          encoding = span;
      }
    }
    if (encoding && !ctx_.live_params.low_latency.chunked_transfer) {
      // A CDN that ignores chunking: the request waits for the whole segment, then gets it whole.
      const auto until_complete = ctx_.live_params.availability_start + encoding->end - ctx_.wall_clock();
      if (!ctx_.stop.wait_for(std::chrono::duration_cast<std::chrono::steady_clock::duration>(until_complete))) {
        return text(res, 503, req.path + ": the server is stopping");
      }
      encoding.reset();
    }
    body = file_body(*file);
    if (!body) return text(res, 404, req.path + ": cannot be read");
    if (encoding && !(t->body.fault && t->body.fault->kind == FaultKind::kOversize)) {
      // Still being encoded: sent as it grows, with no validator or lifetime yet (not cacheable).
      return send_encoding(req, res, std::move(body), *encoding, content_type_for(file->string()), std::move(t));
    }
    etag = file_etag(*file);
    res.set_header("Cache-Control", std::string(kSegmentCacheControl));
  }
  if (!etag.empty()) {
    res.set_header("ETag", etag);
    if (req.has_header("If-None-Match") && etag_matches(req.get_header_value("If-None-Match"), etag)) {
      res.status = 304;  // Not Modified: no body; the client's copy stays valid
      return;
    }
  }
  if (t->body.fault && t->body.fault->kind == FaultKind::kOversize) {
    body = std::make_shared<PaddedBody>(std::move(body), t->body.fault->extra_bytes);
  }
  send_body(req, res, std::move(body), content_type_for(file->string()), std::move(t));
}

std::shared_ptr<Body> CdnServer::mpd_body(const httplib::Request& req, httplib::Response& res,
                                          const std::filesystem::path& file) {
  auto text_or = ContentStore::read_all(file, ContentStore::kMaxMpdBytes);
  if (!text_or) {
    text(res, 500, req.path + ": cannot read the MPD (or it exceeds 4 MiB)");
    return nullptr;
  }
  std::string mpd = std::move(*text_or);
  if (ctx_.live) {
    auto idx = ctx_.live_cache.index(file);
    if (!idx) {
      text(res, 500, "live mode: " + idx.error());
      return nullptr;
    }
    LiveParams params = ctx_.live_params;
    params.utc_timing_url = "http://127.0.0.1:" + std::to_string(port_) + "/utc";
    auto rendered = (*idx)->render(mpd, params, ctx_.wall_clock());
    if (!rendered) {
      text(res, 500, "live mode: " + req.path + ": " + rendered.error());
      return nullptr;
    }
    mpd = std::move(*rendered);
  }
  DeviceFilter filter;
  if (req.has_param("codecs")) {
    std::stringstream ss(req.get_param_value("codecs"));
    std::string c;
    while (std::getline(ss, c, ',')) {
      if (!c.empty()) filter.codecs.push_back(c);
    }
  }
  if (req.has_param("max_height")) {
    const std::string v = req.get_param_value("max_height");
    char* end = nullptr;
    const long h = std::strtol(v.c_str(), &end, 10);
    if (v.empty() || *end != '\0' || h < 1 || h > 8640) {
      text(res, 400, req.path + ": max_height must be an integer in 1..8640, got '" + v + "'");
      return nullptr;
    }
    filter.max_height = static_cast<int>(h);
  }
  std::vector<std::string> bases;
  if (ctx_.cdn_base_urls.size() > 1) {
    std::string dir = std::filesystem::path(req.path).parent_path().string();
    while (!dir.empty() && dir.front() == '/') dir.erase(0, 1);
    if (!dir.empty()) dir += '/';
    for (const auto& b : ctx_.cdn_base_urls) bases.push_back(b + dir);
  }
  std::optional<SteeringAdvert> steering;
  if (ctx_.steering && !bases.empty()) {
    steering = SteeringAdvert{ctx_.steering_url, ctx_.steering->default_service_location,
                              ctx_.steering->query_before_start};
  }
  if (!bases.empty() || !filter.empty()) {
    auto rewritten = rewrite_mpd(mpd, req.path, bases, filter, ctx_.cdn_dvb, steering ? &*steering : nullptr);
    if (!rewritten) {
      text(res, 500, rewritten.error());
      return nullptr;
    }
    mpd = std::move(*rewritten);
  }
  if (req.has_param("xlink-element")) {
    auto element = remote_element(mpd, req.path, req.get_param_value("xlink-element"));
    if (!element) {
      text(res, 404, element.error());
      return nullptr;
    }
    return memory_body(std::move(*element));
  }
  if (req.has_param("xlink")) {
    const std::string split = req.get_param_value("xlink");
    if (split != "periods" && split != "adaptation-sets") {
      text(res, 400, req.path + ": xlink must be 'periods' or 'adaptation-sets', got '" + split.substr(0, 64) + "'");
      return nullptr;
    }
    // The references keep the device filter's query, so the remote elements are filtered alike.
    const std::string query = filter.to_query();
    const std::string reference = std::filesystem::path(req.path).filename().string() + "?" +
                                  (query.empty() ? "" : query + "&");
    auto split_mpd = externalize(mpd, req.path, split == "periods" ? XlinkSplit::kPeriods : XlinkSplit::kAdaptationSets,
                                 reference);
    if (!split_mpd) {
      text(res, 500, split_mpd.error());
      return nullptr;
    }
    mpd = std::move(*split_mpd);
  }
  return memory_body(std::move(mpd));
}

void CdnServer::send_encoding(const httplib::Request& req, httplib::Response& res, std::shared_ptr<Body> body,
                              LiveIndex::Span span, const std::string& content_type, std::shared_ptr<Transfer> t) {
  auto ends = cmaf_chunk_ends(*body);
  if (!ends) return text(res, 500, "low-latency live: " + req.path + ": " + ends.error());
  const WallTime ast = ctx_.live_params.availability_start;
  auto times = chunk_availability(ast + span.start, ast + span.end, ends->size());
  // The fault plan's fractions are of the whole segment, not of the first chunk written.
  t->body.started = true;
  t->body.window_len = body->size();
  auto paced = paced_body(body, std::shared_ptr<BodyProgress>(t, &t->body), link_, ctx_.stop,
                          ConnectionEnds{port_, req.remote_addr, req.remote_port});
  res.set_chunked_content_provider(content_type, chunked_live_body(body, std::move(*ends), std::move(times),
                                                                   ctx_.wall_clock, ctx_.stop, std::move(paced)));
}

void CdnServer::send_body(const httplib::Request& req, httplib::Response& res, std::shared_ptr<Body> body,
                          const std::string& content_type, std::shared_ptr<Transfer> t) {
  res.set_header("Accept-Ranges", "bytes");
  if (!satisfiable(req.ranges, body->size())) {
    // No body: cpp-httplib would apply the request's ranges to it and rewrite Content-Range.
    res.status = 416;
    res.set_header("Content-Range", "bytes */" + std::to_string(body->size()));
    return;
  }
  res.set_content_provider(body->size(), content_type,
                           paced_body(body, std::shared_ptr<BodyProgress>(t, &t->body), link_, ctx_.stop,
                                      ConnectionEnds{port_, req.remote_addr, req.remote_port}));
}

void CdnServer::log_request(const httplib::Request& req, const httplib::Response& res) {
  std::shared_ptr<Transfer> t;
  {
    std::lock_guard lock(mutex_);
    if (auto it = in_flight_.find(&req); it != in_flight_.end()) {
      t = std::move(it->second);
      in_flight_.erase(it);
    }
  }
  const auto now = SteadyClock::now();
  RequestRecord r;
  r.time = t ? t->wall : ctx_.wall_clock();
  const auto arrival = t ? t->arrival : now;
  r.t_ms = std::chrono::duration<double, std::milli>(arrival - ctx_.started).count();
  r.duration_ms = std::chrono::duration<double, std::milli>(now - arrival).count();
  r.cdn = index_;
  r.client = req.remote_addr + ":" + std::to_string(req.remote_port);
  r.method = req.method;
  r.path = req.path;
  r.query = query_of(req);
  r.range = req.get_header_value("Range");
  r.status = res.status;
  r.bytes = t && t->body.started ? t->body.sent : (req.method == "HEAD" ? 0 : res.body.size());
  if (t && t->body.fault) r.fault = to_string(t->body.fault->kind);
  nlohmann::json cmcd = nlohmann::json::object();
  if (req.has_param("CMCD")) cmcd.update(parse_cmcd(req.get_param_value("CMCD")));
  for (const char* h : {"CMCD-Request", "CMCD-Object", "CMCD-Status", "CMCD-Session"}) {
    if (req.has_header(h)) cmcd.update(parse_cmcd(req.get_header_value(h)));
  }
  if (!cmcd.empty()) r.cmcd = std::move(cmcd);
  ctx_.log->write(r);
}

}  // namespace abrplay::origin
