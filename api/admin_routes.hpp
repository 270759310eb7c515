#pragma once
// Which admin handler a request below the admin prefixes goes to (SPEC §6, §10). Pure: no I/O,
// tested as a table. The proxy hands api/ every such request (proxy::RouteKind::kAdmin).
#include <ostream>  // boost/core/detail/string_view.hpp uses std::ostream without including it
#include <string>
#include <string_view>

#include <boost/beast/http/verb.hpp>

namespace aibridge::api {

enum class AdminRouteKind {
  kInterceptions,              // GET …/interceptions, "count" shape
  kInterceptionsExperimental,  // GET …/experimental/…/interceptions, "total" shape
  kInterception,               // GET …/interceptions/{id}
  kRequestLogs,                // GET …/interceptions/{id}/request-logs: its dump files
  kRequestLog,                 // GET …/interceptions/{id}/request-logs/{file}: one of them
  kSessions,                   // GET …/sessions
  kSession,                    // GET …/sessions/{id}
  kUsage,                      // GET …/usage
  kModels,                     // GET …/models
  kClients,                    // GET …/clients
  kLogRequests,                // GET, POST …/log-requests
  kConsoleMe,                  // GET …/console/me: who is signed in
  kUsers,                      // GET, POST …/users (owners)
  kTokens,                     // GET, POST …/tokens (owners)
  kToken,                      // DELETE …/tokens/{id}: revokes it (owners)
  // Unauthenticated: the console's pages and its sign-in and sign-out.
  kConsoleRedirect,  // GET / and /console → /console/
  kConsoleAsset,     // GET /console/ (the page) and /console/{asset}
  kSignIn,           // POST …/console/sign-in {"token"}: sets the session cookie
  kSignOut,          // POST …/console/sign-out: clears it
  kNotFound,
};

/// Whether a route answers without an authenticated caller.
constexpr bool is_public(AdminRouteKind kind) {
  return kind == AdminRouteKind::kConsoleRedirect || kind == AdminRouteKind::kConsoleAsset ||
         kind == AdminRouteKind::kSignIn || kind == AdminRouteKind::kSignOut;
}

struct AdminRoute {
  AdminRouteKind kind = AdminRouteKind::kNotFound;
  bool method_allowed = true;
  std::string_view allow;  // the Allow header's value when the method is not allowed
  std::string id;          // the path's {id} or asset name, as sent (not yet validated)
  std::string file;        // kRequestLog's {file}, as sent
};

AdminRoute match_admin_route(boost::beast::http::verb method, std::string_view target);

}  // namespace aibridge::api
