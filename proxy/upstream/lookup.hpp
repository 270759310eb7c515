#pragma once
// Host name lookups that a deadline or shutdown can abandon. getaddrinfo cannot be interrupted,
// and Asio's resolver completes a cancelled lookup only when getaddrinfo returns (and joins its
// thread at exit), so a provider whose DNS hangs would hold requests past their connect timeout
// and the process past a second signal. A name is looked up on a thread of its own; the
// awaiting coroutine wakes at its result or at the watchdog, whichever comes first, and an
// abandoned lookup finishes unobserved. Numeric addresses need no lookup at all.
#include <functional>
#include <string>
#include <vector>

#include "core/net.hpp"
#include "proxy/watchdog.hpp"

namespace aibridge::proxy {

struct LookupResult {
  error_code error;
  std::vector<tcp::endpoint> endpoints;
};

/// Blocking name resolution, run off the network threads.
using BlockingResolve = std::function<LookupResult(const std::string& host, const std::string& port)>;

/// getaddrinfo, every address of `host` for TCP.
LookupResult resolve_with_getaddrinfo(const std::string& host, const std::string& port);

/// Resolves `host`:`port`; `watchdog` is armed for `timeout` meanwhile. An expired or
/// interrupted watchdog ends the wait with operation_aborted (expired() tells which).
net::awaitable<LookupResult> lookup(Watchdog& watchdog, Watchdog::Clock::duration timeout,
                                    const std::string& host, const std::string& port,
                                    BlockingResolve resolve = resolve_with_getaddrinfo);

}  // namespace aibridge::proxy
