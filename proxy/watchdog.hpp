#pragma once
// Per-connection timeouts without a timer syscall per I/O operation: arm() only stores a
// deadline; one sleeping coroutine per connection wakes when the earliest deadline may have
// passed and cancels whatever the connection is waiting on.
#include <chrono>
#include <memory>

#include "core/net.hpp"

namespace aibridge::proxy {

inline void cancel_io(tcp::socket& socket) {
  error_code ignored;
  socket.cancel(ignored);
}
inline void cancel_io(tcp::resolver& resolver) {
  resolver.cancel();
}

class Watchdog {
 public:
  using Clock = std::chrono::steady_clock;

  explicit Watchdog(const net::any_io_executor& executor);
  ~Watchdog();
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;

  /// From now on, cancel `target`'s pending operations (cancel_io) if `timeout` passes before
  /// the next arm() or disarm(). `target` must outlive the arming.
  template <class Target>
  void arm(Clock::duration timeout, Target& target) {
    arm_until(Clock::now() + timeout, target);
  }
  template <class Target>
  void arm_until(Clock::time_point deadline, Target& target) {
    set(deadline, &target, [](void* pointer) { cancel_io(*static_cast<Target*>(pointer)); });
  }
  void disarm();
  /// True when the watchdog fired since the last arm().
  bool expired() const;

 private:
  using Canceller = void (*)(void*);
  void set(Clock::time_point deadline, void* target, Canceller cancel);

  // Shared with the sleeping coroutine, which may outlive the Watchdog by one wake-up.
  struct State {
    explicit State(const net::any_io_executor& executor) : timer(executor) {}
    net::steady_timer timer;
    Clock::time_point deadline = Clock::time_point::max();
    void* target = nullptr;
    Canceller cancel = nullptr;
    bool expired = false;
    bool stopped = false;
  };
  static net::awaitable<void> sleep(std::shared_ptr<State> state);

  std::shared_ptr<State> state_;
};

}  // namespace aibridge::proxy
