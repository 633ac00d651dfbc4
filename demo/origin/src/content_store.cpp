#include "content_store.h"

#include <cstdio>
#include <fstream>
#include <map>
#include <mutex>

namespace abrplay::origin {

namespace {

class MemoryBody final : public Body {
 public:
  explicit MemoryBody(std::string bytes) : bytes_(std::move(bytes)) {}
  std::size_t size() const override { return bytes_.size(); }
  std::size_t read(std::size_t offset, std::size_t length, char* out) const override {
    if (offset >= bytes_.size()) return 0;
    const std::size_t n = std::min(length, bytes_.size() - offset);
    bytes_.copy(out, n, offset);
    return n;
  }

 private:
  std::string bytes_;
};

// One open stream per body; reads are serialised because a body serves one response at a time
// (httplib calls the content provider from the connection's thread only).
class FileBody final : public Body {
 public:
  FileBody(std::ifstream in, std::size_t size) : in_(std::move(in)), size_(size) {}
  std::size_t size() const override { return size_; }
  std::size_t read(std::size_t offset, std::size_t length, char* out) const override {
    std::lock_guard lock(mutex_);
    if (offset >= size_) return 0;
    in_.clear();
    in_.seekg(static_cast<std::streamoff>(offset));
    in_.read(out, static_cast<std::streamsize>(std::min(length, size_ - offset)));
    return static_cast<std::size_t>(in_.gcount());
  }

 private:
  mutable std::mutex mutex_;
  mutable std::ifstream in_;  // GUARDED_BY(mutex_)
  std::size_t size_;
};

}  // namespace

std::shared_ptr<Body> memory_body(std::string bytes) { return std::make_shared<MemoryBody>(std::move(bytes)); }

std::shared_ptr<Body> file_body(const std::filesystem::path& path) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) return nullptr;
  std::ifstream in(path, std::ios::binary);
  if (!in) return nullptr;
  return std::make_shared<FileBody>(std::move(in), static_cast<std::size_t>(size));
}

std::string content_type_for(const std::string& path) {
  static const std::map<std::string, std::string> kTypes = {{".mpd", "application/dash+xml"},
                                                            {".m4s", "video/iso.segment"},
                                                            {".mp4", "video/mp4"},
                                                            {".m4a", "audio/mp4"},
                                                            {".m4v", "video/mp4"},
                                                            {".vtt", "text/vtt"},
                                                            {".json", "application/json"},
                                                            {".txt", "text/plain"},
                                                            {".webm", "video/webm"},
                                                            {".ts", "video/mp2t"},
                                                            {".html", "text/html"},
                                                            {".xml", "application/xml"}};
  const auto ext = std::filesystem::path(path).extension().string();
  const auto it = kTypes.find(ext);
  return it == kTypes.end() ? "application/octet-stream" : it->second;
}

ContentStore::ContentStore(std::vector<std::filesystem::path> roots) : roots_(std::move(roots)) {}

Expected<ContentStore, std::string> ContentStore::open(const std::vector<std::string>& roots) {
  if (roots.empty()) return Unexpected{std::string("no --root given: nothing to serve")};
  std::vector<std::filesystem::path> paths;
  for (const auto& r : roots) {
    std::error_code ec;
    if (!std::filesystem::is_directory(r, ec)) {
      return Unexpected{"--root " + r + ": not a directory" + (ec ? " (" + ec.message() + ")" : "")};
    }
    paths.push_back(std::filesystem::canonical(r, ec));
    if (ec) return Unexpected{"--root " + r + ": " + ec.message()};
  }
  return ContentStore(std::move(paths));
}

std::optional<std::filesystem::path> ContentStore::resolve(const std::string& url_path, PathProblem* problem) const {
  *problem = PathProblem::kBadPath;
  if (url_path.empty() || url_path[0] != '/' || url_path.find('\0') != std::string::npos ||
      url_path.find('\\') != std::string::npos) {
    return std::nullopt;
  }
  const std::filesystem::path rel = std::filesystem::path(url_path).relative_path();
  for (const auto& part : rel) {
    if (part == "..") return std::nullopt;
  }
  *problem = PathProblem::kNotFound;
  for (const auto& root : roots_) {
    const auto candidate = root / rel;
    std::error_code ec;
    if (std::filesystem::is_regular_file(candidate, ec)) {
      *problem = PathProblem::kNone;
      return candidate;
    }
  }
  return std::nullopt;
}

std::optional<std::string> ContentStore::read_all(const std::filesystem::path& path, std::size_t max_bytes) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec || size > max_bytes) return std::nullopt;
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::string text(static_cast<std::size_t>(size), '\0');
  in.read(text.data(), static_cast<std::streamsize>(size));
  if (static_cast<std::size_t>(in.gcount()) != size) return std::nullopt;
  return text;
}

}  // namespace abrplay::origin
