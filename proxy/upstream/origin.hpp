#pragma once
// A provider base URL split into what the upstream client needs. Pure.
#include <optional>
#include <string>
#include <string_view>

namespace aibridge::proxy {

struct Origin {
  bool tls = false;
  std::string host;         // without brackets for IPv6
  std::string port;         // always set ("443", "80" or explicit)
  std::string host_header;  // as sent in Host: "api.openai.com", "localhost:8443", "[::1]:80"
  std::string path_prefix;  // base URL path without trailing '/': "/v1", "" for none
  bool host_is_ip = false;  // no SNI for IP literals

  /// Pool key: scheme, host and port.
  std::string key() const { return (tls ? "https://" : "http://") + host + ":" + port; }
  /// The upstream request target for a path below the provider prefix ("/models?x=1").
  std::string target(std::string_view path) const { return path_prefix + std::string(path); }
};

/// Parses "http(s)://host[:port][/path]"; nullopt when it is not such a URL.
std::optional<Origin> parse_origin(std::string_view url);

}  // namespace aibridge::proxy
