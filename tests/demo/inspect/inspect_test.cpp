// abrplay-inspect end to end: runs the real executable and reads its stdout, stderr and exit code.
#include <atomic>
#include <catch2/catch.hpp>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <httplib.h>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "run_tool.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

using Run = abrplay::test::ToolRun;
using abrplay::test::slurp_file;

// A scratch directory under the build tree, unique per process (tests may run in parallel).
fs::path scratch(const std::string& name) { return abrplay::test::process_scratch("inspect", name); }

Run run_inspect(const std::vector<std::string>& args, const fs::path& dir) {
  return abrplay::test::run_tool(ABRPLAY_INSPECT_EXE, args, dir);
}

std::size_t lines(const std::string& s) { return static_cast<std::size_t>(std::count(s.begin(), s.end(), '\n')); }

struct Box {
  uint64_t offset;
  uint64_t size;
  std::string type;
};

std::vector<Box> top_level_boxes(const std::string& bytes) {
  std::vector<Box> out;
  uint64_t pos = 0;
  while (pos + 8 <= bytes.size()) {
    uint64_t size = 0;
    for (int i = 0; i < 4; ++i) size = (size << 8) | static_cast<uint8_t>(bytes[pos + i]);
    if (size < 8) break;
    out.push_back(Box{pos, size, bytes.substr(pos + 4, 4)});
    pos += size;
  }
  return out;
}

// A fragmented MP4 with one global sidx made by the ffmpeg CLI, and an on-demand MPD for it.
struct OnDemandAsset {
  fs::path dir;
  std::vector<Box> boxes;
  Box sidx{};
  uint64_t file_size = 0;
  uint64_t media_end = 0;  // last byte of the last mdat (an mfra box may follow)
  std::size_t fragments = 0;
};

OnDemandAsset make_asset(const std::string& name, const std::string& media_url) {
  OnDemandAsset a;
  a.dir = scratch(name);
  std::string cmd = "ffmpeg -nostdin -v error -y -f lavfi -i testsrc=duration=6:size=160x120:rate=25 -c:v mpeg4 "
                    "-g 25 -movflags +frag_keyframe+empty_moov+default_base_moof+global_sidx -f mp4 '" +
                    (a.dir / "video.mp4").string() + "'";
  REQUIRE(std::system(cmd.c_str()) == 0);
  std::string bytes = slurp_file(a.dir / "video.mp4");
  a.file_size = bytes.size();
  a.boxes = top_level_boxes(bytes);
  for (const Box& b : a.boxes) {
    if (b.type == "sidx") a.sidx = b;
    if (b.type == "moof") ++a.fragments;
    if (b.type == "mdat") a.media_end = b.offset + b.size - 1;
  }
  REQUIRE(a.sidx.size > 0);
  REQUIRE(a.fragments >= 5);
  std::ofstream(a.dir / "manifest.mpd")
      << R"(<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static" mediaPresentationDuration="PT6S" minBufferTime="PT2S">
  <Period><AdaptationSet mimeType="video/mp4" codecs="mp4v.20.9"><Representation id="v" bandwidth="200000" width="160" height="120">
    <BaseURL>)"
      << media_url << R"(</BaseURL>
    <SegmentBase indexRange=")"
      << a.sidx.offset << "-" << a.sidx.offset + a.sidx.size - 1 << R"("/>
  </Representation></AdaptationSet></Period></MPD>)";
  return a;
}

void check_sidx_report(const json& j, const OnDemandAsset& a) {
  const json& rep = j["periods"][0]["adaptation_sets"][0]["representations"][0];
  INFO(rep.dump(2));
  CHECK(rep["addressing"] == "SegmentBase (sidx)");
  CHECK(rep["segment_count"] == a.fragments);
  CHECK(rep["init"]["range"] == "0-" + std::to_string(a.sidx.offset - 1));
  uint64_t first_moof = a.sidx.offset + a.sidx.size;
  CHECK(rep["first"]["range"].get<std::string>().rfind(std::to_string(first_moof) + "-", 0) == 0);
  std::string last = rep["last"]["range"];
  CHECK(last.substr(last.find('-') + 1) == std::to_string(a.media_end));
  CHECK(rep["first"]["start_s"] == 0.0);
}

// An on-demand asset over HTTP on 127.0.0.1: /dash/manifest.mpd and /dash/media/video.mp4 (any
// Range request is counted and answered by cpp-httplib).
class AssetServer {
 public:
  AssetServer(const std::string& mpd, const std::string& media) : mpd_(mpd), media_(media) {
    server_.Get("/dash/manifest.mpd", [this](const httplib::Request&, httplib::Response& res) {
      res.set_content(mpd_, "application/dash+xml");
    });
    server_.Get("/dash/media/video.mp4", [this](const httplib::Request& req, httplib::Response& res) {
      if (req.has_header("Range")) ++range_requests;
      res.set_content(media_, "video/mp4");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    REQUIRE(port_ > 0);
    thread_ = std::thread([this] { server_.listen_after_bind(); });  // bind_to_any_port already listens
  }
  ~AssetServer() { stop(); }
  void stop() {
    server_.stop();
    if (thread_.joinable()) thread_.join();
  }
  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + "/dash/" + path;
  }
  std::atomic<int> range_requests{0};

 private:
  std::string mpd_, media_;
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
};

}  // namespace

TEST_CASE("inspect: a corpus MPD prints JSON with type, periods and segment addresses", "[inspect]") {
  fs::path dir = scratch("corpus");
  std::string mpd = std::string(ABRPLAY_TEST_DATA_DIR) +
                    "/mpd-corpus/shaka-player/test/test/assets/dash-clearkey/dash.mpd";
  Run r = run_inspect({mpd, "--json"}, dir);
  REQUIRE(r.exit_code == 0);
  json j = json::parse(r.out);
  CHECK(j["type"] == "static");
  CHECK(j["duration_s"] == 20.0);
  const json& rep = j["periods"][0]["adaptation_sets"][0]["representations"][0];
  CHECK(rep["bandwidth_bps"] == 513226);
  CHECK(rep["width"] == 512);
  CHECK(rep["segment_count"] == 5);
  CHECK(rep["last"]["url"].get<std::string>().find("video-H264-288-400k_5.m4s") != std::string::npos);
  CHECK(j["playable"].get<std::string>().rfind("manifest.encrypted", 0) == 0);  // reported, not failed
  Run text = run_inspect({mpd}, dir);
  CHECK(text.exit_code == 0);
  CHECK(text.out.find("ENCRYPTED") != std::string::npos);
}

TEST_CASE("inspect: a bad manifest exits 1 with one stderr line naming the place", "[inspect]") {
  fs::path dir = scratch("bad");
  std::ofstream(dir / "broken.mpd") << "<MPD>\n<Period>\n</MPD>\n";
  Run r = run_inspect({(dir / "broken.mpd").string()}, dir);
  CHECK(r.exit_code == 1);
  CHECK(lines(r.err) == 1);
  CHECK(r.err.find("manifest.malformed_xml: line 3") != std::string::npos);

  std::ofstream(dir / "nod.mpd") << R"(<MPD mediaPresentationDuration="PT4S"><Period><AdaptationSet>
    <Representation id="a" bandwidth="1"><SegmentTemplate media="$Number$"><SegmentTimeline><S t="0"/>
    </SegmentTimeline></SegmentTemplate></Representation></AdaptationSet></Period></MPD>)";
  r = run_inspect({(dir / "nod.mpd").string(), "--json"}, dir);
  CHECK(r.exit_code == 1);
  CHECK(lines(r.err) == 1);
  CHECK(r.err.find("MPD/Period[0]/AdaptationSet[0]/Representation[0]/SegmentTemplate/SegmentTimeline/S[0]@d") !=
        std::string::npos);
  CHECK(r.out.empty());

  r = run_inspect({(dir / "missing.mpd").string()}, dir);
  CHECK(r.exit_code == 1);
  CHECK(lines(r.err) == 1);
}

TEST_CASE("inspect: malformed optional attributes are warnings, in text and in --json", "[inspect][bad]") {
  fs::path dir = scratch("warnings");
  std::ofstream(dir / "lenient.mpd") << R"(<MPD type="static" mediaPresentationDuration="PT8S" maxSegmentDuration="2S">
    <Period><AdaptationSet mimeType="audio/mp4" audioSamplingRate="44100 22050">
    <SegmentTemplate media="$Number$.m4s" duration="2"/><Representation id="a" bandwidth="64000" width="w"/>
    </AdaptationSet></Period></MPD>)";
  Run r = run_inspect({(dir / "lenient.mpd").string(), "--json"}, dir);
  REQUIRE(r.exit_code == 0);
  json j = json::parse(r.out);
  REQUIRE(j["warnings"].size() == 2);
  CHECK(j["warnings"][0].get<std::string>().rfind("MPD@maxSegmentDuration: duration '2S'", 0) == 0);
  CHECK(j["warnings"][1].get<std::string>().rfind("MPD/Period[0]/AdaptationSet[0]/Representation[0]@width: 'w'", 0) ==
        0);
  CHECK(j["periods"][0]["adaptation_sets"][0]["representations"][0]["segment_count"] == 4);
  Run text = run_inspect({(dir / "lenient.mpd").string()}, dir);
  CHECK(text.exit_code == 0);
  CHECK(text.out.find("  warning: MPD@maxSegmentDuration: duration '2S'") != std::string::npos);
  CHECK(text.err.empty());
}

TEST_CASE("inspect: remote Periods are fetched and shown in place: unusable ones are warnings", "[inspect][xlink]") {
  fs::path dir = scratch("xlink");
  std::ofstream(dir / "remote.mpd") << R"(<MPD xmlns:xlink="http://www.w3.org/1999/xlink" type="static"
    mediaPresentationDuration="PT8S"><Period xlink:href="ads/pre.xml" xlink:actuate="onLoad"/>
    <Period xlink:href="ads/none.xml"/></MPD>)";
  fs::create_directories(dir / "ads");
  std::ofstream(dir / "ads" / "pre.xml") << R"(<Period id="pre"><AdaptationSet mimeType="video/mp4">
    <SegmentTemplate media="$Number$.m4s" duration="2"/><Representation id="v" bandwidth="1000"/>
    </AdaptationSet></Period>)";
  Run r = run_inspect({(dir / "remote.mpd").string(), "--json"}, dir);
  REQUIRE(r.exit_code == 0);
  json j = json::parse(r.out);
  REQUIRE(j["periods"].size() == 1);
  CHECK(j["periods"][0]["id"] == "pre");
  CHECK(j["playable"] == true);
  REQUIRE(j["warnings"].size() == 1);
  CHECK(j["warnings"][0].get<std::string>().find("MPD/Period[1]@xlink:href 'file://") == 0);
  CHECK(j["warnings"][0].get<std::string>().find("the Period is left out") != std::string::npos);
}

TEST_CASE("inspect: SegmentBase on a local ffmpeg file reads the sidx from the file", "[inspect]") {
  OnDemandAsset a = make_asset("local-sidx", "video.mp4");
  Run r = run_inspect({(a.dir / "manifest.mpd").string(), "--json"}, a.dir);
  REQUIRE(r.exit_code == 0);
  check_sidx_report(json::parse(r.out), a);
}

TEST_CASE("inspect: SegmentBase with the media missing says so and still succeeds", "[inspect]") {
  OnDemandAsset a = make_asset("missing-media", "nowhere.mp4");
  Run r = run_inspect({(a.dir / "manifest.mpd").string(), "--json"}, a.dir);
  REQUIRE(r.exit_code == 0);
  json j = json::parse(r.out);
  const json& rep = j["periods"][0]["adaptation_sets"][0]["representations"][0];
  CHECK(rep["index_note"].get<std::string>().find("not available") != std::string::npos);
  CHECK(rep["segment_count"].is_null());
}

TEST_CASE("inspect: over HTTP from 127.0.0.1, fetching the index range", "[inspect]") {
  OnDemandAsset a = make_asset("http-sidx", "media/video.mp4");
  std::string mpd = slurp_file(a.dir / "manifest.mpd");
  std::string media = slurp_file(a.dir / "video.mp4");
  AssetServer server(mpd, media);
  Run r = run_inspect({server.url("manifest.mpd"), "--json"}, a.dir);
  server.stop();
  REQUIRE(r.exit_code == 0);
  json j = json::parse(r.out);
  CHECK(j["source"] == server.url("manifest.mpd"));
  check_sidx_report(j, a);
  CHECK(j["periods"][0]["adaptation_sets"][0]["representations"][0]["first"]["url"] == server.url("media/video.mp4"));
  CHECK(server.range_requests == 1);
}

TEST_CASE("inspect: SegmentBase with a hierarchical sidx over HTTP reads the top box, then each child box",
          "[inspect][sidx]") {
  OnDemandAsset a = make_asset("http-sidx-chain", "media/video.mp4");
  // The global sidx becomes a top sidx over two child boxes (the test content's tool).
  const fs::path tool = fs::path(ABRPLAY_TEST_DATA_DIR) / ".." / ".." / "demo" / "content" / "chain-sidx";
  const std::string cmd = "python3 '" + tool.string() + "' hierarchy '" + (a.dir / "video.mp4").string() + "' '" +
                          (a.dir / "chained.mp4").string() + "' > /dev/null";
  REQUIRE(std::system(cmd.c_str()) == 0);
  const std::string media = slurp_file(a.dir / "chained.mp4");
  const std::vector<Box> boxes = top_level_boxes(media);
  uint64_t sidx_boxes = 0;
  for (const Box& b : boxes) sidx_boxes += b.type == "sidx";
  REQUIRE(sidx_boxes == 3);
  const Box& top = boxes[2];  // ftyp, moov, then the top sidx where the global one was
  REQUIRE(top.type == "sidx");
  REQUIRE(top.offset == a.sidx.offset);
  std::string mpd = slurp_file(a.dir / "manifest.mpd");
  const std::string old_range = std::to_string(a.sidx.offset) + "-" + std::to_string(a.sidx.offset + a.sidx.size - 1);
  mpd.replace(mpd.find(old_range), old_range.size(),
              std::to_string(top.offset) + "-" + std::to_string(top.offset + top.size - 1));
  AssetServer server(mpd, media);
  Run r = run_inspect({server.url("manifest.mpd"), "--json"}, a.dir);
  server.stop();
  REQUIRE(r.exit_code == 0);
  const json rep = json::parse(r.out)["periods"][0]["adaptation_sets"][0]["representations"][0];
  INFO(rep.dump(2));
  CHECK_FALSE(rep.contains("index_note"));
  CHECK(rep["segment_count"] == a.fragments);
  uint64_t media_end = 0;
  for (const Box& b : boxes) {
    if (b.type == "mdat") media_end = b.offset + b.size - 1;
  }
  const std::string last = rep["last"]["range"];
  CHECK(last.substr(last.find('-') + 1) == std::to_string(media_end));
  CHECK(server.range_requests == 3);  // the indexRange, then each child box
}
