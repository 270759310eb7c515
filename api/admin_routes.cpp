#include "api/admin_routes.hpp"

#include <array>

#include "proxy/routing.hpp"

namespace aibridge::api {
namespace {

using boost::beast::http::verb;

constexpr std::string_view kV2 = "/api/v2/aibridge";
// Coder's experimental paths, as its CLI and dashboard call them (with and without "/api/v2").
constexpr std::array<std::string_view, 2> kExperimental{"/api/experimental/aibridge",
                                                        "/api/v2/api/experimental/aibridge"};

struct Entry {
  std::string_view path;  // below the prefix; a trailing "/" takes one {id} segment
  AdminRouteKind kind;
  std::string_view allow;
};

constexpr std::array<Entry, 13> kV2Routes{{
    {"/interceptions", AdminRouteKind::kInterceptions, "GET"},
    {"/interceptions/", AdminRouteKind::kInterception, "GET"},
    {"/sessions", AdminRouteKind::kSessions, "GET"},
    {"/sessions/", AdminRouteKind::kSession, "GET"},
    {"/usage", AdminRouteKind::kUsage, "GET"},
    {"/models", AdminRouteKind::kModels, "GET"},
    {"/clients", AdminRouteKind::kClients, "GET"},
    {"/console/me", AdminRouteKind::kConsoleMe, "GET"},
    {"/users", AdminRouteKind::kUsers, "GET, POST"},
    {"/tokens", AdminRouteKind::kTokens, "GET, POST"},
    {"/tokens/", AdminRouteKind::kToken, "DELETE"},
    {"/console/sign-in", AdminRouteKind::kSignIn, "POST"},
    {"/console/sign-out", AdminRouteKind::kSignOut, "POST"},
}};

constexpr std::array<Entry, 2> kExperimentalRoutes{{
    {"/interceptions", AdminRouteKind::kInterceptionsExperimental, "GET"},
    {"/log-requests", AdminRouteKind::kLogRequests, "GET, POST"},
}};

template <std::size_t N>
bool match_in(const std::array<Entry, N>& table, verb method, std::string_view rest,
              AdminRoute& route) {
  for (const Entry& entry : table) {
    const bool with_id = entry.path.ends_with('/');
    if (with_id ? !(rest.starts_with(entry.path) && rest.size() > entry.path.size() &&
                    rest.find('/', entry.path.size()) == std::string_view::npos)
                : rest != entry.path) {
      continue;
    }
    route.kind = entry.kind;
    route.allow = entry.allow;
    route.method_allowed = proxy::method_in(entry.allow, method);
    if (with_id) {
      route.id = std::string(rest.substr(entry.path.size()));
    }
    return true;
  }
  return false;
}

// …/interceptions/{id}/request-logs[/{file}].
bool match_request_logs(verb method, std::string_view rest, AdminRoute& route) {
  constexpr std::string_view kPrefix = "/interceptions/";
  constexpr std::string_view kLogs = "/request-logs";
  if (!rest.starts_with(kPrefix)) {
    return false;
  }
  rest.remove_prefix(kPrefix.size());
  const std::size_t logs = rest.find(kLogs);
  if (logs == 0 || logs == std::string_view::npos ||
      rest.substr(0, logs).find('/') != std::string_view::npos) {
    return false;
  }
  const std::string_view after = rest.substr(logs + kLogs.size());
  if (!after.empty() &&
      (after.size() == 1 || after.front() != '/' || after.find('/', 1) != std::string_view::npos)) {
    return false;
  }
  route.kind = after.empty() ? AdminRouteKind::kRequestLogs : AdminRouteKind::kRequestLog;
  route.allow = "GET";
  route.method_allowed = proxy::method_in(route.allow, method);
  route.id = std::string(rest.substr(0, logs));
  route.file = after.empty() ? "" : std::string(after.substr(1));
  return true;
}

}  // namespace

AdminRoute match_admin_route(verb method, std::string_view target) {
  AdminRoute route;
  const std::string_view path = target.substr(0, target.find('?'));
  if (path == "/" || path == "/console") {
    route.kind = AdminRouteKind::kConsoleRedirect;
    route.allow = "GET, HEAD";
    route.method_allowed = proxy::method_in(route.allow, method);
    return route;
  }
  if (constexpr std::string_view kConsole = "/console/"; path.starts_with(kConsole)) {
    route.kind = AdminRouteKind::kConsoleAsset;
    route.allow = "GET, HEAD";
    route.method_allowed = proxy::method_in(route.allow, method);
    route.id = std::string(path.substr(kConsole.size()));  // "" for the page itself
    return route;
  }
  if (path.starts_with(kV2) && (match_in(kV2Routes, method, path.substr(kV2.size()), route) ||
                                match_request_logs(method, path.substr(kV2.size()), route))) {
    return route;
  }
  for (const std::string_view prefix : kExperimental) {
    if (path.starts_with(prefix) &&
        match_in(kExperimentalRoutes, method, path.substr(prefix.size()), route)) {
      return route;
    }
  }
  return route;
}

}  // namespace aibridge::api
