#include "proxy/client_watch.hpp"

namespace aibridge::proxy {

ClientWatch::ClientWatch(tcp::socket& client, beast::flat_buffer& buffer, std::size_t max_buffered)
    : state_(std::make_shared<State>(client, buffer, max_buffered)) {
  state_->finished.expires_at(net::steady_timer::time_point::max());
  net::co_spawn(client.get_executor(), watch(state_), net::detached);
}

ClientWatch::~ClientWatch() {
  // Normally stop() ran; if the exchange ended by an exception, stop reading anyway.
  if (!state_->done) {
    state_->abandoned = true;  // the socket and buffer may be gone when the read completes
    error_code ignored;
    state_->client.cancel(ignored);
  }
}

void ClientWatch::cancel_on_disconnect(tcp::socket* upstream) {
  state_->upstream = upstream;
  if (state_->gone && upstream != nullptr) {
    error_code ignored;
    upstream->cancel(ignored);
  }
}

net::awaitable<void> ClientWatch::stop() {
  std::shared_ptr<State> state = state_;
  state->stopping = true;
  state->upstream = nullptr;
  if (!state->done) {
    error_code ignored;
    state->client.cancel(ignored);
    co_await state->finished.async_wait(net::as_tuple(net::use_awaitable));
  }
}

net::awaitable<void> ClientWatch::watch(std::shared_ptr<State> state) {
  constexpr std::size_t kReadSize = 4096;
  while (!state->stopping && state->buffer.size() < state->max_buffered) {
    auto [error, read] = co_await state->client.async_read_some(state->buffer.prepare(kReadSize),
                                                                net::as_tuple(net::use_awaitable));
    if (state->abandoned) {
      co_return;
    }
    state->buffer.commit(read);
    if (error == net::error::operation_aborted || state->stopping) {
      break;  // stopped, or the session cancelled the socket (timeout, shutdown)
    }
    if (error) {
      state->gone = true;  // EOF or reset: nobody is waiting for this response any more
      if (state->upstream != nullptr) {
        error_code ignored;
        state->upstream->cancel(ignored);
      }
      break;
    }
  }
  state->done = true;
  state->finished.cancel();
}

}  // namespace aibridge::proxy
