#include "proxy/watchdog.hpp"

namespace aibridge::proxy {

Watchdog::Watchdog(WatchdogTicker& ticker) {
  ticker.watchdogs_.push_back(*this);
}

void Watchdog::check(Clock::time_point now) {
  if (target_ != nullptr && now >= deadline_) {
    expired_ = true;
    void* target = target_;
    target_ = nullptr;
    if (cuts_) {
      last_cut_ = target;
    }
    on_expiry_(target);
  }
  if (deferred_action_ != nullptr && now >= deferred_at_) {
    const auto action = deferred_action_;
    deferred_action_ = nullptr;
    action(deferred_target_);
  }
}

net::awaitable<void> WatchdogTicker::run() {
  for (;;) {
    timer_.expires_after(kTick);
    auto [error] = co_await timer_.async_wait(net::as_tuple(net::use_awaitable));
    if (error) {
      co_return;
    }
    const auto now = Watchdog::Clock::now();
    // Cancelling only queues completions, and deferred actions do not create or destroy
    // watchdogs: the list does not change during the walk.
    for (Watchdog& watchdog : watchdogs_) {
      watchdog.check(now);
    }
  }
}

}  // namespace aibridge::proxy
