#include "abrplay/abr/algorithm/registry.h"

#include "abrplay/abr/algorithm/bba.h"
#include "abrplay/abr/algorithm/bola.h"
#include "abrplay/abr/algorithm/dynamic.h"
#include "abrplay/abr/algorithm/fixed.h"
#include "abrplay/abr/algorithm/lowest.h"
#include "abrplay/abr/algorithm/mpc.h"
#include "abrplay/abr/algorithm/scenario_mpc.h"
#include "abrplay/abr/algorithm/throughput_rule.h"

namespace abrplay::abr {

std::string_view resolve_algorithm_name(std::string_view name) { return name == "default" ? kDefaultAlgorithm : name; }

const std::vector<std::string_view>& algorithm_names() {
  static const std::vector<std::string_view> names = {"lowest",    "fixed",   "throughput",   "bb",
                                                      "bba0",      "bola",    "bola-e",       "mpc",
                                                      "robustmpc", "dynamic", "scenario-mpc", "default"};
  return names;
}

std::unique_ptr<AbrAlgorithm> make_algorithm(std::string_view requested, const RegistryOptions& options) {
  const std::string_view name = resolve_algorithm_name(requested);
  const bool compat = options.pensieve_compat;
  if (name == "lowest") return std::make_unique<LowestAlgorithm>();
  if (name == "fixed") return std::make_unique<FixedAlgorithm>(0);
  if (name == "throughput") return std::make_unique<ThroughputRule>();
  if (name == "bb") return std::make_unique<BbaAlgorithm>(BbaParams{.pensieve_index_map = compat});
  if (name == "bba0") return std::make_unique<BbaAlgorithm>(BbaParams{});
  if (name == "bola") return std::make_unique<BolaAlgorithm>(BolaParams{});
  if (name == "bola-e") return std::make_unique<BolaAlgorithm>(BolaParams{.enhanced = true});
  if (name == "mpc" || name == "robustmpc") {
    return std::make_unique<MpcAlgorithm>(MpcParams{.robust = name == "robustmpc",
                                                    .keep_errors_across_streams = compat,
                                                    .lookahead_size_offset = compat ? 1u : 0u});
  }
  if (name == "dynamic") return std::make_unique<DynamicAlgorithm>();
  if (name == "scenario-mpc") return std::make_unique<ScenarioMpc>();
  return nullptr;
}

}  // namespace abrplay::abr
