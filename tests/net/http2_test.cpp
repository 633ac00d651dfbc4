// HttpClient against a real HTTP/2 server: Debian's nginx over TLS with a certificate the test
// makes (tests/support/nginx_server.h). Concurrent requests to one host share one connection
// (curl's multiplexing: CURLPIPE_MULTIPLEX, PIPEWAIT); against the same server on HTTP/1.1 they
// open several. nginx's access log says which connection served each request.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <future>
#include <set>

#include "abrplay/net/http_client.h"
#include "nginx_server.h"
#include "run_tool.h"

namespace abrplay::net::test {
namespace {

namespace fs = std::filesystem;

// Eight concurrent GETs of 256 kB files; every result, in request order.
std::vector<Result> fetch_concurrently(HttpClient& client, const std::string& base) {
  static InlineExecutor inline_executor;
  std::vector<std::future<Result>> futures;
  for (int i = 0; i < 8; ++i) {
    auto promise = std::make_shared<std::promise<Result>>();
    futures.push_back(promise->get_future());
    Request req;
    req.url = base + "seg-" + std::to_string(i) + ".m4s";
    client.submit(std::move(req), inline_executor,
                  RequestCallbacks{{}, [promise](Result r) { promise->set_value(std::move(r)); }});
  }
  std::vector<Result> out;
  for (auto& f : futures) {
    REQUIRE(f.wait_for(std::chrono::seconds(30)) == std::future_status::ready);
    out.push_back(f.get());
  }
  return out;
}

}  // namespace

TEST_CASE("over HTTP/2 concurrent requests to one host share one connection: over HTTP/1.1 they do not",
          "[net][http2]") {
  if (abrplay::test::NginxServer::binary().empty()) {
    WARN("nginx is not installed (demo/install-deps installs nginx-light): HTTP/2 not tested");
    return;
  }
  const fs::path dir = abrplay::test::process_scratch("net_http2");
  const fs::path root = dir / "root";
  fs::create_directories(root);
  for (int i = 0; i < 8; ++i) {
    std::ofstream f(root / ("seg-" + std::to_string(i) + ".m4s"), std::ios::binary);
    f << std::string(256 * 1024, static_cast<char>('a' + i));
  }
  // 1 MB/s per response: each 256 kB file takes a quarter of a second, so the eight requests overlap
  // even on a loaded machine (unthrottled, HTTP/1.1 transfers could end before the next one starts
  // and then reuse one connection).
  auto server = abrplay::test::NginxServer::start(dir / "nginx", root, "1m");
  REQUIRE(server);
  ClientOptions options;
  options.ca_file = (*server)->cert().string();

  {
    HttpClient client(options);
    for (const Result& r : fetch_concurrently(client, (*server)->h2_url())) {
      REQUIRE(r.ok());
      CHECK(r.response.status == 200);
      CHECK(r.response.http_version == 2);
      CHECK(r.response.body.size() == 256 * 1024);
    }
  }
  {
    HttpClient client(options);
    for (const Result& r : fetch_concurrently(client, (*server)->h1_url())) {
      REQUIRE(r.ok());
      CHECK(r.response.http_version == 1);
    }
  }
  std::set<long long> h2_connections, h1_connections;
  for (const auto& line : (*server)->log()) {
    if (line.port == (*server)->h2_port()) {
      CHECK(line.protocol == "HTTP/2.0");
      h2_connections.insert(line.connection);
    } else {
      CHECK(line.protocol == "HTTP/1.1");
      h1_connections.insert(line.connection);
    }
  }
  CHECK(h2_connections.size() == 1);  // eight requests, one connection
  CHECK(h1_connections.size() > 1);   // one request at a time per connection: several in parallel
}

TEST_CASE("a certificate the client does not trust fails as a TLS error naming the URL", "[net][http2]") {
  if (abrplay::test::NginxServer::binary().empty()) return;
  const fs::path dir = abrplay::test::process_scratch("net_http2", "untrusted");
  fs::create_directories(dir / "root");
  std::ofstream(dir / "root" / "a.m4s") << "x";
  auto server = abrplay::test::NginxServer::start(dir / "nginx", dir / "root");
  REQUIRE(server);
  HttpClient client;  // no ca_file: the self-signed certificate is not trusted
  static InlineExecutor inline_executor;
  std::promise<Result> done;
  Request req;
  req.url = (*server)->h2_url() + "a.m4s";
  client.submit(std::move(req), inline_executor, RequestCallbacks{{}, [&](Result r) { done.set_value(std::move(r)); }});
  auto f = done.get_future();
  REQUIRE(f.wait_for(std::chrono::seconds(30)) == std::future_status::ready);
  const Result r = f.get();
  REQUIRE_FALSE(r.ok());
  CHECK(r.error->code == NetErrorCode::kTls);
  CHECK(r.error->message.find("127.0.0.1") != std::string::npos);
}

}  // namespace abrplay::net::test
