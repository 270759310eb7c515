#include "proxy/provider_routes.hpp"

#include "proxy/credentials.hpp"
#include "proxy/errors.hpp"

namespace aibridge::proxy {

net::awaitable<void> serve_provider_route(Session& session, const Route& route,
                                          StringRequest& request, ExchangeLog& log) {
  const bool keep_alive = request.keep_alive() && !session.shard().draining;
  const auto token = provider_route_token(request);
  Authenticator::Result result = AuthFailure::kMissing;
  if (token) {
    result = co_await session.shard().deps.authenticator.authenticate(*token);
  }
  if (const auto* failure = std::get_if<AuthFailure>(&result)) {
    // The provider's own shape, so the SDK raises its usual authentication (or, while the
    // database is unreachable, retryable) error.
    const bool unavailable = *failure == AuthFailure::kStoreUnavailable;
    co_await session.write_json(
        unavailable ? 503 : 401,
        provider_error_body(route.provider,
                            unavailable ? ErrorKind::kUnavailable : ErrorKind::kAuthentication,
                            auth_failure_message(*failure)),
        keep_alive, log);
    co_return;
  }
  const auto& caller = std::get<Principal>(result);
  log.user = caller.user().username;
  if (route.kind == RouteKind::kBridge) {
    co_await serve_bridge(session, route, request, caller, log);
  } else {
    co_await serve_passthrough(session, route, request, log);
  }
}

}  // namespace aibridge::proxy
