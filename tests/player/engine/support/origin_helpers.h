// origin_helpers.h: starting abrplay-origin in-process for engine tests.
#pragma once
#include <catch2/catch.hpp>
#include <memory>

#include "origin.h"

namespace abrplay::engine::test {

inline std::unique_ptr<origin::Origin> serve(origin::OriginConfig config) {
  auto o = origin::Origin::start(std::move(config));
  if (!o) FAIL("Origin::start: " << o.error());
  return std::move(*o);
}

}  // namespace abrplay::engine::test
