// abrplay/player/lab/lab_network.h: a trace-shaped network on virtual time, behind net::Transport.
//
// The model, kept close to abrplay-origin's shaping (demo/origin/src/shared_link.h) so that the lab
// and the real player on the shaped origin can be compared:
//   - Trace time 0 is the first request. The trace loops (abr::TraceCursor). Without a trace the
//     link runs at `unshaped_kbps`.
//   - Every request waits start_delay (retry backoff), then rtt + the trace's latency at that time
//     + request_overhead, before its first byte (the origin's --rtt-ms is added before each
//     response).
//   - One bottleneck: the transfers past their first byte share the link's rate equally (fluid
//     processor sharing: what the origin's FIFO interleaving of 10 ms chunks amounts to).
//     An idle link accumulates no credit.
//   - Bodies stream to on_chunk first when the link has carried the origin's first chunk (10 ms of
//     the rate at the first byte, at least 1500 bytes, at most 64 KiB), then every `chunk_interval`
//     of virtual time and at the end, so the engine's time to first byte and its abandonment see a
//     download progress as they do over curl.
//   - Faults, each applied to the first `times` requests whose URL path contains `path_contains`:
//     kStatus answers `status` (no body); kReset delivers `at_byte` bytes, then fails with kIo;
//     kStall delivers `at_byte` bytes, then nothing, until the request's stall timeout fails it
//     with kTimeout (as curl's low-speed limit does).
//   - A path not in the content is a 404; a body over Request::max_body_bytes is kTooLarge; a
//     URL that is not http(s) is kBadUrl. Request::timeouts.total is honoured; connect is instant.
//
// Threads: the lab is one thread. Every call, and every callback, is on the EventLoop's thread
// (submit() and cancel() from other threads post to it; the kManual loop of the lab session is the
// thread that drives it). Time is the loop's Clock.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "abrplay/abr/trace/trace.h"
#include "abrplay/abr/trace/trace_cursor.h"
#include "abrplay/net/transport.h"
#include "abrplay/player/engine/event_loop.h"
#include "abrplay/player/lab/lab_content.h"

namespace abrplay::lab {

struct LabFault {
  enum class Kind { kStatus, kReset, kStall };
  Kind kind = Kind::kStatus;
  std::string path_contains;
  int times = 1;
  int status = 503;           // kStatus
  std::uint64_t at_byte = 0;  // kReset, kStall: body bytes delivered first
};

struct LabLinkParams {
  std::optional<abr::Trace> trace;   // none: unshaped
  double unshaped_kbps = 1'000'000;  // 1 Gbit/s: loopback-like, yet finite
  std::chrono::microseconds rtt{0};  // before each response's first byte
  // Also before each first byte: what the real path costs per request beyond the link's round trip
  // (the engine's and net thread's hand-offs, curl, the origin's HTTP handling); 0 = the link only.
  // abrplay-sim --engine uses kLoopbackRequestOverhead (--overhead-ms).
  std::chrono::microseconds request_overhead{0};
  std::chrono::microseconds chunk_interval{std::chrono::milliseconds(20)};
  std::vector<LabFault> faults;
};

// What the real player pays per request beyond the round trip, against abrplay-origin on loopback:
// its startup (four requests in a row) is 11 ms behind the lab's without it, and on a trace whose
// bandwidth moves every 100 ms that drift alone changes decisions (docs/abr-lab.md).
inline constexpr std::chrono::microseconds kLoopbackRequestOverhead{3'000};

// What the link did, for tests and reports.
struct LabLinkStats {
  std::uint64_t requests = 0;
  std::uint64_t body_bytes = 0;       // delivered
  std::chrono::microseconds busy{0};  // time with at least one transfer receiving
};

class LabNetwork final : public net::Transport {
 public:
  LabNetwork(engine::EventLoop& loop, std::shared_ptr<const LabContent> content, LabLinkParams params);
  // Transfers still running complete with kCancelled (posted to their executors).
  ~LabNetwork() override;
  LabNetwork(const LabNetwork&) = delete;
  LabNetwork& operator=(const LabNetwork&) = delete;

  net::RequestId submit(net::Request request, net::Executor& executor, net::RequestCallbacks callbacks) override;
  void cancel(net::RequestId id) override;

  const LabLinkStats& stats() const { return stats_; }  // loop thread
  // The trace time of `now` (0 before the first request).
  std::chrono::microseconds trace_time(SteadyTime now) const;

 private:
  struct Transfer;
  void start(net::RequestId id, net::Request request, net::Executor* executor, net::RequestCallbacks callbacks);
  void do_cancel(net::RequestId id);
  // Moves every receiving transfer forward to `now`, delivers chunks, finishes what is done.
  void advance(SteadyTime now);
  void on_timer();
  void reschedule();
  double link_bytes_between(SteadyTime a, SteadyTime b) const;
  SteadyTime time_to_deliver(double bytes, SteadyTime from) const;
  double rate_kbps(SteadyTime at) const;  // the link's rate at `at`
  void flush_chunk(Transfer& t);
  void finish(std::map<net::RequestId, Transfer>::iterator it, std::optional<net::NetError> error);

  engine::EventLoop& loop_;
  const std::shared_ptr<const LabContent> content_;
  LabLinkParams params_;
  std::optional<abr::TraceCursor> cursor_;
  std::vector<int> fault_uses_;  // per params_.faults entry
  std::optional<SteadyTime> epoch_;
  std::map<net::RequestId, Transfer> transfers_;
  SteadyTime last_advance_{};
  engine::EventLoop::TimerId timer_ = 0;
  std::optional<SteadyTime> timer_at_;
  std::atomic<std::uint64_t> next_id_{0};  // any thread (submit)
  LabLinkStats stats_;
  std::shared_ptr<char> alive_ = std::make_shared<char>();
};

}  // namespace abrplay::lab
