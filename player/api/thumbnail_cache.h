// player/api/thumbnail_cache.h: the decoded thumbnail grid images most recently used, bounded by the
// bytes of their pixels (least recently used first out). Player thread only (Player::Impl).
#pragma once

#include <cstddef>
#include <list>
#include <map>
#include <optional>
#include <string>
#include <utility>

#include "abrplay/player/media/frame.h"

namespace abrplay::player_impl {

class ThumbnailCache {
 public:
  // 32 MiB: about ninety 640x360 grids, or two of the largest image decode_image() accepts.
  static constexpr std::size_t kDefaultBytes = 32u << 20;
  explicit ThumbnailCache(std::size_t max_bytes = kDefaultBytes) : max_bytes_(max_bytes) {}

  // The I420 bytes of `image` (what the cache counts).
  static std::size_t bytes_of(const media::VideoFrame& image) {
    const auto w = static_cast<std::size_t>(image.width), h = static_cast<std::size_t>(image.height);
    return w * h + 2 * ((w + 1) / 2) * ((h + 1) / 2);
  }

  std::optional<media::VideoFrame> find(const std::string& key) {
    auto it = index_.find(key);
    if (it == index_.end()) return std::nullopt;
    order_.splice(order_.begin(), order_, it->second);  // most recent first
    return it->second->second;
  }

  // An image larger than the whole cache is not kept (the caller still has it).
  void put(const std::string& key, const media::VideoFrame& image) {
    const std::size_t size = bytes_of(image);
    if (auto it = index_.find(key); it != index_.end()) erase(it);
    if (size > max_bytes_) return;
    while (!order_.empty() && bytes_ + size > max_bytes_) erase(index_.find(order_.back().first));
    order_.emplace_front(key, image);
    index_[key] = order_.begin();
    bytes_ += size;
  }

  void clear() {
    order_.clear();
    index_.clear();
    bytes_ = 0;
  }
  std::size_t bytes() const { return bytes_; }
  std::size_t size() const { return order_.size(); }

 private:
  using Entry = std::pair<std::string, media::VideoFrame>;
  void erase(std::map<std::string, std::list<Entry>::iterator>::iterator it) {
    bytes_ -= bytes_of(it->second->second);
    order_.erase(it->second);
    index_.erase(it);
  }

  std::size_t max_bytes_;
  std::size_t bytes_ = 0;
  std::list<Entry> order_;
  std::map<std::string, std::list<Entry>::iterator> index_;
};

}  // namespace abrplay::player_impl
