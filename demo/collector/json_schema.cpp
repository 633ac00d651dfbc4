// SchemaValidator (json_schema.h): the schema is checked once at load (known keywords, local
// references, valid patterns); validation walks schema and instance together.
#include "json_schema.h"

#include <cmath>
#include <map>
#include <regex>
#include <set>

namespace abrplay::collector {

using Json = nlohmann::json;

struct SchemaValidator::Compiled {
  Json root;
  std::map<std::string, std::regex> patterns;  // by pattern text

  std::optional<std::string> check(const Json& schema, const Json& v, const std::string& at, int depth) const;
};

namespace {

const std::set<std::string> kKeywords = {
    "type",  "enum",     "const",   "required", "properties", "additionalProperties",
    "items", "minItems", "minimum", "maximum",  "minLength",  "pattern",
    "allOf", "oneOf",    "not",     "if",       "then",       "else",
    "$ref",  "$defs",    "$schema", "$id",      "title",      "description"};

std::string shown(const Json& v) {
  std::string s = v.dump();
  return s.size() > 80 ? s.substr(0, 77) + "..." : s;
}

bool has_type(const Json& v, const std::string& type) {
  if (type == "object") return v.is_object();
  if (type == "array") return v.is_array();
  if (type == "string") return v.is_string();
  if (type == "boolean") return v.is_boolean();
  if (type == "null") return v.is_null();
  if (type == "number") return v.is_number();
  if (type == "integer") {
    if (v.is_number_integer()) return true;
    if (!v.is_number_float()) return false;
    const double d = v.get<double>();
    return std::isfinite(d) && std::floor(d) == d;
  }
  return false;
}

// UTF-8 code points, as minLength counts them.
std::size_t code_points(const std::string& s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

// Every subschema of a schema, for the load-time checks.
void collect(const Json& schema, const std::string& at, std::vector<std::pair<const Json*, std::string>>& out) {
  if (!schema.is_object()) return;
  out.emplace_back(&schema, at);
  for (const char* k : {"items", "additionalProperties", "not", "if", "then", "else"})
    if (schema.contains(k)) collect(schema[k], at + "/" + k, out);
  for (const char* k : {"properties", "$defs"})
    if (schema.contains(k) && schema[k].is_object())
      for (const auto& [name, sub] : schema[k].items()) collect(sub, at + "/" + k + "/" + name, out);
  for (const char* k : {"allOf", "oneOf"})
    if (schema.contains(k) && schema[k].is_array())
      for (std::size_t i = 0; i < schema[k].size(); ++i)
        collect(schema[k][i], at + "/" + k + "/" + std::to_string(i), out);
}

}  // namespace

Expected<SchemaValidator, std::string> SchemaValidator::load(const Json& schema) {
  auto compiled = std::make_shared<Compiled>();
  compiled->root = schema;
  std::vector<std::pair<const Json*, std::string>> all;
  collect(compiled->root, "#", all);
  if (all.empty()) return Unexpected{std::string("the schema is not an object")};
  for (const auto& [s, at] : all) {
    for (const auto& [key, value] : s->items()) {
      if (!kKeywords.count(key)) return Unexpected{at + ": keyword '" + key + "' is not supported"};
      if (key == "$ref") {
        const std::string ref = value.is_string() ? value.get<std::string>() : "";
        if (ref.rfind("#/$defs/", 0) != 0 || !compiled->root.contains("$defs") ||
            !compiled->root["$defs"].contains(ref.substr(8)))
          return Unexpected{at + ": $ref '" + ref + "' is not a local #/$defs/ name"};
      }
      if (key == "pattern") {
        if (!value.is_string()) return Unexpected{at + ": pattern is not a string"};
        try {
          compiled->patterns.emplace(value.get<std::string>(), std::regex(value.get<std::string>()));
        } catch (const std::regex_error& e) {
          return Unexpected{at + ": pattern '" + value.get<std::string>() + "': " + e.what()};
        }
      }
    }
  }
  SchemaValidator v;
  v.compiled_ = std::move(compiled);
  return v;
}

std::optional<std::string> SchemaValidator::validate(const Json& instance) const {
  return compiled_->check(compiled_->root, instance, "", 0);
}

std::optional<std::string> SchemaValidator::Compiled::check(const Json& s, const Json& v, const std::string& at,
                                                            int depth) const {
  const std::string where = at.empty() ? "/" : at;
  if (depth > 64) return where + ": schema references nested too deep";
  if (s.is_boolean()) return s.get<bool>() ? std::nullopt : std::optional<std::string>(where + ": not allowed");
  if (s.contains("$ref")) {
    if (auto e = check(root["$defs"][s["$ref"].get<std::string>().substr(8)], v, at, depth + 1)) return e;
  }
  if (s.contains("type")) {
    bool ok = false;
    if (s["type"].is_array()) {
      for (const Json& t : s["type"]) ok = ok || has_type(v, t.get<std::string>());
    } else {
      ok = has_type(v, s["type"].get<std::string>());
    }
    if (!ok) return where + ": " + shown(v) + " is not of type " + s["type"].dump();
  }
  if (s.contains("const") && v != s["const"]) return where + ": " + shown(v) + " is not " + s["const"].dump();
  if (s.contains("enum")) {
    bool found = false;
    for (const Json& e : s["enum"]) found = found || e == v;
    if (!found) return where + ": " + shown(v) + " is not one of " + s["enum"].dump();
  }
  if (v.is_number()) {
    const double d = v.get<double>();
    if (s.contains("minimum") && d < s["minimum"].get<double>())
      return where + ": " + shown(v) + " is below the minimum " + s["minimum"].dump();
    if (s.contains("maximum") && d > s["maximum"].get<double>())
      return where + ": " + shown(v) + " is above the maximum " + s["maximum"].dump();
  }
  if (v.is_string()) {
    const std::string& text = v.get_ref<const std::string&>();
    if (s.contains("minLength") && code_points(text) < s["minLength"].get<std::size_t>())
      return where + ": " + shown(v) + " is shorter than " + s["minLength"].dump();
    if (s.contains("pattern") && !std::regex_search(text, patterns.at(s["pattern"].get<std::string>())))
      return where + ": " + shown(v) + " does not match " + s["pattern"].dump();
  }
  if (v.is_object()) {
    if (s.contains("required"))
      for (const Json& r : s["required"])
        if (!v.contains(r.get<std::string>())) return where + ": '" + r.get<std::string>() + "' is required";
    for (const auto& [key, value] : v.items()) {
      const std::string child = at + "/" + key;
      if (s.contains("properties") && s["properties"].contains(key)) {
        if (auto e = check(s["properties"][key], value, child, depth + 1)) return e;
      } else if (s.contains("additionalProperties")) {
        const Json& extra = s["additionalProperties"];
        if (extra.is_boolean() && !extra.get<bool>()) return where + ": property '" + key + "' is not allowed";
        if (auto e = check(extra, value, child, depth + 1)) return e;
      }
    }
  }
  if (v.is_array()) {
    if (s.contains("minItems") && v.size() < s["minItems"].get<std::size_t>())
      return where + ": fewer than " + s["minItems"].dump() + " items";
    if (s.contains("items"))
      for (std::size_t i = 0; i < v.size(); ++i)
        if (auto e = check(s["items"], v[i], at + "/" + std::to_string(i), depth + 1)) return e;
  }
  if (s.contains("allOf"))
    for (const Json& sub : s["allOf"])
      if (auto e = check(sub, v, at, depth + 1)) return e;
  if (s.contains("oneOf")) {
    int matches = 0;
    std::string first_error;
    for (const Json& sub : s["oneOf"]) {
      if (auto e = check(sub, v, at, depth + 1)) {
        if (first_error.empty()) first_error = *e;
      } else {
        ++matches;
      }
    }
    if (matches == 0) return first_error;
    if (matches > 1) return where + ": matches more than one of oneOf";
  }
  if (s.contains("not") && !check(s["not"], v, at, depth + 1)) return where + ": " + shown(v) + " matches 'not'";
  if (s.contains("if")) {
    if (!check(s["if"], v, at, depth + 1)) {
      if (s.contains("then"))
        if (auto e = check(s["then"], v, at, depth + 1)) return e;
    } else if (s.contains("else")) {
      if (auto e = check(s["else"], v, at, depth + 1)) return e;
    }
  }
  return std::nullopt;
}

}  // namespace abrplay::collector
