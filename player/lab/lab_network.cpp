#include "abrplay/player/lab/lab_network.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "abrplay/net/url.h"

namespace abrplay::lab {

using std::chrono::duration_cast;
using std::chrono::microseconds;

struct LabNetwork::Transfer {
  net::Request request;
  net::Executor* executor = nullptr;
  net::RequestCallbacks callbacks;
  std::shared_ptr<const std::vector<std::uint8_t>> bytes;  // null: zeros
  std::uint64_t offset = 0;                                // of the body within the file
  std::uint64_t length = 0;                                // body length
  int status = 200;
  std::optional<LabFault> fault;
  SteadyTime started{};  // after start_delay
  SteadyTime first_byte_at{};
  bool receiving = false;       // past its first byte and still taking link capacity
  bool stalled = false;         // kStall: got its bytes, now waits for its stall timeout
  double received = 0;          // fluid bytes so far
  std::uint64_t target = 0;     // bytes to receive (length, or a fault's at_byte)
  std::uint64_t delivered = 0;  // bytes handed out (chunks or body)
  SteadyTime last_byte_at{};
  double first_chunk = 0;  // bytes of the first delivery (the origin's first chunk)
  bool first_chunk_sent = false;
  SteadyTime next_chunk_at = SteadyTime::max();  // the next delivery to on_chunk after the first
  std::vector<std::uint8_t> body;                // when not streamed

  // The next moment something happens to this transfer by itself: its first byte, or a timeout.
  std::optional<SteadyTime> deadline() const {
    std::optional<SteadyTime> d;
    auto take = [&d](SteadyTime t) { d = d ? std::min(*d, t) : t; };
    if (!receiving && !stalled) take(first_byte_at);
    if (request.timeouts.total.count() > 0) take(started + request.timeouts.total);
    if (request.timeouts.stall.count() > 0) {
      if (!receiving && !stalled) take(started + request.timeouts.stall);
      if (stalled) take(last_byte_at + request.timeouts.stall);
    }
    return d;
  }
};

namespace {

net::NetError make_error(net::NetErrorCode code, const std::string& url, std::string what, int status = 0) {
  net::NetError e;
  e.code = code;
  e.url = url;
  e.http_status = status;
  e.message = url + ": " + std::move(what);
  return e;
}

}  // namespace

LabNetwork::LabNetwork(engine::EventLoop& loop, std::shared_ptr<const LabContent> content, LabLinkParams params)
    : loop_(loop), content_(std::move(content)), params_(std::move(params)), fault_uses_(params_.faults.size(), 0) {
  if (params_.trace) cursor_.emplace(*params_.trace);
  if (!(params_.unshaped_kbps > 0)) params_.unshaped_kbps = 1'000'000;
  if (params_.chunk_interval.count() <= 0) params_.chunk_interval = LabLinkParams{}.chunk_interval;
}

LabNetwork::~LabNetwork() {
  alive_.reset();
  if (timer_ != 0) loop_.cancel(timer_);
  for (auto& [id, t] : transfers_) {
    net::Result r;
    r.error = make_error(net::NetErrorCode::kCancelled, t.request.url, "cancelled: the lab network shut down");
    if (t.callbacks.on_complete)
      t.executor->post([cb = std::move(t.callbacks.on_complete), r = std::move(r)]() mutable { cb(std::move(r)); });
  }
}

net::RequestId LabNetwork::submit(net::Request request, net::Executor& executor, net::RequestCallbacks callbacks) {
  const net::RequestId id = ++next_id_;
  if (loop_.in_loop_thread()) {
    start(id, std::move(request), &executor, std::move(callbacks));
  } else {
    std::weak_ptr<char> alive = alive_;
    loop_.post([this, alive, id, r = std::move(request), ex = &executor, cb = std::move(callbacks)]() mutable {
      if (!alive.expired()) start(id, std::move(r), ex, std::move(cb));
    });
  }
  return id;
}

void LabNetwork::cancel(net::RequestId id) {
  if (loop_.in_loop_thread()) {
    do_cancel(id);
    return;
  }
  std::weak_ptr<char> alive = alive_;
  loop_.post([this, alive, id] {
    if (!alive.expired()) do_cancel(id);
  });
}

microseconds LabNetwork::trace_time(SteadyTime now) const {
  if (!epoch_ || now < *epoch_) return microseconds(0);
  return duration_cast<microseconds>(now - *epoch_);
}

double LabNetwork::link_bytes_between(SteadyTime a, SteadyTime b) const {
  if (b <= a) return 0;
  if (!cursor_) return params_.unshaped_kbps * 1000.0 / 8.0 * std::chrono::duration<double>(b - a).count();
  return cursor_->bytes_between(trace_time(a), trace_time(b));
}

double LabNetwork::rate_kbps(SteadyTime at) const {
  return cursor_ ? cursor_->bandwidth_kbps_at(trace_time(at)) : params_.unshaped_kbps;
}

SteadyTime LabNetwork::time_to_deliver(double bytes, SteadyTime from) const {
  if (bytes <= 0) return from;
  if (!cursor_) {
    const double s = bytes / (params_.unshaped_kbps * 1000.0 / 8.0);
    return from + microseconds(static_cast<std::int64_t>(std::ceil(s * 1e6)));
  }
  return from + cursor_->time_to_deliver(bytes, trace_time(from));
}

void LabNetwork::start(net::RequestId id, net::Request request, net::Executor* executor,
                       net::RequestCallbacks callbacks) {
  const SteadyTime now = loop_.clock().steady();
  advance(now);
  if (!epoch_) epoch_ = now;
  ++stats_.requests;
  Transfer t;
  t.executor = executor;
  t.callbacks = std::move(callbacks);
  t.started = now + request.start_delay;
  const auto latency = params_.rtt + params_.request_overhead +
                       (cursor_ ? cursor_->latency_at(trace_time(t.started)) : microseconds(0));
  t.first_byte_at = t.started + latency;
  t.request = std::move(request);

  std::optional<net::NetError> early;
  auto url = net::parse_http_url(t.request.url);
  const LabFile* file = nullptr;
  if (!url) {
    early = url.error();
  } else if (file = content_->find(url->path); file == nullptr) {
    t.status = 404;
  } else {
    t.bytes = file->bytes;
    t.length = file->size;
    if (t.request.range) {
      const auto& r = *t.request.range;
      if (r.first >= file->size || (r.last && *r.last < r.first)) {
        t.status = 416;
      } else {
        const std::uint64_t last = std::min<std::uint64_t>(r.last.value_or(file->size - 1), file->size - 1);
        t.offset = r.first;
        t.length = last - r.first + 1;
        t.status = 206;
      }
    }
  }
  if (url) {
    for (std::size_t i = 0; i < params_.faults.size(); ++i) {
      const LabFault& f = params_.faults[i];
      if (fault_uses_[i] < f.times && url->path.find(f.path_contains) != std::string::npos) {
        ++fault_uses_[i];
        t.fault = f;
        break;
      }
    }
  }
  t.target = t.length;
  if (t.fault && t.fault->kind != LabFault::Kind::kStatus) t.target = std::min(t.length, t.fault->at_byte);
  auto [it, inserted] = transfers_.emplace(id, std::move(t));
  (void)inserted;
  if (early) {
    finish(it, early);
  } else {
    advance(now);  // a transfer without latency starts receiving at once
  }
  reschedule();
}

void LabNetwork::do_cancel(net::RequestId id) {
  auto it = transfers_.find(id);
  if (it == transfers_.end()) return;
  advance(loop_.clock().steady());
  it = transfers_.find(id);
  if (it == transfers_.end()) return;
  finish(it, make_error(net::NetErrorCode::kCancelled, it->second.request.url, "cancelled"));
  reschedule();
}

void LabNetwork::flush_chunk(Transfer& t) {
  const auto have = static_cast<std::uint64_t>(std::floor(t.received + 1e-6));
  if (have <= t.delivered) return;
  const std::uint64_t from = t.delivered, to = std::min(have, t.length);
  std::vector<std::uint8_t> chunk;
  if (t.bytes) {
    chunk.assign(t.bytes->begin() + static_cast<std::ptrdiff_t>(t.offset + from),
                 t.bytes->begin() + static_cast<std::ptrdiff_t>(t.offset + to));
  } else {
    chunk.assign(to - from, 0);
  }
  t.delivered = to;
  stats_.body_bytes += to - from;
  if (t.callbacks.on_chunk) {
    t.executor->post([cb = t.callbacks.on_chunk, c = std::move(chunk)] { cb(c); });
  } else {
    t.body.insert(t.body.end(), chunk.begin(), chunk.end());
  }
}

void LabNetwork::finish(std::map<net::RequestId, Transfer>::iterator it, std::optional<net::NetError> error) {
  Transfer t = std::move(it->second);
  transfers_.erase(it);
  const SteadyTime now = loop_.clock().steady();
  net::Result r;
  r.response.status = error && error->http_status == 0 ? 0 : t.status;
  r.response.effective_url = t.request.url;
  r.response.accepts_ranges = true;
  r.response.http_version = 1;
  r.response.bytes_received = t.delivered;
  r.response.body = std::move(t.body);
  r.response.headers.push_back({"content-length", std::to_string(t.length)});
  const SteadyTime first = std::min(now, t.first_byte_at);
  r.response.timing.ttfb = duration_cast<microseconds>(first - std::min(first, t.started));
  r.response.timing.transfer = duration_cast<microseconds>(now - first);
  r.response.timing.total = duration_cast<microseconds>(now - std::min(now, t.started));
  r.error = std::move(error);
  if (t.callbacks.on_complete) {
    t.executor->post([cb = std::move(t.callbacks.on_complete), r = std::move(r)]() mutable { cb(std::move(r)); });
  }
}

void LabNetwork::advance(SteadyTime now) {
  if (now <= last_advance_) {
    last_advance_ = std::max(last_advance_, now);
  } else {
    std::size_t n = 0;
    for (auto& [id, t] : transfers_) n += t.receiving ? 1 : 0;
    if (n > 0) {
      const double share = link_bytes_between(last_advance_, now) / static_cast<double>(n);
      stats_.busy += duration_cast<microseconds>(now - last_advance_);
      for (auto& [id, t] : transfers_) {
        if (!t.receiving) continue;
        t.received = std::min(static_cast<double>(t.target), t.received + share);
        if (static_cast<double>(t.target) - t.received < 0.5) t.received = static_cast<double>(t.target);
        t.last_byte_at = now;
      }
    }
    last_advance_ = now;
  }
  // Chunks, completions, faults and deadlines at `now`.
  for (auto it = transfers_.begin(); it != transfers_.end();) {
    auto next = std::next(it);
    Transfer& t = it->second;
    const std::string& url = t.request.url;
    if (t.receiving && now >= t.next_chunk_at) {
      flush_chunk(t);
      t.next_chunk_at = now + params_.chunk_interval;
    }
    if (!t.receiving && !t.stalled && now >= t.first_byte_at) {
      if (t.status >= 400 || (t.fault && t.fault->kind == LabFault::Kind::kStatus)) {
        const int status = t.fault && t.fault->kind == LabFault::Kind::kStatus ? t.fault->status : t.status;
        t.status = status;
        finish(it, make_error(net::NetErrorCode::kHttpStatus, url, "HTTP " + std::to_string(status), status));
        it = next;
        continue;
      }
      if (t.length > t.request.max_body_bytes) {
        finish(it, make_error(net::NetErrorCode::kTooLarge, url,
                              "body of " + std::to_string(t.length) + " bytes exceeds the limit of " +
                                  std::to_string(t.request.max_body_bytes)));
        it = next;
        continue;
      }
      t.receiving = true;
      t.last_byte_at = now;
      // The first bytes reach the reader one chunk after the headers, as from the origin (which
      // paces in abr::paced_chunk_bytes): on a slow link or in a dead bin of a trace well after
      // 10 ms, and the engine's time to first byte (which ScenarioMPC keeps apart) sees it.
      t.first_chunk = std::min(static_cast<double>(t.target), abr::paced_chunk_bytes(rate_kbps(now)));
    }
    if (t.receiving && !t.first_chunk_sent && t.received >= t.first_chunk) {
      flush_chunk(t);
      t.first_chunk_sent = true;
      t.next_chunk_at = now + params_.chunk_interval;
    }
    if (t.receiving && t.received >= static_cast<double>(t.target)) {
      flush_chunk(t);
      if (!t.fault || t.fault->kind == LabFault::Kind::kStatus || t.target >= t.length) {
        finish(it, std::nullopt);
        it = next;
        continue;
      }
      if (t.fault->kind == LabFault::Kind::kReset) {
        finish(it, make_error(net::NetErrorCode::kIo, url,
                              "connection reset after " + std::to_string(t.delivered) + " bytes"));
        it = next;
        continue;
      }
      t.receiving = false;
      t.stalled = true;
    }
    if (t.request.timeouts.total.count() > 0 && now >= t.started + t.request.timeouts.total) {
      auto e = make_error(net::NetErrorCode::kTimeout, url, "total timeout");
      e.timeout = net::TimeoutKind::kTotal;
      finish(it, std::move(e));
      it = next;
      continue;
    }
    const bool waiting_first = !t.receiving && !t.stalled;
    if (t.request.timeouts.stall.count() > 0 && ((waiting_first && now >= t.started + t.request.timeouts.stall) ||
                                                 (t.stalled && now >= t.last_byte_at + t.request.timeouts.stall))) {
      auto e = make_error(net::NetErrorCode::kTimeout, url,
                          "no data for " + std::to_string(t.request.timeouts.stall.count()) + " ms");
      e.timeout = net::TimeoutKind::kStall;
      finish(it, std::move(e));
      it = next;
      continue;
    }
    it = next;
  }
}

void LabNetwork::on_timer() {
  timer_ = 0;
  timer_at_.reset();
  advance(loop_.clock().steady());
  reschedule();
}

void LabNetwork::reschedule() {
  const SteadyTime now = loop_.clock().steady();
  std::optional<SteadyTime> next;
  auto take = [&next](SteadyTime t) { next = next ? std::min(*next, t) : t; };
  std::size_t n = 0;
  double min_left = std::numeric_limits<double>::infinity();
  for (const auto& [id, t] : transfers_) {
    if (auto d = t.deadline()) take(*d);
    if (t.receiving) {
      ++n;
      min_left = std::min(min_left, static_cast<double>(t.target) - t.received);
    }
  }
  if (n > 0) take(time_to_deliver(min_left * static_cast<double>(n), now));
  for (const auto& [id, t] : transfers_) {
    if (!t.receiving) continue;
    if (t.first_chunk_sent) {
      take(t.next_chunk_at);
    } else {
      take(time_to_deliver(std::max(t.first_chunk - t.received, 0.0) * static_cast<double>(n), now));
    }
  }
  if (!next) {
    if (timer_ != 0) loop_.cancel(timer_);
    timer_ = 0;
    timer_at_.reset();
    return;
  }
  const SteadyTime at = std::max(*next, now + microseconds(1));
  if (timer_ != 0 && timer_at_ && *timer_at_ == at) return;
  if (timer_ != 0) loop_.cancel(timer_);
  std::weak_ptr<char> alive = alive_;
  timer_at_ = at;
  timer_ = loop_.post_at(at, [this, alive] {
    if (!alive.expired()) on_timer();
  });
}

}  // namespace abrplay::lab
