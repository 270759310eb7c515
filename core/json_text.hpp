#pragma once
// Writing JSON text straight into a buffer without building a document first (the recorder
// encodes thousands of rows per batch; Boost.JSON's serializer would need a json::value, a copy
// of every string). Pure.
#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>

namespace aibridge::core {

/// The most bytes write_json_string() writes for a text of `size` bytes.
constexpr std::size_t json_string_bound(std::size_t size) {
  return 6 * size + 2;
}
/// The most bytes write_json_int() writes.
inline constexpr std::size_t kJsonIntBound = 20;

/// Writes `text` as a JSON string literal (quotes included) at `out`, which has room for
/// json_string_bound(text.size()) bytes, escaping what RFC 8259 requires; returns the end.
/// Invalid UTF-8 is passed through unchanged: the text came from JSON the provider sent.
char* write_json_string(char* out, std::string_view text);

inline char* write_json_int(char* out, std::int64_t value) {
  return std::to_chars(out, out + kJsonIntBound, value).ptr;
}

/// The same, appended to a string.
void append_json_string(std::string& out, std::string_view text);
void append_json_int(std::string& out, std::int64_t value);

}  // namespace aibridge::core
