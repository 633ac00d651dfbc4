// abrplay-report on a real session: the Player plays the test content from abrplay-origin (in
// process, 127.0.0.1) with telemetry on; the origin writes the payloads it receives as JSONL; the
// real abrplay-report binary draws them. The session is driven to switch several times: the video
// ladder is pinned low and high in turn, each time with a seek outside the (small) buffer, so every
// pin is a download at another representation.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "api_test_support.h"
#include "run_tool.h"

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using abrplay::PlayerEvent;
using abrplay::PlayerState;

namespace {

constexpr const char* kHostileContentId = "<script>alert('content')</script>";

// Video representation changes seen so far, and the bandwidth of the last one.
struct VideoChanges {
  std::size_t count = 0;
  std::uint64_t last_bps = 0;
};

VideoChanges video_changes(const std::vector<PlayerEvent>& events) {
  VideoChanges v;
  for (const PlayerEvent& e : events) {
    if (e.kind != PlayerEvent::Kind::kRepresentationChanged || e.track != "video") continue;
    ++v.count;
    v.last_bps = e.bandwidth_bps;
  }
  return v;
}

// A kPaused state among events[from..]: the player is ready again (after a load or a seek).
bool paused_after(const std::vector<PlayerEvent>& events, std::size_t from) {
  for (std::size_t i = from; i < events.size(); ++i) {
    if (events[i].kind == PlayerEvent::Kind::kStateChanged && events[i].state == PlayerState::kPaused) return true;
  }
  return false;
}

bool telemetry_sent(const std::vector<PlayerEvent>& events) {
  for (const PlayerEvent& e : events) {
    if (e.kind == PlayerEvent::Kind::kTelemetrySent) return true;
  }
  return false;
}

// The rows of the HTML table with id `id` (0 when there is no such table).
std::size_t table_rows(const std::string& html, const std::string& id) {
  const auto begin = html.find("<table id=\"" + id + "\">");
  if (begin == std::string::npos) return 0;
  const auto end = html.find("</table>", begin);
  std::size_t rows = 0;
  for (auto at = html.find("<tr><td", begin); at < end; at = html.find("<tr><td", at + 1)) ++rows;
  return rows;
}

}  // namespace

TEST_CASE("abrplay-report on a real session lists every switch the session made, escaped, with a picture",
          "[report][session]") {
  const fs::path dir = abrplay::test::scratch_dir("report", "real-session");
  abrplay::origin::OriginConfig oc = abrplay::test::origin_serving();
  oc.telemetry_out = (dir / "telemetry.jsonl").string();
  auto origin = abrplay::test::start_origin(std::move(oc));
  {
    abrplay::PlayerConfig c = abrplay::test::max_speed();
    c.play_when_ready = false;
    c.min_buffer = 1000ms;    // one 4 s segment ahead: a seek to the other one downloads it again
    c.cache.enabled = false;  // the seeks must download again (the HTTP cache would answer them)
    c.max_buffer = 2000ms;
    c.startup_buffer = 1000ms;
    c.rebuffer_buffer = 1000ms;
    c.telemetry_url = origin->url(0) + "telemetry";
    c.telemetry_interval = 200ms;
    c.content_id = kHostileContentId;
    abrplay::test::PlayerSession p(c);
    p.load(abrplay::test::manifest_url(*origin));
    REQUIRE(p.rec.wait([](const auto& ev) { return paused_after(ev, 0); }));  // loaded and buffered
    // Pin the other end of the ladder and seek to the other segment: paused again once it is in.
    bool high = video_changes(p.rec.events()).last_bps < 1'000'000;
    for (int i = 0; i < 4; ++i, high = !high) {
      const std::size_t before = p.rec.events().size();
      p.player.pin_representation(high ? 5 : 0);
      REQUIRE(p.player.seek(i % 2 == 0 ? 4'500'000us : 500'000us).code == abrplay::ErrorCode::kOk);
      INFO("cycle " << i << ": " << abrplay::test::states(p.rec.events()));
      REQUIRE(p.rec.wait([&](const auto& ev) { return paused_after(ev, before); }));
    }
    REQUIRE(p.player.set_abr("default").code == abrplay::ErrorCode::kOk);
    p.player.play();
    INFO(abrplay::test::states(p.rec.events()));
    REQUIRE(p.rec.wait([](const auto& ev) { return telemetry_sent(ev); }));
    p.player.set_listener(nullptr);
  }
  origin.reset();  // joins the servers: every payload is written

  nlohmann::json final_report;
  {
    std::ifstream in(dir / "telemetry.jsonl");
    for (std::string line; std::getline(in, line);) {
      const auto j = nlohmann::json::parse(line);
      if (j.value("event", "") == "final") final_report = j;
    }
  }
  REQUIRE(final_report.is_object());
  const std::size_t switch_count = final_report["switch_count"].get<std::size_t>();
  CAPTURE(switch_count);
  CHECK(switch_count >= 4);

  const auto run = abrplay::test::run_tool(ABRPLAY_REPORT_EXE,
                                           {(dir / "telemetry.jsonl").string(), "-o", (dir / "session").string()}, dir);
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  const std::string html = abrplay::test::slurp_file(dir / "session.html");
  CHECK(table_rows(html, "switches") == switch_count);
  CHECK(html.find("<h2>Switches (" + std::to_string(switch_count) + ")</h2>") != std::string::npos);
  CHECK(table_rows(html, "segments") >= switch_count);  // every switch downloaded at least a segment
  CHECK(html.find("drawn from every video segment downloaded") != std::string::npos);
  // The content id came back in every payload: escaped on the page, never as markup.
  CHECK(html.find("&lt;script&gt;alert(&#39;content&#39;)&lt;/script&gt;") != std::string::npos);
  CHECK(html.find("<script>") == std::string::npos);
  const std::string png = abrplay::test::slurp_file(dir / "session.png");
  CHECK(png.compare(0, 8, "\x89PNG\r\n\x1a\n") == 0);
  CHECK(png.size() > 40'000);  // lines and markers: an empty frame with its axes is about 30 KB
}
