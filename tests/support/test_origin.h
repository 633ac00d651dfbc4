// tests/support/test_origin.h: abrplay-origin (demo/origin) started in-process, for the tests of
// every module that fetch from it (engine, API, telemetry, the demo tools). Header-only; a test
// target that includes it links abrplay_origin_lib. Test thread only.
//
//   auto origin = abrplay::test::start_origin(abrplay::test::origin_serving());  // the test content
//   config.cdns[0].faults = abrplay::test::fault_plan(R"({"rules": [...]})");     // a faulty CDN
#pragma once

#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "fault_plan.h"
#include "origin.h"

namespace abrplay::test {

// An origin serving `roots` on one CDN, VOD, without faults or shaping. The default root is the
// real test content (demo/content/make-test-stream: 8 s of every variant; the binary must be added
// with NEEDS_CONTENT).
inline origin::OriginConfig origin_serving(std::vector<std::string> roots = {ABRPLAY_TEST_CONTENT_DIR}) {
  origin::OriginConfig config;
  config.roots = std::move(roots);
  return config;
}

// Starts the origin, or fails the test with the origin's message.
inline std::unique_ptr<origin::Origin> start_origin(origin::OriginConfig config) {
  auto started = origin::Origin::start(std::move(config));
  if (!started) FAIL("Origin::start: " << started.error());
  return std::move(*started);
}

// A CDN's fault rules from inline JSON (the format of abrplay-origin's --faults files); `name` is the
// file name that parse errors give.
inline std::shared_ptr<origin::FaultPlan> fault_plan(const std::string& json,
                                                     const std::string& name = "test-faults.json") {
  auto plan = origin::FaultPlan::parse(json, name);
  if (!plan) FAIL(plan.error());
  return std::make_shared<origin::FaultPlan>(std::move(*plan));
}

}  // namespace abrplay::test
