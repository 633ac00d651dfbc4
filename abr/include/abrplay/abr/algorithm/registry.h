// abrplay/abr/algorithm/registry.h: algorithms by name, for tools and configuration files.
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "abrplay/abr/algorithm/abr_algorithm.h"

namespace abrplay::abr {

struct RegistryOptions {
  // Reproduce Pensieve's baselines exactly: "bb" uses bb.py's index map, "mpc"/"robustmpc" keep the
  // error history across streams and read the look-ahead sizes one segment late (see mpc.h). Off, the
  // names give the papers' versions (bb = BBA-0 with its Rate+/Rate- hysteresis).
  bool pensieve_compat = true;
};

// The algorithm the player ships: PlayerConfig::abr's default, `abrplay` without --abr, the C API,
// the engine when given none, and the name "default" everywhere (abrplay-sim --algo default) all
// resolve to it. One constant, so that what the documentation calls the default is what plays.
// docs/abr.md says why this one.
inline constexpr std::string_view kDefaultAlgorithm = "scenario-mpc";

// "default" -> kDefaultAlgorithm; every other name as it is. Summaries report the resolved name.
std::string_view resolve_algorithm_name(std::string_view name);

// The names make_algorithm() accepts, in the order reports list them ("default" last: an alias).
const std::vector<std::string_view>& algorithm_names();

// nullptr for an unknown name. "fixed" is fixed at index 0; use FixedAlgorithm directly for others.
std::unique_ptr<AbrAlgorithm> make_algorithm(std::string_view name, const RegistryOptions& options = {});

}  // namespace abrplay::abr
