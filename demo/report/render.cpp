#include "render.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "gnuplot.h"

namespace abrplay::report {
namespace {

using Json = nlohmann::json;

std::string text_of(const Json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

}  // namespace

std::string html_escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::optional<std::string> plot_png(const Session& session, const std::string& png_path) {
  namespace fs = std::filesystem;
  using demo::gnuplot_quoted;
  if (session.points.empty()) return "session " + session.id + " has no heartbeats to draw";
  demo::TempDir dir("report");
  if (!dir.ok()) return "cannot create a temporary directory for gnuplot";
  const fs::path data = dir.path() / "points.dat";
  {
    std::ofstream out(data);
    // gnuplot reads "NaN" as a missing value, so absent fields leave gaps instead of zeros.
    auto field = [](const std::optional<double>& v) { return v ? std::to_string(*v) : std::string("NaN"); };
    for (const Point& p : session.points) {
      out << p.t_s << ' ' << field(p.bitrate_kbps) << ' ' << field(p.throughput_kbps) << ' ' << field(p.buffer_s)
          << "\n";
    }
  }
  std::ostringstream gp;
  gp << "set terminal png size 1000,650 noenhanced\nset output " << gnuplot_quoted(fs::absolute(png_path).string())
     << "\nset multiplot layout 2,1 title " << gnuplot_quoted("abrplay session " + session.id) << "\nset grid\n";
  for (std::size_t i = 0; i < session.stalls.size(); ++i) {
    const Interval& s = session.stalls[i];
    gp << "set object " << i + 1 << " rect from " << s.start_s << ", graph 0 to " << s.start_s + s.duration_s
       << ", graph 1 fc rgb \"#ffb0b0\" fs solid 0.6 noborder behind\n";
  }
  const std::string file = gnuplot_quoted(data.string());
  gp << "set ylabel \"kbit/s\"\nset key top left\nplot " << file
     << " using 1:2 with steps lw 2 title \"video bitrate\", " << file
     << " using 1:3 with lines lw 1 dt 2 title \"throughput estimate\"\n"
     << "set xlabel \"session time (s); stalls shaded\"\nset ylabel \"s\"\nset yrange [0:*]\nplot " << file
     << " using 1:4 with lines lw 2 title \"video buffer\"\nunset multiplot\n";
  return demo::run_gnuplot(gp.str(), dir);
}

std::optional<std::string> write_html(const Session& s, const std::string& html_path, const std::string& png_name) {
  std::ofstream out(html_path);
  out << "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>abrplay session " << html_escape(s.id)
      << "</title>\n<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
         "td,th{border:1px solid #ccc;padding:2px 8px;text-align:left}</style></head><body>\n"
      << "<h1>Session " << html_escape(s.id) << "</h1>\n";
  if (s.final_report) {
    const Json& f = *s.final_report;
    out << "<table>\n";
    for (const char* key : {"end_reason", "startup_s", "played_s", "average_bitrate_kbps", "rebuffer_count",
                            "rebuffer_s", "rebuffer_ratio", "switch_count", "dropped_frames", "error_count", "qoe_lin",
                            "qoe_lin_per_segment", "device", "library_version"}) {
      if (f.contains(key)) out << "<tr><th>" << key << "</th><td>" << html_escape(text_of(f[key])) << "</td></tr>\n";
    }
    out << "</table>\n";
  } else {
    out << "<p>No final report: the session did not end, or its report was lost.</p>\n";
  }
  out << "<p><img src=\"" << html_escape(png_name) << "\" alt=\"bitrate, throughput and buffer over time\"></p>\n"
      << "<h2>Switches (" << s.switches.size() << ")</h2>\n<table><tr><th>t (s)</th><th>from (kbps)</th>"
      << "<th>to (kbps)</th><th>reason</th></tr>\n";
  for (const Json& sw : s.switches) {
    out << "<tr><td>" << html_escape(text_of(sw.value("t_s", Json()))) << "</td><td>"
        << html_escape(text_of(sw.contains("from") ? sw["from"].value("bitrate_kbps", Json()) : Json())) << "</td><td>"
        << html_escape(text_of(sw.contains("to") ? sw["to"].value("bitrate_kbps", Json()) : Json())) << "</td><td>"
        << html_escape(text_of(sw.value("reason", Json()))) << "</td></tr>\n";
  }
  out << "</table>\n<h2>Stalls (" << s.stalls.size()
      << ")</h2>\n<table><tr><th>start (s)</th><th>duration (s)</th></tr>\n";
  for (const Interval& st : s.stalls) out << "<tr><td>" << st.start_s << "</td><td>" << st.duration_s << "</td></tr>\n";
  out << "</table>\n<h2>Errors (" << s.errors.size() << ")</h2>\n<table><tr><th>t (s)</th><th>code</th>"
      << "<th>message</th><th>URL</th></tr>\n";
  for (const Json& e : s.errors) {
    out << "<tr><td>" << html_escape(text_of(e.value("t_s", Json()))) << "</td><td>"
        << html_escape(text_of(e.value("name", Json()))) << "</td><td>"
        << html_escape(text_of(e.value("message", Json()))) << "</td><td>"
        << html_escape(text_of(e.value("url", Json()))) << "</td></tr>\n";
  }
  out << "</table>\n</body></html>\n";
  if (!out) return "cannot write " + html_path;
  return std::nullopt;
}

}  // namespace abrplay::report
