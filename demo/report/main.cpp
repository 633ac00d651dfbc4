// abrplay-report: draws a playback session from telemetry JSONL (abrplay-origin --telemetry-out, or
// any collector storing the payloads of docs/telemetry.schema.json one per line), or, with --fleet,
// the figures of every session in a collector's store (docs/telemetry.md, "Fleet analytics").
#include <CLI/CLI.hpp>

#include <iostream>

#include "fleet/fleet_main.h"
#include "render.h"
#include "session_data.h"

namespace {

int session_report(const std::string& input, const std::string& session_id, const std::string& out_prefix) {
  auto sessions = abrplay::report::load_sessions(input);
  if (!sessions) {
    std::cerr << "abrplay-report: " << sessions.error() << "\n";
    return 1;
  }
  if (sessions->empty()) {
    std::cerr << "abrplay-report: " << input << ": no sessions\n";
    return 1;
  }
  const abrplay::report::Session* chosen = nullptr;
  if (!session_id.empty()) {
    auto it = sessions->find(session_id);
    if (it == sessions->end()) {
      std::cerr << "abrplay-report: " << input << ": no session '" << session_id << "'; sessions:";
      for (const auto& [id, s] : *sessions) std::cerr << " " << id;
      std::cerr << "\n";
      return 1;
    }
    chosen = &it->second;
  } else {
    for (const auto& [id, s] : *sessions) {
      if (!chosen || s.points.size() > chosen->points.size()) chosen = &s;
    }
  }
  const std::string png = out_prefix + ".png", html = out_prefix + ".html";
  if (auto err = abrplay::report::plot_png(*chosen, png)) {
    std::cerr << "abrplay-report: " << *err << "\n";
    return 1;
  }
  const std::string png_name = std::filesystem::path(png).filename().string();
  if (auto err = abrplay::report::write_html(*chosen, html, png_name)) {
    std::cerr << "abrplay-report: " << *err << "\n";
    return 1;
  }
  std::cout << "session " << chosen->id << ": " << chosen->points.size() << " payloads, " << chosen->stalls.size()
            << " stalls, " << chosen->switches.size() << " switches\n"
            << png << "\n"
            << html << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "abrplay-report: a session timeline (bitrate, throughput, buffer, stalls) as PNG + HTML from telemetry JSONL, "
      "or with --fleet the figures of every session in a collector's store"};
  std::string input, session_id, out_prefix;
  abrplay::fleet::FleetOptions fleet;
  app.add_option("telemetry", input, "telemetry JSONL file (one session's report)");
  app.add_option("--session", session_id, "session id (default: the one with the most payloads)");
  app.add_option("-o,--output", out_prefix,
                 "output prefix: PREFIX.png and PREFIX.html (default abrplay-session; abrplay-fleet with --fleet)");
  abrplay::fleet::add_fleet_options(app, fleet);
  CLI11_PARSE(app, argc, argv);
  if (!fleet.store.empty()) {
    if (!input.empty()) {
      std::cerr << "abrplay-report: give a telemetry file or --fleet, not both\n";
      return 2;
    }
    return abrplay::fleet::run_fleet(fleet, out_prefix.empty() ? "abrplay-fleet" : out_prefix, std::cout, std::cerr);
  }
  if (input.empty()) {
    std::cerr << "abrplay-report: give a telemetry JSONL file, or --fleet DB_OR_URL (--help)\n";
    return 2;
  }
  return session_report(input, session_id, out_prefix.empty() ? "abrplay-session" : out_prefix);
}
