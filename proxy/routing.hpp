#pragma once
// Which handler a request goes to (SPEC §3). Pure: no I/O, tested as a table.
#include <ostream>  // boost/core/detail/string_view.hpp uses std::ostream without including it
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/beast/http/verb.hpp>

namespace aibridge::proxy {

enum class Provider { kOpenAi, kAnthropic };
enum class Endpoint { kChatCompletions, kResponses, kMessages };

std::string_view provider_name(Provider provider);

enum class RouteKind {
  kBridge,       // recorded provider call
  kPassthrough,  // relayed, not recorded
  kAdmin,        // the admin API and console: api/ routes it further
  kHealthz,
  kReadyz,
  kMetrics,
  kNotFound,
};

struct Route {
  RouteKind kind = RouteKind::kNotFound;
  bool method_allowed = true;
  std::string_view allow;  // value of the Allow header when the method is not allowed
  Provider provider = Provider::kOpenAi;
  Endpoint endpoint = Endpoint::kChatCompletions;  // bridge routes only
  /// Provider routes: the path below the provider prefix, query included, to append to the
  /// provider's base URL ("/chat/completions", "/v1/messages?beta=true", "/models/gpt-4o").
  std::string upstream_path;
  /// Provider routes: a name for metrics, the same for each provider ("models", "models/{id}").
  std::string_view route_label;
};

/// Operations routes, then provider routes; what is left under the admin API's prefixes, the
/// console and `/` is kAdmin (its method is the admin router's to check).
Route match_route(boost::beast::http::verb method, std::string_view target);

/// Every passthrough route's provider and metric label, for series exported from the start.
std::vector<std::pair<Provider, std::string_view>> passthrough_routes();

/// Whether `method` is one of an Allow header's list ("GET, POST").
bool method_in(std::string_view allow, boost::beast::http::verb method);

/// The target without its query string.
std::string_view target_path(std::string_view target);

}  // namespace aibridge::proxy
