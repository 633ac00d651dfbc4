#include "abrplay/abr/sim/pensieve_link.h"

namespace abrplay::abr {

PensieveLink::PensieveLink(const Trace& trace, double payload_portion) : payload_portion_(payload_portion) {
  std::int64_t t_us = 0;
  time_s_.push_back(0);
  rate_Bps_.push_back(0);
  for (const TraceSegment& s : trace.segments) {
    t_us += s.duration.count();
    // Integer microseconds / 1e6 is the double nearest the file's decimal text (as Python's float()).
    time_s_.push_back(static_cast<double>(t_us) / 1e6);
    rate_Bps_.push_back(s.bandwidth_kbps * 1000 / 8);
    latency_s_.push_back(static_cast<double>(s.latency.count()) / 1e6);
  }
}

void PensieveLink::step() {
  last_time_s_ = time_s_[ptr_];
  ++ptr_;
  if (ptr_ >= time_s_.size()) {
    ptr_ = 1;
    last_time_s_ = 0;
  }
}

double PensieveLink::download(double bytes) {
  double delay = 0;
  double sent = 0;
  while (true) {
    const double throughput = rate_Bps_[ptr_];
    const double duration = time_s_[ptr_] - last_time_s_;
    const double packet_payload = throughput * duration * payload_portion_;
    if (sent + packet_payload > bytes) {
      const double fractional = (bytes - sent) / throughput / payload_portion_;
      delay += fractional;
      last_time_s_ += fractional;
      return delay;
    }
    sent += packet_payload;
    delay += duration;
    step();
  }
}

void PensieveLink::sleep_ms(double ms) {
  while (true) {
    const double duration = time_s_[ptr_] - last_time_s_;
    if (duration > ms / 1000) {
      last_time_s_ += ms / 1000;
      return;
    }
    ms -= duration * 1000;
    step();
  }
}

}  // namespace abrplay::abr
