#pragma once
// Header rewriting between client and provider (SPEC §4.2, §4.3). Pure.
#include <string_view>

#include <boost/beast/http/fields.hpp>

#include "proxy/routing.hpp"
#include "proxy/upstream/origin.hpp"

namespace aibridge::proxy {

inline constexpr std::string_view kInterceptionIdHeader = "X-AIBridge-Interception-Id";

/// Turns the client's request headers into the provider request's, in place: removes
/// hop-by-hop headers (and those the Connection header names), Host, Content-Length, Expect,
/// Accept-Encoding and every credential the client sent (Authorization, X-Api-Key,
/// Coder-Session-Token, Cookie); sets Host, `Accept-Encoding: identity` and the provider key
/// (`Authorization: Bearer` for OpenAI, `X-Api-Key` for Anthropic). All other headers pass
/// unchanged.
void prepare_upstream_headers(boost::beast::http::fields& headers, const Origin& origin,
                              Provider provider, std::string_view api_key);

/// Copies the provider's response headers the client should see: everything except hop-by-hop
/// and framing headers (the gateway frames the body itself).
void copy_response_headers(const boost::beast::http::fields& upstream,
                           boost::beast::http::fields& client);

}  // namespace aibridge::proxy
