// origin_helpers.h: starting abrplay-origin in-process for engine tests.
#pragma once
#include <catch2/catch.hpp>
#include <memory>

#include "fault_plan.h"
#include "origin.h"

namespace abrplay::engine::test {

inline std::unique_ptr<origin::Origin> serve(origin::OriginConfig config) {
  auto o = origin::Origin::start(std::move(config));
  if (!o) FAIL("Origin::start: " << o.error());
  return std::move(*o);
}

// A CDN's fault rules from inline JSON (the format of abrplay-origin's --faults files).
inline std::shared_ptr<origin::FaultPlan> faults(const std::string& json) {
  auto plan = origin::FaultPlan::parse(json, "test-faults.json");
  if (!plan) FAIL(plan.error());
  return std::make_shared<origin::FaultPlan>(std::move(*plan));
}

}  // namespace abrplay::engine::test
