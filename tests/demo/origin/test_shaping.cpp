// Shaping: throughput follows the trace, concurrent downloads share one link, latency is added.
#include <catch2/catch.hpp>

#include <future>

#include "abrplay/abr/trace/trace_cursor.h"
#include "abrplay/abr/traceio/load_trace.h"
#include "http_client.h"
#include "origin_fixture.h"

namespace abrplay::origin::test {

namespace {
abr::Trace load(const std::string& name) {
  auto t = abr::load_trace_file(data_file(name));
  if (!t) FAIL(t.error().message);
  return *t;
}
}  // namespace

TEST_CASE("a shaped 1.125 MB download runs at the trace's 3 Mbps mean within 5%", "[origin][shaping]") {
  // alternating_2_4mbps: 0.5 s at 4 Mbps, 0.5 s at 2 Mbps, ...; 9 Mbit take exactly 3 s of it.
  const std::size_t bytes = 1'125'000;
  ContentFixture content(bytes);
  const abr::Trace trace = load("alternating_2_4mbps.txt");
  REQUIRE(trace.mean_kbps() == Approx(3000));
  OriginConfig config;
  config.roots = {content.dir().string()};
  config.cdns[0].trace = trace;
  auto origin = start_origin(config);

  const HttpResult r = http_get(origin->url(0) + "blob.bin");
  REQUIRE(r.curl_code == 0);
  REQUIRE(r.status == 200);
  REQUIRE(r.body == content.blob());
  const double kbps = static_cast<double>(bytes) * 8 / 1000 / r.total_s;
  const double predicted_s = abr::TraceCursor(trace).time_to_deliver_s(static_cast<double>(bytes), 0);
  INFO("measured " << kbps << " kbps in " << r.total_s << " s; trace mean 3000 kbps, predicted " << predicted_s
                   << " s");
  CHECK(std::abs(kbps - trace.mean_kbps()) / trace.mean_kbps() < 0.05);
  CHECK(std::abs(r.total_s - predicted_s) / predicted_s < 0.05);
}

TEST_CASE("two concurrent downloads share one CDN's link and together get the trace rate", "[origin][shaping]") {
  const std::size_t bytes = 375'000;  // 3 Mbit each: 6 Mbit at 2 Mbps = 3 s for both together
  ContentFixture content(bytes);
  OriginConfig config;
  config.roots = {content.dir().string()};
  config.cdns[0].trace = load("constant_2mbps.txt");
  auto origin = start_origin(config);
  const std::string url = origin->url(0) + "blob.bin";
  auto a = std::async(std::launch::async, [&] { return http_get(url); });
  auto b = std::async(std::launch::async, [&] { return http_get(url); });
  const HttpResult ra = a.get(), rb = b.get();
  REQUIRE(ra.curl_code == 0);
  REQUIRE(rb.curl_code == 0);
  const double slowest = std::max(ra.total_s, rb.total_s);
  INFO("a " << ra.total_s << " s, b " << rb.total_s << " s; a lone download would take 1.5 s");
  CHECK(slowest == Approx(3.0).epsilon(0.07));
  // Chunks interleave: neither finishes long before the other (a FIFO of whole files would give 1.5 s).
  CHECK(std::min(ra.total_s, rb.total_s) > 2.5);
}

TEST_CASE("added latency (--rtt-ms) delays the first byte of every request by that much", "[origin][shaping]") {
  ContentFixture content(1000);
  OriginConfig config;
  config.roots = {content.dir().string()};
  config.added_latency = std::chrono::milliseconds(150);
  auto origin = start_origin(config);
  for (int i = 0; i < 3; ++i) {
    const HttpResult r = http_get(origin->url(0) + "blob.bin");
    REQUIRE(r.status == 200);
    CHECK(r.first_byte_s >= 0.150);
    CHECK(r.first_byte_s < 0.150 + 0.250);  // room for a loaded machine
  }
  const HttpResult unshaped = [&] {
    OriginConfig plain;
    plain.roots = {content.dir().string()};
    auto o = start_origin(plain);
    return http_get(o->url(0) + "blob.bin");
  }();
  CHECK(unshaped.first_byte_s < 0.150);
}

}  // namespace abrplay::origin::test
