// open_clickhouse_source (demo/report/fleet/sql_source.h): the fleet analytics' queries on a
// ClickHouse server. Each query goes as one HTTP POST with FORMAT TabSeparatedWithNamesAndTypes;
// fields come back with their TSV escapes undone, \N as NULL. Floating-point values are written
// the way SQLite writes a REAL as text (15 significant digits, always a decimal point: 1850 as
// "1850.0", 0.1 + 0.2 as "0.3", 1e20 as "1.0e+20"), so the same query on either store gives the
// same text; integers (Int64, UInt64 counts) and strings are written alike by both already.
#include <cmath>
#include <cstdio>
#include <sstream>

#include "clickhouse_http.h"
#include "sql_source.h"

namespace abrplay::fleet {
namespace {

bool is_float_type(const std::string& type) {
  return type.find("Float32") != std::string::npos || type.find("Float64") != std::string::npos;
}

std::vector<std::string> split_tabs(const std::string& line) {
  std::vector<std::string> out;
  std::string::size_type from = 0;
  for (;;) {
    const auto tab = line.find('\t', from);
    out.push_back(line.substr(from, tab == std::string::npos ? std::string::npos : tab - from));
    if (tab == std::string::npos) return out;
    from = tab + 1;
  }
}

class ClickHouseSource final : public SqlSource {
 public:
  explicit ClickHouseSource(std::unique_ptr<collector::ClickHouseHttp> http) : http_(std::move(http)) {}

  Expected<std::vector<SqlRow>, std::string> query(const std::string& sql) override {
    auto body = http_->run(sql + " FORMAT TabSeparatedWithNamesAndTypes");
    if (!body) return Unexpected{body.error()};
    std::vector<SqlRow> rows;
    std::istringstream lines(*body);
    std::string names, types;
    std::getline(lines, names);
    std::getline(lines, types);
    const std::vector<std::string> type_of = split_tabs(types);
    for (std::string line; std::getline(lines, line);) {
      const std::vector<std::string> fields = split_tabs(line);
      if (fields.size() != type_of.size())
        return Unexpected{describe() + ": a row of " + std::to_string(fields.size()) + " fields, expected " +
                          std::to_string(type_of.size()) + ": '" + line.substr(0, 200) + "'"};
      SqlRow row;
      for (std::size_t i = 0; i < fields.size(); ++i) {
        if (fields[i] == "\\N") {
          row.emplace_back(std::nullopt);
        } else if (is_float_type(type_of[i])) {
          row.emplace_back(sqlite_real_text(std::strtod(fields[i].c_str(), nullptr)));
        } else {
          row.emplace_back(collector::tsv_unescape(fields[i]));
        }
      }
      rows.push_back(std::move(row));
    }
    return rows;
  }

  std::string describe() const override { return "clickhouse:" + http_->url(); }

  // SQLite's text form of a REAL ("%!.15g": a decimal point always, ".0" on whole numbers).
  static std::string sqlite_real_text(double v) {
    if (std::isnan(v)) return "NaN";
    if (std::isinf(v)) return v > 0 ? "Inf" : "-Inf";
    if (v == 0) return "0.0";
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.15g", v);
    std::string s = buf;
    const auto e = s.find('e');
    const std::string mantissa = s.substr(0, e);
    if (mantissa.find('.') == std::string::npos) s = mantissa + ".0" + (e == std::string::npos ? "" : s.substr(e));
    return s;
  }

 private:
  std::unique_ptr<collector::ClickHouseHttp> http_;
};

}  // namespace

Expected<std::unique_ptr<SqlSource>, std::string> open_clickhouse_source(const std::string& url) {
  auto http = collector::ClickHouseHttp::open(url);
  if (!http) return Unexpected{http.error()};
  // Fails early, naming the server, when it does not answer.
  if (auto r = (*http)->run("SELECT 1"); !r) return Unexpected{r.error()};
  return std::unique_ptr<SqlSource>(new ClickHouseSource(std::move(*http)));
}

}  // namespace abrplay::fleet
