// json_schema.h: a JSON Schema (2020-12) validator for the keywords the project's schemas use, so
// the collector checks telemetry payloads against docs/telemetry.schema.json itself, not a copy of
// its rules. Debian ships no C++ validator; this is the subset, each keyword as the spec says:
//   type (one or a list; "integer" is a number without a fraction), enum, const, required,
//   properties, additionalProperties (false or a schema), items, minItems, minimum, maximum,
//   minLength, pattern (ECMAScript, searched anywhere, as the spec says), allOf, oneOf, not,
//   if/then/else, and local $ref ("#/$defs/name"). Annotations ($schema, $id, title,
//   description) are ignored. Any other keyword is refused at load, so a schema can never be
//   checked less strictly than it reads.
// Errors name the place in the instance, as a JSON pointer: "/downloads/0/track: 'x' is not one of
// [\"video\",\"audio\",\"text\"]". Thread safety: validate() is const and may run on any thread.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "abrplay/core/expected.h"

namespace abrplay::collector {

class SchemaValidator {
 public:
  static Expected<SchemaValidator, std::string> load(const nlohmann::json& schema);
  // nullopt when `instance` is valid, else the first reason it is not.
  std::optional<std::string> validate(const nlohmann::json& instance) const;

 private:
  struct Compiled;
  std::shared_ptr<const Compiled> compiled_;
};

}  // namespace abrplay::collector
