#pragma once
// Small helpers over simdjson's DOM for the extractors: parsing with a per-thread parser and
// reading optional fields by JSON pointer. Elements are valid until the next parse on the thread.
#include <simdjson.h>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace aibridge::proxy::json {

using simdjson::dom::element;

/// Parses SSE event data in place (SseEvent guarantees the padding simdjson reads ahead).
std::optional<element> parse_event(std::string_view padded_data);
/// Parses a whole response body (copied into padded memory when needed).
std::optional<element> parse_body(const std::string& body);

std::optional<std::int64_t> integer(element root, std::string_view pointer);
std::optional<std::string_view> string(element root, std::string_view pointer);
std::string string_or_empty(element root, std::string_view pointer);
bool has(element root, std::string_view pointer);

/// {"key": value, …} of the counters that are present, in the order given.
std::string counters(
    std::initializer_list<std::pair<std::string_view, std::optional<std::int64_t>>> entries);

/// The text of a JSON value re-serialised compactly (for values whose raw text is not at hand).
std::string minified(element value);

}  // namespace aibridge::proxy::json
