// net/src/chunk_pool.h: recycled buffers for streamed bodies (private to net/).
//
// The net thread gathers a streamed body into a buffer and posts it to the consumer's executor;
// once on_chunk has returned, the chunk task gives the buffer back here for the next one. Without
// this every piece is fresh memory: the allocator hands freed 256 KiB blocks back to the kernel
// and the next piece faults its pages in and zeroes them again, which cost a third of the
// throughput of one large body over loopback (abrplay-fetch-bench; docs/net.md).
//
// Any thread: take() on the net thread, give() on consumers' threads, under one mutex held for a
// swap of three pointers.
#pragma once

#include <cstddef>
#include <mutex>
#include <utility>
#include <vector>

#include "abrplay/net/request.h"

namespace abrplay::net::detail {

class ChunkPool {
 public:
  // Keeps at most `keep` idle buffers; each is made with `chunk_bytes` of capacity.
  ChunkPool(std::size_t chunk_bytes, std::size_t keep) : chunk_bytes_(chunk_bytes), keep_(keep) {}

  // An empty buffer with room for one chunk: a recycled one if any is idle.
  BodyChunk take() {
    BodyChunk out;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!idle_.empty()) {
        out = std::move(idle_.back());
        idle_.pop_back();
      }
    }
    out.reserve(chunk_bytes_);
    return out;
  }

  // Returns a consumed buffer. Dropped (freed) when `keep` are idle already, or when it has grown
  // past a chunk (a piece flushed at a pause may be larger).
  void give(BodyChunk&& chunk) {
    if (chunk.capacity() > 2 * chunk_bytes_) return;
    chunk.clear();
    std::lock_guard<std::mutex> lock(mu_);
    if (idle_.size() < keep_) idle_.push_back(std::move(chunk));
  }

 private:
  const std::size_t chunk_bytes_;
  const std::size_t keep_;
  std::mutex mu_;
  std::vector<BodyChunk> idle_;  // guarded by mu_
};

}  // namespace abrplay::net::detail
