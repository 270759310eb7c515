#pragma once
// The console's files (embedded at build time from api/console/ and Debian's Chart.js) and its
// session cookie (SPEC §10). Pure.
#include <ostream>  // boost/core/detail/string_view.hpp uses std::ostream without including it
#include <string>
#include <string_view>

#include <boost/beast/http/fields.hpp>

#include "api/console_assets.hpp"

namespace aibridge::api {

/// The console's file `name` ("" is the page itself), or null.
const ConsoleAsset* console_asset(std::string_view name);

/// What the console's files are served with: nothing but its own files may run or load, no
/// other site may frame it, nothing is sniffed.
inline constexpr std::string_view kConsoleSecurityPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/// Whether the browser reached the gateway over TLS: the gateway itself listens on plain HTTP,
/// so it is the proxy in front that says so (`X-Forwarded-Proto: https`).
bool served_over_tls(const boost::beast::http::fields& headers);

/// Set-Cookie values for the session cookie holding `token`, and for clearing it.
std::string session_cookie(std::string_view token, bool secure);
std::string cleared_session_cookie(bool secure);

}  // namespace aibridge::api
