#pragma once
// Notices at once when a client goes away while its response is being produced: a read kept
// pending on the client socket completes with EOF or an error, and the provider connection is
// cancelled (SPEC §4.3). Bytes a pipelining client sends meanwhile are kept for the next request.
#include <memory>

#include "core/net.hpp"

namespace aibridge::proxy {

class ClientWatch {
 public:
  /// Starts watching; `buffer` receives pipelined bytes (up to `max_buffered`).
  ClientWatch(tcp::socket& client, beast::flat_buffer& buffer, std::size_t max_buffered);
  ~ClientWatch();
  ClientWatch(const ClientWatch&) = delete;
  ClientWatch& operator=(const ClientWatch&) = delete;

  /// The provider connection to cancel when the client goes away (nullptr: none yet).
  void cancel_on_disconnect(tcp::socket* upstream);
  bool client_gone() const { return state_->gone; }
  /// Stops watching and waits until the pending read has finished, so the session may read
  /// the client socket again. No write may be pending on the client socket.
  net::awaitable<void> stop();

 private:
  struct State {
    State(tcp::socket& client_in, beast::flat_buffer& buffer_in, std::size_t max_in)
        : client(client_in),
          buffer(buffer_in),
          max_buffered(max_in),
          finished(client_in.get_executor()) {}
    tcp::socket& client;
    beast::flat_buffer& buffer;
    std::size_t max_buffered;
    tcp::socket* upstream = nullptr;
    bool gone = false;
    bool stopping = false;
    bool abandoned = false;
    bool done = false;
    net::steady_timer finished;  // cancelled when the watching coroutine ends
  };
  static net::awaitable<void> watch(std::shared_ptr<State> state);

  std::shared_ptr<State> state_;
};

}  // namespace aibridge::proxy
