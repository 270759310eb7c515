#include "proxy/upstream/lookup.hpp"

#include <charconv>
#include <memory>
#include <mutex>
#include <thread>

namespace aibridge::proxy {
namespace {

// What a lookup's thread and its awaiting coroutine share. No I/O object in here: the last
// owner may be the thread, after the shard's event loop is gone.
struct PendingLookup {
  explicit PendingLookup(net::any_io_executor on) : executor(std::move(on)) {}

  const net::any_io_executor executor;
  std::mutex mutex;                   // guards what follows
  net::steady_timer* wake = nullptr;  // the coroutine's, cancelled (on its thread) to wake it
  bool abandoned = false;             // nobody waits, and the executor may be gone: post nothing
  bool finished = false;
  LookupResult result;
};

// Marks the lookup abandoned when the coroutine leaves, however it leaves (a shard shutting down
// destroys suspended coroutines).
struct AbandonOnExit {
  PendingLookup& pending;
  ~AbandonOnExit() {
    const std::lock_guard lock(pending.mutex);
    pending.abandoned = true;
    pending.wake = nullptr;
  }
};

std::optional<tcp::endpoint> numeric_endpoint(const std::string& host, const std::string& port) {
  error_code error;
  const net::ip::address address = net::ip::make_address(host, error);
  unsigned short number = 0;
  const auto [end, parse_error] = std::from_chars(port.data(), port.data() + port.size(), number);
  if (error || parse_error != std::errc() || end != port.data() + port.size()) {
    return std::nullopt;
  }
  return tcp::endpoint(address, number);
}

}  // namespace

LookupResult resolve_with_getaddrinfo(const std::string& host, const std::string& port) {
  net::io_context io;
  tcp::resolver resolver(io);
  LookupResult result;
  const auto found = resolver.resolve(host, port, result.error);
  for (const auto& entry : found) {
    result.endpoints.push_back(entry.endpoint());
  }
  return result;
}

net::awaitable<LookupResult> lookup(Watchdog& watchdog, Watchdog::Clock::duration timeout,
                                    const std::string& host, const std::string& port,
                                    BlockingResolve resolve) {
  if (const auto endpoint = numeric_endpoint(host, port)) {
    co_return LookupResult{{}, {*endpoint}};
  }
  if (watchdog.interrupted()) {
    co_return LookupResult{net::error::operation_aborted, {}};  // shutdown came first
  }
  net::steady_timer wake(co_await net::this_coro::executor, net::steady_timer::time_point::max());
  auto pending = std::make_shared<PendingLookup>(wake.get_executor());
  pending->wake = &wake;
  const AbandonOnExit abandon_on_exit{*pending};
  std::thread([pending, resolve = std::move(resolve), host, port] {
    LookupResult result = resolve(host, port);
    const std::lock_guard lock(pending->mutex);
    if (pending->abandoned) {
      return;
    }
    pending->result = std::move(result);
    pending->finished = true;
    net::post(pending->executor, [pending] {
      const std::lock_guard guard(pending->mutex);
      if (pending->wake != nullptr) {
        pending->wake->cancel();
      }
    });
  }).detach();

  watchdog.arm(timeout, wake);
  co_await wake.async_wait(net::as_tuple(net::use_awaitable));
  watchdog.disarm();
  LookupResult result{net::error::operation_aborted, {}};  // unless it finished first
  {
    const std::lock_guard lock(pending->mutex);
    if (pending->finished) {
      result = std::move(pending->result);
    }
  }
  co_return result;
}

}  // namespace aibridge::proxy
