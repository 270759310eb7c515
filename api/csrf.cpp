#include "api/csrf.hpp"

#include <string>

#include <boost/beast/core/string.hpp>

namespace aibridge::api {
namespace {

namespace http = boost::beast::http;

std::string_view header(const http::fields& headers, std::string_view name) {
  const auto found = headers.find(name);
  return found == headers.end() ? std::string_view() : std::string_view(found->value());
}

struct Origin {
  std::string_view scheme;     // "http" or "https"
  std::string_view authority;  // "gw.example.com:8443"
};

// An http(s) origin, or nullopt ("null", a path, another scheme).
std::optional<Origin> parse_origin(std::string_view origin) {
  for (const std::string_view scheme : {"http", "https"}) {
    const std::string prefix = std::string(scheme) + "://";
    if (origin.size() > prefix.size() &&
        boost::beast::iequals(origin.substr(0, prefix.size()), prefix)) {
      const std::string_view rest = origin.substr(prefix.size());
      if (rest.find('/') != std::string_view::npos) {
        return std::nullopt;
      }
      return Origin{scheme, rest};
    }
  }
  return std::nullopt;
}

// "host:443" and "host" are the same place for https (":80" for http): proxies differ in
// whether they write the default port.
std::string_view without_default_port(std::string_view authority, std::string_view scheme) {
  const std::string_view port = scheme == "https" ? ":443" : ":80";
  return authority.ends_with(port) ? authority.substr(0, authority.size() - port.size())
                                   : authority;
}

}  // namespace

std::optional<std::string> csrf_refusal(http::verb method, const http::fields& headers) {
  if (method == http::verb::get || method == http::verb::head || method == http::verb::options) {
    return std::nullopt;
  }
  std::string_view host = header(headers, "x-forwarded-host");
  host = host.substr(0, host.find(','));  // the first proxy's: the one the browser talked to
  while (host.ends_with(' ')) {
    host.remove_suffix(1);
  }
  if (host.empty()) {
    host = header(headers, "host");
  }
  const auto origin = parse_origin(header(headers, "origin"));
  if (!origin || host.empty() ||
      !boost::beast::iequals(without_default_port(origin->authority, origin->scheme),
                             without_default_port(host, origin->scheme))) {
    return "a request authenticated by the session cookie must come from this gateway's own "
           "pages: its Origin header must name the host it was sent to";
  }
  if (header(headers, kCsrfHeader).empty()) {
    return "a request authenticated by the session cookie must carry the " +
           std::string(kCsrfHeader) + " header the console sends";
  }
  return std::nullopt;
}

}  // namespace aibridge::api
