#include "proxy/forward.hpp"

#include <array>

#include <spdlog/spdlog.h>

#include "proxy/client_watch.hpp"
#include "proxy/errors.hpp"
#include "proxy/headers.hpp"

namespace aibridge::proxy {
namespace {

constexpr auto kTuple = net::as_tuple(net::use_awaitable);
constexpr std::size_t kRelayBufferSize = 16 * 1024;
constexpr std::uint32_t kUpstreamHeaderLimit = 256 * 1024;

using Clock = Watchdog::Clock;
using UpstreamParser = http::response_parser<http::buffer_body>;

// A reused keep-alive connection the provider had already closed fails like this before any
// response byte; the request was not processed, so it is sent again on a new connection.
bool stale_connection_error(const error_code& error) {
  return error == http::error::end_of_stream || error == net::error::eof ||
         error == net::error::connection_reset || error == net::error::broken_pipe;
}

// Tracks whether the bytes relayed so far end between two SSE events, so an error event
// appended after a failure is not glued to a half-sent one.
class EventBoundary {
 public:
  void feed(std::string_view bytes) {
    for (char c : bytes.size() > tail_.size() ? bytes.substr(bytes.size() - tail_.size()) : bytes) {
      std::copy(tail_.begin() + 1, tail_.end(), tail_.begin());
      tail_.back() = c;
      ++seen_;
    }
  }
  bool at_boundary() const {
    if (seen_ == 0) {
      return true;
    }
    const std::string_view tail(tail_.data(), tail_.size());
    return tail.ends_with("\n\n") || tail.ends_with("\r\r") || tail.ends_with("\r\n\r\n");
  }

 private:
  std::array<char, 4> tail_{};
  std::size_t seen_ = 0;
};

class Exchange {
 public:
  Exchange(Session& session, const ForwardRequest& request, ExchangeLog& log)
      : session_(session),
        request_(request),
        log_(log),
        timeouts_(session.config().timeouts),
        metrics_(session.shard().deps.metrics),
        watch_(session.client_watch()),
        watching_(watch_) {}

  net::awaitable<ForwardResult> run();

 private:
  net::awaitable<void> fail(ForwardEnding ending, std::string_view kind, std::string message);
  net::awaitable<void> relay(UpstreamConnection& connection, UpstreamParser& parser);
  net::awaitable<bool> write_piece(http::response_serializer<http::buffer_body>& serializer,
                                   http::response<http::buffer_body>& response,
                                   std::string_view piece, bool last);
  void arm_upstream(tcp::socket& socket) {
    if (request_.streaming) {
      session_.watchdog().arm(timeouts_.stream_idle, socket);
    } else {
      session_.watchdog().arm_until(blocking_deadline_, socket);
    }
  }
  void count_upstream_error(std::string_view kind) {
    metrics_.upstream_errors_total
        .Add({{"provider", std::string(provider_name(request_.provider))},
              {"kind", std::string(kind)}})
        .Increment();
  }

  Session& session_;
  const ForwardRequest& request_;
  ExchangeLog& log_;
  const core::Timeouts& timeouts_;
  core::Metrics& metrics_;
  ClientWatch& watch_;
  ClientWatchScope watching_;
  Clock::time_point blocking_deadline_;
  ForwardResult result_;
};

net::awaitable<ForwardResult> Exchange::run() {
  UpstreamClient& upstream = session_.shard().upstream;
  Watchdog& watchdog = session_.watchdog();
  blocking_deadline_ = Clock::now() + timeouts_.blocking_response;
  if (request_.dump != nullptr) {
    request_.dump->request(request_.request);
  }
  bool fresh = false;
  for (;;) {
    UpstreamClient::Result acquired = co_await upstream.acquire(request_.origin, watchdog, fresh);
    if (auto* error = std::get_if<ConnectError>(&acquired)) {
      const bool timeout = error->kind == ConnectFailure::kTimeout;
      co_await fail(timeout ? ForwardEnding::kUpstreamTimeout : ForwardEnding::kUpstreamFailed,
                    connect_failure_name(error->kind), error->message);
      break;
    }
    std::unique_ptr<UpstreamConnection> connection =
        std::move(std::get<std::unique_ptr<UpstreamConnection>>(acquired));
    tcp::socket& socket = connection->stream.socket();
    session_.set_upstream(&socket);
    watch_.cancel_on_disconnect(&socket);

    arm_upstream(socket);
    auto [write_error, written] =
        co_await http::async_write(connection->stream, request_.request, kTuple);
    UpstreamParser parser;
    parser.body_limit(boost::none);  // streams are unbounded; the idle timeout guards them
    parser.header_limit(kUpstreamHeaderLimit);
    error_code error = write_error;
    if (!error) {
      arm_upstream(socket);
      auto [read_error, read] =
          co_await http::async_read_header(connection->stream, connection->buffer, parser, kTuple);
      error = read_error;
    }
    if (error) {
      const bool timed_out = watchdog.expired();
      watchdog.disarm();
      session_.set_upstream(nullptr);
      watch_.cancel_on_disconnect(nullptr);
      if (watch_.client_gone() || session_.aborted()) {
        result_.ending = ForwardEnding::kClientGone;
        result_.error = "client went away before the response";
        log_.close_connection = true;
        break;
      }
      if (connection->reused && !timed_out && !parser.got_some() && stale_connection_error(error)) {
        fresh = true;
        continue;
      }
      if (timed_out) {
        co_await fail(ForwardEnding::kUpstreamTimeout, "timeout",
                      "the provider did not answer in time");
      } else {
        co_await fail(ForwardEnding::kUpstreamFailed, "protocol",
                      "the provider connection failed: " + error.message());
      }
      break;
    }
    co_await relay(*connection, parser);
    watchdog.disarm();
    session_.set_upstream(nullptr);
    watch_.cancel_on_disconnect(nullptr);
    if (result_.ending == ForwardEnding::kCompleted && parser.is_done() && parser.keep_alive()) {
      connection->reused = false;
      upstream.release(std::move(connection));
    }
    break;
  }
  co_return result_;
}

net::awaitable<void> Exchange::fail(ForwardEnding ending, std::string_view kind,
                                    std::string message) {
  count_upstream_error(kind);
  if (request_.dump != nullptr) {
    request_.dump->failed(message);
  }
  result_.ending = ending;
  result_.error = message;
  const ErrorKind error_kind = ending == ForwardEnding::kUpstreamTimeout
                                   ? ErrorKind::kUpstreamTimeout
                                   : ErrorKind::kUpstreamFailed;
  spdlog::warn("upstream {} failed ({}): {}", provider_name(request_.provider), kind, message);
  co_await session_.write_json(
      error_status(error_kind), provider_error_body(request_.provider, error_kind, message),
      request_.client_keep_alive && !session_.shard().draining, log_, request_.interception_id);
}

net::awaitable<void> Exchange::relay(UpstreamConnection& connection, UpstreamParser& parser) {
  auto& upstream_head = parser.get();
  result_.upstream_status = upstream_head.result_int();
  const std::string_view content_type = upstream_head[http::field::content_type];
  const bool event_stream = content_type.starts_with("text/event-stream");
  if (request_.observer != nullptr) {
    request_.observer->on_response_head(result_.upstream_status, content_type);
  }
  if (request_.dump != nullptr) {
    request_.dump->response_head(upstream_head);
  }

  http::response<http::buffer_body> response;
  response.version(11);
  response.result(upstream_head.result_int());  // also codes Beast has no name for (529)
  response.reason(upstream_head.reason());
  copy_response_headers(upstream_head, response.base());
  if (!request_.interception_id.empty()) {
    response.set(kInterceptionIdHeader, request_.interception_id);
  }
  if (upstream_head.has_content_length()) {
    response.content_length(parser.content_length().value_or(0));
  } else if (!parser.is_done()) {
    response.chunked(true);
  }
  const bool keep_alive = request_.client_keep_alive && !session_.shard().draining;
  response.keep_alive(keep_alive);
  response.body().data = nullptr;
  response.body().more = !parser.is_done();
  http::response_serializer<http::buffer_body> serializer{response};

  tcp::socket& client = session_.client();
  Watchdog& watchdog = session_.watchdog();
  tcp::socket& upstream = connection.stream.socket();
  log_.status = result_.upstream_status;
  if (event_stream) {
    // An event stream's head goes out at once: the first event may be a long way off. Any other
    // head waits for the body, so that a small response leaves in a single write.
    watchdog.arm(timeouts_.stream_idle, client);
    auto [head_error, head_bytes] = co_await http::async_write_header(client, serializer, kTuple);
    if (head_error) {
      result_.ending = ForwardEnding::kClientGone;
      result_.error = "writing to the client failed: " + head_error.message();
      log_.close_connection = true;
      co_return;
    }
  }

  std::array<char, kRelayBufferSize> piece;  // lives in the coroutine frame, reused per read
  EventBoundary boundary;
  error_code upstream_error;
  while (!parser.is_done()) {
    upstream_head.body().data = piece.data();
    upstream_head.body().size = piece.size();
    arm_upstream(upstream);
    auto [read_error, read] =
        co_await http::async_read_some(connection.stream, connection.buffer, parser, kTuple);
    const std::size_t got = piece.size() - upstream_head.body().size;
    if (read_error && read_error != http::error::need_buffer) {
      upstream_error = read_error;
      break;
    }
    if (got == 0) {
      continue;
    }
    const std::string_view bytes(piece.data(), got);
    if (!co_await write_piece(serializer, response, bytes, /*last=*/parser.is_done())) {
      co_return;
    }
    boundary.feed(bytes);
    log_.bytes += got;
    if (request_.observer != nullptr) {
      request_.observer->on_response_body(bytes);
    }
    if (request_.dump != nullptr) {
      request_.dump->response_body(bytes);
    }
  }

  if (upstream_error) {
    const bool timed_out = watchdog.expired();
    watchdog.disarm();
    if (watch_.client_gone() || session_.aborted()) {
      result_.ending = ForwardEnding::kClientGone;
      result_.error = "client went away during the response";
      log_.close_connection = true;
      co_return;
    }
    result_.ending = timed_out ? ForwardEnding::kUpstreamTimeout : ForwardEnding::kUpstreamFailed;
    result_.error = timed_out ? "the provider stream went idle"
                              : "the provider connection broke: " + upstream_error.message();
    count_upstream_error(timed_out ? "timeout" : "reset");
    spdlog::warn("upstream {} failed mid-response: {}", provider_name(request_.provider),
                 result_.error);
    if (!event_stream || !response.chunked()) {
      log_.close_connection = true;  // an unterminated body tells the client it is incomplete
      if (!event_stream) {
        // The head was held back for the body: send what there is, so the client sees the
        // provider's status rather than a silent close.
        co_await write_piece(serializer, response, {}, /*last=*/false);
      }
      co_return;
    }
    // End the stream the way the provider does, then terminate it cleanly.
    std::string event = boundary.at_boundary() ? "" : "\n\n";
    event += provider_stream_error(request_.provider, result_.error);
    if (!co_await write_piece(serializer, response, event, /*last=*/false)) {
      co_return;
    }
    log_.bytes += event.size();
  }

  if (!serializer.is_done()) {
    co_await write_piece(serializer, response, {}, /*last=*/true);  // the head, or the last chunk
  }
  watchdog.disarm();
}

net::awaitable<bool> Exchange::write_piece(http::response_serializer<http::buffer_body>& serializer,
                                           http::response<http::buffer_body>& response,
                                           std::string_view piece, bool last) {
  response.body().data = const_cast<char*>(piece.data());  // NOLINT: Beast's body is mutable-typed
  response.body().size = piece.size();
  response.body().more = !last;
  session_.watchdog().arm(timeouts_.stream_idle, session_.client());
  auto [error, written] = co_await http::async_write(session_.client(), serializer, kTuple);
  if (!error || error == http::error::need_buffer) {
    co_return true;
  }
  result_.ending = ForwardEnding::kClientGone;
  result_.error = session_.watchdog().expired()
                      ? "the client stopped reading"
                      : "writing to the client failed: " + error.message();
  log_.close_connection = true;
  co_return false;
}

}  // namespace

net::awaitable<ForwardResult> forward(Session& session, const ForwardRequest& request,
                                      ExchangeLog& log) {
  Exchange exchange(session, request, log);
  co_return co_await exchange.run();
}

}  // namespace aibridge::proxy
