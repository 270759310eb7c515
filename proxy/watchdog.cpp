#include "proxy/watchdog.hpp"

namespace aibridge::proxy {

Watchdog::Watchdog(WatchdogTicker& ticker) : ticker_(ticker) {
  ticker_.add(*this);
}

Watchdog::~Watchdog() {
  ticker_.remove(*this);
}

void Watchdog::check(Clock::time_point now) {
  if (target_ != nullptr && now >= deadline_) {
    expired_ = true;
    void* target = target_;
    target_ = nullptr;
    cancel_(target);
  }
}

void WatchdogTicker::add(Watchdog& watchdog) {
  watchdog.next_ = head_;
  if (head_ != nullptr) {
    head_->previous_ = &watchdog;
  }
  head_ = &watchdog;
}

void WatchdogTicker::remove(Watchdog& watchdog) {
  if (cursor_ == &watchdog) {
    cursor_ = watchdog.next_;
  }
  if (watchdog.previous_ != nullptr) {
    watchdog.previous_->next_ = watchdog.next_;
  } else {
    head_ = watchdog.next_;
  }
  if (watchdog.next_ != nullptr) {
    watchdog.next_->previous_ = watchdog.previous_;
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
    // Cancelling only queues completions, so no watchdog is destroyed during the walk; the
    // cursor keeps the walk safe anyway.
    for (cursor_ = head_; cursor_ != nullptr;) {
      Watchdog* current = cursor_;
      cursor_ = current->next_;
      current->check(now);
    }
  }
}

}  // namespace aibridge::proxy
