#include "proxy/headers.hpp"

#include <array>
#include <span>
#include <string>
#include <vector>

#include <boost/beast/core/string.hpp>
#include <boost/beast/http/rfc7230.hpp>

namespace aibridge::proxy {
namespace {

namespace http = boost::beast::http;

constexpr std::array<std::string_view, 8> kHopByHop{
    "connection", "keep-alive", "proxy-authenticate", "proxy-authorization",
    "te",         "trailer",    "transfer-encoding",  "upgrade"};

constexpr std::array<std::string_view, 9> kNotForwarded{
    "host",      "content-length",      "accept-encoding", "expect",          "authorization",
    "x-api-key", "coder-session-token", "cookie",          "proxy-connection"};

bool listed(std::string_view name, std::span<const std::string_view> list) {
  for (std::string_view entry : list) {
    if (boost::beast::iequals(name, entry)) {
      return true;
    }
  }
  return false;
}

// Header names listed in Connection ("Connection: keep-alive, X-Private") are hop-by-hop too.
std::vector<std::string> connection_tokens(const http::fields& headers) {
  std::vector<std::string> tokens;
  const auto [first, last] = headers.equal_range(http::field::connection);
  for (auto field = first; field != last; ++field) {
    for (const auto& token : http::token_list(field->value())) {
      tokens.emplace_back(token);
    }
  }
  return tokens;
}

bool is_connection_token(std::string_view name, const std::vector<std::string>& tokens) {
  for (const std::string& token : tokens) {
    if (boost::beast::iequals(name, token)) {
      return true;
    }
  }
  return false;
}

}  // namespace

void prepare_upstream_headers(http::fields& headers, const Origin& origin, Provider provider,
                              std::string_view api_key) {
  const std::vector<std::string> tokens = connection_tokens(headers);
  for (auto it = headers.begin(); it != headers.end();) {
    const std::string_view name = it->name_string();
    if (listed(name, kHopByHop) || listed(name, kNotForwarded) ||
        is_connection_token(name, tokens)) {
      it = headers.erase(it);
    } else {
      ++it;
    }
  }
  headers.set(http::field::host, origin.host_header);
  headers.set(http::field::accept_encoding, "identity");
  if (api_key.empty()) {
    return;
  }
  if (provider == Provider::kOpenAi) {
    headers.set(http::field::authorization, "Bearer " + std::string(api_key));
  } else {
    headers.set("X-Api-Key", api_key);
  }
}

void copy_response_headers(const http::fields& upstream, http::fields& client) {
  const std::vector<std::string> tokens = connection_tokens(upstream);
  for (const auto& field : upstream) {
    const std::string_view name = field.name_string();
    if (listed(name, kHopByHop) || boost::beast::iequals(name, "content-length") ||
        is_connection_token(name, tokens)) {
      continue;
    }
    client.insert(name, field.value());
  }
}

}  // namespace aibridge::proxy
