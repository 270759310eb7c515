#include "proxy/upstream/client.hpp"

#include "proxy/upstream/lookup.hpp"

#include <algorithm>

#include <sys/socket.h>

namespace aibridge::proxy {
namespace {

constexpr auto kTuple = net::as_tuple(net::use_awaitable);

// An idle keep-alive connection must have nothing to read: EOF or stray bytes mean the
// provider closed it (or it is in an unknown state), so it cannot carry a new request.
bool still_open(tcp::socket& socket) {
  char byte = 0;
  const ssize_t got = ::recv(socket.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  return got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

}  // namespace

std::string_view connect_failure_name(ConnectFailure failure) {
  switch (failure) {
    case ConnectFailure::kResolve:
      return "resolve";
    case ConnectFailure::kConnect:
      return "connect";
    case ConnectFailure::kTls:
      return "tls";
    case ConnectFailure::kTimeout:
      return "timeout";
  }
  return "connect";
}

net::awaitable<UpstreamClient::Result> UpstreamClient::acquire(const Origin& origin,
                                                               Watchdog& watchdog, bool fresh) {
  if (!fresh) {
    auto found = idle_.find(origin.key());
    if (found != idle_.end()) {
      auto& pool = found->second;
      const auto recent = Watchdog::Clock::now() - kTrustedIdle;
      while (!pool.empty()) {
        std::unique_ptr<UpstreamConnection> connection = std::move(pool.back());
        pool.pop_back();
        if (connection->idle_since > recent || still_open(connection->stream.socket())) {
          connection->reused = true;
          co_return connection;
        }
      }
    }
  }
  co_return co_await connect(origin, watchdog);
}

void UpstreamClient::release(std::unique_ptr<UpstreamConnection> connection) {
  auto& pool = idle_[connection->key];
  if (pool.size() >= kMaxIdlePerOrigin) {
    return;  // closed by the destructor
  }
  connection->idle_since = Watchdog::Clock::now();
  connection->buffer.clear();
  pool.push_back(std::move(connection));
}

net::awaitable<void> UpstreamClient::sweep_idle() {
  net::steady_timer timer(io_);
  for (;;) {
    timer.expires_after(kIdleLifetime / 3);
    auto [error] = co_await timer.async_wait(kTuple);
    if (error) {
      co_return;
    }
    const auto cutoff = Watchdog::Clock::now() - kIdleLifetime;
    for (auto& [key, pool] : idle_) {
      std::erase_if(pool,
                    [cutoff](const auto& connection) { return connection->idle_since < cutoff; });
    }
  }
}

net::awaitable<UpstreamClient::Result> UpstreamClient::connect(const Origin& origin,
                                                               Watchdog& watchdog) {
  auto [resolve_error, endpoints] =
      co_await lookup(watchdog, timeouts_.upstream_connect, origin.host, origin.port);
  if (resolve_error) {
    co_return ConnectError{watchdog.expired() ? ConnectFailure::kTimeout : ConnectFailure::kResolve,
                           "cannot resolve " + origin.host + ": " + resolve_error.message()};
  }

  // One address after another, by hand: net::async_connect over the range would go on to the
  // next address after a cancel (the watchdog's, or shutdown's interrupt) as after a refusal.
  tcp::socket socket(io_);
  watchdog.arm(timeouts_.upstream_connect, socket);
  error_code connect_error = net::error::host_not_found;
  for (const tcp::endpoint& endpoint : endpoints) {
    if (watchdog.interrupted()) {
      connect_error = net::error::operation_aborted;  // shutdown came during the lookup
      break;
    }
    error_code ignored;
    socket.close(ignored);
    socket.open(endpoint.protocol(), connect_error);
    if (!connect_error) {
      auto [error] = co_await socket.async_connect(endpoint, kTuple);
      connect_error = error;
    }
    if (watchdog.expired() || watchdog.interrupted()) {
      connect_error = net::error::operation_aborted;  // even when it connected just then
    }
    if (!connect_error || connect_error == net::error::operation_aborted) {
      break;
    }
  }
  if (connect_error) {
    const bool timed_out = watchdog.expired();
    watchdog.disarm();
    co_return ConnectError{timed_out ? ConnectFailure::kTimeout : ConnectFailure::kConnect,
                           "cannot connect to " + origin.host_header + ": " +
                               (timed_out ? std::string("timed out") : connect_error.message())};
  }
  error_code ignored;
  socket.set_option(tcp::no_delay(true), ignored);

  if (!origin.tls) {
    watchdog.disarm();
    co_return std::make_unique<UpstreamConnection>(UpstreamStream(std::move(socket)), origin.key());
  }
  auto connection =
      std::make_unique<UpstreamConnection>(UpstreamStream(std::move(socket), tls_), origin.key());
  UpstreamStream::TlsStream& tls = *connection->stream.tls();
  if (!origin.host_is_ip) {
    // SNI (the SSL_set_tlsext_host_name macro, without its C cast).
    SSL_ctrl(tls.native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
             const_cast<char*>(origin.host.c_str()));
  }
  tls.set_verify_mode(ssl::verify_peer);
  tls.set_verify_callback(ssl::host_name_verification(origin.host));
  watchdog.arm(timeouts_.upstream_tls, connection->stream.socket());
  auto [handshake_error] = co_await tls.async_handshake(ssl::stream_base::client, kTuple);
  const bool timed_out = watchdog.expired();
  watchdog.disarm();
  if (!handshake_error && (timed_out || watchdog.interrupted())) {
    handshake_error = net::error::operation_aborted;  // done just as the socket was cut
  }
  if (handshake_error) {
    co_return ConnectError{timed_out ? ConnectFailure::kTimeout : ConnectFailure::kTls,
                           "TLS handshake with " + origin.host_header + " failed: " +
                               (timed_out ? std::string("timed out") : handshake_error.message())};
  }
  co_return connection;
}

}  // namespace aibridge::proxy
