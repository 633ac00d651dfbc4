// abrplay/net/cache.h: a private HTTP cache for manifests and segments (RFC 9111), as a store.
//
// HttpCache keeps responses keyed by URL and byte range, in a memory tier (byte budget, LRU) and
// optionally a disk tier (a directory, byte budget, LRU by last access). It has no thread and no
// clock of its own: every call takes the time, so tests run it on a fake clock. It is not
// thread-safe: one owner at a time (CachingTransport, caching_transport.h, guards it with a mutex).
//
// Freshness (RFC 9111 section 4.2): the lifetime is Cache-Control max-age, else Expires - Date,
// else a heuristic of 10% of (Date - Last-Modified), at most a day (section 4.2.2), else zero.
// The current age adds the response's age when stored (Age, and Date against the time it arrived)
// to the time since. no-store: never stored. no-cache (or a zero lifetime): stored, revalidated
// before every use. private is fine (this is a private cache); s-maxage is ignored. A response
// that is neither fresh for a while nor revalidatable (no ETag, no Last-Modified) is not stored.
//
// Disk tier: one file per entry, "<fnv1a64 of the key>.entry", holding a text header (the key, the
// status, the stored headers, the times, the body's size and its 64-bit FNV-1a hash) then the body.
// Reads check the hash: a mismatch is a corrupted entry, deleted, counted and reported, and the
// lookup misses. Writes go to a temporary file renamed into place. A directory that cannot be made
// or written, or a write that fails (disk full), is reported once and the cache goes on memory-only.
#pragma once

#include <cstdint>
#include <list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "abrplay/core/time.h"
#include "abrplay/net/request.h"

namespace abrplay::net {

struct CacheOptions {
  std::uint64_t memory_bytes = 64ull << 20;  // bodies held in memory; 0 = no memory tier
  std::string disk_dir;                      // empty: no disk tier
  std::uint64_t disk_bytes = 512ull << 20;   // bodies held on disk
  // Larger bodies are not stored (a whole presentation's worth would push everything else out).
  std::uint64_t max_entry_bytes = 16ull << 20;
};

struct CacheStats {
  std::uint64_t hits = 0;           // requests answered from the cache without a transfer
  std::uint64_t misses = 0;         // requests that went to the network (revalidations excluded)
  std::uint64_t revalidations = 0;  // conditional requests answered 304 (then served from the cache)
  std::uint64_t bytes_served = 0;   // body bytes served from the cache (hits and 304s)
  std::uint64_t bytes_stored = 0;   // body bytes written into the cache
  std::uint64_t evictions = 0;      // entries pushed out by a byte budget (either tier)
  std::uint64_t errors = 0;         // disk failures and corrupted entries
  std::uint64_t memory_bytes = 0;   // bodies in memory now
  std::uint64_t disk_bytes = 0;     // bodies on disk now
};

// Why the cache reported a problem. Each is reported once when it happens; none stops playback.
enum class CacheProblemKind {
  kDiskUnusable,  // the directory cannot be created or written: memory-only from now on
  kDiskWrite,     // writing an entry failed (e.g. the disk is full): memory-only from now on
  kCorrupted,     // an entry on disk did not match its hash (or was unreadable): deleted, refetched
};

struct CacheProblem {
  CacheProblemKind kind = CacheProblemKind::kDiskUnusable;
  std::string message;  // what failed and where (the path, the key)
};

// A stored response. Shared, immutable once stored (a 304 replaces the entry with new headers).
struct CacheEntry {
  std::string key;
  int status = 200;
  Headers headers;  // the ones that matter: see kStoredHeaders in cache.cpp; names lower-cased
  std::shared_ptr<const std::vector<std::uint8_t>> body;
  WallTime response_time;               // when the response arrived
  std::chrono::seconds initial_age{0};  // its age then (RFC 9111 4.2.3 corrected_initial_age)
  std::chrono::seconds lifetime{0};     // freshness lifetime (0: revalidate before every use)
  bool no_cache = false;                // Cache-Control no-cache: always revalidate
  std::optional<std::string_view> header(std::string_view name) const;
  std::chrono::seconds age(WallTime now) const;  // current age
  bool fresh(WallTime now) const { return !no_cache && age(now) < lifetime; }
  bool revalidatable() const { return header("etag") || header("last-modified"); }
};

// The cache key of a request: the URL without its fragment and without a CMCD query argument
// (CTA-5004 data changes on every request and does not select content), and the range.
std::string cache_key(std::string_view url, const std::optional<ByteRange>& range);

// The freshness lifetime, age and no-cache flag of a response arriving at `response_time`, sent at
// `request_time`; nullopt when it must not be stored (no-store, or nothing to make it reusable).
std::optional<CacheEntry> cacheable_entry(std::string key, int status, const Headers& headers, WallTime request_time,
                                          WallTime response_time);

// 64-bit FNV-1a: the disk tier's body hash and file names.
std::uint64_t fnv1a64(const void* data, std::size_t size, std::uint64_t seed = 0xcbf29ce484222325ull);

class DiskTier;

class HttpCache {
 public:
  explicit HttpCache(CacheOptions options);
  ~HttpCache();
  HttpCache(const HttpCache&) = delete;
  HttpCache& operator=(const HttpCache&) = delete;

  // The entry for `key`, fresh or not (the caller decides to serve or revalidate), or null. A disk
  // entry found is checked against its hash and moved into memory. Counts nothing: the caller
  // counts hits and misses (record_*), since a stale entry may still end up served after a 304.
  std::shared_ptr<const CacheEntry> find(const std::string& key, WallTime now);
  // Stores (or replaces) an entry; bodies over max_entry_bytes are not stored.
  void store(CacheEntry entry, WallTime now);
  // A 304 for a stored entry: the new headers replace the stored ones, times restart; returns the
  // updated entry (null when it has gone meanwhile).
  std::shared_ptr<const CacheEntry> refresh(const std::string& key, const Headers& headers, WallTime request_time,
                                            WallTime response_time);
  void erase(const std::string& key);

  void record_hit(std::uint64_t bytes);
  void record_revalidated(std::uint64_t bytes);
  void record_miss();

  CacheStats stats() const;
  // Problems since the last call, oldest first.
  std::vector<CacheProblem> take_problems();

 private:
  struct Node {
    std::shared_ptr<const CacheEntry> entry;
    std::list<std::string>::iterator lru;  // position in lru_ (front = most recent)
  };
  void put_memory(std::shared_ptr<const CacheEntry> entry);
  void drop_memory(const std::string& key);
  void open_disk();

  CacheOptions options_;
  std::unordered_map<std::string, Node> memory_;
  std::list<std::string> lru_;
  std::uint64_t memory_used_ = 0;
  std::unique_ptr<DiskTier> disk_;  // null: no disk tier (none asked, or unusable)
  bool disk_opened_ = false;        // opened lazily, at first use, so its problem is reported then
  CacheStats stats_;
  std::vector<CacheProblem> problems_;
};

}  // namespace abrplay::net
