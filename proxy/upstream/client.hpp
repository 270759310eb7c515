#pragma once
// Connections to providers for one shard: connecting (DNS, TCP, TLS with SNI and peer/hostname
// verification) under the configured timeouts, and a keep-alive pool per origin. Lives on its
// shard's thread; not thread-safe.
#include <memory>
#include <string>
#include <unordered_map>
#include <variant>
#include <vector>

#include "core/config.hpp"
#include "proxy/upstream/origin.hpp"
#include "proxy/upstream/stream.hpp"
#include "proxy/watchdog.hpp"

namespace aibridge::proxy {

struct UpstreamConnection {
  UpstreamConnection(UpstreamStream stream_in, std::string key_in)
      : stream(std::move(stream_in)), key(std::move(key_in)) {}
  UpstreamStream stream;
  beast::flat_buffer buffer;
  std::string key;  // Origin::key()
  Watchdog::Clock::time_point idle_since{};
  bool reused = false;  // came from the pool (a failure before any response byte may be retried)
};

enum class ConnectFailure { kResolve, kConnect, kTls, kTimeout };

struct ConnectError {
  ConnectFailure kind;
  std::string message;
};

std::string_view connect_failure_name(ConnectFailure failure);

class UpstreamClient {
 public:
  using Result = std::variant<std::unique_ptr<UpstreamConnection>, ConnectError>;
  static constexpr std::size_t kMaxIdlePerOrigin = 256;
  static constexpr std::chrono::seconds kIdleLifetime{30};
  // A connection idle for less than this is taken without probing it (a system call): no
  // provider closes keep-alive connections that fast, and if one did, the request is retried.
  static constexpr std::chrono::seconds kTrustedIdle{1};

  UpstreamClient(net::io_context& io, ssl::context& tls, const core::Timeouts& timeouts)
      : io_(io), tls_(tls), timeouts_(timeouts) {}

  /// An idle pooled connection to `origin` if one is still open (unless `fresh`), else a new one.
  net::awaitable<Result> acquire(const Origin& origin, Watchdog& watchdog, bool fresh);
  /// Returns a connection whose last response was complete and keep-alive.
  void release(std::unique_ptr<UpstreamConnection> connection);
  /// Closes connections idle longer than kIdleLifetime, periodically, until the loop stops.
  net::awaitable<void> sweep_idle();

 private:
  net::awaitable<Result> connect(const Origin& origin, Watchdog& watchdog);

  net::io_context& io_;
  ssl::context& tls_;
  const core::Timeouts& timeouts_;
  std::unordered_map<std::string, std::vector<std::unique_ptr<UpstreamConnection>>> idle_;
};

}  // namespace aibridge::proxy
