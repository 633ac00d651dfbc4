// net/src/cache/disk_tier.h: the disk tier of HttpCache (cache.h): one file per entry in a directory,
// a byte budget, LRU by last access (the file's modification time, touched on every read, so the
// order survives a restart). Private to net/. Not thread-safe: HttpCache's owner serialises it.
//
// File "<16 hex digits of fnv1a64(key)>.entry":
//   abrplay-cache 1\n  key K\n  status S\n  response_time US\n  initial_age S\n  lifetime S\n
//   no_cache 0|1\n  body_size N\n  body_fnv1a HEX\n  (h NAME: VALUE\n)*  \n  <N body bytes>
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

#include "abrplay/core/expected.h"
#include "abrplay/net/cache.h"

namespace abrplay::net {

class DiskTier {
 public:
  // Creates the directory if needed, checks it can be written (a probe file), and indexes the
  // entries already there. The error names the directory and the reason.
  static Expected<std::unique_ptr<DiskTier>, std::string> open(const std::string& dir, std::uint64_t budget);

  struct Read {
    std::shared_ptr<const CacheEntry> entry;  // null: not there (or corrupted)
    std::optional<std::string> corrupted;     // what was wrong, when the file was bad (now deleted)
  };
  Read read(const std::string& key);
  // Writes (replaces) the entry, then evicts the least recently used files over the budget;
  // `evicted` counts them. Returns the error, naming the file and the reason (nothing is left
  // behind), or nullopt.
  std::optional<std::string> write(const CacheEntry& entry, std::uint64_t& evicted);
  void erase(const std::string& key);
  std::uint64_t used() const { return used_; }

 private:
  struct Item {
    std::uint64_t size = 0;  // the whole file
    std::filesystem::file_time_type last_access;
  };
  DiskTier(std::filesystem::path dir, std::uint64_t budget) : dir_(std::move(dir)), budget_(budget) {}
  std::filesystem::path path_of(const std::string& key) const;
  void remove_file(const std::string& name);

  std::filesystem::path dir_;
  std::uint64_t budget_;
  std::unordered_map<std::string, Item> items_;  // by file name
  std::uint64_t used_ = 0;
};

}  // namespace abrplay::net
