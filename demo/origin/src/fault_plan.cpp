#include "fault_plan.h"

#include <fnmatch.h>

#include <fstream>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

namespace abrplay::origin {

const char* to_string(FaultKind kind) {
  switch (kind) {
    case FaultKind::kStatus: return "status";
    case FaultKind::kReset: return "reset";
    case FaultKind::kStall: return "stall";
    case FaultKind::kTruncate: return "truncate";
    case FaultKind::kCorrupt: return "corrupt";
    case FaultKind::kSlowFirstByte: return "slow_first_byte";
    case FaultKind::kWrongType: return "wrong_type";
    case FaultKind::kRedirectLoop: return "redirect_loop";
    case FaultKind::kOversize: return "oversize";
  }
  return "unknown";
}

FaultPlan::FaultPlan(std::vector<FaultRule> rules, std::uint64_t seed)
    : rules_(std::move(rules)), matches_(rules_.size(), 0), rng_(seed) {}

FaultPlan::FaultPlan(FaultPlan&& other) noexcept
    : rules_(std::move(other.rules_)), matches_(std::move(other.matches_)), rng_(other.rng_) {}

namespace {

using Json = nlohmann::json;

std::optional<FaultKind> kind_from(const std::string& s) {
  for (auto k : {FaultKind::kStatus, FaultKind::kReset, FaultKind::kStall, FaultKind::kTruncate, FaultKind::kCorrupt,
                 FaultKind::kSlowFirstByte, FaultKind::kWrongType, FaultKind::kRedirectLoop, FaultKind::kOversize}) {
    if (s == to_string(k)) return k;
  }
  return std::nullopt;
}

// Reads a non-negative number field; the error names the key.
Expected<double, std::string> number(const Json& rule, const char* key, double lo, double hi) {
  const Json& v = rule.at(key);
  if (!v.is_number()) return Unexpected{std::string("'") + key + "' must be a number"};
  const double d = v.get<double>();
  if (!(d >= lo && d <= hi)) {
    return Unexpected{std::string("'") + key + "' must be in [" + std::to_string(lo) + ", " + std::to_string(hi) +
                      "], got " + v.dump()};
  }
  return d;
}

Expected<FaultRule, std::string> parse_rule(const Json& j) {
  static const std::set<std::string> kKeys = {"match",  "probability", "every_nth", "from_s",   "until_s", "fault",
                                              "status", "at_fraction", "stall_s",   "delay_ms", "bytes"};
  if (!j.is_object()) return Unexpected{std::string("a rule must be a JSON object")};
  for (const auto& [key, value] : j.items()) {
    if (!kKeys.count(key)) return Unexpected{"unknown key '" + key + "'"};
  }
  FaultRule rule;
  if (j.contains("match")) {
    if (!j["match"].is_string()) return Unexpected{std::string("'match' must be a string (a glob)")};
    rule.match = j["match"].get<std::string>();
  }
  if (!j.contains("fault") || !j["fault"].is_string()) {
    return Unexpected{std::string(
        "'fault' (status, reset, stall, truncate, corrupt, slow_first_byte, wrong_type, redirect_loop, oversize) is required")};
  }
  const auto kind = kind_from(j["fault"].get<std::string>());
  if (!kind) return Unexpected{"unknown fault '" + j["fault"].get<std::string>() + "'"};
  rule.fault.kind = *kind;
  // Each optional field: range-checked; 1e6 s bounds every time (no rule outlives a test run).
  struct Field {
    const char* key;
    double lo, hi;
  };
  for (const Field& f : {Field{"probability", 0, 1}, Field{"every_nth", 1, 1e9}, Field{"from_s", 0, 1e6},
                         Field{"until_s", 0, 1e6}, Field{"status", 400, 599}, Field{"at_fraction", 0, 1},
                         Field{"stall_s", 0, 3600}, Field{"delay_ms", 0, 3.6e6}, Field{"bytes", 1, 4e9}}) {
    if (!j.contains(f.key)) continue;
    auto v = number(j, f.key, f.lo, f.hi);
    if (!v) return Unexpected{v.error()};
    const std::string key = f.key;
    const double d = *v;
    if (key == "probability") rule.probability = d;
    if (key == "every_nth") rule.every_nth = static_cast<std::uint64_t>(d);
    if (key == "from_s") rule.from = std::chrono::milliseconds(static_cast<long long>(d * 1000));
    if (key == "until_s") rule.until = std::chrono::milliseconds(static_cast<long long>(d * 1000));
    if (key == "status") rule.fault.status = static_cast<int>(d);
    if (key == "at_fraction") rule.fault.at_fraction = d;
    if (key == "stall_s") rule.fault.delay = std::chrono::milliseconds(static_cast<long long>(d * 1000));
    if (key == "delay_ms") rule.fault.delay = std::chrono::milliseconds(static_cast<long long>(d));
    if (key == "bytes") {
      rule.fault.corrupt_bytes = static_cast<std::size_t>(d);
      rule.fault.extra_bytes = static_cast<std::uint64_t>(d);
    }
  }
  if (rule.probability && rule.every_nth) {
    return Unexpected{std::string("give 'probability' or 'every_nth', not both")};
  }
  if (rule.until && *rule.until <= rule.from) return Unexpected{std::string("'until_s' must be after 'from_s'")};
  if (rule.fault.kind == FaultKind::kStall && !j.contains("stall_s")) {
    return Unexpected{std::string("a 'stall' needs 'stall_s'")};
  }
  if (rule.fault.kind == FaultKind::kSlowFirstByte && !j.contains("delay_ms")) {
    return Unexpected{std::string("a 'slow_first_byte' needs 'delay_ms'")};
  }
  return rule;
}

}  // namespace

Expected<FaultPlan, std::string> FaultPlan::parse(const std::string& json_text, const std::string& name) {
  Json doc = Json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return Unexpected{name + ": not valid JSON"};
  if (!doc.is_object() || !doc.contains("rules") || !doc["rules"].is_array()) {
    return Unexpected{name + ": expected an object with a \"rules\" array"};
  }
  for (const auto& [key, value] : doc.items()) {
    if (key != "rules" && key != "seed") return Unexpected{name + ": unknown key '" + key + "'"};
  }
  std::uint64_t seed = 1;
  if (doc.contains("seed")) {
    if (!doc["seed"].is_number_unsigned()) return Unexpected{name + ": 'seed' must be a non-negative integer"};
    seed = doc["seed"].get<std::uint64_t>();
  }
  std::vector<FaultRule> rules;
  for (std::size_t i = 0; i < doc["rules"].size(); ++i) {
    auto rule = parse_rule(doc["rules"][i]);
    if (!rule) return Unexpected{name + ": rules[" + std::to_string(i) + "]: " + rule.error()};
    rules.push_back(std::move(*rule));
  }
  return FaultPlan(std::move(rules), seed);
}

Expected<FaultPlan, std::string> FaultPlan::load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Unexpected{path + ": cannot open the fault file"};
  std::ostringstream text;
  text << in.rdbuf();
  return parse(text.str(), path);
}

std::optional<Fault> FaultPlan::decide(const std::string& path, std::chrono::milliseconds elapsed) {
  std::lock_guard lock(mutex_);
  for (std::size_t i = 0; i < rules_.size(); ++i) {
    const FaultRule& r = rules_[i];
    if (elapsed < r.from || (r.until && elapsed >= *r.until)) continue;
    if (fnmatch(r.match.c_str(), path.c_str(), 0) != 0) continue;
    const std::uint64_t n = ++matches_[i];
    bool fires = true;
    if (r.every_nth) fires = n % *r.every_nth == 0;
    if (r.probability) fires = std::uniform_real_distribution<double>(0.0, 1.0)(rng_) < *r.probability;
    if (fires) return r.fault;
  }
  return std::nullopt;
}

}  // namespace abrplay::origin
