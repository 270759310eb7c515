#pragma once
// Cross-site request forgery: a browser holding the session cookie sends it with any request,
// including one a page on another site makes it send. State may change only for requests that
// prove they come from a page of this gateway. Pure.
#include <optional>
#include <ostream>  // boost/core/detail/string_view.hpp uses std::ostream without including it
#include <string>
#include <string_view>

#include <boost/beast/http/fields.hpp>
#include <boost/beast/http/verb.hpp>

namespace aibridge::api {

/// The header the console sends with every request that changes state: a page of another
/// origin cannot add it without a CORS preflight, which the gateway never grants.
inline constexpr std::string_view kCsrfHeader = "X-Aibridge-Csrf";

/// Why a request authenticated by its cookie may not go ahead, or nullopt when it may: safe
/// methods (GET, HEAD, OPTIONS) always may; others need an `Origin` naming the host they were
/// sent to (`X-Forwarded-Host` behind a proxy, else `Host`) and kCsrfHeader.
std::optional<std::string> csrf_refusal(boost::beast::http::verb method,
                                        const boost::beast::http::fields& headers);

}  // namespace aibridge::api
