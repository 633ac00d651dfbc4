// StreamingEngine, content steering: the steering requests, their reload timer, and the pathway
// order handed to every fetcher's HostSelector. The decisions are SteeringPolicy's
// (content_steering.h); this file does the I/O and the timing on the player loop.
#include <algorithm>

#include "engine_impl.h"
#include "net_error_code.h"

namespace abrplay::engine {

namespace {

// A steering request must not hold up the start for long (queryBeforeStart), and a server that
// trickles its answer must not keep a transfer open: 10 s in all, a fraction of the 300 s default TTL.
constexpr std::chrono::seconds kSteeringRequestLimit{10};

// Every @serviceLocation of the MPD's BaseURLs, in document order, once each.
std::vector<std::string> service_locations(const manifest::Mpd& mpd) {
  std::vector<std::string> out;
  auto add = [&out](const std::vector<manifest::BaseUrl>& urls) {
    for (const auto& b : urls)
      if (!b.service_location.empty() && std::find(out.begin(), out.end(), b.service_location) == out.end())
        out.push_back(b.service_location);
  };
  add(mpd.base_urls);
  for (const auto& p : mpd.periods) {
    add(p.base_urls);
    for (const auto& as : p.adaptation_sets) {
      add(as.base_urls);
      for (const auto& r : as.representations) add(r.base_urls);
    }
  }
  return out;
}

}  // namespace

void StreamingEngine::Impl::begin_steering(std::function<void()> start) {
  end_steering();
  if (!config_.content_steering || !mpd_->content_steering) return start();
  steering_.emplace(*mpd_->content_steering, service_locations(*mpd_));
  steering_priority_ = steering_->initial_priority();
  if (!steering_priority_.empty()) steering_why_ = "the MPD's defaultServiceLocation";
  if (steering_->query_before_start()) return fetch_steering(generation_, std::move(start));
  start();
  fetch_steering(generation_, nullptr);
}

void StreamingEngine::Impl::end_steering() {
  if (steering_timer_ != 0) loop_.cancel(steering_timer_);
  steering_timer_ = 0;
  const bool had_order = !steering_priority_.empty();
  steering_.reset();
  steering_priority_.clear();
  steering_why_.clear();
  steering_pathway_.clear();
  // Fetchers outlive a session (they are kept per base URLs): give them back their own order.
  if (had_order)
    for (auto& [access, fetchers] : fetchers_)
      for (auto& [bases, fetcher] : fetchers)
        if (!bases.empty()) fetcher->set_pathway_priority({}, "");
}

void StreamingEngine::Impl::fetch_steering(std::uint64_t generation, std::function<void()> then) {
  if (!steering_ || generation != generation_) return;
  auto url = steering_->request_url(SteeringState{steering_pathway_, estimator_->estimate()});
  if (!url) {
    // The URLs come from the MPD and were resolved when it was parsed; still, never stop on it.
    warn(url.error());
    if (then) then();
    return;
  }
  net::Request req;
  req.url = *url;
  req.priority = net::Priority::kHigh;
  req.max_body_bytes = kMaxSteeringManifestBytes;
  req.timeouts.total = kSteeringRequestLimit;
  // The application's headers (a token the steering server checks as the CDNs do) and CMCD.
  if (config_.decorate_request) config_.decorate_request(req, RequestInfo{DownloadKind::kSteering});
  const Liveness::Watch alive = alive_.watch();
  net::FetchCallbacks cbs;
  cbs.on_complete = [this, alive, generation, then = std::move(then), requested = *url](net::FetchOutcome outcome) {
    if (alive.expired() || generation != generation_ || !steering_) return;
    if (!outcome && outcome.error().code == net::NetErrorCode::kCancelled) return;
    if (!outcome) {
      const net::NetError& e = outcome.error();
      apply_steering(steering_->on_failure(SteeringFailure{Error{code_of(e.code), "steering server " + e.message},
                                                           e.http_status, e.retry_after}),
                     generation);
    } else {
      const auto& body = outcome->response.body;
      const std::string& from = outcome->response.effective_url.empty() ? requested : outcome->response.effective_url;
      apply_steering(steering_->on_answer(std::string_view(reinterpret_cast<const char*>(body.data()), body.size()),
                                          from),
                     generation);
    }
    if (then) then();
  };
  fetcher_for({}, {}).fetch(std::move(req), std::move(cbs));
}

void StreamingEngine::Impl::apply_steering(SteeringUpdate u, std::uint64_t generation) {
  for (auto& w : u.warnings) warn(std::move(w));
  if (u.priority) {
    steering_priority_ = *u.priority;
    steering_why_ = u.why;
    for (auto& [bases, fetcher] : fetchers_[file_access_])
      if (!bases.empty()) fetcher->set_pathway_priority(steering_priority_, steering_why_);
  }
  if (steering_timer_ != 0) loop_.cancel(steering_timer_);
  steering_timer_ = 0;
  if (!u.reload_after) return;  // the server is gone (410): no more requests this session
  const Liveness::Watch alive = alive_.watch();
  steering_timer_ = loop_.post_after(*u.reload_after, [this, alive, generation] {
    if (alive.expired() || generation != generation_) return;
    steering_timer_ = 0;
    fetch_steering(generation, nullptr);
  });
}

}  // namespace abrplay::engine
