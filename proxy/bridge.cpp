// Bridged routes (chat completions, responses, messages): relayed like passthrough, and every
// exchange becomes an interception.
#include <array>


#include "core/ids.hpp"
#include "core/time.hpp"
#include "proxy/errors.hpp"
#include "proxy/forward.hpp"
#include "proxy/headers.hpp"
#include "proxy/interception.hpp"
#include "proxy/json_edit.hpp"
#include "proxy/provider_routes.hpp"
#include "proxy/providers/request_facts.hpp"
#include "proxy/tool_loop.hpp"

namespace aibridge::proxy {

net::awaitable<void> serve_bridge(Session& session, const Route& route, StringRequest& request,
                                  const Principal& caller, ExchangeLog& log) {
  const ServerDeps& deps = session.shard().deps;
  const bool keep_alive = request.keep_alive();
  std::optional<RequestFacts> facts = read_request_facts(route.endpoint, request.body());
  if (!facts) {
    co_await session.write_json(400,
                                provider_error_body(route.provider, ErrorKind::kInvalidRequest,
                                                    "The request body must be a JSON object."),
                                keep_alive && !session.shard().draining, log);
    co_return;
  }
  // The id carries the start time (the SQLite store files the row by it).
  const core::UnixMicros started_at = core::now_micros();
  const std::string interception_id = core::new_uuid_at(started_at);
  log.interception_id = interception_id;
  const bool streaming = facts->streaming;
  const std::string recording_model = facts->model;
  const auto started = std::chrono::steady_clock::now();
  ClientFacts client = detect_client(request, facts->claude_session_id);
  InterceptionRecording recording(route, interception_id, started_at, caller, std::move(*facts),
                                  std::move(client), deps.config.recorder);

  if (route.endpoint == Endpoint::kChatCompletions && streaming) {
    request.body() = with_include_usage(request.body());
  }
  const Origin& origin = deps.origin(route.provider);
  prepare_upstream_headers(request.base(), origin, route.provider, deps.api_key(route.provider));
  request.target(origin.target(route.upstream_path));
  request.prepare_payload();

  const auto dump = deps.dumper.bridged(route.provider, recording_model, interception_id);
  std::array<RelayObserver*, 2> observers{&recording, dump.get()};
  deps.metrics.interceptions_inflight.Increment();
  ForwardResult result;
  if (deps.tools != nullptr && !deps.tools->empty()) {
    const ToolLoopRequest loop{origin,          request,     route,     keep_alive, streaming,
                               interception_id, *deps.tools, recording, dump.get()};
    result = co_await run_tool_loop(session, loop, log);
  } else {
    if (dump) {
      dump->request(request);
    }
    const ForwardRequest forward_request{
        origin,          request,
        route.provider,  streaming,
        keep_alive,      interception_id,
        std::span(observers.data(), dump ? 2 : 1)};
    result = co_await forward(session, forward_request, log);
  }
  deps.metrics.interceptions_inflight.Decrement();

  recorder::Interception record = recording.finish(result);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  count_interception(session.shard().metrics, record, seconds);
  deps.recorder.submit(std::move(record));
}

}  // namespace aibridge::proxy
