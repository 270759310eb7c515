#pragma once
// Per-connection timeouts without a timer syscall per I/O operation: arm() only stores a
// deadline; one sleeping coroutine per connection wakes when the earliest deadline may have
// passed and cancels the socket the connection is waiting on.
#include <chrono>
#include <memory>

#include "core/net.hpp"

namespace aibridge::proxy {

class Watchdog {
 public:
  using Clock = std::chrono::steady_clock;

  explicit Watchdog(const net::any_io_executor& executor);
  ~Watchdog();
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;

  /// From now on, cancel `socket`'s pending operations if `timeout` passes before the next
  /// arm() or disarm().
  void arm(Clock::duration timeout, tcp::socket& socket);
  void disarm();
  /// True when the watchdog fired since the last arm().
  bool expired() const;

 private:
  // Shared with the sleeping coroutine, which may outlive the Watchdog by one wake-up.
  struct State {
    explicit State(const net::any_io_executor& executor) : timer(executor) {}
    net::steady_timer timer;
    Clock::time_point deadline = Clock::time_point::max();
    tcp::socket* target = nullptr;
    bool expired = false;
    bool stopped = false;
  };
  static net::awaitable<void> sleep(std::shared_ptr<State> state);

  std::shared_ptr<State> state_;
};

}  // namespace aibridge::proxy
