// abrplay-collector: payloads written by the real SessionRecorder, posted over HTTP on loopback into
// a real SQLite file; the schema validator checked against python3-jsonschema; the rules for bad
// input; and kill -9 of the real binary during ingest, then a count of what it acknowledged.
#include <catch2/catch.hpp>

#include "run_tool.h"

#include "free_port.h"

#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sqlite3.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "abrplay/player/telemetry/session_recorder.h"
#include "collector.h"
#include "fake_clock.h"
#include "ingest.h"
#include "json_schema.h"
#include "telemetry_schema.h"
#include "telemetry_schema_text.h"
#include "video_rep.h"

namespace fs = std::filesystem;
namespace tel = abrplay::telemetry;
using Json = nlohmann::json;
using namespace std::chrono_literals;
using abrplay::collector::Collector;
using abrplay::collector::CollectorConfig;

namespace {

fs::path scratch(const std::string& name) { return abrplay::test::process_scratch("collector_test", name); }

tel::RepresentationInfo rep(const char* id, double kbps, int h) {
  return abrplay::test::video_rep(id, abrplay::DataRate::kilobits_per_second(kbps), h);
}

// A session of `beats` heartbeats (one switch, one stall, one error) and a final report, as the
// player writes them (wall times from 2024-01-01, the fake clock's start).
std::vector<Json> session(const std::string& id, int beats, const std::string& device = "linux-x86_64") {
  abrplay::test::FakeClock clock;
  tel::SessionRecorder r({id, "movie", device, "0.1", "dynamic"});
  r.on_load(clock.steady());
  clock.advance(1s);
  r.on_first_frame(clock.steady());
  tel::Snapshot s;
  s.state = "playing";
  std::vector<Json> out;
  for (int i = 0; i < beats; ++i) {
    clock.advance(10s);
    s.position_s = 10.0 * i;
    s.buffer_s = {{"video", 8.0}, {"audio", 9.0}};
    s.video = rep("v720", 1850, 720);
    s.throughput = abrplay::DataRate::kilobits_per_second(3000);
    if (i == 0) r.on_switch(clock.steady(), 5, rep("v360", 750, 360), rep("v720", 1850, 720), "throughput");
    if (i == 1) {
      r.on_stall_start(clock.steady(), 12);
      clock.advance(1s);
      r.on_stall_end(clock.steady());
      r.on_error(clock.steady(), {abrplay::ErrorCode::kNetworkIo, "reset"}, "http://cdn/a.m4s?tok=1");
    }
    r.on_video_segment(*s.video, 10);
    out.push_back(Json::parse(r.heartbeat(s, clock.wall(), clock.steady())));
  }
  out.push_back(Json::parse(r.final_report(s, tel::EndReason::kEndOfStream, clock.wall(), clock.steady())));
  return out;
}

struct Running {
  fs::path dir;
  abrplay::collector::test::Ingest in;
  httplib::Client* client = in.client.get();
  explicit Running(const std::string& name, std::size_t queue = 20'000) : dir(scratch(name)), in(config(dir, queue)) {}
  static CollectorConfig config(const fs::path& dir, std::size_t queue) {
    CollectorConfig c;
    c.db_path = (dir / "telemetry.db").string();
    c.max_queued_payloads = queue;
    return c;
  }
  std::pair<int, Json> post(const Json& body) { return in.post(body); }
  long long rows(const std::string& sql) const {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open_v2((dir / "telemetry.db").c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
    sqlite3_stmt* st = nullptr;
    REQUIRE(sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) == SQLITE_OK);
    long long n = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
    sqlite3_finalize(st);
    sqlite3_close(db);
    return n;
  }
};

}  // namespace

TEST_CASE("collector: the schema validator agrees with python3-jsonschema, and names the field", "[collector]") {
  auto v = abrplay::collector::SchemaValidator::load(Json::parse(abrplay::collector::kTelemetrySchemaText));
  REQUIRE(v);
  std::vector<Json> payloads = session("s-valid", 3);
  std::vector<std::pair<Json, std::string>> bad;
  auto mutate = [&](std::size_t i, auto change, const std::string& reason) {
    Json p = payloads[i];
    change(p);
    bad.emplace_back(p, reason);
  };
  mutate(
      0, [](Json& p) { p.erase("seq"); }, "/: 'seq' is required");
  mutate(
      0,
      [](Json& p) {
        p["downloads"] = Json::array(
            {{{"representation", "v"}, {"track", "x"}, {"init_segments", 0}, {"media_segments", 1}, {"bytes", 1}}});
      },
      "/downloads/0/track: \"x\" is not one of");
  mutate(
      1, [](Json& p) { p["errors"][0]["code"] = 999; }, "/errors/0/code: 999 is below the minimum 1000");
  mutate(
      0, [](Json& p) { p["wall_time"] = "yesterday"; }, "/wall_time: \"yesterday\" does not match");
  mutate(
      0, [](Json& p) { p["schema_version"] = 2; }, "/schema_version: 2 is not 1");
  mutate(
      0, [](Json& p) { p["session_id"] = ""; }, "/session_id: \"\" is shorter than 1");
  mutate(
      0, [](Json& p) { p["cdn"] = "http://cdn/a?token=1"; }, "/cdn: \"http://cdn/a?token=1\" matches 'not'");
  mutate(
      3, [](Json& p) { p.erase("qoe_lin"); }, "/: 'qoe_lin' is required");
  mutate(
      3, [](Json& p) { p["rebuffer_ratio"] = 1.5; }, "/rebuffer_ratio: 1.5 is above the maximum 1");
  mutate(
      0, [](Json& p) { p["video"]["extra"] = 1; }, "/video: property 'extra' is not allowed");
  mutate(
      0, [](Json& p) { p["seq"] = 1.5; }, "/seq: 1.5 is not of type \"integer\"");
  for (const Json& p : payloads) CHECK_FALSE(v->validate(p));
  CHECK_FALSE(v->validate(Json(payloads)));  // a batch
  CHECK(v->validate(Json::array()));         // an empty batch
  std::vector<std::string> texts;
  for (const auto& [p, reason] : bad) {
    INFO(p.dump());
    auto why = v->validate(p);
    REQUIRE(why);
    CHECK(why->rfind(reason, 0) == 0);
    texts.push_back(p.dump());
  }
  // The reference validator on the same payloads: each valid one passes, each mutated one fails.
  std::vector<std::string> valid;
  for (const Json& p : payloads) valid.push_back(p.dump());
  CHECK(abrplay::test::validate_telemetry(valid, "collector-valid") == 0);
  for (std::size_t i = 0; i < texts.size(); ++i) {
    INFO(texts[i]);
    CHECK(abrplay::test::validate_telemetry({texts[i]}, "collector-bad-" + std::to_string(i)) != 0);
  }
}

TEST_CASE("collector: payloads are stored once, in typed tables, and retries never double-count", "[collector]") {
  Running c("store");
  std::vector<Json> a = session("sess-a", 3);
  auto [status, body] = c.post(a[0]);
  CHECK(status == 200);
  CHECK(body["stored"] == 1);
  std::tie(status, body) = c.post(Json(std::vector<Json>(a.begin() + 1, a.end())));  // a batch
  CHECK(status == 200);
  CHECK(body["stored"] == 3);
  std::tie(status, body) = c.post(Json(a));  // the whole session again: a retry
  CHECK(status == 200);
  CHECK(body["stored"] == 0);
  CHECK(body["duplicates"] == 4);
  CHECK(c.rows("SELECT COUNT(*) FROM payloads") == 4);
  CHECK(c.rows("SELECT COUNT(*) FROM sessions") == 1);
  CHECK(c.rows("SELECT COUNT(*) FROM switches") == 1);
  CHECK(c.rows("SELECT COUNT(*) FROM stalls WHERE duration_s > 0.99") == 1);
  CHECK(c.rows("SELECT COUNT(*) FROM errors WHERE code = 2001 AND url = 'http://cdn/a.m4s'") == 1);
  CHECK(c.rows("SELECT COUNT(*) FROM finals WHERE end_reason = 'end_of_stream' AND played_s >= 0") == 1);
  CHECK(c.rows("SELECT COUNT(*) FROM payloads WHERE typeof(video_kbps) = 'real' AND video_height = 720") == 4);
  CHECK(c.rows("SELECT final_seq FROM sessions") == 3);
}

TEST_CASE("collector: bad input is refused with a reason and leaves the store consistent", "[collector][bad]") {
  Running c("bad");
  std::vector<Json> a = session("sess-a", 2);
  REQUIRE(c.post(Json(a)).first == 200);  // two heartbeats and the final

  auto refused = [&](const std::string& raw, int want, const std::string& reason) {
    INFO(raw.substr(0, 200));
    auto r = c.client->Post("/telemetry", raw, "application/json");
    REQUIRE(r);
    CHECK(r->status == want);
    CHECK(r->body.find(reason) != std::string::npos);
  };
  refused("{\"session_id\": ", 400, "not JSON");
  refused(R"({"session_id": "x"})", 400, "not a telemetry payload: /: 'schema_version' is required");
  Json future = session("sess-f", 1)[0];
  future["wall_time"] = "2999-01-01T00:00:00Z";
  refused(future.dump(), 400, "is in the future");
  refused(std::string(2u << 20, ' '), 413, "");
  // After the final report: a late heartbeat, and a second final.
  Json late = a[1];
  late["seq"] = 7;
  refused(late.dump(), 409, "comes after the session's final report (seq 2)");
  Json second = a[2];
  second["seq"] = 1;
  second["event"] = "final";
  refused(second.dump(), 409, "the session already has a final report (seq 2)");
  // The same session id from another device.
  std::vector<Json> other = session("sess-a", 1, "android-arm64");
  other[0]["seq"] = 1;
  refused(other[0].dump(), 409, "belongs to device 'linux-x86_64', not 'android-arm64'");
  // SQL in fields is text: stored verbatim, the tables intact.
  std::vector<Json> evil = session("x'); DROP TABLE payloads; --", 1);
  evil[0]["state"] = "playing\"; DELETE FROM sessions; --";
  CHECK(c.post(Json(evil)).first == 200);
  CHECK(c.rows("SELECT COUNT(*) FROM payloads WHERE session_id = 'x''); DROP TABLE payloads; --'") == 2);
  CHECK(c.rows("SELECT COUNT(*) FROM sessions") == 2);
  // Nothing of the refused bodies was stored.
  CHECK(c.rows("SELECT COUNT(*) FROM payloads") == 5);
  CHECK(c.rows("SELECT COUNT(*) FROM sessions WHERE session_id = 'sess-f'") == 0);
}

TEST_CASE("collector: a full queue sheds load with 503 and Retry-After", "[collector][bad]") {
  Running c("shed", 2);
  std::vector<Json> a = session("sess-a", 3);  // 4 payloads: more than the queue takes at once
  auto r = c.client->Post("/telemetry", Json(a).dump(), "application/json");
  REQUIRE(r);
  CHECK(r->status == 503);
  CHECK(r->get_header_value("Retry-After") == "1");
  CHECK(c.post(Json(std::vector<Json>(a.begin(), a.begin() + 2))).first == 200);  // within the queue
}

TEST_CASE("collector: kill -9 during ingest loses no acknowledged payload", "[collector][crash]") {
  const fs::path dir = scratch("kill");
  const std::string db = (dir / "telemetry.db").string();
  auto spawn = [&](int port) {
    pid_t pid = 0;
    const std::string port_text = std::to_string(port);
    std::vector<std::string> args = {ABRPLAY_COLLECTOR_EXE, "--db", db, "--port", port_text};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    REQUIRE(posix_spawn(&pid, ABRPLAY_COLLECTOR_EXE, nullptr, nullptr, argv.data(), environ) == 0);
    return pid;
  };
  const int port = abrplay::test::free_port();
  pid_t pid = spawn(port);
  httplib::Client client("127.0.0.1", port);
  for (int i = 0; i < 100 && !client.Get("/health"); ++i) std::this_thread::sleep_for(20ms);
  std::mutex mu;
  std::set<std::pair<std::string, long long>> acked;
  std::vector<std::string> stops;  // why each sender stopped (Catch2 macros are for this thread only)
  std::atomic<bool> go{true};
  std::vector<std::thread> senders;
  for (int t = 0; t < 4; ++t) {
    senders.emplace_back([&, t] {
      httplib::Client cl("127.0.0.1", port);
      for (int s = 0; go; ++s) {
        std::vector<Json> payloads = session("k" + std::to_string(t) + "-" + std::to_string(s), 4);
        auto r = cl.Post("/telemetry", Json(payloads).dump(), "application/json");
        if (!r || r->status != 200) {
          std::lock_guard lock(mu);
          stops.push_back(r ? "HTTP " + std::to_string(r->status) + " " + r->body : httplib::to_string(r.error()));
          break;
        }
        std::lock_guard lock(mu);
        for (const Json& p : payloads) acked.emplace(p["session_id"], p["seq"].get<long long>());
      }
    });
  }
  // Kill it mid-ingest: once some payloads are acknowledged, while the senders keep posting.
  for (int i = 0; i < 500; ++i) {
    {
      std::lock_guard lock(mu);
      if (acked.size() >= 40) break;
    }
    std::this_thread::sleep_for(10ms);
  }
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  go = false;
  for (auto& s : senders) s.join();
  std::string why_stopped;
  for (const std::string& why : stops) why_stopped += why + "\n";
  INFO(why_stopped);
  REQUIRE(acked.size() >= 40);
  // Restart on the same file: every acknowledged payload is there.
  pid = spawn(port);
  for (int i = 0; i < 100 && !client.Get("/health"); ++i) std::this_thread::sleep_for(20ms);
  sqlite3* handle = nullptr;
  REQUIRE(sqlite3_open_v2(db.c_str(), &handle, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  REQUIRE(sqlite3_prepare_v2(handle, "SELECT session_id, seq FROM payloads", -1, &st, nullptr) == SQLITE_OK);
  std::set<std::pair<std::string, long long>> stored;
  while (sqlite3_step(st) == SQLITE_ROW)
    stored.emplace(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)), sqlite3_column_int64(st, 1));
  sqlite3_finalize(st);
  sqlite3_close(handle);
  std::size_t missing = 0;
  for (const auto& k : acked) missing += stored.count(k) == 0;
  CHECK(missing == 0);
  CHECK(stored.size() >= acked.size());
  kill(pid, SIGTERM);
  waitpid(pid, &status, 0);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
}
