#include "api/query_params.hpp"

namespace aibridge::api {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  return -1;
}

// %XX escapes, and in application/x-www-form-urlencoded '+' for a space.
std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (plus_is_space && text[i] == '+') {
      out += ' ';
    } else if (text[i] == '%') {
      if (i + 2 >= text.size()) {
        return std::nullopt;
      }
      const int high = hex_value(text[i + 1]);
      const int low = hex_value(text[i + 2]);
      if (high < 0 || low < 0) {
        return std::nullopt;
      }
      out += static_cast<char>(high * 16 + low);
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

}  // namespace

std::optional<QueryParams> decode_query(std::string_view target) {
  QueryParams params;
  const std::size_t question = target.find('?');
  if (question == std::string_view::npos) {
    return params;
  }
  std::string_view query = target.substr(question + 1);
  while (!query.empty()) {
    const std::size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) {
      continue;
    }
    const std::size_t equals = pair.find('=');
    const auto key = percent_decode(pair.substr(0, equals), /*plus_is_space=*/true);
    const auto value =
        percent_decode(equals == std::string_view::npos ? "" : pair.substr(equals + 1),
                       /*plus_is_space=*/true);
    if (!key || !value) {
      return std::nullopt;
    }
    params[*key].push_back(*value);
  }
  return params;
}

std::optional<std::string> decode_path_segment(std::string_view segment) {
  return percent_decode(segment, /*plus_is_space=*/false);
}

}  // namespace aibridge::api
