// abrplay/abr/estimator/throughput_sample.h: one finished transfer, as the estimators see it.
#pragma once

#include "abrplay/core/time.h"

namespace abrplay::abr {

struct ThroughputSample {
  Seconds end_time{0};  // when the last byte arrived (caller's epoch)
  double bytes = 0;     // payload bytes received
  Seconds duration{0};  // request sent to last byte, > 0
  Seconds ttfb{0};      // request sent to first byte (latency), 0 <= ttfb <= duration

  // Whole-request rate, latency included (what dash.js and MPC measure), kbps.
  double kbps() const { return duration.count() > 0 ? bytes * 8 / duration.count() / 1000 : 0; }
  // Rate once bytes flow, latency excluded, kbps. Falls back to kbps() when ttfb fills the request.
  double transfer_kbps() const {
    const double flowing = duration.count() - ttfb.count();
    return flowing > 1e-6 ? bytes * 8 / flowing / 1000 : kbps();
  }
};

}  // namespace abrplay::abr
