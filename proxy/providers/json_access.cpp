#include "proxy/providers/json_access.hpp"

#include <boost/json.hpp>

namespace aibridge::proxy::json {
namespace {

simdjson::dom::parser& parser() {
  // One per network thread: extractors run synchronously, one document at a time.
  thread_local simdjson::dom::parser instance;
  return instance;
}

}  // namespace

std::optional<element> parse_event(std::string_view padded_data) {
  element root;
  if (parser()
          .parse(padded_data.data(), padded_data.size(), /*realloc_if_needed=*/false)
          .get(root) != simdjson::SUCCESS) {
    return std::nullopt;
  }
  return root;
}

std::optional<element> parse_body(const std::string& body) {
  element root;
  if (parser().parse(body).get(root) != simdjson::SUCCESS) {
    return std::nullopt;
  }
  return root;
}

std::optional<std::int64_t> integer(element root, std::string_view pointer) {
  std::int64_t value = 0;
  if (root.at_pointer(pointer).get_int64().get(value) != simdjson::SUCCESS) {
    return std::nullopt;
  }
  return value;
}

std::optional<std::string_view> string(element root, std::string_view pointer) {
  std::string_view value;
  if (root.at_pointer(pointer).get_string().get(value) != simdjson::SUCCESS) {
    return std::nullopt;
  }
  return value;
}

std::string string_or_empty(element root, std::string_view pointer) {
  return std::string(string(root, pointer).value_or(""));
}

bool has(element root, std::string_view pointer) {
  element found;
  return root.at_pointer(pointer).get(found) == simdjson::SUCCESS && !found.is_null();
}

std::string counters(
    std::initializer_list<std::pair<std::string_view, std::optional<std::int64_t>>> entries) {
  boost::json::object object;
  for (const auto& [key, value] : entries) {
    if (value) {
      object[key] = *value;
    }
  }
  return boost::json::serialize(object);
}

std::string minified(element value) {
  return simdjson::minify(value);
}

}  // namespace aibridge::proxy::json
