// Passthrough routes (models, stored responses, conversations, count_tokens): relayed to the
// provider with its key, not recorded.
#include "proxy/forward.hpp"
#include "proxy/headers.hpp"
#include "proxy/provider_routes.hpp"

namespace aibridge::proxy {

net::awaitable<void> serve_passthrough(Session& session, const Route& route, StringRequest& request,
                                       ExchangeLog& log) {
  const ServerDeps& deps = session.shard().deps;
  session.shard().metrics.passthrough(route.provider, route.route_label).Increment();
  const bool keep_alive = request.keep_alive();
  const Origin& origin = deps.origin(route.provider);
  prepare_upstream_headers(request.base(), origin, route.provider, deps.api_key(route.provider));
  request.target(origin.target(route.upstream_path));
  request.prepare_payload();
  const auto dump = deps.dumper.passthrough(route.provider, route.upstream_path);
  RelayObserver* const observers[] = {dump.get()};
  if (dump) {
    dump->request(request);
  }
  const ForwardRequest forward_request{origin,     request, route.provider,
                                       false,      keep_alive, {},
                                       dump ? std::span(observers) : std::span<RelayObserver* const>()};
  co_await forward(session, forward_request, log);
}

}  // namespace aibridge::proxy
