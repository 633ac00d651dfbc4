// net/src/cache/disk_tier.cpp: entries as files, checked by hash on read (disk_tier.h).
#include "disk_tier.h"

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

namespace abrplay::net {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kMagic = "abrplay-cache 1";
constexpr std::string_view kSuffix = ".entry";
// A header longer than this is not one of ours (keys are URLs, headers a handful of lines).
constexpr std::size_t kMaxHeaderBytes = 64 * 1024;

std::string hex64(std::uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

bool has_line_break(std::string_view s) { return s.find_first_of("\r\n") != std::string_view::npos; }

template <typename T>
bool parse_number(std::string_view s, T& out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

std::string reason() { return errno != 0 ? std::strerror(errno) : "I/O error"; }

}  // namespace

Expected<std::unique_ptr<DiskTier>, std::string> DiskTier::open(const std::string& dir, std::uint64_t budget) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec || !fs::is_directory(dir, ec)) {
    return Unexpected{"cache directory " + dir + ": cannot be created (" + (ec ? ec.message() : "not a directory") +
                      ")"};
  }
  const fs::path probe = fs::path(dir) / ".probe";
  {
    errno = 0;
    std::ofstream out(probe, std::ios::binary | std::ios::trunc);
    out << "ok";
    out.flush();
    if (!out) {
      fs::remove(probe, ec);
      return Unexpected{"cache directory " + dir + ": not writable (" + reason() + ")"};
    }
  }
  fs::remove(probe, ec);
  std::unique_ptr<DiskTier> tier(new DiskTier(dir, budget));
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const fs::path& p = it->path();
    const std::string name = p.filename().string();
    if (p.extension() == ".tmp") {  // a write that never finished
      fs::remove(p, ec);
      continue;
    }
    if (p.extension() != kSuffix || !it->is_regular_file(ec)) continue;
    Item item;
    item.size = it->file_size(ec);
    item.last_access = it->last_write_time(ec);
    tier->used_ += item.size;
    tier->items_[name] = item;
  }
  return tier;
}

fs::path DiskTier::path_of(const std::string& key) const {
  return dir_ / (hex64(fnv1a64(key.data(), key.size())) + std::string(kSuffix));
}

void DiskTier::remove_file(const std::string& name) {
  std::error_code ec;
  fs::remove(dir_ / name, ec);
  if (auto it = items_.find(name); it != items_.end()) {
    used_ -= it->second.size;
    items_.erase(it);
  }
}

void DiskTier::erase(const std::string& key) { remove_file(path_of(key).filename().string()); }

DiskTier::Read DiskTier::read(const std::string& key) {
  const fs::path path = path_of(key);
  const std::string name = path.filename().string();
  auto item = items_.find(name);
  if (item == items_.end()) return {};
  auto corrupted = [&](const std::string& what) {
    remove_file(name);
    return Read{nullptr, "cache entry " + path.string() + " (" + key + "): " + what + "; deleted"};
  };
  std::ifstream in(path, std::ios::binary);
  if (!in) return corrupted("cannot be opened");
  auto entry = std::make_shared<CacheEntry>();
  std::string line;
  std::size_t header_bytes = 0;
  std::uint64_t body_size = 0, body_hash = 0;
  bool magic = false, have_size = false, have_hash = false;
  while (std::getline(in, line)) {
    header_bytes += line.size() + 1;
    if (header_bytes > kMaxHeaderBytes) return corrupted("header too long");
    if (!magic) {
      if (line != kMagic) return corrupted("not a cache entry (bad first line)");
      magic = true;
      continue;
    }
    if (line.empty()) break;
    const auto sp = line.find(' ');
    const std::string_view field = std::string_view(line).substr(0, sp);
    const std::string_view value = sp == std::string::npos ? std::string_view() : std::string_view(line).substr(sp + 1);
    std::int64_t n = 0;
    bool ok = true;
    if (field == "key") {
      entry->key = std::string(value);
    } else if (field == "status") {
      ok = parse_number(value, entry->status);
    } else if (field == "response_time") {
      ok = parse_number(value, n);
      entry->response_time = WallTime(std::chrono::microseconds(n));
    } else if (field == "initial_age") {
      ok = parse_number(value, n);
      entry->initial_age = std::chrono::seconds(n);
    } else if (field == "lifetime") {
      ok = parse_number(value, n);
      entry->lifetime = std::chrono::seconds(n);
    } else if (field == "no_cache") {
      entry->no_cache = value == "1";
    } else if (field == "body_size") {
      ok = have_size = parse_number(value, body_size);
    } else if (field == "body_fnv1a") {
      auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), body_hash, 16);
      ok = have_hash = ec == std::errc() && p == value.data() + value.size();
    } else if (field == "h") {
      const auto colon = value.find(": ");
      if (colon == std::string_view::npos) return corrupted("bad header line");
      entry->headers.emplace_back(std::string(value.substr(0, colon)), std::string(value.substr(colon + 2)));
    }
    if (!ok) return corrupted("bad field '" + std::string(field) + "'");
  }
  if (!magic || !have_size || !have_hash) return corrupted("incomplete header");
  if (entry->key != key) return {};  // another key with the same hash: a miss, not damage
  if (body_size > item->second.size) return corrupted("body size beyond the file");
  auto body = std::make_shared<std::vector<std::uint8_t>>(static_cast<std::size_t>(body_size));
  in.read(reinterpret_cast<char*>(body->data()), static_cast<std::streamsize>(body_size));
  if (static_cast<std::uint64_t>(in.gcount()) != body_size) return corrupted("body truncated");
  if (in.peek() != std::char_traits<char>::eof()) return corrupted("bytes after the body");
  const std::uint64_t actual = fnv1a64(body->data(), body->size());
  if (actual != body_hash) {
    return corrupted("body hash " + hex64(actual) + " does not match the stored " + hex64(body_hash));
  }
  entry->body = std::move(body);
  std::error_code ec;
  item->second.last_access = fs::file_time_type::clock::now();
  fs::last_write_time(path, item->second.last_access, ec);  // the LRU order across restarts
  return Read{std::move(entry), std::nullopt};
}

std::optional<std::string> DiskTier::write(const CacheEntry& entry, std::uint64_t& evicted) {
  if (!entry.body || has_line_break(entry.key)) return std::nullopt;  // not storable as a file; not an error
  const fs::path path = path_of(entry.key);
  const std::string name = path.filename().string();
  std::ostringstream head;
  head << kMagic << "\nkey " << entry.key << "\nstatus " << entry.status << "\nresponse_time "
       << entry.response_time.time_since_epoch().count() << "\ninitial_age " << entry.initial_age.count()
       << "\nlifetime " << entry.lifetime.count() << "\nno_cache " << (entry.no_cache ? 1 : 0) << "\nbody_size "
       << entry.body->size() << "\nbody_fnv1a " << hex64(fnv1a64(entry.body->data(), entry.body->size())) << "\n";
  for (const auto& [k, v] : entry.headers) {
    if (!has_line_break(k) && !has_line_break(v)) head << "h " << k << ": " << v << "\n";
  }
  head << "\n";
  const std::string header = head.str();
  const std::uint64_t size = header.size() + entry.body->size();
  if (size > budget_) return std::nullopt;
  remove_file(name);
  while (used_ + size > budget_ && !items_.empty()) {
    auto oldest = items_.begin();
    for (auto it = items_.begin(); it != items_.end(); ++it) {
      if (it->second.last_access < oldest->second.last_access) oldest = it;
    }
    remove_file(std::string(oldest->first));
    ++evicted;
  }
  const fs::path tmp = dir_ / (name + ".tmp");
  std::error_code ec;
  {
    errno = 0;
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out.write(header.data(), static_cast<std::streamsize>(header.size()));
    out.write(reinterpret_cast<const char*>(entry.body->data()), static_cast<std::streamsize>(entry.body->size()));
    out.flush();
    if (!out) {
      const std::string why = reason();
      out.close();
      fs::remove(tmp, ec);
      return "cache entry " + tmp.string() + ": write failed (" + why + ")";
    }
  }
  fs::rename(tmp, path, ec);
  if (ec) {
    std::error_code ignored;
    fs::remove(tmp, ignored);
    return "cache entry " + path.string() + ": rename failed (" + ec.message() + ")";
  }
  items_[name] = Item{size, fs::file_time_type::clock::now()};
  used_ += size;
  return std::nullopt;
}

}  // namespace abrplay::net
