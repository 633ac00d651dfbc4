// abrplay/player/engine/liveness.h: how a task posted to the event loop knows its owner still exists.
//
// The engine's components post tasks and completions that capture `this` (a timer, a transfer's
// callback). The owner may be destroyed before they run; each such task holds a Watch taken when it
// was posted and returns at once if the owner has gone. (Cancelling every task in the destructor
// would do too, but transfers complete on the net thread's schedule, so a watch is the simpler rule.)
// Threading: the owner and its tasks live on one thread, the event loop's.
#pragma once

#include <memory>

namespace abrplay::engine {

class Liveness {
 public:
  class Watch {
   public:
    // True once the owner of the Liveness it was taken from is destroyed.
    bool expired() const { return token_.expired(); }

   private:
    friend class Liveness;
    explicit Watch(std::weak_ptr<const int> token) : token_(std::move(token)) {}
    std::weak_ptr<const int> token_;
  };

  Watch watch() const { return Watch(token_); }

 private:
  std::shared_ptr<const int> token_ = std::make_shared<const int>(0);
};

}  // namespace abrplay::engine
