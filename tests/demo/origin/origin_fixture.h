// origin_fixture.h: small generated content for the origin tests, in a temporary folder.
//
//   blob.bin           a deterministic byte pattern (byte i = (i * 31 + 7) mod 256)
//   vod/manifest.mpd   SegmentTemplate $Number$, 2 s segments, 10 s: reps "v240" (avc1, 240p),
//                      "v1080" (hev1, 1080p) and "a" (mp4a); media files vod/seg-<rep>-<n>.m4s
//   tl/manifest.mpd    the same with a SegmentTimeline ($Time$ addressing)
//   sb/manifest.mpd    SegmentBase (cannot be served live)
// Removed with the fixture. Threading: test thread only.
#pragma once

#include <atomic>
#include <chrono>
#include <filesystem>
#include <memory>
#include <string>

#include "origin.h"
#include "test_origin.h"

namespace abrplay::origin::test {

class ContentFixture {
 public:
  explicit ContentFixture(std::size_t blob_bytes = 256 * 1024);
  ~ContentFixture();
  ContentFixture(const ContentFixture&) = delete;
  ContentFixture& operator=(const ContentFixture&) = delete;

  const std::filesystem::path& dir() const { return dir_; }
  std::string blob() const;  // the expected bytes of blob.bin
  std::filesystem::path file(const std::string& name) const { return dir_ / name; }
  void write(const std::string& name, const std::string& bytes) const;

 private:
  std::filesystem::path dir_;
  std::size_t blob_bytes_;
};

// A wall clock the test moves by hand; copies share the same time.
class FakeWallClock {
 public:
  explicit FakeWallClock(WallTime start)
      : us_(std::make_shared<std::atomic<long long>>(
            std::chrono::duration_cast<std::chrono::microseconds>(start.time_since_epoch()).count())) {}
  WallTime now() const { return WallTime(std::chrono::microseconds(us_->load())); }
  void advance(std::chrono::microseconds d) { *us_ += d.count(); }
  std::function<WallTime()> function() const {
    auto us = us_;
    return [us] { return WallTime(std::chrono::microseconds(us->load())); };
  }

 private:
  std::shared_ptr<std::atomic<long long>> us_;
};

// The path of a file under tests/data/origin.
std::string data_file(const std::string& name);

// Starts an origin or fails the test with the origin's message (tests/support/test_origin.h).
using abrplay::test::start_origin;

}  // namespace abrplay::origin::test
