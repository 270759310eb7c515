#include "proxy/forward.hpp"

#include <array>

#include <spdlog/spdlog.h>

#include "proxy/client_watch.hpp"
#include "proxy/errors.hpp"
#include "proxy/headers.hpp"
#include "proxy/http_io.hpp"

namespace aibridge::proxy {
namespace {

constexpr auto kTuple = net::as_tuple(net::use_awaitable);
constexpr std::uint32_t kUpstreamHeaderLimit = 256 * 1024;
constexpr std::size_t kReadSize = 16 * 1024;

using Clock = Watchdog::Clock;
using UpstreamParser = http::response_parser<http::buffer_body>;

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

// The provider connection in use: shutdown (Session::abort) and a client disconnect
// (ClientWatch) cancel its operations for as long as this lives.
class UpstreamInUse {
 public:
  UpstreamInUse(Session& session, tcp::socket& upstream) : session_(session) {
    session_.set_upstream(&upstream);
    session_.client_watch().cancel_on_disconnect(&upstream);
  }
  ~UpstreamInUse() {
    session_.set_upstream(nullptr);
    session_.client_watch().cancel_on_disconnect(nullptr);
  }
  UpstreamInUse(const UpstreamInUse&) = delete;
  UpstreamInUse& operator=(const UpstreamInUse&) = delete;

 private:
  Session& session_;
};

class Exchange {
 public:
  Exchange(Session& session, const ForwardRequest& request, ExchangeLog& log)
      : session_(session),
        request_(request),
        log_(log),
        timeouts_(session.config().timeouts),
        metrics_(session.shard().metrics),
        // Streams are long: watch the client from the start. A blocking exchange is watched
        // only once it has taken a tick, so a quick one costs no system call for it.
        watching_(session.client_watch(), session.watchdog(), request.streaming) {}

  net::awaitable<ForwardResult> run();

 private:
  net::awaitable<void> answer_failure(const Verdict& verdict);
  net::awaitable<error_code> send_request(UpstreamConnection& connection);
  net::awaitable<error_code> read_head(UpstreamConnection& connection, UpstreamParser& parser);
  net::awaitable<void> relay(UpstreamConnection& connection, UpstreamParser& parser);
  /// Reads the next body bytes into `piece`; 0 bytes and no error once the body is complete.
  net::awaitable<error_code> read_body(UpstreamConnection& connection, UpstreamParser& parser,
                                       std::span<char> piece, std::size_t& got);
  /// Writes the held-back head (if any) and `body` (as a chunk when chunked) to the client.
  net::awaitable<bool> write_to_client(std::string_view body, bool last);
  UpstreamFailure failure(Phase phase, const error_code& error, bool reused, bool started) const;
  void arm_upstream(tcp::socket& socket) {
    if (request_.streaming) {
      session_.watchdog().arm(timeouts_.stream_idle, socket);
    } else {
      session_.watchdog().arm_until(blocking_deadline_, socket);
    }
  }
  void count_upstream_error(std::string_view kind) {
    metrics_.upstream_error(request_.provider, kind).Increment();
  }
  void tell_no_response(std::string_view error) {
    for (RelayObserver* observer : request_.observers) {
      observer->on_no_response(error);
    }
  }

  Session& session_;
  const ForwardRequest& request_;
  ExchangeLog& log_;
  const core::Timeouts& timeouts_;
  ShardMetrics& metrics_;
  ClientWatchScope watching_;
  Clock::time_point blocking_deadline_;
  ForwardResult result_;
  // The response to the client as it is being written.
  std::string head_;          // serialised head, until it has been written
  bool chunked_ = false;      // the client gets a chunked body
  bool head_written_ = false;
};

UpstreamFailure Exchange::failure(Phase phase, const error_code& error, bool reused,
                                  bool started) const {
  UpstreamFailure facts;
  facts.phase = phase;
  facts.error = error;
  facts.timed_out = session_.watchdog().expired();
  facts.client_gone = session_.client_watch().client_gone();
  facts.shutting_down = session_.aborted();
  facts.reused_connection = reused;
  facts.response_started = started;
  return facts;
}

net::awaitable<ForwardResult> Exchange::run() {
  UpstreamClient& upstream = session_.shard().upstream;
  Watchdog& watchdog = session_.watchdog();
  blocking_deadline_ = Clock::now() + timeouts_.blocking_response;
  bool fresh = false;
  for (;;) {
    if (session_.aborted()) {
      // Shutdown cancelled the session before it had a provider connection (during the token
      // lookup, a wait for the recorder, or the connect): none is made, or the one just made
      // goes unused.
      result_.ending = ForwardEnding::kShutdown;
      result_.error = shutdown_verdict().message;
      log_.close_connection = true;
      break;
    }
    UpstreamClient::Result acquired = co_await upstream.acquire(request_.origin, watchdog, fresh);
    if (session_.aborted()) {
      continue;  // aborted while connecting: ends at the top of the loop
    }
    if (auto* error = std::get_if<ConnectError>(&acquired)) {
      const bool timeout = error->kind == ConnectFailure::kTimeout;
      // Named, not a temporary: GCC 12 destroys temporaries in a co_await expression twice.
      const Verdict verdict{timeout ? ForwardEnding::kUpstreamTimeout
                                    : ForwardEnding::kUpstreamFailed,
                            false, connect_failure_name(error->kind), error->message};
      co_await answer_failure(verdict);
      break;
    }
    std::unique_ptr<UpstreamConnection> connection =
        std::move(std::get<std::unique_ptr<UpstreamConnection>>(acquired));
    UpstreamInUse in_use(session_, connection->stream.socket());
    UpstreamParser parser;
    error_code error = co_await send_request(*connection);
    const Phase phase = error ? Phase::kSendingRequest : Phase::kReadingHead;
    if (!error) {
      error = co_await read_head(*connection, parser);
    }
    if (error) {
      const Verdict verdict = classify_upstream_failure(
          failure(phase, error, connection->reused, parser.got_some()));
      watchdog.disarm();
      if (verdict.retry) {
        fresh = true;
        continue;
      }
      if (verdict.ending == ForwardEnding::kClientGone ||
          verdict.ending == ForwardEnding::kShutdown) {
        result_.ending = verdict.ending;
        result_.error = verdict.message;
        log_.close_connection = true;
        break;
      }
      co_await answer_failure(verdict);
      break;
    }
    co_await relay(*connection, parser);
    watchdog.disarm();
    if (result_.ending == ForwardEnding::kCompleted && parser.is_done() && parser.keep_alive() &&
        !watchdog.cut(&connection->stream.socket())) {  // a cut socket is shut down
      connection->reused = false;
      upstream.release(std::move(connection));
    }
    break;
  }
  co_return result_;
}

net::awaitable<error_code> Exchange::send_request(UpstreamConnection& connection) {
  const std::string head = serialize_request_head(request_.request.base());
  const std::array<net::const_buffer, 2> buffers{net::buffer(head),
                                                 net::buffer(request_.request.body())};
  arm_upstream(connection.stream.socket());
  co_return co_await write_all(connection.stream, buffers);
}

net::awaitable<error_code> Exchange::read_head(UpstreamConnection& connection,
                                               UpstreamParser& parser) {
  parser.body_limit(boost::none);  // streams are unbounded; the idle timeout guards them
  parser.header_limit(kUpstreamHeaderLimit);
  parser.eager(false);  // stop after the head: the body goes into the relay buffer
  for (;;) {
    if (connection.buffer.size() > 0) {
      error_code error;
      const std::size_t used = parser.put(connection.buffer.data(), error);
      connection.buffer.consume(used);
      if (parser.is_header_done()) {
        co_return error_code{};
      }
      if (error && error != http::error::need_more) {
        co_return error;
      }
    }
    arm_upstream(connection.stream.socket());
    auto [error, read] =
        co_await connection.stream.async_read_some(connection.buffer.prepare(kReadSize), kTuple);
    connection.buffer.commit(read);
    if (error) {
      co_return error;
    }
  }
}

net::awaitable<error_code> Exchange::read_body(UpstreamConnection& connection,
                                               UpstreamParser& parser, std::span<char> piece,
                                               std::size_t& got) {
  auto& body = parser.get().body();
  parser.eager(true);  // chunk headers and bodies in one go, as far as the bytes at hand reach
  got = 0;
  for (;;) {
    body.data = piece.data();
    body.size = piece.size();
    while (connection.buffer.size() > 0 && body.size > 0 && !parser.is_done()) {
      error_code error;
      const std::size_t used = parser.put(connection.buffer.data(), error);
      connection.buffer.consume(used);
      if (error == http::error::need_more || error == http::error::need_buffer) {
        break;
      }
      if (error) {
        co_return error;
      }
      if (used == 0) {
        break;
      }
    }
    got = piece.size() - body.size;
    if (got > 0 || parser.is_done()) {
      co_return error_code{};
    }
    arm_upstream(connection.stream.socket());
    auto [error, read] =
        co_await connection.stream.async_read_some(connection.buffer.prepare(kReadSize), kTuple);
    connection.buffer.commit(read);
    if (error == net::error::eof || error == http::error::end_of_stream) {
      error_code eof_error;
      parser.put_eof(eof_error);  // a body that ends at the close is complete now
      if (!eof_error && parser.is_done()) {
        co_return error_code{};
      }
      co_return error;
    }
    if (error) {
      co_return error;
    }
  }
}

net::awaitable<void> Exchange::answer_failure(const Verdict& verdict) {
  if (!verdict.metric_kind.empty()) {
    count_upstream_error(verdict.metric_kind);
  }
  tell_no_response(verdict.message);
  result_.ending = verdict.ending;
  result_.error = verdict.message;
  const ErrorKind error_kind = verdict.ending == ForwardEnding::kUpstreamTimeout
                                   ? ErrorKind::kUpstreamTimeout
                                   : ErrorKind::kUpstreamFailed;
  spdlog::warn("upstream {} failed ({}): {}", provider_name(request_.provider), verdict.metric_kind,
               verdict.message);
  co_await session_.write_json(
      error_status(error_kind), provider_error_body(request_.provider, error_kind, verdict.message),
      request_.client_keep_alive && !session_.shard().draining, log_, request_.interception_id);
}

net::awaitable<bool> Exchange::write_to_client(std::string_view body, bool last) {
  std::array<net::const_buffer, 5> buffers;
  std::size_t count = 0;
  if (!head_written_) {
    buffers[count++] = net::buffer(head_);
  }
  std::string chunk_start;
  if (chunked_ && !body.empty()) {
    chunk_start = chunk_header(body.size());
    buffers[count++] = net::buffer(chunk_start);
    buffers[count++] = net::buffer(body);
    buffers[count++] = net::buffer(kCrlf);
  } else if (!body.empty()) {
    buffers[count++] = net::buffer(body);
  }
  if (chunked_ && last) {
    buffers[count++] = net::buffer(kLastChunk);
  }
  // A client that stops reading is cut after the stream idle timeout.
  session_.watchdog().arm(timeouts_.stream_idle, session_.client());
  const error_code error =
      co_await write_all(session_.client(), std::span(buffers.data(), count));
  head_written_ = true;
  if (!error) {
    co_return true;
  }
  const Verdict verdict = classify_client_write_failure(error, session_.watchdog().expired(),
                                                       session_.aborted());
  result_.ending = verdict.ending;
  result_.error = verdict.message;
  log_.close_connection = true;
  co_return false;
}

net::awaitable<void> Exchange::relay(UpstreamConnection& connection, UpstreamParser& parser) {
  const http::response_header<>& upstream_head = parser.get().base();
  result_.upstream_status = upstream_head.result_int();
  const bool event_stream =
      upstream_head[http::field::content_type].starts_with("text/event-stream");
  for (RelayObserver* observer : request_.observers) {
    observer->on_response_head(upstream_head);
  }

  http::response_header<> head;
  head.version(11);
  head.result(upstream_head.result_int());  // also codes Beast has no name for (529)
  head.reason(upstream_head.reason());
  copy_response_headers(upstream_head, head);
  if (!request_.interception_id.empty()) {
    head.set(kInterceptionIdHeader, request_.interception_id);
  }
  if (parser.content_length()) {
    head.set(http::field::content_length, std::to_string(*parser.content_length()));
  } else if (!parser.is_done()) {
    head.set(http::field::transfer_encoding, "chunked");
    chunked_ = true;
  } else {
    head.set(http::field::content_length, "0");
  }
  if (!request_.client_keep_alive || session_.shard().draining) {
    head.set(http::field::connection, "close");  // HTTP/1.1 keeps the connection otherwise
  }
  serialize_response_head(head, head_);
  log_.status = result_.upstream_status;
  if (event_stream && !co_await write_to_client({}, false)) {
    // An event stream's head goes out at once: the first event may be a long way off. Any
    // other head waits for the body, so that a small response leaves in a single write.
    co_return;
  }

  std::span<char> piece = session_.relay_buffer();
  EventBoundary boundary;
  error_code upstream_error;
  while (!parser.is_done()) {
    std::size_t got = 0;
    upstream_error = co_await read_body(connection, parser, piece, got);
    if (upstream_error) {
      break;
    }
    if (got == 0 && !parser.is_done()) {
      continue;
    }
    const std::string_view bytes(piece.data(), got);
    const bool written = co_await write_to_client(bytes, parser.is_done());
    // The observers see what the provider sent, also when the client has just gone away.
    for (RelayObserver* observer : request_.observers) {
      observer->on_response_body(bytes);
    }
    if (!written) {
      co_return;
    }
    boundary.feed(bytes);
    log_.bytes += got;
  }
  result_.upstream_complete = parser.is_done();

  if (upstream_error) {
    const Verdict verdict = classify_upstream_failure(
        failure(Phase::kReadingBody, upstream_error, connection.reused, true));
    session_.watchdog().disarm();
    result_.ending = verdict.ending;
    result_.error = verdict.message;
    if (verdict.ending == ForwardEnding::kClientGone ||
        verdict.ending == ForwardEnding::kShutdown) {
      log_.close_connection = true;
      co_return;
    }
    count_upstream_error(verdict.metric_kind);
    spdlog::warn("upstream {} failed mid-response: {}", provider_name(request_.provider),
                 verdict.message);
    if (!event_stream || !chunked_) {
      log_.close_connection = true;  // an unterminated body tells the client it is incomplete
      if (!head_written_) {
        // The head was held back for the body: send what there is, so the client sees the
        // provider's status rather than a silent close.
        co_await write_to_client({}, false);
      }
      co_return;
    }
    // End the stream the way the provider does, then terminate it cleanly.
    std::string event = boundary.at_boundary() ? "" : "\n\n";
    event += provider_stream_error(request_.provider, verdict.message);
    if (co_await write_to_client(event, true)) {
      log_.bytes += event.size();
    }
    co_return;
  }
  if (!head_written_) {
    co_await write_to_client({}, true);  // an empty body's head
  }
}

}  // namespace

net::awaitable<ForwardResult> forward(Session& session, const ForwardRequest& request,
                                      ExchangeLog& log) {
  Exchange exchange(session, request, log);
  co_return co_await exchange.run();
}

}  // namespace aibridge::proxy
