// content_store.h: the content folders an origin serves, and what a response body is.
//
// Roots overlay one another: a request path is looked up in each root in the order given, and the
// first root holding the file serves it. Paths are confined to the roots ('..' segments, NUL bytes
// and backslashes are refused before touching the file system). Content types follow the extension.
// Threading: immutable after construction; safe from any thread. Body reads open the file per call.
#pragma once

#include <cstddef>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "abrplay/core/expected.h"

namespace abrplay::origin {

// A response body: a file on disk or bytes in memory (a rewritten MPD, JSON).
class Body {
 public:
  virtual ~Body() = default;
  virtual std::size_t size() const = 0;
  // Copies up to `length` bytes from `offset` into `out`; returns the count (0 on a read error).
  virtual std::size_t read(std::size_t offset, std::size_t length, char* out) const = 0;
};

std::shared_ptr<Body> memory_body(std::string bytes);
// Opens the file now (so a missing file is known before any header is sent).
std::shared_ptr<Body> file_body(const std::filesystem::path& path);

// The Content-Type for a file name, by extension (application/octet-stream when unknown).
std::string content_type_for(const std::string& path);

enum class PathProblem { kNone, kBadPath, kNotFound };

class ContentStore {
 public:
  explicit ContentStore(std::vector<std::filesystem::path> roots);

  // Checks that each root is a readable directory; the error names the first bad one.
  static Expected<ContentStore, std::string> open(const std::vector<std::string>& roots);

  // Resolves a URL path ("/number/manifest.mpd") to a regular file in the first root that has it.
  std::optional<std::filesystem::path> resolve(const std::string& url_path, PathProblem* problem) const;

  // Reads a whole (small) file, e.g. an MPD; nullopt when it cannot be read or exceeds max_bytes.
  static std::optional<std::string> read_all(const std::filesystem::path& path, std::size_t max_bytes);
  // MPDs are small; 4 MiB bounds memory if a root holds something else named .mpd.
  static constexpr std::size_t kMaxMpdBytes = 4u << 20;

  const std::vector<std::filesystem::path>& roots() const { return roots_; }

 private:
  std::vector<std::filesystem::path> roots_;
};

}  // namespace abrplay::origin
