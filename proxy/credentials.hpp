#pragma once
// Where a request carries its API token (SPEC §4.1, §6). Pure.
#include <optional>
#include <string_view>

#include <boost/beast/http/fields.hpp>

namespace aibridge::proxy {

/// Provider routes: `Authorization: Bearer`, `X-Api-Key` or `Coder-Session-Token`.
std::optional<std::string_view> provider_route_token(const boost::beast::http::fields& headers);

/// Admin routes: `Coder-Session-Token`, cookie or query parameter `coder_session_token`, or
/// `Authorization: Bearer`.
std::optional<std::string_view> admin_route_token(const boost::beast::http::fields& headers,
                                                  std::string_view target);

}  // namespace aibridge::proxy
