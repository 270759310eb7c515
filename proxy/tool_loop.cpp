#include "proxy/tool_loop.hpp"

#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include "proxy/errors.hpp"
#include "proxy/headers.hpp"
#include "proxy/http_io.hpp"
#include "proxy/mcp/api_tools.hpp"
#include "proxy/mcp/stream_round.hpp"
#include "proxy/upstream/buffered_exchange.hpp"

namespace aibridge::proxy {
namespace {

namespace json = boost::json;

class ToolLoop {
 public:
  ToolLoop(Session& session, const ToolLoopRequest& loop, ExchangeLog& log)
      : session_(session),
        loop_(loop),
        log_(log),
        api_(mcp::api_tools(loop.route.endpoint)),
        catalogue_(loop.tools.catalogue()),
        metrics_(session.shard().deps.metrics),
        // The whole loop is one exchange for the client: watched from the start.
        watching_(session.client_watch(), session.watchdog(), true) {}

  net::awaitable<ForwardResult> run();
  /// Streams: each upstream stream relayed as it arrives, filtered (mcp/stream_round.hpp).
  net::awaitable<ForwardResult> run_stream();

 private:
  /// The provider request with the tools added (and dumped when logging is on).
  StringRequest& with_tools();
  /// Writes `bytes` to the client as one chunk of the stream, the head first if not yet sent
  /// (from the upstream head `upstream`); `last` ends the body.
  net::awaitable<bool> write_stream(const http::response_header<>* upstream, std::string_view bytes,
                                    bool last);
  /// The streamed answer failed after the client got its head: an error event ends it.
  net::awaitable<void> fail_stream(std::string message);
  /// Runs the injected calls of one answer and rewrites the request for the next.
  net::awaitable<bool> answer_calls(const json::object& answer, std::string_view response_id,
                                    std::vector<mcp::InjectedCall>& calls);
  /// Ends the loop: the answer the client gets, as the provider sent it or as `replacement`.
  net::awaitable<void> answer(BufferedResponse& response, const std::string* replacement);
  net::awaitable<void> fail(const BufferedResponse& response);
  net::awaitable<mcp::Outcome> call(const mcp::InjectedCall& call, std::string_view response_id);
  void record_call(const mcp::InjectedCall& call, std::string_view response_id,
                   const std::string* error);
  bool stopped() {
    if (session_.aborted()) {
      end(ForwardEnding::kShutdown, shutdown_verdict().message);
    } else if (session_.client_watch().client_gone()) {
      end(ForwardEnding::kClientGone, "the client closed the connection");
    } else {
      return false;
    }
    log_.close_connection = true;
    return true;
  }
  void end(ForwardEnding ending, std::string error) {
    result_.ending = ending;
    result_.error = std::move(error);
  }
  std::function<void(tcp::socket*)> cancellable() {
    return [this](tcp::socket* socket) {
      session_.set_upstream(socket);
      session_.client_watch().cancel_on_disconnect(socket);
    };
  }

  Session& session_;
  const ToolLoopRequest& loop_;
  ExchangeLog& log_;
  const mcp::ApiTools& api_;
  const mcp::Catalogue& catalogue_;
  core::Metrics& metrics_;
  ClientWatchScope watching_;
  ForwardResult result_;
  bool head_sent_ = false;  // streams: the client has the response head
};

std::string response_id_of(const json::object& answer) {
  const json::value* id = answer.if_contains("id");
  return id != nullptr && id->is_string() ? std::string(id->as_string()) : std::string();
}

std::string not_called_reason(std::uint64_t max_iterations) {
  return "not called: mcp.max_iterations (" + std::to_string(max_iterations) + ") reached";
}

StringRequest& ToolLoop::with_tools() {
  StringRequest& request = loop_.request;
  request.body() = api_.inject(request.body(), catalogue_);
  request.prepare_payload();
  if (loop_.dump != nullptr) {
    loop_.dump->request(request);
  }
  return request;
}

net::awaitable<ForwardResult> ToolLoop::run() {
  StringRequest& request = with_tools();
  const core::Timeouts& timeouts = session_.config().timeouts;
  for (std::uint64_t round = 0;; ++round) {
    BufferedExchange exchange{.origin = loop_.origin,
                              .request = request,
                              .deadline = Watchdog::Clock::now() + timeouts.blocking_response,
                              .body_limit = session_.config().recorder.max_recorded_body};
    exchange.in_use = cancellable();
    BufferedResponse response =
        co_await exchange_buffered(session_.shard().upstream, session_.watchdog(), exchange);
    if (stopped()) {
      co_return result_;
    }
    if (response.failed()) {
      co_await fail(response);
      co_return result_;
    }
    result_.upstream_status = response.message.result_int();
    json::error_code error;
    json::value parsed = json::parse(response.message.body(), error);
    if (result_.upstream_status / 100 != 2 || error || !parsed.is_object()) {
      co_await answer(response, nullptr);  // an error, or a body only the client can make sense of
      co_return result_;
    }
    const json::object& body = parsed.as_object();
    std::vector<mcp::InjectedCall> calls = api_.injected_calls(body, catalogue_);
    const bool last = calls.empty() || round >= loop_.tools.max_iterations();
    loop_.recording.on_loop_response(response.message.base(), response.message.body(), catalogue_,
                                     last);
    const std::string response_id = response_id_of(body);
    if (calls.empty()) {
      co_await answer(response, nullptr);
      co_return result_;
    }
    if (last) {
      // The model still asks for tools: the client gets its answer without those calls, and the
      // record says they were not run.
      const std::string reason = not_called_reason(loop_.tools.max_iterations());
      for (const mcp::InjectedCall& call : calls) {
        record_call(call, response_id, &reason);
      }
      const std::string without = api_.without_injected(body, catalogue_);
      co_await answer(response, &without);
      co_return result_;
    }
    if (!co_await answer_calls(body, response_id, calls)) {
      co_return result_;
    }
  }
}

net::awaitable<bool> ToolLoop::answer_calls(const json::object& answer,
                                            std::string_view response_id,
                                            std::vector<mcp::InjectedCall>& calls) {
  std::vector<mcp::Outcome> outcomes;
  for (const mcp::InjectedCall& injected : calls) {
    outcomes.push_back(co_await call(injected, response_id));
    if (stopped()) {
      co_return false;
    }
  }
  StringRequest& request = loop_.request;
  request.body() = api_.continued(request.body(), answer, calls, outcomes);
  request.prepare_payload();
  co_return true;
}

net::awaitable<ForwardResult> ToolLoop::run_stream() {
  StringRequest& request = with_tools();
  const core::Timeouts& timeouts = session_.config().timeouts;
  mcp::StreamCarry carry;
  for (std::uint64_t round = 0;; ++round) {
    const std::unique_ptr<mcp::StreamRound> stream =
        mcp::make_stream_round(loop_.route.endpoint, catalogue_, round == 0, carry);
    SseParser events(session_.config().recorder.max_sse_event_bytes);
    BufferedExchange exchange{.origin = loop_.origin,
                              .request = request,
                              .deadline = Watchdog::Clock::now() + timeouts.blocking_response,
                              .body_limit = session_.config().recorder.max_recorded_body};
    exchange.in_use = cancellable();
    exchange.idle = timeouts.stream_idle;
    exchange.stream = [&](const http::response_header<>& head,
                          std::string_view piece) -> net::awaitable<bool> {
      std::string relayed;
      events.feed(piece, [&](const SseEvent& event) { relayed += stream->on_event(event); });
      if (relayed.empty() && head_sent_) {
        co_return true;
      }
      co_return co_await write_stream(&head, relayed, false);
    };
    BufferedResponse response =
        co_await exchange_buffered(session_.shard().upstream, session_.watchdog(), exchange);
    if (stopped()) {
      co_return result_;
    }
    if (response.failed() && !head_sent_) {
      co_await fail(response);
      co_return result_;
    }
    if (response.failed() || (head_sent_ && !stream->ended())) {
      // Named: GCC 12 destroys temporaries in a co_await expression twice.
      std::string why = response.failed() ? "the provider connection broke: " + response.error
                                          : "the provider's stream ended early";
      http::response_header<> seen;  // a stream cut short keeps what it delivered
      seen.result(http::status::ok);
      loop_.recording.on_loop_response(seen, json::serialize(stream->answer()), catalogue_, false);
      co_await fail_stream(std::move(why));
      co_return result_;
    }
    if (!head_sent_) {  // not a stream: an error answer (or a body the client makes sense of)
      result_.upstream_status = response.message.result_int();
      co_await answer(response, nullptr);
      co_return result_;
    }
    result_.upstream_status = 200;
    const json::object message = stream->answer();
    std::vector<mcp::InjectedCall> calls = api_.injected_calls(message, catalogue_);
    const bool last = calls.empty() || round >= loop_.tools.max_iterations();
    http::response_header<> ok;
    ok.result(http::status::ok);
    loop_.recording.on_loop_response(ok, json::serialize(message), catalogue_, last);
    const std::string response_id = response_id_of(message);
    if (last) {
      const std::string reason = not_called_reason(loop_.tools.max_iterations());
      for (const mcp::InjectedCall& injected : calls) {
        record_call(injected, response_id, &reason);
      }
      result_.upstream_complete = true;
      const std::string ending = stream->ending(!calls.empty());
      co_await write_stream(nullptr, ending, true);
      co_return result_;
    }
    if (!co_await answer_calls(message, response_id, calls)) {
      co_return result_;
    }
    carry = stream->carry();
  }
}

net::awaitable<bool> ToolLoop::write_stream(const http::response_header<>* upstream,
                                            std::string_view bytes, bool last) {
  std::string head;
  if (!head_sent_) {
    http::response_header<> client;
    client.version(11);
    client.result(upstream->result_int());
    client.reason(upstream->reason());
    copy_response_headers(*upstream, client);
    client.set(kInterceptionIdHeader, loop_.interception_id);
    client.set(http::field::transfer_encoding, "chunked");
    if (!loop_.client_keep_alive || session_.shard().draining) {
      client.set(http::field::connection, "close");
    }
    serialize_response_head(client, head);
    log_.status = client.result_int();
    if (loop_.dump != nullptr) {
      loop_.dump->on_response_head(client);
    }
  }
  const std::string chunk_start = bytes.empty() ? std::string() : chunk_header(bytes.size());
  std::array<net::const_buffer, 5> buffers;
  std::size_t count = 0;
  buffers[count++] = net::buffer(head);
  if (!bytes.empty()) {
    buffers[count++] = net::buffer(chunk_start);
    buffers[count++] = net::buffer(bytes);
    buffers[count++] = net::buffer(kCrlf);
  }
  if (last) {
    buffers[count++] = net::buffer(kLastChunk);
  }
  if (loop_.dump != nullptr && !bytes.empty()) {
    loop_.dump->on_response_body(bytes);
  }
  session_.watchdog().arm(session_.config().timeouts.stream_idle, session_.client());
  const error_code error = co_await write_all(session_.client(), std::span(buffers.data(), count));
  head_sent_ = true;
  log_.bytes += bytes.size();
  if (error) {
    end(ForwardEnding::kClientGone, session_.watchdog().expired()
                                        ? "the client stopped reading"
                                        : "the client closed the connection");
    log_.close_connection = true;
    co_return false;
  }
  co_return true;
}

net::awaitable<void> ToolLoop::fail_stream(std::string message) {
  end(ForwardEnding::kUpstreamFailed, message);
  session_.shard().metrics.upstream_error(loop_.route.provider, "protocol").Increment();
  spdlog::warn("upstream {} failed mid-stream in a tool loop: {}",
               provider_name(loop_.route.provider), message);
  const std::string event = "\n\n" + provider_stream_error(loop_.route.provider, message);
  co_await write_stream(nullptr, event, true);
}

net::awaitable<mcp::Outcome> ToolLoop::call(const mcp::InjectedCall& injected,
                                            std::string_view response_id) {
  const mcp::Tool& tool = *injected.tool;
  const mcp::Server* server = loop_.tools.server(tool.server);
  const auto started = std::chrono::steady_clock::now();
  mcp::Outcome outcome = co_await server->call_tool(session_.shard().upstream, session_.watchdog(),
                                                    tool.name, injected.arguments, cancellable());
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  const json::value* is_error = outcome.result && outcome.result->is_object()
                                    ? outcome.result->as_object().if_contains("isError")
                                    : nullptr;
  const std::string_view kind = !outcome.result ? "failed"
                                : is_error != nullptr && is_error->is_bool() && is_error->as_bool()
                                    ? "tool_error"
                                    : "ok";
  metrics_.mcp_calls_total.Add({{"server", tool.server}, {"outcome", std::string(kind)}})
      .Increment();
  metrics_.mcp_call_duration_seconds
      .Add({{"server", tool.server}}, core::interception_duration_buckets())
      .Observe(seconds);
  if (!outcome.result) {
    spdlog::warn("mcp server {}: {} failed: {}", tool.server, tool.name, outcome.error);
  }
  record_call(injected, response_id, outcome.result ? nullptr : &outcome.error);
  co_return outcome;
}

void ToolLoop::record_call(const mcp::InjectedCall& call, std::string_view response_id,
                           const std::string* error) {
  recorder::ToolUsage usage;
  usage.provider_response_id = std::string(response_id);
  usage.tool_call_id = call.call_id;
  usage.server_url = call.tool->server_url;
  usage.tool = call.tool->name;
  usage.input = call.raw_arguments;
  usage.injected = true;
  if (error != nullptr) {
    usage.invocation_error = *error;
  }
  loop_.recording.on_injected_call(std::move(usage));
}

net::awaitable<void> ToolLoop::answer(BufferedResponse& response, const std::string* replacement) {
  StringResponse client{response.message.result(), 11};
  client.reason(response.message.reason());
  copy_response_headers(response.message.base(), client.base());
  client.set(kInterceptionIdHeader, loop_.interception_id);
  client.body() = replacement == nullptr ? std::move(response.message.body()) : *replacement;
  client.keep_alive(loop_.client_keep_alive && !session_.shard().draining);
  client.prepare_payload();
  result_.upstream_complete = true;
  if (loop_.dump != nullptr) {
    loop_.dump->on_response_head(client.base());
    loop_.dump->on_response_body(client.body());
  }
  if (!co_await session_.write(client, log_)) {
    end(ForwardEnding::kClientGone, "the client closed the connection");
  }
}

net::awaitable<void> ToolLoop::fail(const BufferedResponse& response) {
  const ErrorKind kind =
      response.timed_out ? ErrorKind::kUpstreamTimeout : ErrorKind::kUpstreamFailed;
  end(response.timed_out ? ForwardEnding::kUpstreamTimeout : ForwardEnding::kUpstreamFailed,
      "the provider connection failed: " + response.error);
  session_.shard()
      .metrics.upstream_error(loop_.route.provider, response.timed_out ? "timeout" : "protocol")
      .Increment();
  spdlog::warn("upstream {} failed in a tool loop: {}", provider_name(loop_.route.provider),
               response.error);
  if (loop_.dump != nullptr) {
    loop_.dump->on_no_response(result_.error);
  }
  co_await session_.write_json(
      error_status(kind), provider_error_body(loop_.route.provider, kind, result_.error),
      loop_.client_keep_alive && !session_.shard().draining, log_, loop_.interception_id);
}

}  // namespace

net::awaitable<ForwardResult> run_tool_loop(Session& session, const ToolLoopRequest& loop,
                                            ExchangeLog& log) {
  ToolLoop runner(session, loop, log);
  if (loop.streaming) {
    co_return co_await runner.run_stream();
  }
  co_return co_await runner.run();
}

}  // namespace aibridge::proxy
