#pragma once
// One client connection: reads requests (keep-alive, pipelining), routes each one and writes
// its response. Runs as one coroutine on its shard's thread.
#include <chrono>
#include <memory>
#include <span>
#include <string>

#include "core/access_log.hpp"
#include "core/net.hpp"
#include "proxy/admin_service.hpp"
#include "proxy/client_watch.hpp"
#include "proxy/routing.hpp"
#include "proxy/shard.hpp"
#include "proxy/watchdog.hpp"

namespace aibridge::proxy {

/// What the access log says about one exchange; handlers fill it in (fixed-size: no
/// allocation per request).
struct ExchangeLog {
  core::FixedText<16> method;
  core::FixedText<192> path;  // the client's path, without the query (it may carry a token)
  unsigned status = 0;
  std::uint64_t bytes = 0;  // response body bytes sent
  core::FixedText<40> interception_id;
  core::FixedText<72> user;
  bool close_connection = false;  // the handler left the connection unusable
};

class Session {
 public:
  /// The longest a bridged request waits for the recorder before it goes ahead anyway.
  static constexpr std::chrono::seconds kMaxHoldBack{2};

  Session(Shard& shard, tcp::socket socket);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  net::awaitable<void> run();

  /// The listener is closing: close now if waiting for a request, else after the current
  /// response.
  void close_if_idle();
  /// The grace period is over, or a second signal came: cancel whatever the connection is doing.
  void abort();

  Shard& shard() { return shard_; }
  const core::Config& config() const { return shard_.deps.config; }
  tcp::socket& client() { return socket_; }
  beast::flat_buffer& buffer() { return buffer_; }
  Watchdog& watchdog() { return watchdog_; }
  ClientWatch& client_watch() { return client_watch_; }
  bool aborted() const { return aborted_; }
  /// The provider connection the current exchange waits on (cancelled by abort()), or nullptr.
  void set_upstream(tcp::socket* upstream) { upstream_ = upstream; }
  /// The buffer a response body is relayed through, allocated once per connection.
  std::span<char> relay_buffer();

  /// Writes a complete response to the client, bounded by the stream idle timeout.
  net::awaitable<bool> write(StringResponse& response, ExchangeLog& log);
  /// JSON response with the given status and body.
  net::awaitable<bool> write_json(unsigned status, std::string body, bool keep_alive,
                                  ExchangeLog& log, std::string_view interception_id = {});

 private:
  enum class State { kIdle, kBusy };
  /// Moves between waiting for a request and serving one, keeping the shard's count.
  void become(State state);

  /// Waits for the first byte of the next request; false when the connection is done.
  net::awaitable<bool> await_request();
  net::awaitable<bool> read_request(http::request_parser<http::string_body>& parser,
                                    ExchangeLog& log);
  net::awaitable<void> refuse_request(http::request_parser<http::string_body>& parser,
                                      const error_code& error, bool timed_out, ExchangeLog& log);
  net::awaitable<void> dispatch(const Route& route, StringRequest& request, ExchangeLog& log);
  /// Waits (at most kMaxHoldBack) for the recorder's signal that it has room again: a bridged
  /// request would add to a backlog that is about to overflow.
  net::awaitable<void> wait_for_recorder_room();
  net::awaitable<void> serve_admin(StringRequest& request, ExchangeLog& log);
  void log_access(const ExchangeLog& log, std::chrono::steady_clock::time_point started) const;

  Shard& shard_;
  tcp::socket socket_;
  beast::flat_buffer buffer_;  // bytes read from the client and not yet parsed
  std::unique_ptr<char[]> relay_buffer_;
  Watchdog watchdog_;
  ClientWatch client_watch_;  // after socket_ and buffer_, which it uses
  tcp::socket* upstream_ = nullptr;
  net::steady_timer* holding_ = nullptr;  // the wait for recorder room in progress, if any
  State state_ = State::kBusy;
  bool aborted_ = false;
};

}  // namespace aibridge::proxy
