#pragma once
// Targeted edits of raw JSON text that leave every other byte as the client sent it (SPEC §4.2:
// the body is never re-serialised). The input must already be valid JSON. Pure.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace aibridge::proxy {

struct JsonMember {
  std::string_view key;         // raw text between the quotes (escapes not decoded)
  std::size_t value_begin = 0;  // offsets into the scanned text, [begin, end)
  std::size_t value_end = 0;
};

/// Members of the object whose '{' is at `object_begin` (leading whitespace allowed). Empty when
/// the value there is not an object.
std::vector<JsonMember> object_members(std::string_view json, std::size_t object_begin = 0);

struct JsonSpan {
  std::size_t begin = 0;  // [begin, end) offsets into the scanned text
  std::size_t end = 0;
};

/// Elements of the array whose '[' is at `array_begin`; empty when there is no array there.
std::vector<JsonSpan> array_elements(std::string_view json, std::size_t array_begin);

/// `object` (a JSON object) with member `key` set to the JSON text `value`: its value replaced
/// where the member exists (every occurrence), else the member added first.
std::string with_member(std::string_view object, std::string_view key, std::string_view value);

/// `object` with the JSON texts `elements` (comma-separated, not empty) added to the array member
/// `key`, at its front or its end; a missing or non-array member becomes `[elements]`.
std::string with_array_elements(std::string_view object, std::string_view key,
                                std::string_view elements, bool at_front);

/// Streaming chat completions must report usage: makes `stream_options.include_usage` true,
/// keeping any other stream_options members (a non-object stream_options is replaced).
std::string with_include_usage(std::string_view body);

}  // namespace aibridge::proxy
