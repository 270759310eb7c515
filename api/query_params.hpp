#pragma once
// The decoded query parameters of a request target, every value of every name in order.
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace aibridge::api {

using QueryParams = std::map<std::string, std::vector<std::string>>;

/// Form decoding: %XX escapes, '+' as a space. nullopt on a malformed escape.
/// (Hand-written: Boost.URL 1.81's decode() returned bytes past a parameter's end here.)
std::optional<QueryParams> decode_query(std::string_view target);

/// A path segment's %XX escapes decoded ('+' stays itself). nullopt on a malformed escape.
std::optional<std::string> decode_path_segment(std::string_view segment);

}  // namespace aibridge::api
