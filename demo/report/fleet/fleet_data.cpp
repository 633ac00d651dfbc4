// load_fleet (fleet_data.h): four single-table queries, joined here by session id. The SQL stays in
// the subset SQLite and ClickHouse share (no joins, no window functions), so one text serves both.
#include "fleet_data.h"

#include <charconv>
#include <cstdio>
#include <unordered_map>

#include "abrplay/net/url.h"

namespace abrplay::fleet {
namespace {

constexpr const char* kSessionsSql =
    "SELECT session_id, MIN(started_s), MAX(content_id), MAX(device), MAX(abr), MAX(cdn), COUNT(*) FROM payloads";
constexpr const char* kFinalsSql =
    "SELECT session_id, end_reason, startup_s, played_s, average_bitrate_kbps, rebuffer_count, rebuffer_s, "
    "switch_count, qoe_lin, library_version, error_count FROM finals";
constexpr const char* kErrorsSql =
    "SELECT session_id, code, name, COUNT(*) FROM errors GROUP BY session_id, code, name";

// "%.17g": the shortest text both stores read back as the same double.
std::string number_text(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

// Reads a row's columns by position, remembering the first conversion failure.
class RowReader {
 public:
  RowReader(const SqlRow& row, std::string& error) : row_(row), error_(error) {}
  std::string text(std::size_t i) const { return i < row_.size() && row_[i] ? *row_[i] : std::string(); }
  std::optional<double> opt_number(std::size_t i) const {
    if (i >= row_.size() || !row_[i] || row_[i]->empty()) return std::nullopt;
    double v = 0;
    const std::string& s = *row_[i];
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size()) {
      if (error_.empty()) error_ = "column " + std::to_string(i + 1) + ": '" + s + "' is not a number";
      return std::nullopt;
    }
    return v;
  }
  double number(std::size_t i) const {
    auto v = opt_number(i);
    if (!v && error_.empty()) error_ = "column " + std::to_string(i + 1) + " is empty";
    return v.value_or(0);
  }
  long long integer(std::size_t i) const { return static_cast<long long>(number(i)); }

 private:
  const SqlRow& row_;
  std::string& error_;
};

Expected<std::vector<SqlRow>, std::string> run(SqlSource& source, const std::string& sql) {
  auto rows = source.query(sql);
  if (!rows) return Unexpected{source.describe() + ": " + rows.error() + " (query: " + sql + ")"};
  return rows;
}

}  // namespace

const char* to_string(Dimension d) {
  switch (d) {
    case Dimension::kCdn: return "cdn";
    case Dimension::kAbr: return "abr";
    case Dimension::kTitle: return "title";
    case Dimension::kDevice: return "device";
    case Dimension::kVersion: return "version";
  }
  return "?";
}

std::optional<Dimension> dimension_from_string(const std::string& name) {
  for (Dimension d : kDimensions) {
    if (name == to_string(d)) return d;
  }
  return std::nullopt;
}

const std::string& SessionRecord::value(Dimension d) const {
  switch (d) {
    case Dimension::kCdn: return cdn;
    case Dimension::kAbr: return abr;
    case Dimension::kTitle: return title;
    case Dimension::kDevice: return device;
    case Dimension::kVersion: return version;
  }
  return title;
}

Expected<std::vector<SessionRecord>, std::string> load_fleet(SqlSource& source, std::optional<double> from_s,
                                                             std::optional<double> to_s) {
  std::string sql = kSessionsSql;
  if (from_s || to_s) {
    sql += " WHERE ";
    if (from_s) sql += "started_s >= " + number_text(*from_s);
    if (from_s && to_s) sql += " AND ";
    if (to_s) sql += "started_s < " + number_text(*to_s);
  }
  sql += " GROUP BY session_id";
  std::string error;
  std::vector<SessionRecord> out;
  std::unordered_map<std::string, std::size_t> index;
  {
    auto rows = run(source, sql);
    if (!rows) return Unexpected{rows.error()};
    out.reserve(rows->size());
    for (const SqlRow& row : *rows) {
      RowReader r(row, error);
      SessionRecord s;
      s.id = r.text(0);
      s.started_s = r.number(1);
      s.title = r.text(2);
      s.device = r.text(3);
      s.abr = r.text(4);
      s.cdn = r.text(5).empty() ? std::string() : net::url_authority(r.text(5));
      s.payloads = r.integer(6);
      if (!error.empty()) return Unexpected{source.describe() + ": payloads, session '" + s.id + "': " + error};
      index.emplace(s.id, out.size());
      out.push_back(std::move(s));
    }
  }
  {
    auto rows = run(source, kFinalsSql);
    if (!rows) return Unexpected{rows.error()};
    for (const SqlRow& row : *rows) {
      RowReader r(row, error);
      auto it = index.find(r.text(0));
      if (it == index.end()) continue;  // outside the period
      SessionRecord& s = out[it->second];
      SessionRecord::Final f;
      f.end_reason = r.text(1);
      f.startup_s = r.opt_number(2);
      f.played_s = r.number(3);
      f.average_bitrate_kbps = r.number(4);
      f.rebuffer_count = r.integer(5);
      f.rebuffer_s = r.number(6);
      f.switch_count = r.integer(7);
      f.qoe_lin = r.number(8);
      s.version = r.text(9);
      f.error_count = r.integer(10);
      if (!error.empty()) return Unexpected{source.describe() + ": finals, session '" + s.id + "': " + error};
      s.final_report = f;
    }
  }
  {
    auto rows = run(source, kErrorsSql);
    if (!rows) return Unexpected{rows.error()};
    for (const SqlRow& row : *rows) {
      RowReader r(row, error);
      auto it = index.find(r.text(0));
      if (it == index.end()) continue;
      ErrorCount e{static_cast<int>(r.integer(1)), r.text(2), r.integer(3)};
      if (!error.empty()) return Unexpected{source.describe() + ": errors, session '" + r.text(0) + "': " + error};
      out[it->second].errors.push_back(std::move(e));
    }
  }
  return out;
}

}  // namespace abrplay::fleet
