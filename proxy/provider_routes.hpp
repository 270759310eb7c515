#pragma once
// Bridged and passthrough provider routes (SPEC §3, §4): authenticate the caller, then bridge
// (recorded) or pass through (relayed only).
#include "proxy/auth.hpp"
#include "proxy/session.hpp"

namespace aibridge::proxy {

net::awaitable<void> serve_provider_route(Session& session, const Route& route,
                                          StringRequest& request, ExchangeLog& log);

net::awaitable<void> serve_bridge(Session& session, const Route& route, StringRequest& request,
                                  const Principal& caller, ExchangeLog& log);

net::awaitable<void> serve_passthrough(Session& session, const Route& route, StringRequest& request,
                                       ExchangeLog& log);

}  // namespace aibridge::proxy
