#include "proxy/routing.hpp"

#include <array>

namespace aibridge::proxy {
namespace {

using boost::beast::http::verb;

constexpr std::string_view kBridgePrefix = "/api/v2/aibridge";

struct ProviderPrefix {
  std::string_view prefix;  // stripped before appending to the base URL
  Provider provider;
};
constexpr std::array<ProviderPrefix, 2> kProviderPrefixes{{
    {"/openai/v1", Provider::kOpenAi},
    {"/anthropic", Provider::kAnthropic},
}};

enum class Match { kExact, kSubtree };

struct ProviderRoute {
  Provider provider;
  std::string_view path;  // below the provider prefix
  Match match;
  RouteKind kind;
  Endpoint endpoint;
  std::string_view allow;
  std::string_view label;  // the same for every provider: "models", "models/{id}", …
};

// Order matters: the first match wins, so exact bridged paths come before their subtrees.
constexpr std::array<ProviderRoute, 11> kProviderRoutes{{
    {Provider::kOpenAi, "/chat/completions", Match::kExact, RouteKind::kBridge,
     Endpoint::kChatCompletions, "POST", "chat/completions"},
    {Provider::kOpenAi, "/responses", Match::kExact, RouteKind::kBridge, Endpoint::kResponses,
     "POST", "responses"},
    {Provider::kOpenAi, "/responses/", Match::kSubtree, RouteKind::kPassthrough,
     Endpoint::kResponses, "GET, POST, DELETE", "responses/{id}"},
    {Provider::kOpenAi, "/models", Match::kExact, RouteKind::kPassthrough, Endpoint::kResponses,
     "GET", "models"},
    {Provider::kOpenAi, "/models/", Match::kSubtree, RouteKind::kPassthrough, Endpoint::kResponses,
     "GET", "models/{id}"},
    {Provider::kOpenAi, "/conversations", Match::kExact, RouteKind::kPassthrough,
     Endpoint::kResponses, "GET, POST", "conversations"},
    {Provider::kOpenAi, "/conversations/", Match::kSubtree, RouteKind::kPassthrough,
     Endpoint::kResponses, "GET, POST, DELETE", "conversations/{id}"},
    {Provider::kAnthropic, "/v1/messages", Match::kExact, RouteKind::kBridge, Endpoint::kMessages,
     "POST", "messages"},
    {Provider::kAnthropic, "/v1/messages/count_tokens", Match::kExact, RouteKind::kPassthrough,
     Endpoint::kMessages, "POST", "messages/count_tokens"},
    {Provider::kAnthropic, "/v1/models", Match::kExact, RouteKind::kPassthrough,
     Endpoint::kMessages, "GET", "models"},
    {Provider::kAnthropic, "/v1/models/", Match::kSubtree, RouteKind::kPassthrough,
     Endpoint::kMessages, "GET", "models/{id}"},
}};

struct OperationsRoute {
  std::string_view path;
  RouteKind kind;
  std::string_view allow;
};

constexpr std::array<OperationsRoute, 3> kOperationsRoutes{{
    {"/healthz", RouteKind::kHealthz, "GET"},
    {"/readyz", RouteKind::kReadyz, "GET"},
    {"/metrics", RouteKind::kMetrics, "GET"},
}};

// Everything below these belongs to api/ (the JSON API, Coder's experimental paths, the console).
constexpr std::array<std::string_view, 4> kAdminPrefixes{
    "/api/v2/aibridge/", "/api/experimental/aibridge/", "/api/v2/api/experimental/aibridge/",
    "/console/"};

bool is_admin_path(std::string_view path) {
  if (path == "/" || path == "/console") {
    return true;
  }
  for (const std::string_view prefix : kAdminPrefixes) {
    if (path.starts_with(prefix)) {
      return true;
    }
  }
  return false;
}

bool matches(const ProviderRoute& route, std::string_view rest) {
  if (route.match == Match::kExact) {
    return rest == route.path;
  }
  return rest.size() > route.path.size() && rest.starts_with(route.path);
}

}  // namespace

std::string_view provider_name(Provider provider) {
  return provider == Provider::kOpenAi ? "openai" : "anthropic";
}

std::vector<std::pair<Provider, std::string_view>> passthrough_routes() {
  std::vector<std::pair<Provider, std::string_view>> out;
  for (const ProviderRoute& route : kProviderRoutes) {
    if (route.kind == RouteKind::kPassthrough) {
      out.emplace_back(route.provider, route.label);
    }
  }
  return out;
}

bool method_in(std::string_view allow, verb method) {
  const std::string_view name = boost::beast::http::to_string(method);
  std::size_t start = 0;
  while (start < allow.size()) {
    std::size_t end = allow.find(',', start);
    if (end == std::string_view::npos) {
      end = allow.size();
    }
    std::string_view item = allow.substr(start, end - start);
    while (item.starts_with(' ')) {
      item.remove_prefix(1);
    }
    if (item == name) {
      return true;
    }
    start = end + 1;
  }
  return false;
}

std::string_view target_path(std::string_view target) {
  return target.substr(0, target.find('?'));
}

Route match_route(verb method, std::string_view target) {
  Route route;
  const std::string_view path = target_path(target);
  for (const OperationsRoute& operations : kOperationsRoutes) {
    if (path == operations.path) {
      route.kind = operations.kind;
      route.allow = operations.allow;
      route.method_allowed = method_in(operations.allow, method);
      return route;
    }
  }
  std::string_view provider_path = path;
  if (provider_path.starts_with(kBridgePrefix)) {
    provider_path.remove_prefix(kBridgePrefix.size());
  }
  for (const ProviderPrefix& prefix : kProviderPrefixes) {
    if (!provider_path.starts_with(prefix.prefix)) {
      continue;
    }
    const std::string_view rest = provider_path.substr(prefix.prefix.size());
    for (const ProviderRoute& candidate : kProviderRoutes) {
      if (candidate.provider != prefix.provider || !matches(candidate, rest)) {
        continue;
      }
      route.kind = candidate.kind;
      route.provider = candidate.provider;
      route.endpoint = candidate.endpoint;
      route.allow = candidate.allow;
      route.method_allowed = method_in(candidate.allow, method);
      route.route_label = candidate.label;
      // The query string (e.g. Claude Code's "?beta=true") travels unchanged.
      const std::size_t rest_offset = static_cast<std::size_t>(rest.data() - target.data());
      route.upstream_path = std::string(target.substr(rest_offset));
      return route;
    }
    return route;  // a provider's path it does not serve
  }
  if (is_admin_path(path)) {
    route.kind = RouteKind::kAdmin;
  }
  return route;
}

}  // namespace aibridge::proxy
