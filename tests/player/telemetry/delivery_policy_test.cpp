// classify_delivery and parse_retry_after: which answers are retried, which are refused for good,
// and what the server's Retry-After says (both of its forms).
#include <catch2/catch.hpp>

#include "abrplay/player/telemetry/delivery_policy.h"

namespace tel = abrplay::telemetry;
namespace net = abrplay::net;
using namespace std::chrono_literals;

namespace {

// 2024-01-01T00:00:00Z, a Monday.
const abrplay::WallTime kNewYear{std::chrono::seconds{1'704'067'200}};

net::Result answer(int status, std::string retry_after = "", std::string body = "") {
  net::Result r;
  r.response.status = status;
  if (!retry_after.empty()) r.response.headers.push_back({"retry-after", retry_after});
  r.response.body.assign(body.begin(), body.end());
  if (status < 200 || status >= 300) {
    r.error = net::NetError{};
    r.error->code = net::NetErrorCode::kHttpStatus;
    r.error->http_status = status;
    r.error->url = "http://127.0.0.1:9/telemetry";
    r.error->message = "HTTP " + std::to_string(status);
  }
  return r;
}

net::Result transport_error(net::NetErrorCode code) {
  net::Result r;
  r.error = net::NetError{};
  r.error->code = code;
  r.error->url = "http://127.0.0.1:9/telemetry";
  r.error->message = "failed";
  return r;
}

}  // namespace

TEST_CASE("Retry-After: delta-seconds and IMF-fixdate against now: anything else is not read",
          "[telemetry][delivery]") {
  CHECK(tel::parse_retry_after("2", kNewYear) == 2s);
  CHECK(tel::parse_retry_after(" 120 ", kNewYear) == 120s);
  CHECK(tel::parse_retry_after("0", kNewYear) == 0s);
  CHECK(tel::parse_retry_after("Mon, 01 Jan 2024 00:01:30 GMT", kNewYear) == 90s);
  CHECK(tel::parse_retry_after("Mon, 01 Jan 2024 00:01:30 GMT", kNewYear + 500ms) == 90s);  // rounded up
  CHECK(tel::parse_retry_after("Sun, 31 Dec 2023 23:59:00 GMT", kNewYear) == 0s);           // past: now
  CHECK_FALSE(tel::parse_retry_after("", kNewYear));
  CHECK_FALSE(tel::parse_retry_after("-5", kNewYear));
  CHECK_FALSE(tel::parse_retry_after("1.5", kNewYear));
  CHECK_FALSE(tel::parse_retry_after("soon", kNewYear));
  CHECK_FALSE(tel::parse_retry_after("Mon, 30 Feb 2024 00:00:00 GMT", kNewYear));   // no such day
  CHECK_FALSE(tel::parse_retry_after("Monday, 01-Jan-24 00:01:30 GMT", kNewYear));  // RFC 850 form
}

TEST_CASE("2xx is delivered: transport errors, 5xx, 408 and 429 are retried with the server's Retry-After",
          "[telemetry][delivery]") {
  const tel::DeliveryVerdict ok = tel::classify_delivery(answer(200, "", R"({"stored":3})"), 3, kNewYear);
  CHECK(ok.outcome == tel::DeliveryOutcome::kDelivered);
  CHECK(ok.delivered == 3);

  for (int status : {500, 502, 503, 408, 429}) {
    const auto v = tel::classify_delivery(answer(status), 2, kNewYear);
    INFO(status);
    CHECK(v.outcome == tel::DeliveryOutcome::kRetry);
    CHECK(v.delivered == 0);
    CHECK_FALSE(v.retry_after);
  }
  const auto shed = tel::classify_delivery(answer(503, "1",
                                                  R"({"error":"overloaded: the store's queue is full; retry later"})"),
                                           2, kNewYear);
  CHECK(shed.retry_after == 1s);
  CHECK_THAT(shed.reason, Catch::Contains("HTTP 503") && Catch::Contains("overloaded"));
  CHECK(tel::classify_delivery(answer(429, "Mon, 01 Jan 2024 00:00:07 GMT"), 1, kNewYear).retry_after == 7s);

  auto curl_read = answer(503);  // no header left, but curl read one (HttpClient's NetError::retry_after)
  curl_read.error->retry_after = 4s;
  CHECK(tel::classify_delivery(curl_read, 1, kNewYear).retry_after == 4s);

  for (auto code :
       {net::NetErrorCode::kIo, net::NetErrorCode::kTimeout, net::NetErrorCode::kTls, net::NetErrorCode::kTooLarge}) {
    CHECK(tel::classify_delivery(transport_error(code), 1, kNewYear).outcome == tel::DeliveryOutcome::kRetry);
  }
}

TEST_CASE("400, 413 and other statuses are refused for good: a 409's stored part counts as delivered",
          "[telemetry][delivery]") {
  for (int status : {400, 401, 404, 413}) {
    const auto v = tel::classify_delivery(answer(status, "5"), 4, kNewYear);
    INFO(status);
    CHECK(v.outcome == tel::DeliveryOutcome::kRejected);
    CHECK(v.rejected == 4);
    CHECK(v.delivered == 0);
  }
  const auto bad = tel::classify_delivery(answer(400, "", R"({"error":"not a telemetry payload: /seq: required"})"), 1,
                                          kNewYear);
  CHECK_THAT(bad.reason, Catch::Contains("/seq: required"));

  // abrplay-collector's 409: the rest of the batch is stored, so the batch is done.
  const auto conflict = tel::classify_delivery(
      answer(409, "", R"({"error":"after the final report","stored":2,"duplicates":1,"rejected":[]})"), 5, kNewYear);
  CHECK(conflict.outcome == tel::DeliveryOutcome::kRejected);
  CHECK(conflict.delivered == 3);
  CHECK(conflict.rejected == 2);
  // A 409 without counts (another collector): all of it refused.
  CHECK(tel::classify_delivery(answer(409, "", "not json"), 2, kNewYear).rejected == 2);

  for (auto code : {net::NetErrorCode::kBadUrl, net::NetErrorCode::kRedirect, net::NetErrorCode::kFile}) {
    CHECK(tel::classify_delivery(transport_error(code), 1, kNewYear).outcome == tel::DeliveryOutcome::kRejected);
  }
}
