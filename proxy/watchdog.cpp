#include "proxy/watchdog.hpp"

namespace aibridge::proxy {

Watchdog::Watchdog(const net::any_io_executor& executor)
    : state_(std::make_shared<State>(executor)) {
  state_->timer.expires_at(Clock::time_point::max());
  net::co_spawn(executor, sleep(state_), net::detached);
}

Watchdog::~Watchdog() {
  state_->stopped = true;
  state_->target = nullptr;
  state_->timer.cancel();
}

void Watchdog::set(Clock::time_point deadline, void* target, Canceller cancel) {
  State& state = *state_;
  state.deadline = deadline;
  state.target = target;
  state.cancel = cancel;
  state.expired = false;
  if (state.deadline < state.timer.expiry()) {
    state.timer.expires_at(state.deadline);  // wakes the sleeper, which re-reads the deadline
  }
}

void Watchdog::disarm() {
  state_->deadline = Clock::time_point::max();
  state_->target = nullptr;
}

bool Watchdog::expired() const {
  return state_->expired;
}

net::awaitable<void> Watchdog::sleep(std::shared_ptr<State> state) {
  while (!state->stopped) {
    state->timer.expires_at(state->deadline);
    co_await state->timer.async_wait(net::as_tuple(net::use_awaitable));
    if (state->stopped) {
      break;
    }
    if (Clock::now() >= state->deadline && state->target != nullptr) {
      state->expired = true;
      state->cancel(state->target);
      state->deadline = Clock::time_point::max();
      state->target = nullptr;
    }
  }
}

}  // namespace aibridge::proxy
