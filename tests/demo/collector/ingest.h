// tests/demo/collector/ingest.h: a collector started in-process on a config, and an HTTP client
// posting to it as a player's Reporter would (the collector tests, on either store).
#pragma once

#include <catch2/catch.hpp>

#include <memory>
#include <utility>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "collector.h"

namespace abrplay::collector::test {

struct Ingest {
  std::unique_ptr<Collector> collector;
  std::unique_ptr<httplib::Client> client;
  explicit Ingest(const CollectorConfig& c) {
    auto started = Collector::start(c);
    if (!started) FAIL(started.error());
    collector = std::move(*started);
    client = std::make_unique<httplib::Client>("127.0.0.1", collector->port());
  }
  // The answer's status and JSON body (discarded JSON when the body is not JSON).
  std::pair<int, nlohmann::json> post(const nlohmann::json& body) {
    auto r = client->Post("/telemetry", body.dump(), "application/json");
    REQUIRE(r);
    return {r->status, nlohmann::json::parse(r->body, nullptr, false)};
  }
};

}  // namespace abrplay::collector::test
