#pragma once
// Bridged and passthrough provider routes (SPEC §3, §4).
#include "proxy/session.hpp"

namespace aibridge::proxy {

net::awaitable<void> serve_provider_route(Session& session, const Route& route,
                                          StringRequest& request, ExchangeLog& log);

}  // namespace aibridge::proxy
