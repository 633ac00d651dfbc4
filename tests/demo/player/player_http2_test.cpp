// abrplay over HTTPS from Debian's nginx (tests/support/nginx_server.h): over HTTP/2 every request
// of a session, audio and video segments alike, goes over one connection (curl's multiplexing);
// the same session plays over HTTP/1.1. Both the download-only path and the decoding
// player (PlayerConfig::ca_file) play the test content to the end.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <set>

#include "nginx_server.h"
#include "run_tool.h"

namespace abrplay::demo::http2_test {

namespace {

namespace fs = std::filesystem;

struct Served {
  std::set<long long> connections;
  std::set<std::string> protocols;
  int audio = 0, video = 0;
};

Served served(const abrplay::test::NginxServer& s, int port) {
  Served out;
  for (const auto& l : s.log()) {
    if (l.port != port) continue;
    out.connections.insert(l.connection);
    out.protocols.insert(l.protocol);
    if (l.uri.find("chunk-stream6-") != std::string::npos) ++out.audio;  // representation 6: the audio
    else if (l.uri.find("chunk-stream") != std::string::npos) ++out.video;
  }
  return out;
}

}  // namespace

TEST_CASE("abrplay over HTTP/2 fetches audio and video over one connection, and plays over HTTP/1.1 too",
          "[demo][player][content][http2]") {
  if (abrplay::test::NginxServer::binary().empty()) {
    WARN("nginx is not installed (demo/install-deps installs nginx-light): HTTP/2 not tested");
    return;
  }
  const fs::path scratch = abrplay::test::process_scratch("player_http2");
  auto server = abrplay::test::NginxServer::start(scratch / "nginx", ABRPLAY_TEST_CONTENT_DIR);
  REQUIRE(server);
  const std::string cert = (*server)->cert().string();
  for (const bool h2 : {true, false}) {
    CAPTURE(h2);
    const std::string url = (h2 ? (*server)->h2_url() : (*server)->h1_url()) + "number/manifest.mpd";
    const auto run = abrplay::test::run_tool(ABRPLAY_PLAYER_EXE,
                                             {url, "--no-decode", "--speed", "64", "--cacert", cert, "--json-summary",
                                              (scratch / "s.json").string()},
                                             scratch);
    INFO(run.out << run.err);
    REQUIRE(run.exit_code == 0);
    const auto summary = nlohmann::json::parse(abrplay::test::slurp_file(scratch / "s.json"));
    CHECK(summary["state"] == "ended");
    const Served s = served(**server, h2 ? (*server)->h2_port() : (*server)->h1_port());
    CHECK(s.audio >= 2);
    CHECK(s.video >= 2);
    if (h2) {
      CHECK(s.protocols == std::set<std::string>{"HTTP/2.0"});
      CHECK(s.connections.size() == 1);
    } else {
      // How many connections HTTP/1.1 needs depends on how the requests overlap in time; the net
      // test checks that concurrent ones open several (tests/net/http2_test.cpp).
      CHECK(s.protocols == std::set<std::string>{"HTTP/1.1"});
    }
  }
  // The decoding player takes the certificate too (PlayerConfig::ca_file).
  const auto decoded = abrplay::test::run_tool(ABRPLAY_PLAYER_EXE,
                                               {(*server)->h2_url() + "number/manifest.mpd", "--headless", "--speed",
                                                "max", "--cacert", cert, "--json-summary",
                                                (scratch / "d.json").string()},
                                               scratch);
  INFO(decoded.out << decoded.err);
  CHECK(decoded.exit_code == 0);
  CHECK(nlohmann::json::parse(abrplay::test::slurp_file(scratch / "d.json"))["state"] == "ended");
  // Without the certificate the session fails with a TLS error naming the URL, and no hang.
  const auto untrusted = abrplay::test::run_tool(ABRPLAY_PLAYER_EXE,
                                                 {(*server)->h2_url() + "number/manifest.mpd", "--no-decode"}, scratch);
  CHECK(untrusted.exit_code == 1);
  CHECK(untrusted.out.find("network.tls") != std::string::npos);
  CHECK(untrusted.out.find("https://127.0.0.1:" + std::to_string((*server)->h2_port()) + "/number/manifest.mpd") !=
        std::string::npos);
}

}  // namespace abrplay::demo::http2_test
