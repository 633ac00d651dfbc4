// payload_rows.h: a telemetry payload (already valid against docs/telemetry.schema.json) as the
// rows of the store tables (store.h), one definition for both stores so they hold the same values:
// a value is a JSON scalar (null for an absent optional field), in the order of the table's column
// names. Fields the tables do not name (downloads, segments, ...) are ignored.
#pragma once

#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace abrplay::collector {

enum class Table { kPayloads, kSwitches, kStalls, kErrors, kFinals };
inline constexpr Table kTables[] = {Table::kPayloads, Table::kSwitches, Table::kStalls, Table::kErrors, Table::kFinals};

const char* table_name(Table t);
// The column names, in value order (the SQLite schema and the ClickHouse schema use these names).
std::span<const char* const> table_columns(Table t);

using Row = std::vector<nlohmann::json>;

// The payloads row (`received`: ISO 8601 receive time).
Row payload_row(const nlohmann::json& p, const std::string& received);
// One row per event of switches / stalls / errors (keyed by session_id, seq, idx), or the finals
// row (empty for a heartbeat).
std::vector<Row> event_rows(Table t, const nlohmann::json& p);

}  // namespace abrplay::collector
