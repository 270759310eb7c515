// libFuzzer: the request path up to the first network write — the HTTP/1.1 parser with the
// gateway's header limit (and a 1 MiB body cap, to keep runs fast), routing, token extraction, the
// request-body reading, client detection, the include_usage edit and the upstream header rewrite —
// on arbitrary bytes cut at arbitrary points. Invariants: no crash or UB, an edited body is still
// JSON, and no client credential survives the header rewrite.
#include <cstddef>
#include <cstdint>
#include <string>

#include <boost/beast/http.hpp>
#include <boost/json.hpp>

#include "proxy/credentials.hpp"
#include "proxy/headers.hpp"
#include "proxy/json_edit.hpp"
#include "proxy/providers/request_facts.hpp"
#include "proxy/routing.hpp"

namespace {

namespace http = boost::beast::http;
using namespace aibridge::proxy;

const Origin& origin() {
  static const Origin parsed = *parse_origin("https://api.example.com/v1");
  return parsed;
}

void follow_request(http::request<http::string_body>& request) {
  const Route route = match_route(request.method(), request.target());
  provider_route_token(request);
  admin_route_token(request, request.target());
  if (route.kind != RouteKind::kBridge) {
    return;
  }
  const auto facts = read_request_facts(route.endpoint, request.body());
  if (!facts) {
    return;
  }
  detect_client(request, facts->claude_session_id);
  if (facts->streaming && route.endpoint == Endpoint::kChatCompletions) {
    boost::json::parse_options deep;
    deep.max_depth = 4096;  // as deep as the gateway's own parser goes, and more
    boost::system::error_code before;
    boost::system::error_code after;
    boost::json::parse(request.body(), before, {}, deep);
    boost::json::parse(with_include_usage(request.body()), after, {}, deep);
    if (!before && after) {
      __builtin_trap();  // the edit broke a valid JSON body
    }
  }
  prepare_upstream_headers(request, origin(), route.provider, "sk-provider-key");
  for (const char* credential : {"cookie", "coder-session-token"}) {
    if (request.find(credential) != request.end()) {
      __builtin_trap();
    }
  }
  const bool openai = route.provider == Provider::kOpenAi;
  if (request.count("authorization") != (openai ? 1U : 0U) ||
      request.count("x-api-key") != (openai ? 0U : 1U)) {
    __builtin_trap();  // exactly the provider key, in the provider's header
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) {
    return 0;
  }
  const std::size_t piece = 1 + data[0];
  const std::string_view input(reinterpret_cast<const char*>(data + 1), size - 1);
  http::request_parser<http::string_body> parser;
  parser.header_limit(64 * 1024);
  parser.body_limit(1 << 20);
  parser.eager(true);
  boost::system::error_code error;
  std::size_t pos = 0;
  std::string pending;
  while (pos < input.size() && !parser.is_done()) {
    pending.append(input.substr(pos, piece));
    pos += piece;
    const std::size_t used = parser.put(boost::asio::buffer(pending), error);
    pending.erase(0, used);
    if (error == http::error::need_more) {
      error = {};
      continue;
    }
    if (error) {
      return 0;  // the gateway answers 400/413/431 and closes
    }
  }
  if (parser.is_done()) {
    http::request<http::string_body> request = parser.release();
    follow_request(request);
  }
  return 0;
}
