// ClickHouseStore (clickhouse_store.h): one lookup query per batch, the rules in memory, then one
// JSONEachRow INSERT per table.
#include "clickhouse_store.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <map>
#include <set>
#include <sstream>

#include "payload_rows.h"
#include "session_rules.h"
#include "utc_time.h"

namespace abrplay::collector {
namespace {

using Json = nlohmann::json;
using demo::utc_day;

// What the store holds of one session (and, as the batch goes on, what the batch adds).
struct Known {
  std::string device;                  // "" when none of its payloads named one
  std::optional<long long> final_seq;  // the final report's seq
  std::set<long long> seqs;            // of the batch's seqs, those stored
};

void append_row(std::string& out, Table t, const Row& row, const std::string& day) {
  Json obj = Json::object();
  const auto names = table_columns(t);
  for (std::size_t i = 0; i < names.size(); ++i) obj[names[i]] = row[i];
  obj["day"] = day;
  out += obj.dump(-1, ' ', false, Json::error_handler_t::replace);
  out += '\n';
}

// The shard of a session (FNV-1a, 64 bits: stable across runs and builds).
std::uint64_t fnv1a(const std::string& s) {
  std::uint64_t h = 14695981039346656037ull;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
  return h;
}

bool plain_identifier(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
}

}  // namespace

Expected<std::unique_ptr<ClickHouseStore>, std::string> ClickHouseStore::open(const ClickHouseOptions& options) {
  auto http = ClickHouseHttp::open(options.url);
  if (!http) return Unexpected{http.error()};
  if (!options.cluster.empty() && !plain_identifier(options.cluster))
    return Unexpected{"clickhouse cluster '" + options.cluster + "': not a plain name"};
  auto shards = create_clickhouse_schema(**http, options.cluster);
  if (!shards) return Unexpected{shards.error()};
  return std::unique_ptr<ClickHouseStore>(new ClickHouseStore(std::move(*http), std::move(*shards)));
}

Expected<std::vector<PayloadResult>, std::string> ClickHouseStore::store(const std::vector<Json>& payloads,
                                                                         const std::string& received) {
  std::vector<PayloadResult> out;
  if (payloads.empty()) return out;
  // What the batch's sessions already have: one query.
  const std::size_t n_shards = std::max<std::size_t>(shards_.size(), 1);
  std::vector<std::set<std::string>> sessions(n_shards);  // by shard
  std::set<long long> seqs;
  for (const Json& p : payloads) {
    const std::string& sid = p["session_id"].get_ref<const std::string&>();
    sessions[fnv1a(sid) % n_shards].insert(sid);
    seqs.insert(p["seq"].get<long long>());
  }
  std::string seq_list;
  for (long long s : seqs) seq_list += (seq_list.empty() ? "" : ",") + std::to_string(s);
  // With shards, each shard's local table is asked for its own sessions, in one query (UNION ALL):
  // the Distributed table would ask every shard for every session.
  std::string from;
  for (std::size_t shard = 0; shard < n_shards; ++shard) {
    if (sessions[shard].empty()) continue;
    std::string ids;
    for (const std::string& sid : sessions[shard]) ids += (ids.empty() ? "" : ",") + clickhouse_quote(sid);
    const std::string table = shards_.empty() ? "payloads" : shards_[shard] + ".payloads_local";
    from += std::string(from.empty() ? "" : " UNION ALL ") + "SELECT session_id, device, seq, event FROM " + table +
            " WHERE session_id IN (" + ids + ")";
  }
  auto found = http_->run(
      "SELECT session_id, anyIf(ifNull(device, ''), ifNull(device, '') != ''), maxIf(seq, event = 'final'), "
      "countIf(event = 'final'), groupArrayIf(seq, has([" +
      seq_list + "], seq)) FROM (" + from + ") GROUP BY session_id FORMAT TabSeparated");
  if (!found) return Unexpected{found.error()};
  std::map<std::string, Known> known;
  std::istringstream lines(*found);
  for (std::string line; std::getline(lines, line);) {
    std::vector<std::string> f;
    std::istringstream fields(line);
    for (std::string s; std::getline(fields, s, '\t');) f.push_back(s);
    if (f.size() != 5) return Unexpected{describe() + ": unexpected lookup row '" + line + "'"};
    Known& k = known[tsv_unescape(f[0])];
    k.device = tsv_unescape(f[1]);
    if (f[3] != "0") k.final_seq = std::stoll(f[2]);
    std::string list = f[4].substr(1, f[4].size() - 2);  // [1,2,3]
    std::replace(list.begin(), list.end(), ',', ' ');
    std::istringstream nums(list);
    for (long long s; nums >> s;) k.seqs.insert(s);
  }
  // The rules, payload by payload; the rows of the payloads to store, by shard and table.
  std::vector<std::array<std::string, std::size(kTables)>> rows(n_shards);
  for (const Json& p : payloads) {
    const std::string sid = p["session_id"].get<std::string>();
    const long long seq = p["seq"].get<long long>();
    const bool is_final = p["event"] == "final";
    const std::string device = p.value("device", std::string());
    auto it = known.find(sid);
    if (it == known.end()) {
      it = known.emplace(sid, Known{device, std::nullopt, {}}).first;
    } else {
      if (auto verdict = judge_known_session(sid, it->second.device, it->second.final_seq, device, seq, is_final)) {
        out.push_back(*verdict);
        continue;
      }
      if (it->second.device.empty()) it->second.device = device;
    }
    if (!it->second.seqs.insert(seq).second) {
      out.push_back({Outcome::kDuplicate, ""});
      continue;
    }
    if (is_final) it->second.final_seq = seq;
    const std::string day = utc_day(session_start_s(p));
    auto& mine = rows[fnv1a(sid) % n_shards];
    append_row(mine[0], Table::kPayloads, payload_row(p, received), day);
    for (std::size_t t = 1; t < std::size(kTables); ++t)
      for (const Row& r : event_rows(kTables[t], p)) append_row(mine[t], kTables[t], r, day);
    out.push_back({Outcome::kStored, ""});
  }
  // Events first, payloads (what the rules read) last.
  for (const bool payloads_table : {false, true}) {
    std::vector<ClickHouseHttp::Request> inserts;
    for (std::size_t shard = 0; shard < n_shards; ++shard) {
      for (std::size_t t = 0; t < std::size(kTables); ++t) {
        if ((t == 0) != payloads_table || rows[shard][t].empty()) continue;
        const std::string table = shards_.empty() ? std::string(table_name(kTables[t]))
                                                  : shards_[shard] + "." + table_name(kTables[t]) + "_local";
        inserts.push_back({"INSERT INTO " + table + " FORMAT JSONEachRow", std::move(rows[shard][t]), ""});
      }
    }
    if (auto e = http_->run_concurrently(inserts)) return Unexpected{*e};
  }
  return out;
}

Expected<long long, std::string> ClickHouseStore::count(const std::string& table) {
  for (const char* t : kStoreTables) {
    if (table != t) continue;
    auto r = http_->run("SELECT count() FROM " + table + " FORMAT TabSeparated");
    if (!r) return Unexpected{r.error()};
    return std::stoll(*r);
  }
  return Unexpected{describe() + ": no table '" + table + "'"};
}

}  // namespace abrplay::collector
