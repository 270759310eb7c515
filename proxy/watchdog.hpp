#pragma once
// Per-connection timeouts without a timer per connection: arm() only stores a deadline and the
// thing to cancel; one ticker per shard wakes every kTick and cancels whatever has expired.
// Timeouts therefore fire up to one tick late, and arming costs no system call.
#include <chrono>

#include <boost/intrusive/list.hpp>

#include "core/net.hpp"

namespace aibridge::proxy {

/// What an expired deadline does to its target.
enum class OnExpiry {
  // Cancel and shut the socket down: the connection is over. cancel() alone reaches only an
  // operation the reactor holds; a composed one (async_write of several buffers, a TLS or
  // Beast read) caught between two steps would start its next step unguarded, and with the
  // deadline spent, wait for ever. After the shutdown that step fails at once.
  kCut,
  // Cancel only, for a caller that still answers on the socket (a 408) and checks expired()
  // before each operation it starts.
  kCancel,
};

inline void cancel_io(tcp::socket& socket) {
  error_code ignored;
  socket.cancel(ignored);
}
inline void cut_io(tcp::socket& socket) {
  error_code ignored;
  socket.cancel(ignored);
  socket.shutdown(tcp::socket::shutdown_both, ignored);
}
// A timer stands for work done elsewhere (a name lookup): cancelling it wakes the waiter.
inline void cancel_io(net::steady_timer& timer) {
  timer.cancel();
}
inline void cut_io(net::steady_timer& timer) {
  timer.cancel();
}

class WatchdogTicker;

/// Lives on its shard's thread (not thread-safe), registered with the shard's ticker for its
/// lifetime (it leaves the ticker's list by itself when destroyed).
class Watchdog : public boost::intrusive::list_base_hook<
                     boost::intrusive::link_mode<boost::intrusive::auto_unlink>> {
 public:
  using Clock = std::chrono::steady_clock;

  explicit Watchdog(WatchdogTicker& ticker);
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;

  /// From now on, cut `target` (or only cancel its pending operations, see OnExpiry) if
  /// `timeout` passes before the next arm() or disarm(). `target` must outlive the arming.
  template <class Target>
  void arm(Clock::duration timeout, Target& target, OnExpiry on_expiry = OnExpiry::kCut) {
    arm_until(Clock::now() + timeout, target, on_expiry);
  }
  template <class Target>
  void arm_until(Clock::time_point deadline, Target& target, OnExpiry on_expiry = OnExpiry::kCut) {
    deadline_ = deadline;
    target_ = &target;
    cuts_ = on_expiry == OnExpiry::kCut;
    if (cuts_) {
      on_expiry_ = [](void* pointer) { cut_io(*static_cast<Target*>(pointer)); };
    } else {
      on_expiry_ = [](void* pointer) { cancel_io(*static_cast<Target*>(pointer)); };
    }
    expired_ = false;
  }
  void disarm() { target_ = nullptr; }
  /// Shutdown: does to the armed target what expiry would, without calling it a timeout
  /// (nothing else holds a connect or handshake under way), and stays interrupted.
  void interrupt() {
    interrupted_ = true;
    if (target_ != nullptr) {
      on_expiry_(target_);
    }
  }
  bool interrupted() const { return interrupted_; }
  /// Whether the last socket expiry cut was `target` (a later arm() does not forget it).
  bool cut(const void* target) const { return last_cut_ == target; }
  /// True when the watchdog fired since the last arm().
  bool expired() const { return expired_; }

  /// Calls `action(target)` on a tick after `delay`, unless cancel_deferred() comes first: work
  /// that only a slow operation needs costs a fast one nothing. One deferred action at a time.
  void defer(Clock::duration delay, void (*action)(void*), void* target) {
    deferred_at_ = Clock::now() + delay;
    deferred_action_ = action;
    deferred_target_ = target;
  }
  void cancel_deferred() { deferred_action_ = nullptr; }

 private:
  friend class WatchdogTicker;
  using Canceller = void (*)(void*);
  void check(Clock::time_point now);

  Clock::time_point deadline_{};
  void* target_ = nullptr;  // nullptr: disarmed
  Canceller on_expiry_ = nullptr;  // what expiry does to the target: a cut, or a cancel
  bool cuts_ = false;              // on_expiry_ is a cut
  bool expired_ = false;
  bool interrupted_ = false;
  const void* last_cut_ = nullptr;  // the target of the last cut, for as long as it matters
  Clock::time_point deferred_at_{};
  void (*deferred_action_)(void*) = nullptr;  // nullptr: nothing deferred
  void* deferred_target_ = nullptr;
};

/// Checks every watchdog of a shard each tick. One per shard, on its thread.
class WatchdogTicker {
 public:
  static constexpr std::chrono::milliseconds kTick{50};

  explicit WatchdogTicker(net::io_context& io) : timer_(io) {}
  /// Ticks until the shard's event loop stops.
  net::awaitable<void> run();

 private:
  friend class Watchdog;

  net::steady_timer timer_;
  boost::intrusive::list<Watchdog, boost::intrusive::constant_time_size<false>> watchdogs_;
};

}  // namespace aibridge::proxy
