#include "proxy/client_watch.hpp"

#include <sys/socket.h>

namespace aibridge::proxy {

ClientWatch::ClientWatch(tcp::socket& client, beast::flat_buffer& buffer, std::size_t max_buffered)
    : state_(std::make_shared<State>(client, buffer, max_buffered)) {}

ClientWatch::~ClientWatch() {
  stop();
}

void ClientWatch::reset() {
  state_->gone = false;
  state_->upstream = nullptr;
}

void ClientWatch::start() {
  if (!state_->waiting) {
    arm(state_);
  }
}

void ClientWatch::cancel_on_disconnect(tcp::socket* upstream) {
  state_->upstream = upstream;
  if (state_->gone && upstream != nullptr) {
    error_code ignored;
    upstream->cancel(ignored);
  }
}

void ClientWatch::stop() {
  ++state_->generation;
  state_->upstream = nullptr;
  if (state_->waiting) {
    state_->waiting = false;
    error_code ignored;
    state_->client.cancel(ignored);  // no other operation is pending on the client socket now
  }
}

void ClientWatch::arm(const std::shared_ptr<State>& state) {
  state->waiting = true;
  state->client.async_wait(tcp::socket::wait_read,
                           [state, generation = state->generation](const error_code& error) {
                             if (state->generation == generation) {
                               on_readable(state, error);
                             }
                           });
}

void ClientWatch::on_readable(const std::shared_ptr<State>& watched, const error_code& error) {
  State& state = *watched;
  state.waiting = false;
  if (error) {
    return;  // cancelled (timeout, shutdown): the session finds out on its own
  }
  constexpr std::size_t kReadSize = 4096;
  for (;;) {
    if (state.buffer.size() >= state.max_buffered) {
      return;  // enough pipelined bytes kept; stop watching rather than buffer without bound
    }
    const auto space = state.buffer.prepare(kReadSize);
    const ssize_t got =
        ::recv(state.client.native_handle(), space.data(), space.size(), MSG_DONTWAIT);
    if (got > 0) {
      state.buffer.commit(static_cast<std::size_t>(got));
      continue;
    }
    if (got < 0 && errno == EINTR) {
      continue;
    }
    if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      break;
    }
    state.gone = true;  // EOF or reset: nobody is waiting for this response any more
    if (state.upstream != nullptr) {
      error_code ignored;
      state.upstream->cancel(ignored);
    }
    return;
  }
  arm(watched);  // still connected (or only pipelining): keep watching
}

}  // namespace aibridge::proxy
