#pragma once
// Notices at once when a client goes away while its response is being produced: a readiness
// wait kept pending on the client socket sees EOF or an error, and the provider connection is
// cancelled (SPEC §4.3). Bytes a pipelining client sends meanwhile are kept for the next request.
//
// One per connection, reused by every exchange: starting and stopping costs no allocation, and
// waiting for readiness (rather than a pending read) lets stop() return at once, since no read
// can be in flight when the session reads the socket again.
#include <memory>

#include "core/net.hpp"
#include "proxy/watchdog.hpp"

namespace aibridge::proxy {

class ClientWatch {
 public:
  /// Pipelined bytes go to `buffer`, up to `max_buffered`.
  ClientWatch(tcp::socket& client, beast::flat_buffer& buffer, std::size_t max_buffered);
  ~ClientWatch();
  ClientWatch(const ClientWatch&) = delete;
  ClientWatch& operator=(const ClientWatch&) = delete;

  /// Forgets the previous exchange (gone, the provider connection).
  void reset();
  /// Starts watching (again): a wait for readability pending on the client socket.
  void start();
  /// The provider connection to cancel when the client goes away (nullptr: none yet).
  void cancel_on_disconnect(tcp::socket* upstream);
  bool client_gone() const { return state_->gone; }
  /// Stops watching. No other operation may be pending on the client socket.
  void stop();

 private:
  struct State {
    State(tcp::socket& client_in, beast::flat_buffer& buffer_in, std::size_t max_in)
        : client(client_in), buffer(buffer_in), max_buffered(max_in) {}
    tcp::socket& client;
    beast::flat_buffer& buffer;
    std::size_t max_buffered;
    tcp::socket* upstream = nullptr;
    std::uint64_t generation = 0;  // bumped by stop(): completions of older waits are stale
    bool waiting = false;          // a wait of the current generation is queued
    bool gone = false;
  };
  static void arm(const std::shared_ptr<State>& state);
  static void on_readable(const std::shared_ptr<State>& watched, const error_code& error);

  // Shared with the pending wait's handler, which may run after the session has ended.
  std::shared_ptr<State> state_;
};

/// Watches the client for the lifetime of one exchange: from the start (`at_once`), or from the
/// first watchdog tick on, so that an exchange that ends sooner costs no system call for it
/// (arming the watch registers the socket with the event loop anew).
class ClientWatchScope {
 public:
  ClientWatchScope(ClientWatch& watch, Watchdog& watchdog, bool at_once)
      : watch_(watch), watchdog_(watchdog) {
    watch_.reset();
    if (at_once) {
      watch_.start();
    } else {
      watchdog_.defer(Watchdog::Clock::duration::zero(), &ClientWatchScope::start, &watch_);
    }
  }
  ~ClientWatchScope() {
    watchdog_.cancel_deferred();
    watch_.stop();
  }
  ClientWatchScope(const ClientWatchScope&) = delete;
  ClientWatchScope& operator=(const ClientWatchScope&) = delete;

 private:
  static void start(void* watch) { static_cast<ClientWatch*>(watch)->start(); }

  ClientWatch& watch_;
  Watchdog& watchdog_;
};

}  // namespace aibridge::proxy
