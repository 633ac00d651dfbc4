// abrplay/abr/estimator/throughput_sample.h: one finished transfer, as the estimators see it.
#pragma once

#include "abrplay/core/time.h"
#include "abrplay/core/units.h"

namespace abrplay::abr {

struct ThroughputSample {
  Seconds end_time{0};  // when the last byte arrived (caller's epoch)
  DataSize bytes;       // payload bytes received
  Seconds duration{0};  // request sent to last byte, > 0
  Seconds ttfb{0};      // request sent to first byte (latency), 0 <= ttfb <= duration

  // Whole-request rate, latency included (what dash.js and MPC measure).
  DataRate rate() const { return bytes / duration; }
  // Rate once bytes flow, latency excluded. Falls back to rate() when ttfb fills the request.
  DataRate transfer_rate() const {
    const Seconds flowing = duration - ttfb;
    return flowing.count() > 1e-6 ? bytes / flowing : rate();
  }
};

}  // namespace abrplay::abr
