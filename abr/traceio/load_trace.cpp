#include "abrplay/abr/traceio/load_trace.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <system_error>

#include "../trace/line_reader.h"

namespace abrplay::abr {

namespace fs = std::filesystem;

namespace {

Unexpected<TraceError> fail(std::string message) { return Unexpected{TraceError{std::move(message)}}; }

Expected<std::string, TraceError> read_file(const std::string& path) {
  std::error_code ec;
  const auto size = fs::file_size(path, ec);
  if (ec) return fail(path + ": cannot read: " + ec.message());
  if (size > kMaxTraceFileBytes) return fail(path + ": file too large for a trace");
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(path + ": cannot open");
  std::string text(static_cast<std::size_t>(size), '\0');
  in.read(text.data(), static_cast<std::streamsize>(size));
  if (static_cast<std::uintmax_t>(in.gcount()) != size) return fail(path + ": short read");
  return text;
}

}  // namespace

Expected<Trace, TraceError> parse_sabre_json(std::string_view text, const std::string& name) {
  const nlohmann::json doc = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return fail(name + ": not valid JSON");
  if (!doc.is_array()) return fail(name + ": a Sabre trace is a JSON list of segments");
  std::vector<SabreEntry> entries;
  entries.reserve(doc.size());
  for (std::size_t i = 0; i < doc.size(); ++i) {
    const nlohmann::json& item = doc[i];
    const std::string where = name + ": entry " + std::to_string(i);
    if (!item.is_object()) return fail(where + ": not an object");
    SabreEntry entry;
    for (const auto& [key, field] :
         {std::pair{"duration_ms", &entry.duration_ms}, std::pair{"bandwidth_kbps", &entry.bandwidth_kbps},
          std::pair{"latency_ms", &entry.latency_ms}}) {
      const auto it = item.find(key);
      if (it == item.end()) {
        if (std::string_view(key) == "latency_ms") continue;  // optional; 0 when absent
        return fail(where + ": missing " + key);
      }
      if (!it->is_number()) return fail(where + ": " + key + " is not a number");
      *field = it->get<double>();
    }
    entries.push_back(entry);
  }
  return trace_from_sabre(entries, name);
}

Expected<TraceFormat, TraceError> detect_trace_format(const std::string& name, std::string_view text) {
  if (fs::path(name).extension() == ".json") return TraceFormat::kSabre;
  const std::vector<detail::TextLine> lines = detail::non_blank_lines(text.substr(0, 4096));
  if (lines.empty()) return fail(name + ": empty trace file");
  const std::vector<std::string_view> fields = detail::split_fields(lines.front().text);
  const bool numeric = std::all_of(fields.begin(), fields.end(),
                                   [](std::string_view f) { return detail::parse_finite(f).has_value(); });
  if (numeric && fields.size() == 1) return TraceFormat::kMahimahi;
  if (numeric && fields.size() == 2) return TraceFormat::kPensieve;
  return fail(detail::located(name, lines.front().number,
                              "unknown trace format (expected 'time_s Mbps', one integer ms per line, "
                              "or Sabre .json)"));
}

Expected<Trace, TraceError> load_trace_file(const std::string& path) {
  Expected<std::string, TraceError> text = read_file(path);
  if (!text) return Unexpected{text.error()};
  const std::string name = fs::path(path).filename().string();
  // Errors name the full path so the user can find the file.
  const Expected<TraceFormat, TraceError> format = detect_trace_format(path, *text);
  if (!format) return Unexpected{format.error()};
  Expected<Trace, TraceError> trace = [&]() -> Expected<Trace, TraceError> {
    switch (*format) {
      case TraceFormat::kPensieve: return parse_pensieve_trace(*text, path);
      case TraceFormat::kMahimahi: return parse_mahimahi_trace(*text, path);
      case TraceFormat::kSabre: return parse_sabre_json(*text, path);
    }
    return fail(path + ": unknown format");
  }();
  if (trace) trace->name = name;
  return trace;
}

Expected<std::vector<Trace>, TraceError> load_trace_dir(const std::string& path) {
  std::error_code ec;
  if (!fs::is_directory(path, ec)) return fail(path + ": not a directory");
  std::vector<fs::path> files;
  for (fs::directory_iterator it(path, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string file = it->path().filename().string();
    if (file.empty() || file.front() == '.' || file.rfind("README", 0) == 0) continue;
    if (it->is_regular_file(ec)) files.push_back(it->path());
  }
  if (ec) return fail(path + ": cannot list: " + ec.message());
  if (files.empty()) return fail(path + ": no trace files");
  std::sort(files.begin(), files.end(),
            [](const fs::path& a, const fs::path& b) { return a.filename() < b.filename(); });
  std::vector<Trace> traces;
  traces.reserve(files.size());
  for (const fs::path& file : files) {
    Expected<Trace, TraceError> trace = load_trace_file(file.string());
    if (!trace) return Unexpected{trace.error()};
    traces.push_back(std::move(trace).value());
  }
  return traces;
}

Expected<Video, TraceError> load_video_sizes(const std::string& dir, std::vector<DataRate> ladder,
                                             Seconds segment_duration, std::size_t segment_count) {
  if (ladder.empty()) return fail(dir + ": empty ladder");
  if (!std::is_sorted(ladder.begin(), ladder.end())) return fail(dir + ": ladder not ascending");
  Video video;
  video.segment_duration = segment_duration;
  video.segment_count = segment_count;
  for (std::size_t q = 0; q < ladder.size(); ++q) {
    const std::string path = (fs::path(dir) / ("video_size_" + std::to_string(q))).string();
    Expected<std::string, TraceError> text = read_file(path);
    if (!text) return Unexpected{text.error()};
    std::vector<std::int64_t> sizes;
    for (const detail::TextLine& line : detail::non_blank_lines(*text)) {
      const std::vector<std::string_view> fields = detail::split_fields(line.text);
      const std::optional<double> bytes = fields.size() == 1 ? detail::parse_finite(fields[0]) : std::nullopt;
      if (!bytes || *bytes <= 0 || *bytes != std::floor(*bytes) || *bytes > 1e12) {
        return fail(detail::located(path, line.number, "expected a positive integer byte count"));
      }
      sizes.push_back(static_cast<std::int64_t>(*bytes));
    }
    if (sizes.size() < segment_count) {
      return fail(path + ": " + std::to_string(sizes.size()) + " sizes, need " + std::to_string(segment_count));
    }
    video.segment_bytes.push_back(std::move(sizes));
  }
  video.bitrates = std::move(ladder);
  return video;
}

}  // namespace abrplay::abr
