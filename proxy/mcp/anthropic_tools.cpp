// Anthropic messages: injected tools go first (the client's cache_control breakpoint on its last
// tool keeps covering every tool before it), parallel tool use is disabled through tool_choice,
// and each round appends the assistant turn and one user turn of tool_result blocks.
#include <boost/json.hpp>

#include "proxy/json_edit.hpp"
#include "proxy/mcp/api_tools.hpp"

namespace aibridge::proxy::mcp {
namespace {

namespace json = boost::json;

// tool_choice with parallel tool use disabled: a choice of "none" stays as it is.
std::string disabled_parallel_choice(std::string_view body) {
  for (const JsonMember& member : object_members(body)) {
    if (member.key != "tool_choice") {
      continue;
    }
    json::error_code error;
    json::value choice =
        json::parse(body.substr(member.value_begin, member.value_end - member.value_begin), error);
    if (error || !(choice.is_object() || choice.is_null())) {
      return std::string(body);  // not a tool_choice the API takes: its error, not ours
    }
    if (choice.is_null()) {
      choice = json::object{};
    }
    json::object& fields = choice.as_object();
    const std::string_view type = string_member(fields, "type");
    if (type == "none") {
      return std::string(body);
    }
    if (type.empty()) {
      fields["type"] = "auto";
    }
    fields["disable_parallel_tool_use"] = true;
    return with_member(body, "tool_choice", json::serialize(choice));
  }
  return with_member(body, "tool_choice", R"({"type":"auto","disable_parallel_tool_use":true})");
}

json::object tool_result(const InjectedCall& call, const Outcome& outcome) {
  json::array content;
  bool is_error = !outcome.result;
  if (!outcome.result) {
    content.push_back(
        json::object{{"type", "text"}, {"text", "Error calling tool: " + outcome.error}});
  } else if (const json::object* result = outcome.result->if_object()) {
    if (const json::value* flag = result->if_contains("isError"); flag && flag->is_bool()) {
      is_error = flag->as_bool();
    }
    for (const json::value& item : array_or_empty(result->if_contains("content"))) {
      const json::object* fields = item.if_object();
      const std::string_view type = fields != nullptr ? string_member(*fields, "type") : "";
      if (type == "text") {
        content.push_back(json::object{{"type", "text"}, {"text", string_member(*fields, "text")}});
      } else if (type == "image") {
        content.push_back(
            json::object{{"type", "image"},
                         {"source", json::object{{"type", "base64"},
                                                 {"media_type", string_member(*fields, "mimeType")},
                                                 {"data", string_member(*fields, "data")}}}});
      } else {  // audio, resources, links: the model reads them as JSON
        content.push_back(json::object{{"type", "text"}, {"text", json::serialize(item)}});
      }
    }
    if (content.empty()) {
      content.push_back(json::object{{"type", "text"}, {"text", json::serialize(*result)}});
    }
  }
  return json::object{{"type", "tool_result"},
                      {"tool_use_id", call.call_id},
                      {"is_error", is_error},
                      {"content", std::move(content)}};
}

bool is_injected_use(const json::value& block, const Catalogue& catalogue) {
  const json::object* fields = block.if_object();
  return fields != nullptr && string_member(*fields, "type") == "tool_use" &&
         catalogue.find(string_member(*fields, "name")) != nullptr;
}

class AnthropicTools final : public ApiTools {
 public:
  std::string inject(std::string_view body, const Catalogue& catalogue) const override {
    std::vector<json::value> tools;
    for (const Tool& tool : catalogue.tools()) {
      tools.push_back(json::object{{"name", tool.id},
                                   {"description", tool.description},
                                   {"input_schema", input_schema(tool)}});
    }
    return disabled_parallel_choice(with_array_elements(body, "tools", joined(tools), true));
  }

  std::vector<InjectedCall> injected_calls(const json::object& response,
                                           const Catalogue& catalogue) const override {
    std::vector<InjectedCall> calls;
    const json::value* content = response.if_contains("content");
    if (content == nullptr || !content->is_array()) {
      return calls;
    }
    for (const json::value& block : content->as_array()) {
      if (!is_injected_use(block, catalogue)) {
        continue;
      }
      const json::object& fields = block.as_object();
      InjectedCall call;
      call.call_id = std::string(string_member(fields, "id"));
      call.tool = catalogue.find(string_member(fields, "name"));
      if (const json::value* input = fields.if_contains("input")) {
        call.arguments = *input;
        call.raw_arguments = json::serialize(*input);
      }
      calls.push_back(std::move(call));
    }
    return calls;
  }

  std::string continued(std::string_view body, const json::object& response,
                        std::span<const InjectedCall> calls,
                        std::span<const Outcome> outcomes) const override {
    const json::value* content = response.if_contains("content");
    json::array results;
    for (std::size_t i = 0; i < calls.size(); ++i) {
      results.push_back(tool_result(calls[i], outcomes[i]));
    }
    const std::array<json::value, 2> turns{
        json::object{{"role", "assistant"},
                     {"content", content != nullptr ? *content : json::array{}}},
        json::object{{"role", "user"}, {"content", std::move(results)}}};
    return with_array_elements(body, "messages", joined(turns), false);
  }

  std::string without_injected(json::object response, const Catalogue& catalogue) const override {
    if (json::value* content = response.if_contains("content"); content && content->is_array()) {
      json::array& blocks = content->as_array();
      blocks.erase(std::remove_if(
                       blocks.begin(), blocks.end(),
                       [&](const json::value& block) { return is_injected_use(block, catalogue); }),
                   blocks.end());
      const bool calls_left = std::any_of(blocks.begin(), blocks.end(), [](const json::value& b) {
        return b.is_object() && string_member(b.as_object(), "type") == "tool_use";
      });
      if (!calls_left && string_member(response, "stop_reason") == "tool_use") {
        response["stop_reason"] = "end_turn";
      }
    }
    return json::serialize(response);
  }
};

}  // namespace

const ApiTools& anthropic_tools() {
  static const AnthropicTools tools;
  return tools;
}

}  // namespace aibridge::proxy::mcp
