// HttpCache (net/cache.h) on explicit times: keys, RFC 9111 freshness, the memory tier's LRU, and
// the disk tier in a scratch directory: persistence, hash check, an unusable directory, a failed
// write, its byte budget.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "abrplay/net/cache.h"

namespace abrplay::net {
namespace {

namespace fs = std::filesystem;
using std::chrono::hours;
using std::chrono::seconds;

// 2024-01-01T00:00:00Z, as an HTTP date and as a WallTime.
constexpr std::string_view kDate = "Mon, 01 Jan 2024 00:00:00 GMT";
const WallTime kT0 = WallTime(std::chrono::microseconds(1'704'067'200'000'000LL));

CacheEntry entry_of(const std::string& key, Headers headers, std::size_t size, WallTime at = kT0) {
  auto e = cacheable_entry(key, 200, headers, at, at);
  REQUIRE(e);
  std::vector<std::uint8_t> body(size);
  for (std::size_t i = 0; i < size; ++i) body[i] = static_cast<std::uint8_t>(i * 13 + key.size());
  e->body = std::make_shared<const std::vector<std::uint8_t>>(std::move(body));
  return std::move(*e);
}

CacheEntry max_age_entry(const std::string& key, std::size_t size) {
  return entry_of(key, {{"Cache-Control", "max-age=600"}, {"ETag", "\"" + key + "\""}}, size);
}

// A scratch directory of this process's own, removed afterwards.
struct ScratchDir {
  explicit ScratchDir(const std::string& name) {
    path = fs::path(ABRPLAY_BINARY_DIR) / "net_cache_scratch" / (std::to_string(::getpid()) + "-" + name);
    fs::remove_all(path);
  }
  ~ScratchDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  std::vector<fs::path> entries() const {
    std::vector<fs::path> out;
    std::error_code ec;
    for (const auto& f : fs::directory_iterator(path, ec)) {
      if (f.path().extension() == ".entry") out.push_back(f.path());
    }
    return out;
  }
  fs::path path;
};

CacheOptions disk_options(const ScratchDir& dir, std::uint64_t disk_bytes = 1 << 20) {
  CacheOptions o;
  o.memory_bytes = 1 << 20;
  o.disk_dir = dir.path.string();
  o.disk_bytes = disk_bytes;
  return o;
}

}  // namespace

TEST_CASE("the cache key drops the fragment and the CMCD argument and keeps the range", "[net][cache]") {
  CHECK(cache_key("http://h/a.m4s", std::nullopt) == "http://h/a.m4s");
  CHECK(cache_key("http://h/a.m4s?CMCD=br%3D300%2Cbl%3D2000#f", std::nullopt) == "http://h/a.m4s");
  CHECK(cache_key("http://h/a.m4s?token=1&CMCD=bl%3D5&x=2", std::nullopt) == "http://h/a.m4s?token=1&x=2");
  CHECK(cache_key("http://h/a.mp4", ByteRange{0, 99}) == "http://h/a.mp4 bytes=0-99");
  CHECK(cache_key("http://h/a.mp4", ByteRange{0, 99}) != cache_key("http://h/a.mp4", ByteRange{100, 199}));
}

TEST_CASE("max-age makes an entry fresh until its age reaches it, Age and Date included", "[net][cache]") {
  auto e = cacheable_entry("k", 200, {{"Cache-Control", "public, max-age=60"}}, kT0, kT0);
  REQUIRE(e);
  CHECK(e->lifetime == seconds(60));
  CHECK(e->fresh(kT0 + seconds(59)));
  CHECK_FALSE(e->fresh(kT0 + seconds(60)));

  // It was 50 s old when it arrived (Age): 10 s of freshness left.
  auto aged = cacheable_entry("k", 200, {{"cache-control", "max-age=60"}, {"age", "50"}}, kT0, kT0);
  REQUIRE(aged);
  CHECK(aged->fresh(kT0 + seconds(9)));
  CHECK_FALSE(aged->fresh(kT0 + seconds(10)));

  // Date 30 s before it arrived: the apparent age counts when it is larger than Age.
  auto dated = cacheable_entry("k", 200, {{"Cache-Control", "max-age=60"}, {"Date", std::string(kDate)}},
                               kT0 + seconds(30), kT0 + seconds(30));
  REQUIRE(dated);
  CHECK(dated->initial_age == seconds(30));
  CHECK(dated->fresh(kT0 + seconds(59)));
  CHECK_FALSE(dated->fresh(kT0 + seconds(60)));
}

TEST_CASE("no-store is never stored, no-cache is stored but never fresh", "[net][cache]") {
  CHECK_FALSE(cacheable_entry("k", 200, {{"Cache-Control", "no-store"}, {"ETag", "\"a\""}}, kT0, kT0));
  CHECK_FALSE(cacheable_entry("k", 200, {{"Cache-Control", "max-age=60, No-Store"}}, kT0, kT0));
  auto nc = cacheable_entry("k", 200, {{"Cache-Control", "no-cache"}, {"ETag", "\"a\""}}, kT0, kT0);
  REQUIRE(nc);
  CHECK_FALSE(nc->fresh(kT0));
  CHECK(nc->revalidatable());
  // no-cache without a validator could never be used: not stored.
  CHECK_FALSE(cacheable_entry("k", 200, {{"Cache-Control", "no-cache"}}, kT0, kT0));
  // Neither freshness nor a validator: not stored. Only 200 and 206 are.
  CHECK_FALSE(cacheable_entry("k", 200, {{"Content-Type", "video/mp4"}}, kT0, kT0));
  CHECK_FALSE(cacheable_entry("k", 404, {{"Cache-Control", "max-age=60"}}, kT0, kT0));
  CHECK(cacheable_entry("k", 206, {{"Cache-Control", "max-age=60"}}, kT0, kT0));
}

TEST_CASE("without max-age, Expires counts, else 10 percent of the time since Last-Modified, at most a day",
          "[net][cache]") {
  auto exp = cacheable_entry("k", 200, {{"Date", std::string(kDate)}, {"Expires", "Mon, 01 Jan 2024 00:02:00 GMT"}},
                             kT0, kT0);
  REQUIRE(exp);
  CHECK(exp->lifetime == seconds(120));
  auto bad_expires = cacheable_entry("k", 200, {{"Expires", "0"}, {"ETag", "\"a\""}}, kT0, kT0);
  REQUIRE(bad_expires);
  CHECK_FALSE(bad_expires->fresh(kT0));

  // Modified 5 days before: 12 hours.
  auto h = cacheable_entry("k", 200, {{"Date", std::string(kDate)}, {"Last-Modified", "Wed, 27 Dec 2023 00:00:00 GMT"}},
                           kT0, kT0);
  REQUIRE(h);
  CHECK(h->lifetime == hours(12));
  // Modified a year before: capped at a day.
  auto old = cacheable_entry("k", 200,
                             {{"Date", std::string(kDate)}, {"Last-Modified", "Sun, 01 Jan 2023 00:00:00 GMT"}}, kT0,
                             kT0);
  REQUIRE(old);
  CHECK(old->lifetime == hours(24));
}

TEST_CASE("the memory tier evicts the least recently used entry past its byte budget", "[net][cache]") {
  CacheOptions o;
  o.memory_bytes = 250;
  HttpCache cache(o);
  cache.store(max_age_entry("a", 100), kT0);
  cache.store(max_age_entry("b", 100), kT0);
  REQUIRE(cache.find("a", kT0));  // a is now more recent than b
  cache.store(max_age_entry("c", 100), kT0);
  CHECK(cache.find("a", kT0));
  CHECK_FALSE(cache.find("b", kT0));
  CHECK(cache.find("c", kT0));
  const CacheStats s = cache.stats();
  CHECK(s.evictions == 1);
  CHECK(s.memory_bytes == 200);
  CHECK(s.bytes_stored == 300);
  // A body larger than the whole budget is not kept in memory (nor anything pushed out for it).
  cache.store(max_age_entry("huge", 251), kT0);
  CHECK_FALSE(cache.find("huge", kT0));
  CHECK(cache.find("a", kT0));
}

TEST_CASE("a 304 refresh keeps the body and takes the new headers", "[net][cache]") {
  HttpCache cache(CacheOptions{});
  cache.store(entry_of("k", {{"Cache-Control", "max-age=10"}, {"ETag", "\"v1\""}, {"Content-Type", "video/mp4"}}, 50),
              kT0);
  auto stale = cache.find("k", kT0 + seconds(20));
  REQUIRE(stale);
  CHECK_FALSE(stale->fresh(kT0 + seconds(20)));
  auto refreshed = cache.refresh(
      "k",
      {{"cache-control", "max-age=100"}, {"etag", "\"v1\""}, {"content-length", "0"}, {"content-type", "text/plain"}},
      kT0 + seconds(20), kT0 + seconds(20));
  REQUIRE(refreshed);
  CHECK(refreshed->fresh(kT0 + seconds(119)));
  CHECK(refreshed->body == stale->body);
  CHECK(refreshed->header("content-type") == std::string_view("video/mp4"));
  CHECK_FALSE(refreshed->header("content-length"));  // the 304's "0" describes no body of ours
  CHECK(refreshed->header("cache-control") == std::string_view("max-age=100"));
}

TEST_CASE("the disk tier keeps entries across instances and checks their hash", "[net][cache][disk]") {
  ScratchDir dir("persist");
  CacheEntry original = max_age_entry("http://h/seg-1.m4s", 5000);
  const auto body = original.body;
  {
    HttpCache cache(disk_options(dir));
    cache.store(std::move(original), kT0);
    CHECK(cache.take_problems().empty());
  }
  REQUIRE(dir.entries().size() == 1);
  {
    HttpCache cache(disk_options(dir));
    auto e = cache.find("http://h/seg-1.m4s", kT0 + seconds(1));
    REQUIRE(e);
    CHECK(*e->body == *body);
    CHECK(e->fresh(kT0 + seconds(1)));
    CHECK(e->header("etag") == std::string_view("\"http://h/seg-1.m4s\""));
    CHECK(cache.stats().disk_bytes > 5000);
  }
  // One byte of the body changed on disk: detected, deleted, reported, a miss.
  const fs::path file = dir.entries().front();
  {
    std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(-10, std::ios::end);
    f.put('\x7f');
  }
  HttpCache cache(disk_options(dir));
  CHECK_FALSE(cache.find("http://h/seg-1.m4s", kT0));
  const auto problems = cache.take_problems();
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].kind == CacheProblemKind::kCorrupted);
  CHECK(problems[0].message.find("does not match") != std::string::npos);
  CHECK(problems[0].message.find(file.string()) != std::string::npos);
  CHECK(cache.stats().errors == 1);
  CHECK(dir.entries().empty());
}

TEST_CASE("a truncated or foreign file in the cache directory is a corrupted entry", "[net][cache][disk]") {
  ScratchDir dir("truncated");
  {
    HttpCache cache(disk_options(dir));
    cache.store(max_age_entry("k", 4000), kT0);
  }
  REQUIRE(dir.entries().size() == 1);
  fs::resize_file(dir.entries().front(), fs::file_size(dir.entries().front()) - 100);
  HttpCache cache(disk_options(dir));
  CHECK_FALSE(cache.find("k", kT0));
  auto problems = cache.take_problems();
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].message.find("truncated") != std::string::npos);
}

TEST_CASE("a cache directory that cannot be created is reported once and the memory tier goes on",
          "[net][cache][disk]") {
  ScratchDir dir("unusable");
  fs::create_directories(dir.path);
  std::ofstream(dir.path / "a-file") << "x";
  CacheOptions o;
  o.disk_dir = (dir.path / "a-file" / "cache").string();  // under a regular file: even root cannot
  HttpCache cache(o);
  cache.store(max_age_entry("k", 100), kT0);
  CHECK(cache.find("k", kT0));
  auto problems = cache.take_problems();
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].kind == CacheProblemKind::kDiskUnusable);
  CHECK(problems[0].message.find("a-file/cache") != std::string::npos);
  CHECK(problems[0].message.find("memory only") != std::string::npos);
  cache.store(max_age_entry("k2", 100), kT0);
  CHECK(cache.take_problems().empty());
}

TEST_CASE("a failed disk write is reported once and the cache goes on in memory only", "[net][cache][disk]") {
  ScratchDir dir("write-fails");
  {
    HttpCache probe(disk_options(dir));
    probe.store(max_age_entry("k", 10), kT0);
  }
  // The temporary file of "k" cannot be made: a directory stands in its place.
  const fs::path entry = dir.entries().front();
  fs::remove(entry);
  fs::create_directories(entry.string() + ".tmp/x");
  HttpCache cache(disk_options(dir));
  cache.store(max_age_entry("k", 10), kT0);
  auto problems = cache.take_problems();
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].kind == CacheProblemKind::kDiskWrite);
  CHECK(cache.find("k", kT0));  // in memory
  cache.store(max_age_entry("other", 10), kT0);
  CHECK(cache.take_problems().empty());
  CHECK(cache.stats().disk_bytes == 0);
  CHECK(cache.stats().errors == 1);
}

TEST_CASE("the disk tier evicts the least recently read files past its byte budget", "[net][cache][disk]") {
  ScratchDir dir("budget");
  CacheOptions o = disk_options(dir, 3 * 1400);  // room for three 1000-byte bodies with their headers
  o.memory_bytes = 0;                            // every find reads the disk
  HttpCache cache(o);
  cache.store(max_age_entry("a", 1000), kT0);
  cache.store(max_age_entry("b", 1000), kT0);
  cache.store(max_age_entry("c", 1000), kT0);
  REQUIRE(dir.entries().size() == 3);
  REQUIRE(cache.find("a", kT0));  // b is now the least recently used
  cache.store(max_age_entry("d", 1000), kT0);
  CHECK(dir.entries().size() == 3);
  CHECK(cache.find("a", kT0));
  CHECK_FALSE(cache.find("b", kT0));
  CHECK(cache.find("d", kT0));
  CHECK(cache.stats().evictions == 1);
  CHECK(cache.stats().disk_bytes <= 3 * 1400);
}

}  // namespace abrplay::net
