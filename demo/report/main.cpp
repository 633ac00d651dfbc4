// abrplay-report: draws a playback session from telemetry JSONL (abrplay-origin --telemetry-out, or
// any collector storing the payloads of docs/telemetry.schema.json one per line).
#include <CLI/CLI.hpp>

#include <iostream>

#include "render.h"
#include "session_data.h"

int main(int argc, char** argv) {
  CLI::App app{"abrplay-report: a session timeline (bitrate, throughput, buffer, stalls) as PNG + HTML"};
  std::string input, session_id, out_prefix = "abrplay-session";
  app.add_option("telemetry", input, "telemetry JSONL file")->required();
  app.add_option("--session", session_id, "session id (default: the one with the most payloads)");
  app.add_option("-o,--output", out_prefix, "output prefix: writes PREFIX.png and PREFIX.html");
  CLI11_PARSE(app, argc, argv);

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
