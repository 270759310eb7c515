#pragma once
// Where a request carries its API token (SPEC §4.1, §6). Pure.
#include <optional>
#include <string_view>

#include <boost/beast/http/fields.hpp>

namespace aibridge::proxy {

/// Provider routes: `Authorization: Bearer`, `X-Api-Key` or `Coder-Session-Token`.
std::optional<std::string_view> provider_route_token(const boost::beast::http::fields& headers);

/// The console's session cookie: its own name, so that signing in to a Coder deployment on the
/// same host neither overwrites it nor is overwritten; "__Host-" when served over TLS (no other
/// host may then set it).
inline constexpr std::string_view kConsoleCookie = "aibridge_session";
inline constexpr std::string_view kSecureConsoleCookie = "__Host-aibridge_session";
/// Coder's name for the token in a cookie or the query string (as its CLI and dashboard send it).
inline constexpr std::string_view kCoderSessionToken = "coder_session_token";

/// Where an admin request's token came from: a browser sends a cookie by itself (so what it
/// authorises needs a CSRF check); the others a client must set on purpose.
enum class CredentialSource { kHeader, kCookie, kQuery, kBearer };

struct AdminCredential {
  std::string_view token;
  CredentialSource source;
  bool operator==(const AdminCredential&) const = default;
};

/// Admin routes: `Coder-Session-Token`, the console's cookie, Coder's cookie or query parameter
/// `coder_session_token`, or `Authorization: Bearer`, in that order.
std::optional<AdminCredential> admin_route_token(const boost::beast::http::fields& headers,
                                                 std::string_view target);

}  // namespace aibridge::proxy
