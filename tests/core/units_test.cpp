#include <catch2/catch.hpp>

#include <cstdint>
#include <limits>

#include "abrplay/core/units.h"

using abrplay::DataRate;
using abrplay::DataSize;
using abrplay::Seconds;
using namespace abrplay::literals;

TEST_CASE("DataRate: one value, read in any unit", "[core][units]") {
  const DataRate r = DataRate::kilobits_per_second(750);
  CHECK(r.bps() == 750'000);
  CHECK(r.kbps() == 750);
  CHECK(r.mbps() == Approx(0.75));
  CHECK(r == 750_kbps);
  CHECK(r == DataRate::bits_per_second(750'000));
  CHECK(2.5_mbps == 2500_kbps);
  CHECK(DataRate().is_zero());
  CHECK(DataRate::zero() < 1_bps);
}

TEST_CASE("DataRate arithmetic keeps the unit", "[core][units]") {
  CHECK(1000_kbps * 0.7 == 700_kbps);
  CHECK(0.7 * 1000_kbps == 700_kbps);
  CHECK(3000_kbps / 2.0 == 1500_kbps);
  CHECK(3000_kbps / 1500_kbps == 2.0);
  CHECK(300_kbps + 450_kbps == 750_kbps);
  CHECK(750_kbps - 450_kbps == 300_kbps);
  DataRate sum;
  sum += 1_mbps;
  sum += 1_mbps;
  CHECK(sum == 2_mbps);
}

TEST_CASE("DataSize over time is a rate, and a rate over time is bytes", "[core][units]") {
  CHECK(DataSize::bytes(125'000) / Seconds{1} == 1000_kbps);
  CHECK(DataSize::bytes(125'000) / Seconds{0.5} == 2000_kbps);
  CHECK(DataSize::bytes(125'000) / Seconds{0} == DataRate::zero());  // no time: no rate, no division
  CHECK(DataSize::bytes(125'000) / Seconds{-1} == DataRate::zero());
  CHECK(bytes_in(1000_kbps, Seconds{4}) == 500'000);
  CHECK(time_to_send(500'000, 1000_kbps).count() == Approx(4));
  CHECK(time_to_send(1, DataRate::zero()).count() > 1e100);  // never, not a division by zero
  CHECK(1500_bytes + 500_bytes == DataSize::bytes(2000));
  CHECK(DataSize::bytes(3).bits() == 24);
}

TEST_CASE("whole_bps saturates what does not fit an integer", "[core][units]") {
  CHECK(DataRate::bits_per_second(2'500'000).whole_bps() == 2'500'000);
  CHECK(DataRate::bits_per_second(-5).whole_bps() == 0);
  CHECK(DataRate::bits_per_second(std::numeric_limits<double>::quiet_NaN()).whole_bps() == 0);
  CHECK(DataRate::bits_per_second(1e30).whole_bps() == std::numeric_limits<std::uint64_t>::max());
  CHECK(DataRate::bits_per_second(static_cast<double>(std::numeric_limits<std::uint64_t>::max())).whole_bps() ==
        std::numeric_limits<std::uint64_t>::max());
}
