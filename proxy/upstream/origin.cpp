#include "proxy/upstream/origin.hpp"

#include <boost/asio/ip/address.hpp>

namespace aibridge::proxy {

std::optional<Origin> parse_origin(std::string_view url) {
  Origin origin;
  if (url.starts_with("https://")) {
    origin.tls = true;
    url.remove_prefix(8);
  } else if (url.starts_with("http://")) {
    url.remove_prefix(7);
  } else {
    return std::nullopt;
  }
  const std::size_t path_start = url.find('/');
  std::string_view authority = url.substr(0, path_start);
  std::string_view path = path_start == std::string_view::npos ? "" : url.substr(path_start);
  while (path.ends_with('/')) {
    path.remove_suffix(1);
  }
  if (authority.empty() || authority.find('@') != std::string_view::npos ||
      path.find_first_of("?# ") != std::string_view::npos) {
    return std::nullopt;
  }
  origin.host_header = std::string(authority);
  std::string_view port;
  if (authority.front() == '[') {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) {
      return std::nullopt;
    }
    origin.host = std::string(authority.substr(1, close - 1));
    const std::string_view rest = authority.substr(close + 1);
    if (!rest.empty() && (rest.front() != ':' || rest.size() == 1)) {
      return std::nullopt;
    }
    port = rest.empty() ? "" : rest.substr(1);
  } else {
    const std::size_t colon = authority.rfind(':');
    origin.host = std::string(authority.substr(0, colon));
    port = colon == std::string_view::npos ? "" : authority.substr(colon + 1);
    if (colon != std::string_view::npos && port.empty()) {
      return std::nullopt;
    }
  }
  if (origin.host.empty() || port.find_first_not_of("0123456789") != std::string_view::npos ||
      port.size() > 5) {
    return std::nullopt;
  }
  origin.port = port.empty() ? (origin.tls ? "443" : "80") : std::string(port);
  origin.path_prefix = std::string(path);
  boost::system::error_code not_ip;
  boost::asio::ip::make_address(origin.host, not_ip);
  origin.host_is_ip = !not_ip;
  return origin;
}

}  // namespace aibridge::proxy
