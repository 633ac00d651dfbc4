#include "paced_body.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <vector>

namespace abrplay::origin {

namespace {

using SteadyClock = std::chrono::steady_clock;

// How late a paced sender may wake and still continue from its previous deadline: covers scheduler
// delays on a loaded machine; a longer gap means the sender really was idle.
constexpr auto kMaxCatchUp = std::chrono::milliseconds(100);

// Resets (TCP RST) the connection with these ends. cpp-httplib does not hand the socket to handlers, so this finds it among the process's descriptors by its two endpoints: a test-bench
// trick, cheap enough for an injected fault. Returns false when no such socket is found.
bool reset_connection(const ConnectionEnds& ends) {
  const long max_fd = std::min<long>(sysconf(_SC_OPEN_MAX), 65536);
  for (int fd = 0; fd < max_fd; ++fd) {
    sockaddr_in local{}, peer{};
    socklen_t len = sizeof local;
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&local), &len) != 0 || local.sin_family != AF_INET) continue;
    if (ntohs(local.sin_port) != ends.local_port) continue;
    len = sizeof peer;
    if (getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &len) != 0) continue;
    char addr[INET_ADDRSTRLEN] = {};
    inet_ntop(AF_INET, &peer.sin_addr, addr, sizeof addr);
    if (ntohs(peer.sin_port) != ends.remote_port || ends.remote_addr != addr) continue;
    // connect(AF_UNSPEC) disconnects a TCP socket; Linux answers an established connection's
    // disconnect with a RST at once (tcp_disconnect). The descriptor stays httplib's to close.
    sockaddr unspec{};
    unspec.sa_family = AF_UNSPEC;
    return connect(fd, &unspec, sizeof unspec) == 0;
  }
  return false;
}

}  // namespace

httplib::ContentProvider paced_body(std::shared_ptr<Body> body, std::shared_ptr<BodyProgress> progress,
                                    SharedLink& link, StopSignal& stop, ConnectionEnds ends) {
  return [body, t = std::move(progress), &link, &stop, ends](std::size_t offset, std::size_t length,
                                                             httplib::DataSink& sink) {
    if (!t->started) {
      t->started = true;
      t->window_len = length;
    }
    std::size_t n = std::min(length, link.chunk_bytes(SteadyClock::now()));
    if (t->fault && (t->fault->kind == FaultKind::kReset || t->fault->kind == FaultKind::kTruncate ||
                     t->fault->kind == FaultKind::kStall)) {
      // Where the fault acts: at_fraction of this response, and always before its last byte.
      const auto cut = std::min<std::uint64_t>(static_cast<std::uint64_t>(t->fault->at_fraction *
                                                                          static_cast<double>(t->window_len)),
                                               t->window_len > 0 ? t->window_len - 1 : 0);
      if (t->sent < cut) {
        n = std::min<std::size_t>(n, static_cast<std::size_t>(cut - t->sent));
      } else if (t->fault->kind == FaultKind::kTruncate) {
        return false;  // httplib closes the connection: a clean FIN before Content-Length
      } else if (t->fault->kind == FaultKind::kReset) {
        reset_connection(ends);
        return false;
      } else if (!t->stalled) {
        t->stalled = true;
        t->paced = false;  // the stall idles the link: no catching up afterwards
        if (!stop.wait_for(t->fault->delay)) return false;
      }
    }
    std::vector<char> buf(n);
    const std::size_t got = body->read(offset, n, buf.data());
    if (got == 0) return false;
    if (t->fault && t->fault->kind == FaultKind::kCorrupt) {
      // Invert `corrupt_bytes` bytes spread evenly over the response.
      const std::size_t count = std::max<std::size_t>(1, t->fault->corrupt_bytes);
      const std::size_t step = std::max<std::size_t>(1, t->window_len / count);
      const std::uint64_t from = t->sent, to = std::min<std::uint64_t>(t->sent + got, step / 2 + count * step);
      for (std::uint64_t pos = step / 2; pos < to; pos += step) {
        if (pos < from) continue;
        char& byte = buf[static_cast<std::size_t>(pos - from)];
        byte = static_cast<char>(~byte);
      }
    }
    // A sender that woke late continues from its previous deadline (up to kMaxCatchUp late).
    const auto now = SteadyClock::now();
    const auto ready = t->paced && now - t->last_deadline < kMaxCatchUp ? t->last_deadline : now;
    t->last_deadline = link.reserve(got, ready);
    t->paced = true;
    if (!stop.wait_until(t->last_deadline)) return false;
    if (!sink.write(buf.data(), got)) return false;
    t->sent += got;
    return true;
  };
}

}  // namespace abrplay::origin
