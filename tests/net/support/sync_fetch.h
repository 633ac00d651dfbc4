// tests/net/support/sync_fetch.h: submit a request and wait for its completion (tests only).
// Waits on a future with a generous bound, so a broken client fails the test instead of hanging it.
#pragma once

#include <catch2/catch.hpp>

#include <chrono>
#include <future>
#include <optional>
#include <utility>

#include "abrplay/net/http_client.h"
#include "test_server.h"

namespace abrplay::net::test {

constexpr std::chrono::seconds kWaitBound{30};

inline std::optional<Result> fetch_sync(HttpClient& client, Request request) {
  static InlineExecutor inline_executor;
  auto promise = std::make_shared<std::promise<Result>>();
  auto future = promise->get_future();
  client.submit(std::move(request), inline_executor,
                RequestCallbacks{{}, [promise](Result r) { promise->set_value(std::move(r)); }});
  if (future.wait_for(kWaitBound) != std::future_status::ready) return std::nullopt;
  return future.get();
}

// Fetches and requires success; returns the result for further checks.
inline Result fetch_ok(HttpClient& client, Request request) {
  auto r = fetch_sync(client, std::move(request));
  REQUIRE(r);
  INFO((r->error ? r->error->describe() : std::string()));
  REQUIRE(r->ok());
  return std::move(*r);
}

// Fetches and requires a failure; returns the result for further checks.
inline Result fetch_failing(HttpClient& client, Request request) {
  auto r = fetch_sync(client, std::move(request));
  REQUIRE(r);
  REQUIRE(r->error);
  return std::move(*r);
}

inline Request get(std::string url) {
  Request r;
  r.url = std::move(url);
  return r;
}

inline bool matches_pattern(const std::vector<std::uint8_t>& body, std::uint64_t offset) {
  for (std::size_t i = 0; i < body.size(); ++i)
    if (body[i] != pattern_byte(offset + i)) return false;
  return true;
}

}  // namespace abrplay::net::test
