// file: URLs through HttpClient and Fetcher (curl's file protocol), and the local-file rule: only a
// request marked FileAccess::kAllowed reads a file, and no redirect leads to one.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>

#include "abrplay/net/fetcher.h"
#include "abrplay/net/url.h"
#include "support/sync_fetch.h"
#include "support/test_server.h"

namespace abrplay::net::test {
namespace {

namespace fs = std::filesystem;

// A directory of this process's own, with "a dir é/data.bin" holding `size` pattern bytes.
struct LocalFiles {
  explicit LocalFiles(std::uint64_t size = 100000) {
    root = fs::path(ABRPLAY_BINARY_DIR) / "net_local_scratch" / std::to_string(::getpid());
    fs::remove_all(root);
    dir = root / "a dir \xc3\xa9";  // a space and a non-ASCII letter: both percent-encoded in the URL
    fs::create_directories(dir);
    std::ofstream out(dir / "data.bin", std::ios::binary);
    for (std::uint64_t i = 0; i < size; ++i) out.put(static_cast<char>(pattern_byte(i)));
  }
  ~LocalFiles() {
    std::error_code ec;
    fs::remove_all(root, ec);
  }
  std::string url(const std::string& name) const {
    auto u = file_url((dir / name).string());
    REQUIRE(u);
    return *u;
  }
  fs::path root, dir;
};

Request local(std::string url) {
  Request r = get(std::move(url));
  r.file_access = FileAccess::kAllowed;
  return r;
}

}  // namespace

TEST_CASE("a file: URL allowed to read files arrives whole, by range and streamed, at once", "[net][file]") {
  LocalFiles files;
  HttpClient client;
  const std::string url = files.url("data.bin");
  CHECK(url.find("a%20dir%20%c3%a9/data.bin") != std::string::npos);

  const auto started = std::chrono::steady_clock::now();
  auto whole = fetch_ok(client, local(url));
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(1));  // no poll timeout in the way
  CHECK(whole.response.status == 0);                                            // curl's file protocol has no status
  CHECK(whole.response.body.size() == 100000);
  CHECK(matches_pattern(whole.response.body, 0));
  CHECK(whole.response.accepts_ranges);

  Request ranged = local(url);
  ranged.range = ByteRange{1000, 1999};
  auto part = fetch_ok(client, ranged);
  REQUIRE(part.response.body.size() == 1000);
  CHECK(matches_pattern(part.response.body, 1000));
  ranged.range = ByteRange{99990, std::nullopt};
  auto tail = fetch_ok(client, ranged);
  REQUIRE(tail.response.body.size() == 10);
  CHECK(matches_pattern(tail.response.body, 99990));

  ThreadExecutor consumer("test-consumer");
  auto chunks = std::make_shared<std::vector<std::uint8_t>>();
  auto done = std::make_shared<std::promise<Result>>();
  auto result = done->get_future();
  client.submit(local(url), consumer,
                RequestCallbacks{[chunks](const BodyChunk& c) { chunks->insert(chunks->end(), c.begin(), c.end()); },
                                 [done](Result r) { done->set_value(std::move(r)); }});
  REQUIRE(result.wait_for(kWaitBound) == std::future_status::ready);
  CHECK(result.get().ok());
  CHECK(chunks->size() == 100000);
  CHECK(matches_pattern(*chunks, 0));
}

TEST_CASE("a streamed file larger than the back-pressure window arrives whole: file reads never pause", "[net][file]") {
  LocalFiles files(3 << 20);
  ClientOptions options;
  options.stream_window_bytes = 64 * 1024;  // curl's file protocol cannot pause: a pause would fail the read
  HttpClient client(options);
  ThreadExecutor consumer("test-consumer");
  auto received = std::make_shared<std::vector<std::uint8_t>>();
  auto done = std::make_shared<std::promise<Result>>();
  auto result = done->get_future();
  client.submit(local(files.url("data.bin")), consumer,
                RequestCallbacks{[received](const BodyChunk& c) {
                                   received->insert(received->end(), c.begin(), c.end());
                                 },
                                 [done](Result r) { done->set_value(std::move(r)); }});
  REQUIRE(result.wait_for(kWaitBound) == std::future_status::ready);
  const Result r = result.get();
  INFO((r.error ? r.error->describe() : std::string()));
  CHECK(r.ok());
  CHECK(r.response.pause_count == 0);
  CHECK(received->size() == (3u << 20));
  CHECK(matches_pattern(*received, 0));
}

TEST_CASE("a file: URL is refused with bad_url, before any I/O, unless the request may read files", "[net][file]") {
  LocalFiles files;
  HttpClient client;
  auto r = fetch_failing(client, get(files.url("data.bin")));  // FileAccess::kRefused by default
  CHECK(r.error->code == NetErrorCode::kBadUrl);
  CHECK(r.error->message.find(files.url("data.bin")) != std::string::npos);
  CHECK(r.error->message.find("may be read only for a manifest loaded from file:") != std::string::npos);
  // A file URL naming another host is never read, even when files are allowed.
  auto remote_host = fetch_failing(client, local("file://example.com/etc/passwd"));
  CHECK(remote_host.error->code == NetErrorCode::kBadUrl);
  // Other schemes stay refused either way.
  CHECK(fetch_failing(client, local("ftp://127.0.0.1/x")).error->code == NetErrorCode::kBadUrl);
}

TEST_CASE("a missing file, a directory and an unreadable file fail with network.file naming the path", "[net][file]") {
  LocalFiles files;
  HttpClient client;
  auto missing = fetch_failing(client, local(files.url("nothing.mpd")));
  CHECK(missing.error->code == NetErrorCode::kFile);
  CHECK(missing.error->message.find("no such file: " + (files.dir / "nothing.mpd").string()) != std::string::npos);
  auto dir = fetch_failing(client, local(*file_url(files.dir.string())));
  CHECK(dir.error->code == NetErrorCode::kFile);
  CHECK(dir.error->message.find("is a directory") != std::string::npos);
  CHECK_FALSE(RetryPolicy::is_retryable(NetErrorCode::kFile, 0));
  if (::geteuid() != 0) {  // root reads a file without permissions
    fs::permissions(files.dir / "data.bin", fs::perms::none);
    auto unreadable = fetch_failing(client, local(files.url("data.bin")));
    CHECK(unreadable.error->code == NetErrorCode::kFile);
    CHECK(unreadable.error->message.find("data.bin") != std::string::npos);
  }
}

TEST_CASE("no redirect leads to a file: URL, even for a request that may read files", "[net][file]") {
  LocalFiles files;
  TestServer server;
  HttpClient client;
  for (const FileAccess access : {FileAccess::kRefused, FileAccess::kAllowed}) {
    Request req = get(server.url("/to?url=" + files.url("data.bin")));
    req.file_access = access;
    auto r = fetch_failing(client, req);
    CHECK(r.error->code == NetErrorCode::kRedirect);  // curl's redirect protocols: the request's own scheme
    CHECK(r.response.body.empty());
  }
}

TEST_CASE("a Fetcher resolves relative URLs against a file: base only when it may read files", "[net][file]") {
  LocalFiles files;
  const std::string base = files.url("");
  auto run = [&](FileAccess access, std::string url) {
    ThreadExecutor owner("test-owner");
    HttpClient client;
    FetcherConfig config;
    config.hosts = {{base, 1, 1}};
    config.file_access = access;
    Fetcher fetcher(client, owner, config);
    auto done = std::make_shared<std::promise<FetchOutcome>>();
    auto outcome = done->get_future();
    Request req;
    req.url = std::move(url);
    fetcher.fetch(req, FetchCallbacks{{}, [done](FetchOutcome o) { done->set_value(std::move(o)); }});
    REQUIRE(outcome.wait_for(kWaitBound) == std::future_status::ready);
    return outcome.get();
  };
  auto allowed = run(FileAccess::kAllowed, "data.bin");
  REQUIRE(allowed);
  CHECK(allowed->response.body.size() == 100000);
  CHECK(allowed->base_url == base);
  // An absolute file: URL is absolute, not a path under a CDN.
  auto absolute = run(FileAccess::kAllowed, files.url("data.bin"));
  REQUIRE(absolute);
  CHECK(absolute->response.body.size() == 100000);
  // The fetcher's access wins over the request's: a fetcher for a remote document reads no file.
  auto refused = run(FileAccess::kRefused, "data.bin");
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == NetErrorCode::kBadUrl);
  CHECK(refused.error().message.find("refused") != std::string::npos);
}

}  // namespace abrplay::net::test
