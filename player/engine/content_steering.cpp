// SteeringPolicy and the steering manifest parser (content_steering.h).
#include "abrplay/player/engine/content_steering.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>

#include "abrplay/net/url.h"

namespace abrplay::engine {
namespace {

// Server text in a message: cut, so a hostile answer cannot flood a log.
std::string cut(std::string_view s, std::size_t n = 80) {
  return std::string(s.substr(0, n)) + (s.size() > n ? "..." : "");
}

Unexpected<Error> bad(std::string_view url, const std::string& what,
                      ErrorCode code = ErrorCode::kManifestInvalidValue) {
  return Unexpected{Error{code, "steering manifest " + net::redact_url(url) + ": " + what}};
}

std::string joined(const std::vector<std::string>& names) {
  std::string s;
  for (const auto& n : names) s += (s.empty() ? "" : ", ") + n;
  return s;
}

}  // namespace

Expected<SteeringManifest, Error> parse_steering_manifest(std::string_view body, std::string_view url) {
  if (body.size() > kMaxSteeringManifestBytes)
    return bad(url,
               std::to_string(body.size()) + " bytes, over the limit of " + std::to_string(kMaxSteeringManifestBytes),
               ErrorCode::kManifestLimitExceeded);
  nlohmann::json j = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return bad(url, "not JSON: '" + cut(body, 40) + "'");
  if (!j.is_object()) return bad(url, "not a JSON object");
  SteeringManifest m;
  const auto version = j.find("VERSION");
  if (version == j.end()) return bad(url, "VERSION is missing");
  if (!version->is_number() || version->get<double>() != 1.0)
    return bad(url, "VERSION " + cut(version->dump()) + " is not 1, the only version there is");
  if (const auto ttl = j.find("TTL"); ttl != j.end()) {
    if (!ttl->is_number() || !std::isfinite(ttl->get<double>()) || ttl->get<double>() <= 0)
      return bad(url, "TTL must be a positive number, got " + cut(ttl->dump()));
    const double s = std::min(ttl->get<double>(), static_cast<double>(kMaxSteeringTtl.count()));
    m.ttl = std::chrono::seconds(std::max<long long>(1, std::llround(s)));
  }
  if (const auto reload = j.find("RELOAD-URI"); reload != j.end()) {
    if (!reload->is_string()) return bad(url, "RELOAD-URI is not a string");
    auto resolved = net::resolve_url(url, reload->get<std::string>());
    if (!resolved) return bad(url, "RELOAD-URI: " + resolved.error().message);
    m.reload_uri = std::move(*resolved);
  }
  const auto priority = j.find("PATHWAY-PRIORITY");
  if (priority == j.end()) return bad(url, "PATHWAY-PRIORITY is missing");
  if (!priority->is_array() || priority->empty()) return bad(url, "PATHWAY-PRIORITY is not a non-empty array");
  for (const auto& p : *priority) {
    if (!p.is_string() || p.get<std::string>().empty())
      return bad(url, "PATHWAY-PRIORITY holds " + cut(p.dump()) + ", not a pathway name");
    const std::string name = p.get<std::string>();
    // Duplicates are tolerated: the first place counts.
    if (std::find(m.pathway_priority.begin(), m.pathway_priority.end(), name) == m.pathway_priority.end())
      m.pathway_priority.push_back(name);
  }
  if (j.contains("PATHWAY-CLONES")) m.notes.push_back("PATHWAY-CLONES is not supported; the answer is used without it");
  return m;
}

SteeringPolicy::SteeringPolicy(manifest::ContentSteering element, std::vector<std::string> pathways)
    : element_(std::move(element)), pathways_(std::move(pathways)) {
  priority_ = initial_priority();
}

std::vector<std::string> SteeringPolicy::initial_priority() const {
  std::vector<std::string> out;
  for (const auto& p : element_.default_service_locations)
    if (std::find(pathways_.begin(), pathways_.end(), p) != pathways_.end()) out.push_back(p);
  return out;
}

void SteeringPolicy::say(SteeringUpdate& u, Error e, std::string key) {
  if (key == last_problem_) return;
  last_problem_ = std::move(key);
  u.warnings.push_back(std::move(e));
}

std::string SteeringPolicy::known_list() const { return pathways_.empty() ? "none" : joined(pathways_); }

Expected<std::string, Error> SteeringPolicy::request_url(const SteeringState& state) const {
  std::string url = last_ && !last_->reload_uri.empty() ? last_->reload_uri : element_.server_url;
  auto with = [&](std::string_view key, const std::string& value) -> Expected<std::string, Error> {
    auto r = net::append_query(url, key, value);
    if (!r) return Unexpected{Error{ErrorCode::kNetworkBadUrl, "content steering: " + r.error().message}};
    return std::move(*r);
  };
  if (!state.pathway.empty()) {
    auto r = with("_DASH_pathway", "\"" + state.pathway + "\"");
    if (!r) return r;
    url = std::move(*r);
  }
  if (state.throughput && state.throughput->bps() > 0) {
    auto r = with("_DASH_throughput", std::to_string(state.throughput->whole_bps()));
    if (!r) return r;
    url = std::move(*r);
  }
  if (element_.proxy_server_url.empty()) return url;
  auto proxied = net::append_query(element_.proxy_server_url, "url", url);
  if (!proxied) return Unexpected{Error{ErrorCode::kNetworkBadUrl, "content steering: " + proxied.error().message}};
  return std::move(*proxied);
}

SteeringUpdate SteeringPolicy::on_answer(std::string_view body, std::string_view url) {
  auto parsed = parse_steering_manifest(body, url);
  if (!parsed) return on_failure(SteeringFailure{parsed.error(), 0, std::nullopt});
  SteeringUpdate u;
  u.reload_after = parsed->ttl;
  std::vector<Error> problems;
  for (const auto& note : parsed->notes)
    problems.push_back(Error{ErrorCode::kManifestUnsupported,
                             "content steering: steering manifest " + net::redact_url(url) + ": " + note});
  std::vector<std::string> known, unknown;
  for (const auto& p : parsed->pathway_priority)
    (std::find(pathways_.begin(), pathways_.end(), p) != pathways_.end() ? known : unknown).push_back(p);
  const std::string where = "content steering: steering manifest " + net::redact_url(url) + ": ";
  if (known.empty()) {
    problems.push_back(Error{ErrorCode::kManifestInvalidValue,
                             where + "PATHWAY-PRIORITY names no pathway of this presentation (" + cut(joined(unknown)) +
                                 "; the MPD has " + known_list() + "); the order stays " +
                                 (priority_.empty() ? "the MPD's" : joined(priority_))});
  } else {
    if (!unknown.empty())
      problems.push_back(
          Error{ErrorCode::kManifestInvalidValue,
                where + "unknown pathways skipped: " + cut(joined(unknown)) + " (the MPD has " + known_list() + ")"});
    u.why = "steering answer from " + net::redact_url(url) + ": " + joined(known);
    u.priority = known;
    priority_ = std::move(known);
  }
  last_ = std::move(*parsed);
  std::string key;
  for (const auto& p : problems) key += p.message + "\n";
  if (key != last_problem_)
    for (auto& p : problems) u.warnings.push_back(std::move(p));
  last_problem_ = std::move(key);  // empty after a clean answer
  return u;
}

SteeringUpdate SteeringPolicy::on_failure(const SteeringFailure& failure) {
  SteeringUpdate u;
  Error e = failure.error;
  // Alike: the same code and status from the same URL (the message carries the changing query).
  const std::string key = std::string(to_string(e.code)) + " " + std::to_string(failure.http_status) + " " +
                          (last_ && !last_->reload_uri.empty() ? last_->reload_uri : element_.server_url);
  const std::string kept = priority_.empty() ? "the MPD's order" : "the order " + joined(priority_);
  if (failure.http_status == 410) {
    e.message = "content steering: " + e.message + "; the server is gone (410): no more steering requests, " + kept +
                " stays";
    say(u, std::move(e), key);
    return u;  // no reload_after: never again
  }
  const std::chrono::seconds ttl = last_ ? last_->ttl : kDefaultSteeringTtl;
  u.reload_after = failure.http_status == 429 && failure.retry_after
                       ? std::clamp(*failure.retry_after, std::chrono::seconds(1), kMaxSteeringTtl)
                       : ttl;
  e.message = "content steering: " + e.message + "; " + kept + " stays, next request in " +
              std::to_string(u.reload_after->count()) + " s";
  say(u, std::move(e), key);
  return u;
}

}  // namespace abrplay::engine
