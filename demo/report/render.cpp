#include "render.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <set>
#include <sstream>

#include "gnuplot.h"

namespace abrplay::report {
namespace {

using Json = nlohmann::json;

std::string text_of(const Json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

// A field of an error entry as text ("" when absent).
std::string field_text(const Json& e, const char* key) {
  const auto it = e.find(key);
  return it == e.end() ? std::string() : text_of(*it);
}

// `v` with `digits` decimals.
std::string fixed(double v, int digits) {
  std::ostringstream s;
  s << std::fixed << std::setprecision(digits) << v;
  return s.str();
}

// Payload text inside a gnuplot string: control characters (a newline would end the literal) become
// spaces; gnuplot_quoted escapes quotes and backslashes.
std::string plot_text(const std::string& text) {
  std::string out = text;
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
  }
  return demo::gnuplot_quoted(out);
}

// A tick label in bit/s for `kbps`: "293k", "4.31M", "10M", "1G".
std::string rate_label(double kbps) {
  const auto short_number = [](double v) {
    std::string t = fixed(v, v < 10 ? 2 : 0);
    if (t.find('.') != std::string::npos) {
      while (t.back() == '0') t.pop_back();
      if (t.back() == '.') t.pop_back();
    }
    return t;
  };
  if (kbps >= 1e6) return short_number(kbps / 1e6) + "G";
  if (kbps >= 1e3) return short_number(kbps / 1e3) + "M";
  return short_number(kbps) + "k";
}

bool is_video(const Segment& s) { return s.track == "video"; }

using Rows = std::vector<std::pair<double, double>>;  // (session time, value)

// The data files and gnuplot commands of a panel: series without rows are left out (gnuplot warns
// about an empty data file), and an empty panel plots nothing visible.
class Panel {
 public:
  explicit Panel(std::filesystem::path dir) : dir_(std::move(dir)) {}
  void add(const std::string& name, const Rows& rows, const std::string& style) {
    if (rows.empty()) return;
    const std::filesystem::path file = dir_ / (name + ".dat");
    std::ofstream out(file);
    for (const auto& [t, v] : rows) out << t << ' ' << v << "\n";
    plots_ += (plots_.empty() ? "" : ", ") + demo::gnuplot_quoted(file.string()) + " using 1:2 " + style;
  }
  std::string plot_command() const { return "plot " + (plots_.empty() ? std::string("1/0 notitle") : plots_); }

 private:
  std::filesystem::path dir_;
  std::string plots_;
};

bool positive(double v) { return v > 0 && std::isfinite(v); }

// The top panel: bitrate, throughput and switches on a log scale, with its y range and the ladder
// (the video bitrates seen, for the ticks).
struct TopPanel {
  std::string plot;
  double y_min = 0, y_max = 0;
  std::set<double> ladder;
};

TopPanel top_panel(const Session& s, const std::filesystem::path& dir, double t_end) {
  TopPanel top;
  Panel panel(dir);
  const bool from_segments = std::any_of(s.segments.begin(), s.segments.end(), is_video);
  Rows bitrate, measured, estimate, up, down;
  if (from_segments) {
    for (const Segment& g : s.segments) {
      if (!is_video(g)) continue;
      if (positive(g.bitrate_kbps)) bitrate.emplace_back(g.t_s, g.bitrate_kbps);
      if (auto tp = g.throughput_kbps(); tp && positive(*tp)) measured.emplace_back(g.t_s, *tp);
    }
  } else {
    for (const Point& p : s.points) {
      if (p.bitrate_kbps && positive(*p.bitrate_kbps)) bitrate.emplace_back(p.t_s, *p.bitrate_kbps);
    }
  }
  if (!bitrate.empty()) bitrate.emplace_back(t_end, bitrate.back().second);  // the last level holds to the end
  for (const Point& p : s.points) {
    if (p.throughput_kbps && positive(*p.throughput_kbps)) estimate.emplace_back(p.t_s, *p.throughput_kbps);
  }
  for (const Switch& w : s.switches) {
    if (!positive(w.to_kbps)) continue;
    (w.to_kbps >= w.from_kbps ? up : down).emplace_back(w.t_s, w.to_kbps);
    top.ladder.insert(w.to_kbps);
    if (positive(w.from_kbps)) top.ladder.insert(w.from_kbps);
  }
  for (const auto& [t, v] : bitrate) top.ladder.insert(v);
  panel.add("bitrate", bitrate,
            "with steps lw 2.5 lc rgb \"#1f5fbf\" title " +
                plot_text(from_segments ? "video bitrate (per segment)" : "video bitrate (heartbeat samples)"));
  panel.add("measured", measured, "with points pt 7 ps 0.6 lc rgb \"#999999\" title \"segment throughput\"");
  panel.add("estimate", estimate, "with linespoints pt 6 ps 0.8 dt 2 lc rgb \"#e08000\" title \"throughput estimate\"");
  panel.add("up", up,
            "with points pt 9 ps 1.8 lc rgb \"#008000\" title " +
                plot_text("switch up (" + std::to_string(up.size()) + ")"));
  panel.add("down", down,
            "with points pt 11 ps 1.8 lc rgb \"#c00000\" title " +
                plot_text("switch down (" + std::to_string(down.size()) + ")"));
  top.plot = panel.plot_command();
  std::vector<double> values(top.ladder.begin(), top.ladder.end());
  for (const Rows* rows : {&measured, &estimate}) {
    for (const auto& [t, v] : *rows) values.push_back(v);
  }
  if (values.empty()) values = {100, 10'000};
  const auto [lo, hi] = std::minmax_element(values.begin(), values.end());
  top.y_min = *lo / 1.6;
  top.y_max = *hi * 2.0;
  return top;
}

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
  if (session.points.empty() && session.segments.empty()) {
    return "session " + session.id + " has no heartbeats or segments to draw";
  }
  demo::TempDir dir("report");
  if (!dir.ok()) return "cannot create a temporary directory for gnuplot";
  double t_end = 0;
  for (const Point& p : session.points) t_end = std::max(t_end, p.t_s);
  for (const Segment& g : session.segments) t_end = std::max(t_end, g.t_s);
  for (const Switch& w : session.switches) t_end = std::max(t_end, w.t_s);
  for (const Interval& st : session.stalls) t_end = std::max(t_end, st.start_s + st.duration_s);
  if (!(t_end > 0)) t_end = 1;
  const TopPanel top = top_panel(session, dir.path(), t_end);
  Rows buffer;
  for (const Point& p : session.points) {
    if (p.buffer_s) buffer.emplace_back(p.t_s, *p.buffer_s);
  }
  Panel bottom(dir.path());
  bottom.add("buffer", buffer, "with lines lw 2 lc rgb \"#208020\" title \"video buffer\"");
  std::string title = "abrplay session " + session.id;
  if (!session.content_id.empty()) title += "  content " + session.content_id;
  if (!session.abr.empty()) title += "  abr " + session.abr;
  std::ostringstream gp;
  gp << "set terminal pngcairo size 1200,800 noenhanced font \"sans,10\"\nset output "
     << demo::gnuplot_quoted(fs::absolute(png_path).string()) << "\nset multiplot title " << plot_text(title)
     << "\nset grid\nset lmargin 11\nset rmargin 3\n"
     << "set xrange [0:" << t_end * 1.01 << "]\n";
  for (std::size_t i = 0; i < session.stalls.size(); ++i) {
    const Interval& s = session.stalls[i];
    gp << "set object " << i + 1 << " rect from " << s.start_s << ", graph 0 to " << s.start_s + s.duration_s
       << ", graph 1 fc rgb \"#ffb0b0\" fs solid 0.6 noborder behind\n";
  }
  for (std::size_t i = 0; i < session.switches.size(); ++i) {
    gp << "set arrow " << i + 1 << " from " << session.switches[i].t_s << ", graph 0 to " << session.switches[i].t_s
       << ", graph 1 nohead dt 3 lw 1 lc rgb \"#7070c0\"\n";
  }
  // Top panel: log scale, so a loopback's hundreds of Mbit/s and a ladder's rungs both read.
  gp << "set origin 0,0.34\nset size 1,0.62\nset logscale y 10\nset yrange [" << top.y_min << ":" << top.y_max
     << "]\nset ytics (";
  bool first = true;
  for (double d = 1; d <= top.y_max * 10; d *= 10) {
    if (d < top.y_min) continue;
    gp << (first ? "" : ", ") << '"' << rate_label(d) << "\" " << d;
    first = false;
  }
  for (double r : top.ladder) {
    gp << (first ? "" : ", ") << '"' << rate_label(r) << "\" " << r;
    first = false;
  }
  gp << ")\nset ylabel \"bit/s (log scale)\"\nset key outside top center horizontal maxrows 1 width 1\nset format x \"\"\nset xlabel \"\"\n"
     << top.plot << "\n";
  gp << "unset logscale y\nset origin 0,0\nset size 1,0.36\nset ytics auto\nset yrange [0:*]\nset format x\n"
     << "set ylabel \"video buffer (s)\"\nset xlabel "
     << plot_text("session time (s); stalls shaded red (" + std::to_string(session.stalls.size()) +
                  "), switches dotted")
     << "\nset key top left\n"
     << bottom.plot_command() << "\nunset multiplot\n";
  return demo::run_gnuplot(gp.str(), dir);
}

std::optional<std::string> write_html(const Session& s, const std::string& html_path, const std::string& png_name) {
  std::ofstream out(html_path);
  out << "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>abrplay session " << html_escape(s.id)
      << "</title>\n<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
         "td,th{border:1px solid #ccc;padding:2px 8px;text-align:left}td.n{text-align:right}</style></head><body>\n"
      << "<h1>Session " << html_escape(s.id) << "</h1>\n<p>content <b>" << html_escape(s.content_id)
      << "</b>, device <b>" << html_escape(s.device) << "</b>, ABR <b>" << html_escape(s.abr) << "</b></p>\n";
  if (s.final_report) {
    const Json& f = *s.final_report;
    out << "<table>\n";
    for (const char* key : {"end_reason", "startup_s", "played_s", "average_bitrate_kbps", "rebuffer_count",
                            "rebuffer_s", "rebuffer_ratio", "switch_count", "seek_count", "dropped_frames",
                            "error_count", "qoe_lin", "qoe_lin_per_segment", "bytes_downloaded", "library_version"}) {
      if (f.contains(key)) out << "<tr><th>" << key << "</th><td>" << html_escape(text_of(f[key])) << "</td></tr>\n";
    }
    out << "</table>\n";
  } else {
    out << "<p>No final report: the session did not end, or its report was lost.</p>\n";
  }
  out << "<p>" << s.points.size() << " payloads, " << s.segments.size() << " segments, " << s.switches.size()
      << " switches. "
      << (s.segments.empty() ? "This telemetry has no segments: the bitrate is drawn from the heartbeats' samples."
                             : "The bitrate is drawn from every video segment downloaded.")
      << "</p>\n";
  if (s.events_dropped > 0) {
    out << "<p><b>" << s.events_dropped
        << " list entries were dropped by the player</b> (each payload holds at most 64 per list): the tables "
           "below miss them.</p>\n";
  }
  out << "<p><img src=\"" << html_escape(png_name) << "\" alt=\"bitrate, throughput and buffer over time\"></p>\n"
      << "<h2>Switches (" << s.switches.size() << ")</h2>\n<table id=\"switches\"><tr><th>t (s)</th>"
      << "<th>position (s)</th><th>from</th><th>from (kbps)</th><th>to</th><th>to (kbps)</th><th>reason</th></tr>\n";
  for (const Switch& w : s.switches) {
    out << "<tr><td class=n>" << fixed(w.t_s, 3) << "</td><td class=n>" << fixed(w.position_s, 3) << "</td><td>"
        << html_escape(w.from_id) << "</td><td class=n>" << fixed(w.from_kbps, 0) << "</td><td>" << html_escape(w.to_id)
        << "</td><td class=n>" << fixed(w.to_kbps, 0) << "</td><td>" << html_escape(w.reason) << "</td></tr>\n";
  }
  out << "</table>\n<h2>Stalls (" << s.stalls.size()
      << ")</h2>\n<table id=\"stalls\"><tr><th>start (s)</th><th>duration (s)</th></tr>\n";
  for (const Interval& st : s.stalls) {
    out << "<tr><td class=n>" << fixed(st.start_s, 3) << "</td><td class=n>" << fixed(st.duration_s, 3)
        << "</td></tr>\n";
  }
  out << "</table>\n<h2>Errors (" << s.errors.size() << ")</h2>\n<table id=\"errors\"><tr><th>t (s)</th>"
      << "<th>code</th><th>message</th><th>URL</th></tr>\n";
  for (const Json& e : s.errors) {
    out << "<tr><td>" << html_escape(field_text(e, "t_s")) << "</td><td>" << html_escape(field_text(e, "name"))
        << "</td><td>" << html_escape(field_text(e, "message")) << "</td><td>" << html_escape(field_text(e, "url"))
        << "</td></tr>\n";
  }
  out << "</table>\n<h2>Segments (" << s.segments.size() << ")</h2>\n<table id=\"segments\"><tr><th>t (s)</th>"
      << "<th>track</th><th>representation</th><th>kbps</th><th>media start (s)</th><th>duration (s)</th>"
      << "<th>bytes</th><th>download (s)</th><th>throughput (kbps)</th></tr>\n";
  for (const Segment& g : s.segments) {
    const auto tp = g.throughput_kbps();
    out << "<tr><td class=n>" << fixed(g.t_s, 3) << "</td><td>" << html_escape(g.track) << "</td><td>"
        << html_escape(g.representation) << "</td><td class=n>" << fixed(g.bitrate_kbps, 0) << "</td><td class=n>"
        << fixed(g.start_s, 3) << "</td><td class=n>" << fixed(g.duration_s, 3) << "</td><td class=n>"
        << fixed(g.bytes, 0) << "</td><td class=n>" << fixed(g.download_s, 3) << "</td><td class=n>"
        << (tp ? fixed(*tp, 0) : std::string()) << "</td></tr>\n";
  }
  out << "</table>\n</body></html>\n";
  if (!out) return "cannot write " + html_path;
  return std::nullopt;
}

}  // namespace abrplay::report
