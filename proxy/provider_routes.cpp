#include "proxy/provider_routes.hpp"

#include "proxy/errors.hpp"

namespace aibridge::proxy {

net::awaitable<void> serve_provider_route(Session& session, const Route& route,
                                          StringRequest& request, ExchangeLog& log) {
  co_await session.write_json(
      501, provider_error_body(route.provider, ErrorKind::kUnavailable, "Not implemented yet."),
      request.keep_alive(), log);
}

}  // namespace aibridge::proxy
