// abrplay/core/units.h: bitrates and byte counts as types, in the spirit of WebRTC's DataRate and
// DataSize.
//
// A bitrate crosses the whole player: the manifest's @bandwidth, the ABR ladder and throughput
// estimate, the engine's events, the session metrics, telemetry and CMCD's br/mtp/tb keys. As bare
// numbers they were bps in one place and kbps in the next, converted by hand at each boundary; as a
// DataRate the unit is said once, where a value is made (`DataRate::kbps(750)`) or read
// (`rate.bps()`), and arithmetic keeps it. A DataRate holds bits per second as a double: estimates
// are fractional, and declared bandwidths (integers below 2^53) stay exact.
#pragma once

#include <compare>
#include <concepts>
#include <cstdint>
#include <limits>

#include "abrplay/core/time.h"

namespace abrplay {

class DataRate {
 public:
  constexpr DataRate() = default;
  static constexpr DataRate bits_per_second(double bps) { return DataRate(bps); }
  static constexpr DataRate kilobits_per_second(double kbps) { return DataRate(kbps * 1e3); }
  static constexpr DataRate zero() { return DataRate(); }

  constexpr double bps() const { return bps_; }
  constexpr double kbps() const { return bps_ / 1e3; }
  constexpr double mbps() const { return bps_ / 1e6; }
  constexpr bool is_zero() const { return bps_ == 0; }
  // Whole bits per second for integer fields ($Bandwidth$, the API's bandwidth_bps), saturated to
  // [0, 2^64 - 1]: a manifest may declare any number, and a double beyond that range does not convert.
  constexpr std::uint64_t whole_bps() const {
    if (!(bps_ > 0)) return 0;
    if (bps_ >= 18446744073709551615.0) return std::numeric_limits<std::uint64_t>::max();
    return static_cast<std::uint64_t>(bps_);
  }

  constexpr auto operator<=>(const DataRate&) const = default;
  constexpr DataRate operator+(DataRate o) const { return DataRate(bps_ + o.bps_); }
  constexpr DataRate operator-(DataRate o) const { return DataRate(bps_ - o.bps_); }
  constexpr DataRate operator*(double k) const { return DataRate(bps_ * k); }
  constexpr DataRate operator/(double k) const { return DataRate(bps_ / k); }
  constexpr double operator/(DataRate o) const { return bps_ / o.bps_; }  // a ratio
  constexpr DataRate& operator+=(DataRate o) {
    bps_ += o.bps_;
    return *this;
  }

 private:
  constexpr explicit DataRate(double bps) : bps_(bps) {}
  double bps_ = 0;
};

constexpr DataRate operator*(double k, DataRate r) { return r * k; }

// A count of bytes: a body, a segment, a download. Exact (an integer), never negative in use.
class DataSize {
 public:
  constexpr DataSize() = default;
  // Any integer count (a body's size(), a file's length).
  template <std::integral T>
  static constexpr DataSize bytes(T n) {
    return DataSize(static_cast<std::int64_t>(n));
  }
  static constexpr DataSize zero() { return DataSize(); }

  constexpr std::int64_t bytes() const { return bytes_; }
  constexpr double bits() const { return static_cast<double>(bytes_) * 8; }

  constexpr auto operator<=>(const DataSize&) const = default;
  constexpr DataSize operator+(DataSize o) const { return DataSize(bytes_ + o.bytes_); }
  constexpr DataSize operator-(DataSize o) const { return DataSize(bytes_ - o.bytes_); }
  constexpr DataSize& operator+=(DataSize o) {
    bytes_ += o.bytes_;
    return *this;
  }

 private:
  constexpr explicit DataSize(std::int64_t n) : bytes_(n) {}
  std::int64_t bytes_ = 0;
};

// Size over time is a rate (zero for a non-positive time); a rate over time is a number of bits.
constexpr DataRate operator/(DataSize size, Seconds time) {
  return time.count() > 0 ? DataRate::bits_per_second(size.bits() / time.count()) : DataRate::zero();
}
// Bytes a rate delivers in `time`, fractional (the ABR plans with expected sizes).
constexpr double bytes_in(DataRate rate, Seconds time) { return rate.bps() * time.count() / 8; }
// Time `bytes` take at `rate` (infinite at zero rate).
constexpr Seconds time_to_send(double bytes, DataRate rate) {
  return Seconds(rate.bps() > 0 ? bytes * 8 / rate.bps() : 1e300);
}

// Literals for constants and tests: `750_kbps`, `2.5_mbps`, `1500_bytes` (using namespace abrplay::literals).
namespace literals {
constexpr DataRate operator""_bps(unsigned long long v) { return DataRate::bits_per_second(static_cast<double>(v)); }
constexpr DataRate operator""_kbps(unsigned long long v) {
  return DataRate::kilobits_per_second(static_cast<double>(v));
}
constexpr DataRate operator""_kbps(long double v) { return DataRate::kilobits_per_second(static_cast<double>(v)); }
constexpr DataRate operator""_mbps(unsigned long long v) {
  return DataRate::kilobits_per_second(static_cast<double>(v) * 1e3);
}
constexpr DataRate operator""_mbps(long double v) {
  return DataRate::kilobits_per_second(static_cast<double>(v) * 1e3);
}
constexpr DataSize operator""_bytes(unsigned long long v) { return DataSize::bytes(static_cast<std::int64_t>(v)); }
}  // namespace literals

}  // namespace abrplay
