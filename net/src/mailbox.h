// net/src/mailbox.h: commands from any thread to the net thread, which it wakes with
// curl_multi_wakeup (private to net/).
#pragma once

#include <curl/curl.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "transfer.h"

namespace abrplay::net::detail {

struct Command {
  enum class Kind { kSubmit, kCancel, kResume };
  Kind kind = Kind::kSubmit;
  RequestId id = 0;
  std::unique_ptr<Transfer> transfer;  // kSubmit
};

class Mailbox {
 public:
  explicit Mailbox(CURLM* multi) : multi_(multi) {}

  // Queues a command and wakes the net thread. False (command dropped) once closed.
  bool push(Command&& command) {  // leaves `command` intact when closed
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return false;
    commands_.push_back(std::move(command));
    curl_multi_wakeup(multi_);
    return true;
  }

  std::vector<Command> take() {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<Command> out;
    out.swap(commands_);
    return out;
  }

  // After this, push() drops commands and never touches the multi handle, which may then be freed.
  // Returns what was still queued so that its submits can be completed as cancelled.
  std::vector<Command> close() {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
    std::vector<Command> out;
    out.swap(commands_);
    return out;
  }

  bool closed() const {
    std::lock_guard<std::mutex> lock(mu_);
    return closed_;
  }

 private:
  mutable std::mutex mu_;
  CURLM* multi_;                   // not owned; valid until close()
  std::vector<Command> commands_;  // guarded by mu_
  bool closed_ = false;            // guarded by mu_
};

}  // namespace abrplay::net::detail
