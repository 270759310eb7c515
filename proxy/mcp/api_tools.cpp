#include "proxy/mcp/api_tools.hpp"

#include <boost/json.hpp>

namespace aibridge::proxy::mcp {

namespace json = boost::json;

const ApiTools& anthropic_tools();
const ApiTools& chat_tools();
const ApiTools& responses_tools();

const ApiTools& api_tools(Endpoint endpoint) {
  switch (endpoint) {
    case Endpoint::kMessages:
      return anthropic_tools();
    case Endpoint::kChatCompletions:
      return chat_tools();
    case Endpoint::kResponses:
      return responses_tools();
  }
  return chat_tools();
}

json::object input_schema(const Tool& tool) {
  json::object schema{
      {"type", "object"},
      {"properties", tool.properties.is_object() ? tool.properties : json::object{}}};
  if (!tool.required.empty()) {
    schema["required"] = tool.required;
  }
  return schema;
}

std::string openai_tool_output(const Outcome& outcome) {
  if (!outcome.result) {
    return json::serialize(json::object{{"error", true}, {"message", outcome.error}});
  }
  return json::serialize(*outcome.result);
}

std::string_view string_member(const json::object& object, std::string_view key) {
  const json::value* value = object.if_contains(key);
  return value != nullptr && value->is_string() ? std::string_view(value->as_string())
                                                : std::string_view();
}

void append_to_member(json::object& object, std::string_view key, std::string_view text) {
  std::string joined(string_member(object, key));
  joined += text;
  object[key] = joined;
}

const json::array& array_or_empty(const json::value* value) {
  static const json::array empty;
  return value != nullptr && value->is_array() ? value->as_array() : empty;
}

std::string joined(std::span<const json::value> values) {
  std::string out;
  for (const json::value& value : values) {
    if (!out.empty()) {
      out += ',';
    }
    out += json::serialize(value);
  }
  return out;
}

}  // namespace aibridge::proxy::mcp
