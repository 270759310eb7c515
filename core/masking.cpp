#include "core/masking.hpp"

#include <array>
#include <vector>

#include <boost/beast/core/string.hpp>

namespace aibridge::core {
namespace {

// Byte offsets where each UTF-8 code point starts (continuation bytes are 10xxxxxx).
std::vector<std::size_t> code_point_starts(std::string_view text) {
  std::vector<std::size_t> starts;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
      starts.push_back(i);
    }
  }
  return starts;
}

constexpr std::array<std::string_view, 12> kSecretHeaders{
    "authorization",    "proxy-authorization", "x-api-key",
    "api-key",          "x-auth-token",        "cookie",
    "set-cookie",       "coder-session-token", "x-amz-security-token",
    "www-authenticate", "proxy-authenticate",  "openai-api-key"};

}  // namespace

std::string mask_secret(std::string_view secret) {
  if (secret.empty()) {
    return {};
  }
  const std::vector<std::size_t> starts = code_point_starts(secret);
  const std::size_t length = starts.size();
  std::size_t reveal = 0;
  if (length >= 20) {
    reveal = 4;
  } else if (length >= 10) {
    reveal = 2;
  } else if (length >= 5) {
    reveal = 1;
  }
  if (length <= 2 * reveal) {
    return "...";
  }
  const std::size_t prefix_end = reveal < length ? starts[reveal] : secret.size();
  const std::size_t suffix_begin = reveal == 0 ? secret.size() : starts[length - reveal];
  std::string out(secret.substr(0, prefix_end));
  out += "...";
  out += secret.substr(suffix_begin);
  return out;
}

std::string mask_header_value(std::string_view name, std::string_view value) {
  const bool has_scheme = boost::beast::iequals(name, "authorization") ||
                          boost::beast::iequals(name, "proxy-authorization");
  const std::size_t space = value.find(' ');
  if (!has_scheme || space == 0 || space == std::string_view::npos) {
    return mask_secret(value);
  }
  std::string out(value.substr(0, space + 1));
  out += mask_secret(value.substr(space + 1));
  return out;
}

bool is_secret_header(std::string_view name) {
  for (std::string_view secret : kSecretHeaders) {
    if (boost::beast::iequals(name, secret)) {
      return true;
    }
  }
  return false;
}

}  // namespace aibridge::core
