// Bridged routes (chat completions, responses, messages): relayed like passthrough, and every
// exchange becomes an interception.
#include <spdlog/spdlog.h>

#include "core/ids.hpp"
#include "proxy/errors.hpp"
#include "proxy/forward.hpp"
#include "proxy/headers.hpp"
#include "proxy/json_edit.hpp"
#include "proxy/provider_routes.hpp"
#include "proxy/providers/request_facts.hpp"

namespace aibridge::proxy {

net::awaitable<void> serve_bridge(Session& session, const Route& route, StringRequest& request,
                                  const Principal& /*caller*/, ExchangeLog& log) {
  const ServerDeps& deps = session.shard().deps;
  const bool keep_alive = request.keep_alive();
  const std::optional<RequestFacts> facts = read_request_facts(route.endpoint, request.body());
  if (!facts) {
    co_await session.write_json(400,
                                provider_error_body(route.provider, ErrorKind::kInvalidRequest,
                                                    "The request body must be a JSON object."),
                                keep_alive && !session.shard().draining, log);
    co_return;
  }
  const std::string interception_id = core::new_uuid();
  log.interception_id = interception_id;

  if (route.endpoint == Endpoint::kChatCompletions && facts->streaming) {
    request.body() = with_include_usage(request.body());
  }
  const Origin& origin = deps.origin(route.provider);
  prepare_upstream_headers(request.base(), origin, route.provider, deps.api_key(route.provider));
  request.target(origin.target(route.upstream_path));
  request.prepare_payload();

  deps.metrics.interceptions_inflight.Increment();
  const ForwardRequest forward_request{
      origin, request, route.provider, facts->streaming, keep_alive, interception_id, nullptr};
  const ForwardResult result = co_await forward(session, forward_request, log);
  deps.metrics.interceptions_inflight.Decrement();
  if (result.ending != ForwardEnding::kCompleted) {
    spdlog::debug("interception {} ended: {}", interception_id, result.error);
  }
}

}  // namespace aibridge::proxy
