#include "proxy/credentials.hpp"

#include <boost/beast/core/string.hpp>

namespace aibridge::proxy {
namespace {

namespace http = boost::beast::http;

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) {
    text.remove_prefix(1);
  }
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) {
    text.remove_suffix(1);
  }
  return text;
}

std::optional<std::string_view> bearer(const http::fields& headers) {
  const auto found = headers.find(http::field::authorization);
  if (found == headers.end()) {
    return std::nullopt;
  }
  const std::string_view value = trim(found->value());
  constexpr std::string_view kScheme = "bearer ";
  if (value.size() <= kScheme.size() ||
      !boost::beast::iequals(value.substr(0, kScheme.size()), kScheme)) {
    return std::nullopt;
  }
  const std::string_view token = trim(value.substr(kScheme.size()));
  return token.empty() ? std::nullopt : std::optional(token);
}

std::optional<std::string_view> header(const http::fields& headers, std::string_view name) {
  const auto found = headers.find(name);
  if (found == headers.end()) {
    return std::nullopt;
  }
  const std::string_view value = trim(found->value());
  return value.empty() ? std::nullopt : std::optional(value);
}

// Value of `name` in a "k=v; k2=v2" cookie header or a "k=v&k2=v2" query string.
std::optional<std::string_view> pair_value(std::string_view list, char separator,
                                           std::string_view name) {
  while (!list.empty()) {
    const std::size_t end = list.find(separator);
    std::string_view item = trim(list.substr(0, end));
    list = end == std::string_view::npos ? std::string_view() : list.substr(end + 1);
    const std::size_t equals = item.find('=');
    if (equals != std::string_view::npos && item.substr(0, equals) == name) {
      const std::string_view value = item.substr(equals + 1);
      if (!value.empty()) {
        return value;
      }
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string_view> provider_route_token(const http::fields& headers) {
  if (auto token = bearer(headers)) {
    return token;
  }
  if (auto token = header(headers, "x-api-key")) {
    return token;
  }
  return header(headers, "coder-session-token");
}

std::optional<AdminCredential> admin_route_token(const http::fields& headers,
                                                 std::string_view target) {
  if (auto token = header(headers, "coder-session-token")) {
    return AdminCredential{*token, CredentialSource::kHeader};
  }
  if (auto cookie = header(headers, "cookie")) {
    for (const std::string_view name : {kSecureConsoleCookie, kConsoleCookie, kCoderSessionToken}) {
      if (auto token = pair_value(*cookie, ';', name)) {
        return AdminCredential{*token, CredentialSource::kCookie};
      }
    }
  }
  if (const std::size_t query = target.find('?'); query != std::string_view::npos) {
    if (auto token = pair_value(target.substr(query + 1), '&', kCoderSessionToken)) {
      return AdminCredential{*token, CredentialSource::kQuery};
    }
  }
  if (auto token = bearer(headers)) {
    return AdminCredential{*token, CredentialSource::kBearer};
  }
  return std::nullopt;
}

}  // namespace aibridge::proxy
