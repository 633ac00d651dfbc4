#include "options.h"

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

namespace abrplay::origin {

namespace {

using Json = nlohmann::json;

CliExit fail(const std::string& message) { return {2, "abrplay-origin: " + message + "\n"}; }

// Fills the options the command line did not set from the profile.
std::optional<std::string> apply_profile(const std::string& path, const CLI::App& app, OriginOptions& o) {
  std::ifstream in(path);
  if (!in) return path + ": cannot open the profile";
  std::ostringstream text;
  text << in.rdbuf();
  const Json p = Json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
  if (p.is_discarded() || !p.is_object()) return path + ": not a JSON object";
  auto given = [&](const char* opt) { return app.count(opt) > 0; };
  // Relative paths in a profile are relative to the profile's folder, so profiles travel.
  const std::filesystem::path base = std::filesystem::path(path).parent_path();
  auto resolve = [&](const std::string& v) {
    return v.empty() || std::filesystem::path(v).is_absolute() ? v : (base / v).lexically_normal().string();
  };
  auto strings = [&](const std::string& key, std::vector<std::string>& out) -> std::optional<std::string> {
    const Json& v = p.at(key);
    if (v.is_string()) {
      out = {resolve(v.get<std::string>())};
      return std::nullopt;
    }
    if (!v.is_array()) return path + ": '" + key + "' must be a string or an array of strings";
    out.clear();
    for (const auto& e : v) {
      if (!e.is_string()) return path + ": '" + key + "' must be a string or an array of strings";
      out.push_back(resolve(e.get<std::string>()));
    }
    return std::nullopt;
  };
  for (const auto& item : p.items()) {
    // Named copies, not structured bindings: Clang 14 cannot capture those in the lambda below.
    const std::string key = item.key();
    const Json& value = item.value();
    const std::string opt = "--" + [&] {
      std::string k = key;
      for (auto& c : k)
        if (c == '_') c = '-';
      return k;
    }();
    std::optional<std::string> err;
    if (key == "root" || key == "trace" || key == "faults") {
      auto& target = key == "root" ? o.roots : key == "trace" ? o.traces : o.faults;
      if (!given(opt.c_str())) err = strings(key, target);
    } else if (key == "port" || key == "rtt_ms" || key == "cdn" || key == "live_window_s" || key == "live_preroll_s" ||
               key == "chunk_ms" || key == "target_latency_ms") {
      if (!value.is_number_integer()) return path + ": '" + key + "' must be an integer";
      int& target = key == "port"                ? o.port
                    : key == "rtt_ms"            ? o.rtt_ms
                    : key == "cdn"               ? o.cdn
                    : key == "live_window_s"     ? o.live_window_s
                    : key == "chunk_ms"          ? o.chunk_ms
                    : key == "target_latency_ms" ? o.target_latency_ms
                                                 : o.live_preroll_s;
      if (!given(opt.c_str())) target = value.get<int>();
    } else if (key == "cdn_priority" || key == "cdn_weight") {
      auto& target = key == "cdn_priority" ? o.cdn_priority : o.cdn_weight;
      if (!value.is_array()) return path + ": '" + key + "' must be an array of integers";
      if (!given(opt.c_str())) {
        target.clear();
        for (const auto& e : value) {
          if (!e.is_number_integer()) return path + ": '" + key + "' must be an array of integers";
          target.push_back(e.get<int>());
        }
      }
    } else if (key == "live" || key == "trace_from_start" || key == "low_latency") {
      if (!value.is_boolean()) return path + ": '" + key + "' must be true or false";
      bool& target = key == "live" ? o.live : key == "low_latency" ? o.low_latency : o.trace_from_start;
      if (!given(opt.c_str())) target = value.get<bool>();
    } else if (key == "log" || key == "telemetry_out" || key == "token" || key == "steering") {
      if (!value.is_string()) return path + ": '" + key + "' must be a string";
      std::string& target = key == "log"             ? o.log
                            : key == "telemetry_out" ? o.telemetry_out
                            : key == "steering"      ? o.steering
                                                     : o.token;
      if (!given(opt.c_str())) target = key == "token" ? value.get<std::string>() : resolve(value.get<std::string>());
    } else {
      return path + ": unknown key '" + key + "'";
    }
    if (err) return err;
  }
  return std::nullopt;
}

std::optional<std::string> validate(const OriginOptions& o) {
  if (o.roots.empty()) return "give at least one --root DIR to serve";
  if (o.cdn < 1 || o.cdn > 16) return "--cdn must be 1..16, got " + std::to_string(o.cdn);
  if (o.port < 0 || o.port + o.cdn - 1 > 65535)
    return "--port must be 0..65535 (for every CDN port), got " + std::to_string(o.port);
  if (o.rtt_ms < 0 || o.rtt_ms > 10000) return "--rtt-ms must be 0..10000, got " + std::to_string(o.rtt_ms);
  if (o.faults.size() > static_cast<std::size_t>(o.cdn)) {
    return "--faults given " + std::to_string(o.faults.size()) + " times for " + std::to_string(o.cdn) + " CDN(s)";
  }
  if (o.traces.size() > static_cast<std::size_t>(o.cdn)) {
    return "--trace given " + std::to_string(o.traces.size()) + " times for " + std::to_string(o.cdn) + " CDN(s)";
  }
  for (const auto* list : {&o.cdn_priority, &o.cdn_weight}) {
    const char* name = list == &o.cdn_priority ? "--cdn-priority" : "--cdn-weight";
    if (list->size() > static_cast<std::size_t>(o.cdn))
      return std::string(name) + " given " + std::to_string(list->size()) + " times for " + std::to_string(o.cdn) +
             " CDN(s)";
    for (int v : *list)
      if (v < 1 || v > 1'000'000) return std::string(name) + " must be 1..1000000, got " + std::to_string(v);
  }
  if (o.live_window_s < 1 || o.live_window_s > 86400) return "--live-window-s must be 1..86400";
  if (o.live_preroll_s < 0 || o.live_preroll_s > 86400) return "--live-preroll-s must be 0..86400";
  if (o.low_latency && !o.live) return "--low-latency needs --live";
  if (o.no_chunked_transfer && !o.low_latency) return "--no-chunked-transfer needs --low-latency";
  if (o.chunk_ms < 100 || o.chunk_ms > 10000) return "--chunk-ms must be 100..10000, got " + std::to_string(o.chunk_ms);
  if (o.target_latency_ms < 500 || o.target_latency_ms > 1000 * o.live_window_s)
    return "--target-latency-ms must be 500.." + std::to_string(1000 * o.live_window_s) +
           " (at most the live window), got " + std::to_string(o.target_latency_ms);
  if (o.token.empty()) return "--token must not be empty";
  if (!o.steering.empty() && o.cdn < 2) return "--steering needs --cdn 2 or more (steering chooses between CDNs)";
  return std::nullopt;
}

}  // namespace

Expected<OriginOptions, CliExit> parse_options(int argc, const char* const* argv) {
  OriginOptions o;
  std::string profile;
  CLI::App app{"abrplay-origin: serves DASH content on 127.0.0.1 like a CDN on a real network: bandwidth shaped\n"
               "by a recorded trace (Pensieve, Mahimahi or Sabre), added latency, fault injection, several CDN\n"
               "ports, a simulated live edge, a playback API (POST /play), a telemetry collector (POST /telemetry,\n"
               "GET /telemetry/sessions), a UTC clock (GET /utc) and a JSONL request log.\n"
               "Prints 'listening http://127.0.0.1:PORT ...' (one URL per CDN) once ready. See docs/test-bench.md.",
               "abrplay-origin"};
  app.add_option("--root", o.roots, "Content folder to serve (repeatable; the first folder holding a path serves it)");
  app.add_option("--port", o.port, "Port of the first CDN (CDN i listens on PORT+i); 0 = ephemeral ports");
  app.add_option("--trace", o.traces,
                 "Network trace shaping the bandwidth (repeatable: one per CDN, the last one "
                 "is reused); format detected from the file. None = unshaped");
  app.add_flag("--trace-from-start", o.trace_from_start,
               "Start the trace at server start (default: at the first request)");
  app.add_option("--rtt-ms", o.rtt_ms, "Latency added before each response's first byte, in ms");
  app.add_option("--cdn", o.cdn, "Number of CDN ports serving the same content (MPDs list all as BaseURLs)");
  app.add_option("--faults", o.faults, "Fault rules JSON (repeatable: the i-th file applies to CDN i)");
  app.add_option("--cdn-priority", o.cdn_priority,
                 "DVB priority of CDN i's BaseURL in the MPDs (repeatable, in CDN order; lower is preferred)");
  app.add_option("--cdn-weight", o.cdn_weight,
                 "DVB weight of CDN i's BaseURL in the MPDs (repeatable, in CDN order; load share within a priority)");
  app.add_flag("--live", o.live, "Serve VOD MPDs as a live (dynamic) presentation starting now");
  app.add_option("--live-window-s", o.live_window_s, "Live timeShiftBufferDepth in seconds (default 30)");
  app.add_option("--live-preroll-s", o.live_preroll_s,
                 "Live: seconds of content already published at start (default 8)");
  app.add_flag("--low-latency", o.low_latency,
               "Live: low-latency DASH: segments served with chunked transfer as their CMAF chunks are "
               "encoded, availabilityTimeOffset and a ServiceDescription in the MPD (needs --live)");
  app.add_option("--chunk-ms", o.chunk_ms, "Low latency: the content's CMAF chunk duration in ms (default 1000)");
  app.add_flag("--no-chunked-transfer", o.no_chunked_transfer,
               "Low latency: act as a CDN that ignores chunking: a segment still being encoded is sent whole "
               "once complete (the MPD still announces low latency)");
  app.add_option("--target-latency-ms", o.target_latency_ms,
                 "Low latency: the target latency the MPD's ServiceDescription names, in ms (default 3000)");
  app.add_option("--steering", o.steering,
                 "Content steering script JSON: GET /steering answers a steering manifest that follows it, and "
                 "MPDs name it in a ContentSteering element (needs --cdn 2 or more)");
  app.add_option("--log", o.log, "JSONL request log file (appended)");
  app.add_option("--telemetry-out", o.telemetry_out, "JSONL file of received telemetry heartbeats (appended)");
  app.add_option("--token", o.token, "Token the playback API accepts (default abrplay-demo)");
  app.add_option("--profile", profile, "JSON file giving any of these options (command line wins)");
  app.footer(
      "Endpoints: GET/HEAD /<path> (files, byte ranges; MPDs list every CDN as a BaseURL and accept\n"
      "?codecs=avc1,mp4a&max_height=720), GET /utc, POST /play {\"token\", \"content\", \"device\": {\"codecs\",\n"
      "\"max_height\"}}, POST /telemetry {\"session_id\", ...}, GET /telemetry/sessions.\n"
      "Fault rules: {\"seed\": 1, \"rules\": [{\"match\": \"*.m4s\", \"every_nth\": 3 | \"probability\": 0.1,\n"
      "\"from_s\": 0, \"until_s\": 60, \"fault\": \"status|reset|stall|truncate|corrupt|slow_first_byte\",\n"
      "\"status\": 503, \"at_fraction\": 0.5, \"stall_s\": 2, \"bytes\": 16, \"delay_ms\": 1500}]}\n"
      "Steering script: [{\"at_s\": 0, \"priority\": [\"cdn-0\", \"cdn-1\"], \"ttl_s\": 2}, {\"at_s\": 6, \"priority\":\n"
      "[\"cdn-1\", \"cdn-0\"]}] (a step may give \"reload_uri\", or \"body\" to answer verbatim).\n"
      "Details: docs/test-bench.md");
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    return Unexpected{CliExit{0, app.help()}};
  } catch (const CLI::ParseError& e) {
    return Unexpected{fail(std::string(e.what()) + " (see --help)")};
  }
  if (!profile.empty()) {
    if (auto err = apply_profile(profile, app, o)) return Unexpected{fail(*err)};
  }
  if (auto err = validate(o)) return Unexpected{fail(*err)};
  return o;
}

}  // namespace abrplay::origin
