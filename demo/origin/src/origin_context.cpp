#include "origin_context.h"

#include <algorithm>

namespace abrplay::origin {

Expected<std::shared_ptr<const LiveIndex>, std::string> LiveCache::index(const std::filesystem::path& mpd_path) {
  {
    std::lock_guard lock(mutex_);
    if (auto it = by_file_.find(mpd_path); it != by_file_.end()) return it->second;
  }
  const auto text = ContentStore::read_all(mpd_path, ContentStore::kMaxMpdBytes);
  if (!text) return Unexpected{mpd_path.string() + ": cannot read (or larger than 4 MiB)"};
  auto parsed = LiveIndex::parse(*text, mpd_path.filename().string());
  if (!parsed) return Unexpected{parsed.error()};
  auto shared = std::make_shared<const LiveIndex>(std::move(*parsed));
  std::lock_guard lock(mutex_);
  by_file_.emplace(mpd_path, shared);
  return std::shared_ptr<const LiveIndex>(shared);
}

std::shared_ptr<const LiveIndex> LiveCache::index_for_dir(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> mpds;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.path().extension() == ".mpd") mpds.push_back(entry.path());
  }
  std::sort(mpds.begin(), mpds.end());
  for (const auto& p : mpds) {
    auto idx = index(p);
    if (idx) return *idx;
  }
  return nullptr;
}

}  // namespace abrplay::origin
