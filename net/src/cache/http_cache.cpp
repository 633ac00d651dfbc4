// net/src/cache/http_cache.cpp: HttpCache's memory tier (LRU under a byte budget) over the optional
// disk tier (cache.h).
#include <algorithm>
#include <cctype>
#include <utility>

#include "abrplay/net/cache.h"
#include "disk_tier.h"

namespace abrplay::net {

namespace {

std::uint64_t body_size(const CacheEntry& e) { return e.body ? e.body->size() : 0; }

}  // namespace

HttpCache::HttpCache(CacheOptions options) : options_(std::move(options)) {}
HttpCache::~HttpCache() = default;

void HttpCache::open_disk() {
  if (disk_opened_) return;
  disk_opened_ = true;
  if (options_.disk_dir.empty() || options_.disk_bytes == 0) return;
  auto tier = DiskTier::open(options_.disk_dir, options_.disk_bytes);
  if (!tier) {
    ++stats_.errors;
    problems_.push_back({CacheProblemKind::kDiskUnusable, tier.error() + "; caching in memory only"});
    return;
  }
  disk_ = std::move(*tier);
}

std::shared_ptr<const CacheEntry> HttpCache::find(const std::string& key, WallTime) {
  open_disk();
  if (auto it = memory_.find(key); it != memory_.end()) {
    lru_.splice(lru_.begin(), lru_, it->second.lru);
    return it->second.entry;
  }
  if (!disk_) return nullptr;
  DiskTier::Read r = disk_->read(key);
  if (r.corrupted) {
    ++stats_.errors;
    problems_.push_back({CacheProblemKind::kCorrupted, *r.corrupted + ", fetching it again"});
  }
  if (r.entry) put_memory(r.entry);
  return r.entry;
}

void HttpCache::put_memory(std::shared_ptr<const CacheEntry> entry) {
  const std::uint64_t size = body_size(*entry);
  drop_memory(entry->key);
  if (size > options_.memory_bytes) return;
  while (memory_used_ + size > options_.memory_bytes && !lru_.empty()) {
    drop_memory(std::string(lru_.back()));
    ++stats_.evictions;
  }
  lru_.push_front(entry->key);
  memory_used_ += size;
  const std::string key = entry->key;
  memory_[key] = Node{std::move(entry), lru_.begin()};
}

void HttpCache::drop_memory(const std::string& key) {
  auto it = memory_.find(key);
  if (it == memory_.end()) return;
  memory_used_ -= body_size(*it->second.entry);
  lru_.erase(it->second.lru);
  memory_.erase(it);
}

void HttpCache::store(CacheEntry entry, WallTime) {
  open_disk();
  const std::uint64_t size = body_size(entry);
  if (size > options_.max_entry_bytes) return;
  auto shared = std::make_shared<const CacheEntry>(std::move(entry));
  stats_.bytes_stored += size;
  if (disk_) {
    if (auto error = disk_->write(*shared, stats_.evictions)) {
      ++stats_.errors;
      problems_.push_back({CacheProblemKind::kDiskWrite, *error + "; caching in memory only from now on"});
      disk_.reset();
    }
  }
  put_memory(std::move(shared));
}

std::shared_ptr<const CacheEntry> HttpCache::refresh(const std::string& key, const Headers& headers,
                                                     WallTime request_time, WallTime response_time) {
  auto old = find(key, response_time);
  if (!old) return nullptr;
  // RFC 9111 4.3.4: the stored headers are updated with those of the 304 (the body stays), but
  // not the ones that describe the body (RFC 9111 3.2: a 304 has none of its own; some servers
  // send "Content-Length: 0" on it).
  auto lower = [](std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  };
  Headers merged;
  std::vector<std::string> names;  // lower-cased, of `merged`
  for (const auto& h : headers) {
    std::string name = lower(h.first);
    if (name == "content-length" || name == "content-range" || name == "content-type") continue;
    merged.push_back(h);
    names.push_back(std::move(name));
  }
  for (const auto& h : old->headers) {
    if (std::find(names.begin(), names.end(), lower(h.first)) == names.end()) merged.push_back(h);
  }
  auto fresh = cacheable_entry(key, old->status, merged, request_time, response_time);
  if (!fresh) {  // the 304 said no-store now
    erase(key);
    return nullptr;
  }
  fresh->body = old->body;
  auto shared = std::make_shared<const CacheEntry>(std::move(*fresh));
  if (disk_) {
    std::uint64_t evicted = 0;
    if (auto error = disk_->write(*shared, evicted)) {
      ++stats_.errors;
      problems_.push_back({CacheProblemKind::kDiskWrite, *error + "; caching in memory only from now on"});
      disk_.reset();
    }
    stats_.evictions += evicted;
  }
  put_memory(shared);
  return shared;
}

void HttpCache::erase(const std::string& key) {
  drop_memory(key);
  if (disk_) disk_->erase(key);
}

void HttpCache::record_hit(std::uint64_t bytes) {
  ++stats_.hits;
  stats_.bytes_served += bytes;
}

void HttpCache::record_revalidated(std::uint64_t bytes) {
  ++stats_.revalidations;
  stats_.bytes_served += bytes;
}

void HttpCache::record_miss() { ++stats_.misses; }

CacheStats HttpCache::stats() const {
  CacheStats s = stats_;
  s.memory_bytes = memory_used_;
  s.disk_bytes = disk_ ? disk_->used() : 0;
  return s;
}

std::vector<CacheProblem> HttpCache::take_problems() { return std::exchange(problems_, {}); }

}  // namespace abrplay::net
