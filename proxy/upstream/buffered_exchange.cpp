#include "proxy/upstream/buffered_exchange.hpp"

#include <array>

#include <boost/beast/http/read.hpp>

#include "proxy/http_io.hpp"

namespace aibridge::proxy {
namespace {

constexpr auto kTuple = net::as_tuple(net::use_awaitable);
constexpr std::uint32_t kHeaderLimit = 64 * 1024;

struct Attempt {
  BufferedResponse response;
  bool retry = false;  // a pooled connection failed before any answer: it had been closed
};

net::awaitable<Attempt> attempt(UpstreamClient& upstream, Watchdog& watchdog,
                                const BufferedExchange& exchange, bool fresh) {
  Attempt out;
  UpstreamClient::Result acquired = co_await upstream.acquire(exchange.origin, watchdog, fresh);
  if (auto* error = std::get_if<ConnectError>(&acquired)) {
    out.response.error = error->message;
    out.response.timed_out = error->kind == ConnectFailure::kTimeout;
    co_return out;
  }
  auto connection = std::move(std::get<std::unique_ptr<UpstreamConnection>>(acquired));
  tcp::socket& socket = connection->stream.socket();
  if (exchange.in_use) {
    exchange.in_use(&socket);
  }
  struct Release {
    const BufferedExchange& exchange;
    Watchdog& watchdog;
    ~Release() {
      watchdog.disarm();
      if (exchange.in_use) {
        exchange.in_use(nullptr);
      }
    }
  } release{exchange, watchdog};

  watchdog.arm_until(exchange.deadline, socket);
  const std::string head = serialize_request_head(exchange.request.base());
  const std::array<net::const_buffer, 2> buffers{net::buffer(head),
                                                 net::buffer(exchange.request.body())};
  error_code error = co_await write_all(connection->stream, buffers);
  http::response_parser<http::string_body> parser;
  parser.header_limit(kHeaderLimit);
  if (exchange.stream) {
    parser.body_limit(boost::none);  // a stream is handed on, not kept; `idle` guards it
  } else {
    parser.body_limit(exchange.body_limit);
  }
  bool cut_short = false;
  while (!error && !parser.is_done()) {
    if (exchange.stream && parser.is_header_done()) {
      watchdog.arm(exchange.idle, socket);  // the client writes in between arm the watchdog too
    }
    auto [read_error, read] =
        co_await http::async_read_some(connection->stream, connection->buffer, parser, kTuple);
    error = read_error;
    if (error || !parser.is_header_done()) {
      continue;
    }
    auto& message = parser.get();
    if (exchange.stream && message.result_int() / 100 == 2 &&
        message[http::field::content_type].starts_with("text/event-stream")) {
      if (!message.body().empty()) {
        const std::string piece = std::move(message.body());
        message.body().clear();
        if (!co_await exchange.stream(message.base(), piece)) {
          cut_short = true;
          break;
        }
      }
      continue;
    }
    if (exchange.enough && exchange.enough(message[http::field::content_type], message.body())) {
      cut_short = true;
      break;
    }
  }
  if (error) {
    out.response.timed_out = watchdog.expired();
    out.retry = connection->reused && !parser.got_some() && !out.response.timed_out;
    out.response.error = out.response.timed_out ? "no answer in time" : error.message();
    co_return out;
  }
  const bool reusable = !cut_short && parser.keep_alive() && !watchdog.cut(&socket);
  out.response.message = parser.release();
  if (reusable) {
    connection->reused = false;
    upstream.release(std::move(connection));
  }
  co_return out;
}

}  // namespace

net::awaitable<BufferedResponse> exchange_buffered(UpstreamClient& upstream, Watchdog& watchdog,
                                                   const BufferedExchange& exchange) {
  Attempt first = co_await attempt(upstream, watchdog, exchange, false);
  if (!first.retry) {
    co_return std::move(first.response);
  }
  Attempt second = co_await attempt(upstream, watchdog, exchange, true);
  co_return std::move(second.response);
}

}  // namespace aibridge::proxy
