#include "steering_script.h"

#include <cmath>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

namespace abrplay::origin {

namespace {

using Json = nlohmann::json;

Expected<SteeringStep, std::string> parse_step(const Json& s, const std::string& where) {
  if (!s.is_object()) return Unexpected{where + ": not an object"};
  SteeringStep step;
  for (const auto& item : s.items()) {
    const std::string key = item.key();
    const Json& v = item.value();
    if (key == "at_s") {
      if (!v.is_number() || v.get<double>() < 0 || !std::isfinite(v.get<double>()))
        return Unexpected{where + ": 'at_s' must be a number >= 0"};
      step.at = std::chrono::milliseconds(std::llround(v.get<double>() * 1000));
    } else if (key == "priority") {
      if (!v.is_array()) return Unexpected{where + ": 'priority' must be an array of strings"};
      for (const auto& p : v) {
        if (!p.is_string()) return Unexpected{where + ": 'priority' must be an array of strings"};
        step.priority.push_back(p.get<std::string>());
      }
    } else if (key == "ttl_s") {
      if (!v.is_number_integer() || v.get<long long>() < 1 || v.get<long long>() > 86400)
        return Unexpected{where + ": 'ttl_s' must be an integer in 1..86400"};
      step.ttl_s = v.get<int>();
    } else if (key == "reload_uri") {
      if (!v.is_string()) return Unexpected{where + ": 'reload_uri' must be a string"};
      step.reload_uri = v.get<std::string>();
    } else if (key == "body") {
      if (!v.is_string()) return Unexpected{where + ": 'body' must be a string"};
      step.body = v.get<std::string>();
    } else {
      return Unexpected{where + ": unknown key '" + key + "'"};
    }
  }
  if (!s.contains("at_s")) return Unexpected{where + ": 'at_s' is missing"};
  if (step.priority.empty() && !step.body) return Unexpected{where + ": give 'priority' or 'body'"};
  return step;
}

}  // namespace

Expected<SteeringScript, std::string> SteeringScript::parse(const std::string& json_text, const std::string& name) {
  const Json j = Json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Unexpected{name + ": not JSON"};
  SteeringScript script;
  const Json* steps = &j;
  if (j.is_object()) {
    for (const auto& item : j.items()) {
      const std::string key = item.key();
      const Json& v = item.value();
      if (key == "steps") {
        steps = &v;
      } else if (key == "default_service_location" || key == "url") {
        if (!v.is_string()) return Unexpected{name + ": '" + key + "' must be a string"};
        (key == "url" ? script.url : script.default_service_location) = v.get<std::string>();
      } else if (key == "query_before_start") {
        if (!v.is_boolean()) return Unexpected{name + ": 'query_before_start' must be true or false"};
        script.query_before_start = v.get<bool>();
      } else {
        return Unexpected{name + ": unknown key '" + key + "'"};
      }
    }
    if (steps == &j) return Unexpected{name + ": 'steps' is missing"};
  }
  if (!steps->is_array() || steps->empty()) return Unexpected{name + ": the steps must be a non-empty array"};
  for (std::size_t i = 0; i < steps->size(); ++i) {
    auto step = parse_step((*steps)[i], name + ": step " + std::to_string(i));
    if (!step) return Unexpected{step.error()};
    if (!script.steps.empty() && step->at < script.steps.back().at)
      return Unexpected{name + ": step " + std::to_string(i) + ": 'at_s' goes back in time"};
    script.steps.push_back(std::move(*step));
  }
  return script;
}

Expected<SteeringScript, std::string> SteeringScript::load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Unexpected{path + ": cannot open the steering script"};
  std::ostringstream text;
  text << in.rdbuf();
  return parse(text.str(), path);
}

std::string SteeringScript::answer(std::chrono::milliseconds elapsed) const {
  const SteeringStep* step = &steps.front();
  for (const auto& s : steps)
    if (s.at <= elapsed) step = &s;
  if (step->body) return *step->body;
  Json out = Json::object();
  out["VERSION"] = 1;
  if (step->ttl_s) out["TTL"] = *step->ttl_s;
  if (!step->reload_uri.empty()) out["RELOAD-URI"] = step->reload_uri;
  out["PATHWAY-PRIORITY"] = step->priority;
  return out.dump();
}

}  // namespace abrplay::origin
