// abrplay-fleet-load as a user runs it: 50 sessions posted to the real abrplay-collector binary (a
// small queue, so that it sheds load with 503 + Retry-After) on a temp SQLite file, then the
// database read back against the JSONL the tool wrote; the same seed gives the same fleet; bad
// input and a collector that is down.
#include <catch2/catch.hpp>

#include "free_port.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sqlite3.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>

#include "run_tool.h"

namespace fs = std::filesystem;
using Json = nlohmann::json;
using abrplay::test::run_tool;
using namespace std::chrono_literals;

namespace {

// The real abrplay-collector, stopped (SIGTERM, then reaped) at the end of the test. Its output goes
// to files next to the database (an inherited stdout would keep a pipe reading the test open).
class CollectorProcess {
 public:
  CollectorProcess(const fs::path& db, int port, int queue) {
    std::vector<std::string> args = {ABRPLAY_COLLECTOR_EXE, "--db",    db.string(),          "--port",
                                     std::to_string(port),  "--queue", std::to_string(queue)};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    const std::string out = (db.parent_path() / "collector.out").string();
    posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&actions, 2, out.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    const int spawned = posix_spawn(&pid_, ABRPLAY_COLLECTOR_EXE, &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    REQUIRE(spawned == 0);
    // Ready when it accepts a connection (bounded: 5 s).
    for (int i = 0; i < 250; ++i) {
      const int fd = socket(AF_INET, SOCK_STREAM, 0);
      sockaddr_in addr{};
      addr.sin_family = AF_INET;
      addr.sin_port = htons(static_cast<std::uint16_t>(port));
      addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      const bool up = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
      close(fd);
      if (up) return;
      std::this_thread::sleep_for(20ms);  // polling a child process's readiness: nothing to wait on
    }
    FAIL("abrplay-collector did not start listening on port " << port);
  }
  ~CollectorProcess() {
    kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
  }

 private:
  pid_t pid_ = 0;
};

std::vector<Json> read_jsonl(const fs::path& file) {
  std::vector<Json> out;
  std::istringstream in(abrplay::test::slurp_file(file));
  for (std::string line; std::getline(in, line);) out.push_back(Json::parse(line));
  return out;
}

// Rows of a one-or-two-column query, joined "a|b".
std::multiset<std::string> query(sqlite3* db, const std::string& sql) {
  sqlite3_stmt* st = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) == SQLITE_OK);
  std::multiset<std::string> rows;
  while (sqlite3_step(st) == SQLITE_ROW) {
    std::string row;
    for (int c = 0; c < sqlite3_column_count(st); ++c) {
      const auto* text = sqlite3_column_text(st, c);
      row += (c ? "|" : "") + std::string(text ? reinterpret_cast<const char*>(text) : "NULL");
    }
    rows.insert(row);
  }
  sqlite3_finalize(st);
  return rows;
}

std::string num(const Json& v) {  // as SQLite prints an INTEGER
  return std::to_string(v.get<long long>());
}

}  // namespace

TEST_CASE("fleet-load: 50 sessions land in abrplay-collector exactly as the JSONL lists them, varied", "[fleet-load]") {
  const fs::path dir = abrplay::test::process_scratch("fleet_load_test", "collector");
  const int port = abrplay::test::free_port();
  // A queue of 30 payloads, under what 8 sessions posting at once may bring: the collector may shed
  // load (503 + Retry-After: 1), which the tool must ride out without losing anything.
  CollectorProcess collector(dir / "telemetry.db", port, 30);
  const auto t0 = std::chrono::steady_clock::now();
  const auto run = run_tool(ABRPLAY_FLEET_LOAD_EXE,
                            {"--collector", "http://127.0.0.1:" + std::to_string(port) + "/telemetry", "--sessions",
                             "50", "--seed", "21", "--hours", "6", "--jsonl", (dir / "fleet.jsonl").string()},
                            dir);
  const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  INFO(run.out << run.err);
  REQUIRE(run.exit_code == 0);
  CHECK_THAT(run.out, Catch::Contains(" rejected, 0 lost") && Catch::Contains("0 rejected"));
  WARN("50 sessions through the collector in " << took << " s; " << run.out.substr(run.out.find("payloads:")));

  const std::vector<Json> payloads = read_jsonl(dir / "fleet.jsonl");
  REQUIRE(payloads.size() > 50);
  std::multiset<std::string> keys, finals, sessions, dims;
  std::set<std::string> algorithms, cdns, devices, titles;
  std::size_t join_failures = 0, errors = 0;
  const std::string now = [] {  // every wall_time is in the past
    char buf[32];
    const std::time_t t = std::time(nullptr);
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", std::gmtime(&t));
    return std::string(buf);
  }();
  for (const Json& p : payloads) {
    const std::string id = p["session_id"];
    keys.insert(id + "|" + num(p["seq"]));
    dims.insert(id + "|" + num(p["seq"]) + "|" + p["content_id"].get<std::string>() + "|" +
                p["device"].get<std::string>() + "|" + p["abr"].get<std::string>());
    CHECK(p["wall_time"].get<std::string>() < now);
    algorithms.insert(p["abr"].get<std::string>());
    devices.insert(p["device"].get<std::string>());
    titles.insert(p["content_id"].get<std::string>());
    if (p.contains("cdn")) cdns.insert(p["cdn"].get<std::string>());
    errors += p.value("errors", Json::array()).size();
    if (p["event"] == "final") {
      finals.insert(id + "|" + num(p["seq"]) + "|" + p["end_reason"].get<std::string>());
      sessions.insert(id);
      join_failures += !p.contains("startup_s") || p["startup_s"].is_null();
    }
  }
  CHECK(sessions.size() == 50);  // each session ends with exactly one final report
  CHECK(algorithms.size() >= 3);
  CHECK(algorithms.count("scenario-mpc") == 1);  // "default", resolved
  CHECK(cdns.size() == 3);
  CHECK(devices.size() >= 3);
  CHECK(titles.size() >= 3);
  CHECK(join_failures >= 1);
  CHECK(errors >= 1);

  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open_v2((dir / "telemetry.db").string().c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  CHECK(query(db, "SELECT session_id, seq FROM payloads") == keys);
  CHECK(query(db, "SELECT session_id, seq, content_id, device, abr FROM payloads") == dims);
  CHECK(query(db, "SELECT session_id, seq, end_reason FROM finals") == finals);
  CHECK(query(db, "SELECT session_id FROM sessions") == sessions);
  CHECK(query(db, "SELECT session_id FROM sessions WHERE final_seq IS NULL").empty());
  sqlite3_close(db);
}

TEST_CASE("fleet-load: the same seed and --now play the same fleet: another seed another", "[fleet-load]") {
  const fs::path dir = abrplay::test::process_scratch("fleet_load_test", "seed");
  const auto play = [&](const std::string& seed, const std::string& name) {
    const auto run =
        run_tool(ABRPLAY_FLEET_LOAD_EXE,
                 {"--sessions", "12", "--seed", seed, "--now", "1765000000", "--jsonl", (dir / name).string()}, dir);
    INFO(run.out << run.err);
    REQUIRE(run.exit_code == 0);
    CHECK_THAT(run.out, Catch::Contains("none sent (no --collector)"));
    return abrplay::test::slurp_file(dir / name);
  };
  const std::string a = play("4", "a.jsonl"), b = play("4", "b.jsonl"), c = play("5", "c.jsonl");
  CHECK(!a.empty());
  CHECK(a == b);
  CHECK(a != c);
  // Start times lie within the last 24 hours before --now (2025-12-06T05:46:40Z).
  for (const Json& p : read_jsonl(dir / "a.jsonl")) {
    const std::string t = p["wall_time"];
    CHECK(t >= "2025-12-05T05:46:40");
    CHECK(t < "2025-12-06T05:46:40");
  }
}

TEST_CASE("fleet-load: bad input is refused with the reason: a collector that is down loses payloads, exit 1",
          "[fleet-load]") {
  const fs::path dir = abrplay::test::process_scratch("fleet_load_test", "bad");
  auto run = run_tool(ABRPLAY_FLEET_LOAD_EXE, {"--sessions", "2", "--traces", (dir / "nowhere").string()}, dir);
  CHECK(run.exit_code == 2);
  CHECK_THAT(run.err, Catch::Contains("nowhere: not a directory of traces"));
  run = run_tool(ABRPLAY_FLEET_LOAD_EXE, {"--sessions", "2", "--now", "99999999999"}, dir);
  CHECK(run.exit_code == 2);
  CHECK_THAT(run.err, Catch::Contains("in the future"));

  // Nothing listens: transport errors are retried until each session's 1 s deadline.
  const int port = abrplay::test::free_port();
  const auto t0 = std::chrono::steady_clock::now();
  run = run_tool(ABRPLAY_FLEET_LOAD_EXE,
                 {"--sessions", "3", "--collector", "http://127.0.0.1:" + std::to_string(port) + "/telemetry",
                  "--session-deadline-s", "1"},
                 dir);
  INFO(run.out << run.err);
  CHECK(run.exit_code == 1);
  CHECK_THAT(run.out, Catch::Contains("0 acknowledged, 0 rejected"));
  CHECK_THAT(run.out, Catch::Contains("problem: network.io"));
  CHECK(std::chrono::steady_clock::now() - t0 < 20s);
}
