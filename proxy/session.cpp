#include "proxy/session.hpp"

#include <spdlog/spdlog.h>

#include "proxy/credentials.hpp"
#include "proxy/errors.hpp"
#include "proxy/headers.hpp"
#include "proxy/provider_routes.hpp"

namespace aibridge::proxy {
namespace {

constexpr auto kTuple = net::as_tuple(net::use_awaitable);
constexpr std::size_t kRequestReadSize = 4096;

bool is_provider_route(RouteKind kind) {
  return kind == RouteKind::kBridge || kind == RouteKind::kPassthrough;
}

}  // namespace

Session::Session(Shard& shard, tcp::socket socket)
    : shard_(shard),
      socket_(std::move(socket)),
      watchdog_(shard.ticker),
      client_watch_(socket_, buffer_, shard.deps.config.max_header_bytes) {
  shard_.sessions.insert(this);
  shard_.session_count.fetch_add(1, std::memory_order_relaxed);
  shard_.busy_sessions.fetch_add(1, std::memory_order_relaxed);
}

Session::~Session() {
  shard_.sessions.erase(this);
  if (state_ == State::kBusy) {
    shard_.busy_sessions.fetch_sub(1, std::memory_order_relaxed);
  }
  shard_.session_count.fetch_sub(1, std::memory_order_relaxed);
  if (shard_.draining) {
    shard_.drain_progress();
  }
}

void Session::become(State state) {
  if (state == state_) {
    return;
  }
  state_ = state;
  if (state == State::kBusy) {
    shard_.busy_sessions.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  shard_.busy_sessions.fetch_sub(1, std::memory_order_relaxed);
  if (shard_.draining) {
    shard_.drain_progress();
  }
}

void Session::close_if_idle() {
  if (state_ == State::kIdle) {
    error_code ignored;
    socket_.cancel(ignored);
  }
}

void Session::abort() {
  aborted_ = true;
  error_code ignored;
  socket_.cancel(ignored);
  if (upstream_ != nullptr) {
    upstream_->cancel(ignored);
  }
  if (holding_ != nullptr) {
    holding_->cancel();
  }
  watchdog_.interrupt();  // a provider lookup, connect or TLS handshake under way
}

std::span<char> Session::relay_buffer() {
  constexpr std::size_t kRelayBufferSize = 16 * 1024;
  if (!relay_buffer_) {
    relay_buffer_ = std::make_unique_for_overwrite<char[]>(kRelayBufferSize);
  }
  return {relay_buffer_.get(), kRelayBufferSize};
}

net::awaitable<void> Session::run() {
  error_code ignored;
  socket_.set_option(tcp::no_delay(true), ignored);
  for (;;) {
    if (!co_await await_request()) {
      break;
    }
    become(State::kBusy);
    const auto started = std::chrono::steady_clock::now();
    http::request_parser<http::string_body> parser;
    ExchangeLog log;
    if (!co_await read_request(parser, log)) {
      break;
    }
    StringRequest request = parser.release();
    log.method = request.method_string();
    log.path = target_path(request.target());
    const Route route = match_route(request.method(), request.target());
    co_await dispatch(route, request, log);
    log_access(log, started);
    if (log.close_connection || !request.keep_alive() || shard_.draining || aborted_) {
      break;
    }
  }
  watchdog_.disarm();
  socket_.shutdown(tcp::socket::shutdown_send, ignored);
  socket_.close(ignored);
}

net::awaitable<bool> Session::await_request() {
  if (buffer_.size() > 0) {
    co_return true;  // pipelined: the next request has begun already
  }
  // Keep-alive: a read pending until the next request's first bytes (close_if_idle() cancels
  // it).
  become(State::kIdle);
  if (shard_.closing) {
    co_return false;
  }
  watchdog_.arm(config().timeouts.client_idle, socket_);
  auto [error, read] = co_await socket_.async_read_some(buffer_.prepare(kRequestReadSize), kTuple);
  buffer_.commit(read);
  co_return !error && !watchdog_.expired();  // not a socket cut as the read completed
}

net::awaitable<bool> Session::read_request(http::request_parser<http::string_body>& parser,
                                           ExchangeLog& log) {
  parser.header_limit(static_cast<std::uint32_t>(config().max_header_bytes));
  parser.body_limit(config().max_request_body);
  parser.eager(true);
  // Cancel only: a request that took too long still gets its 408.
  watchdog_.arm(config().timeouts.client_request, socket_, OnExpiry::kCancel);
  bool checked_head = false;
  for (;;) {
    error_code error;
    if (buffer_.size() > 0) {
      buffer_.consume(parser.put(buffer_.data(), error));
      if (error == http::error::need_more) {
        error = {};
      }
    }
    if (!error && parser.is_header_done() && !checked_head) {
      checked_head = true;
      if (parser.content_length() && *parser.content_length() > config().max_request_body) {
        error = http::error::body_limit;
      } else if (beast::iequals(parser.get()[http::field::expect], "100-continue") &&
                 !parser.is_done()) {
        static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
        auto [continue_error, sent] =
            co_await net::async_write(socket_, net::buffer(kContinue), kTuple);
        error = continue_error;
      }
    }
    if (!error && parser.is_done()) {
      watchdog_.disarm();
      co_return true;
    }
    if (!error && watchdog_.expired()) {
      error = net::error::operation_aborted;  // it fired while the last read was completing
    }
    if (!error) {
      auto [read_error, read] =
          co_await socket_.async_read_some(buffer_.prepare(kRequestReadSize), kTuple);
      buffer_.commit(read);
      error = read_error;
      if (error == net::error::eof && parser.got_some()) {
        error = http::error::partial_message;
      }
    }
    if (error) {
      const bool timed_out = watchdog_.expired();
      watchdog_.disarm();
      if (error == net::error::eof || aborted_ ||
          (error == net::error::operation_aborted && !timed_out)) {
        co_return false;  // the client closed, or shutdown cancelled the read
      }
      co_await refuse_request(parser, error, timed_out, log);
      co_return false;
    }
  }
}

net::awaitable<void> Session::refuse_request(http::request_parser<http::string_body>& parser,
                                             const error_code& error, bool timed_out,
                                             ExchangeLog& log) {
  log.close_connection = true;
  unsigned status = 400;
  std::string message = "Malformed HTTP request: " + error.message() + ".";
  if (timed_out) {
    status = 408;
    message = "Request not received in time.";
  } else if (error == http::error::header_limit) {
    status = 431;
    message = "Request header fields too large.";
  } else if (error == http::error::body_limit) {
    status = 413;
    message =
        "Request body too large (limit " + std::to_string(config().max_request_body) + " bytes).";
  }
  if (status == 413 || status == 431) {
    // A provider route gets the provider's own error shape, so its SDK reports it properly. (The
    // request line is parsed before any field, so the target is known even when a field or
    // Content-Length stopped the header.)
    const Route route = match_route(parser.get().method(), parser.get().target());
    if (is_provider_route(route.kind)) {
      co_await write_json(
          status, provider_error_body(route.provider, ErrorKind::kTooLarge, message), false, log);
      co_return;
    }
  }
  co_await write_json(status, message_body(message), false, log);
}

net::awaitable<void> Session::dispatch(const Route& route, StringRequest& request,
                                       ExchangeLog& log) {
  const bool keep_alive = request.keep_alive() && !shard_.draining;
  if (route.kind == RouteKind::kNotFound) {
    co_await write_json(
        404, message_body("Route not found: " + std::string(target_path(request.target())) + "."),
        keep_alive, log);
    co_return;
  }
  if (!route.method_allowed) {
    StringResponse response{http::status::method_not_allowed, request.version()};
    response.set(http::field::allow, route.allow);
    response.set(http::field::content_type, "application/json");
    response.body() = is_provider_route(route.kind)
                          ? provider_error_body(route.provider, ErrorKind::kMethodNotAllowed,
                                                "Method not allowed.")
                          : message_body("Method not allowed.");
    response.keep_alive(keep_alive);
    response.prepare_payload();
    co_await write(response, log);
    co_return;
  }
  switch (route.kind) {
    case RouteKind::kHealthz:
      co_await write_json(200, R"({"status":"ok"})", keep_alive, log);
      co_return;
    case RouteKind::kReadyz: {
      bool ready = !shard_.draining;
      if (ready) {
        try {
          co_await shard_.deps.stores.run([](recorder::Store& store) { store.ping(); });
        } catch (const std::exception& e) {
          spdlog::warn("readiness check failed: {}", e.what());
          ready = false;
        }
      }
      ready = ready && !shard_.draining;  // shutdown may have begun during the ping
      co_await write_json(ready ? 200 : 503,
                          ready ? R"({"status":"ready"})" : R"({"status":"not ready"})",
                          request.keep_alive() && !shard_.draining, log);
      co_return;
    }
    case RouteKind::kMetrics: {
      StringResponse response{http::status::ok, request.version()};
      response.set(http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
      response.body() = shard_.deps.metrics.render();
      response.keep_alive(keep_alive);
      response.prepare_payload();
      co_await write(response, log);
      co_return;
    }
    case RouteKind::kBridge:
      if (shard_.deps.recorder.congested() && !shard_.draining) {
        co_await wait_for_recorder_room();
      }
      co_await serve_provider_route(*this, route, request, log);
      co_return;
    case RouteKind::kPassthrough:
      co_await serve_provider_route(*this, route, request, log);
      co_return;
    default:
      break;
  }
  if (route.kind == RouteKind::kAdmin) {
    co_await serve_admin(request, log);
  }
}

net::awaitable<void> Session::wait_for_recorder_room() {
  const auto began = std::chrono::steady_clock::now();
  // Shared with the writer's callback, which may run after this wait has timed out.
  auto room = std::make_shared<net::steady_timer>(socket_.get_executor(), kMaxHoldBack);
  shard_.deps.recorder.notify_when_room(
      [room] { net::post(room->get_executor(), [room] { room->cancel(); }); });
  holding_ = room.get();
  co_await room->async_wait(kTuple);
  holding_ = nullptr;
  core::Metrics& metrics = shard_.deps.metrics;
  metrics.recorder_held_back_total.Increment();
  metrics.recorder_held_back_seconds_total.Increment(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count());
}

net::awaitable<void> Session::serve_admin(StringRequest& request, ExchangeLog& log) {
  const bool keep_alive = request.keep_alive() && !shard_.draining;
  if (shard_.deps.admin == nullptr) {
    co_await write_json(503, message_body("The admin API is not available."), keep_alive, log);
    co_return;
  }
  AdminAnswer answer = co_await shard_.deps.admin->handle(request);
  log.user = answer.username;
  answer.response.keep_alive(keep_alive);
  answer.response.prepare_payload();
  if (request.method() == http::verb::head) {
    answer.response.body().clear();  // the length of what GET would send, and no body
  }
  co_await write(answer.response, log);
}

net::awaitable<bool> Session::write(StringResponse& response, ExchangeLog& log) {
  watchdog_.arm(config().timeouts.stream_idle, socket_);
  auto [error, written] = co_await http::async_write(socket_, response, kTuple);
  watchdog_.disarm();
  log.status = response.result_int();
  log.bytes += response.body().size();
  if (error) {
    log.close_connection = true;
    co_return false;
  }
  co_return true;
}

net::awaitable<bool> Session::write_json(unsigned status, std::string body, bool keep_alive,
                                         ExchangeLog& log, std::string_view interception_id) {
  StringResponse response{static_cast<http::status>(status), 11};
  response.set(http::field::content_type, "application/json");
  if (!interception_id.empty()) {
    response.set(kInterceptionIdHeader, interception_id);
  }
  response.body() = std::move(body);
  response.keep_alive(keep_alive);
  response.prepare_payload();
  co_return co_await write(response, log);
}

void Session::log_access(const ExchangeLog& log,
                         std::chrono::steady_clock::time_point started) const {
  if (shard_.deps.access_log == nullptr) {
    return;
  }
  core::AccessRecord record;
  record.method = log.method.view();
  record.path = log.path.view();
  record.status = log.status;
  record.bytes = log.bytes;
  record.duration = std::chrono::duration_cast<std::chrono::microseconds>(
      std::chrono::steady_clock::now() - started);
  record.interception_id = log.interception_id.view();
  record.user = log.user.view();
  shard_.deps.access_log->add(record);
}

}  // namespace aibridge::proxy
