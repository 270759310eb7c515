// OpenAI chat completions and responses: injected function tools go after the client's,
// parallel_tool_calls is false, and each round appends the model's turn and one tool output per
// call (chat: a role "tool" message; responses: a function_call_output item).
#include <boost/json.hpp>

#include "proxy/json_edit.hpp"
#include "proxy/mcp/api_tools.hpp"

namespace aibridge::proxy::mcp {
namespace {

namespace json = boost::json;

// Function arguments arrive as a JSON text; MCP takes them as an object.
json::value parsed_arguments(std::string_view text) {
  json::error_code error;
  json::value value = json::parse(text, error);
  return error ? json::value(nullptr) : value;
}

// A function call as both APIs give it: arguments as JSON text.
InjectedCall function_call(std::string_view call_id, const Tool* tool, std::string_view arguments) {
  InjectedCall call;
  call.call_id = std::string(call_id);
  call.tool = tool;
  call.raw_arguments = std::string(arguments);
  call.arguments = parsed_arguments(call.raw_arguments);
  return call;
}

std::string with_tools(std::string_view body, const std::vector<json::value>& tools) {
  return with_member(with_array_elements(body, "tools", joined(tools), false),
                     "parallel_tool_calls", "false");
}

// Chat: choices[0].message's tool_calls naming an injected tool.
const json::array* chat_tool_calls(const json::object& response) {
  const json::value* choices = response.if_contains("choices");
  if (choices == nullptr || !choices->is_array() || choices->as_array().empty() ||
      !choices->as_array().front().is_object()) {
    return nullptr;
  }
  const json::value* message = choices->as_array().front().as_object().if_contains("message");
  const json::value* calls = message != nullptr && message->is_object()
                                 ? message->as_object().if_contains("tool_calls")
                                 : nullptr;
  return calls != nullptr && calls->is_array() ? &calls->as_array() : nullptr;
}

const Tool* chat_call_tool(const json::value& call, const Catalogue& catalogue) {
  const json::object* fields = call.if_object();
  const json::value* function = fields != nullptr ? fields->if_contains("function") : nullptr;
  return function != nullptr && function->is_object()
             ? catalogue.find(string_member(function->as_object(), "name"))
             : nullptr;
}

class ChatTools final : public ApiTools {
 public:
  std::string inject(std::string_view body, const Catalogue& catalogue) const override {
    std::vector<json::value> tools;
    for (const Tool& tool : catalogue.tools()) {
      tools.push_back(json::object{{"type", "function"},
                                   {"function", json::object{{"name", tool.id},
                                                             {"description", tool.description},
                                                             {"parameters", input_schema(tool)}}}});
    }
    return with_tools(body, tools);
  }

  std::vector<InjectedCall> injected_calls(const json::object& response,
                                           const Catalogue& catalogue) const override {
    std::vector<InjectedCall> calls;
    const json::array* tool_calls = chat_tool_calls(response);
    static const json::array none;
    for (const json::value& call : tool_calls != nullptr ? *tool_calls : none) {
      const Tool* tool = chat_call_tool(call, catalogue);
      if (tool == nullptr) {
        continue;
      }
      calls.push_back(
          function_call(string_member(call.as_object(), "id"), tool,
                        string_member(call.as_object().at("function").as_object(), "arguments")));
    }
    return calls;
  }

  std::string continued(std::string_view body, const json::object& response,
                        std::span<const InjectedCall> calls,
                        std::span<const Outcome> outcomes) const override {
    // The assistant turn as the API takes it back: its text and its calls, nothing else the
    // response carried (annotations, refusal…).
    const json::object& message =
        response.at("choices").as_array().front().as_object().at("message").as_object();
    json::object assistant{{"role", "assistant"}};
    const json::value* content = message.if_contains("content");
    assistant["content"] = content != nullptr ? *content : json::value(nullptr);
    json::array tool_calls;
    for (const json::value& call : *chat_tool_calls(response)) {
      const json::object& fields = call.as_object();
      if (string_member(fields, "id").empty()) {
        continue;  // an entry a provider left empty (tool calls starting at index 1)
      }
      tool_calls.push_back(json::object{{"id", string_member(fields, "id")},
                                        {"type", "function"},
                                        {"function", fields.at("function")}});
    }
    assistant["tool_calls"] = std::move(tool_calls);
    std::vector<json::value> turns{std::move(assistant)};
    for (std::size_t i = 0; i < calls.size(); ++i) {
      turns.push_back(json::object{{"role", "tool"},
                                   {"tool_call_id", calls[i].call_id},
                                   {"content", openai_tool_output(outcomes[i])}});
    }
    return with_array_elements(body, "messages", joined(turns), false);
  }

  std::string without_injected(json::object response, const Catalogue& catalogue) const override {
    json::value* choices = response.if_contains("choices");
    if (choices == nullptr || !choices->is_array()) {
      return json::serialize(response);
    }
    for (json::value& choice : choices->as_array()) {
      json::object* fields = choice.if_object();
      json::value* message = fields != nullptr ? fields->if_contains("message") : nullptr;
      json::value* calls = message != nullptr && message->is_object()
                               ? message->as_object().if_contains("tool_calls")
                               : nullptr;
      if (calls == nullptr || !calls->is_array()) {
        continue;
      }
      json::array& list = calls->as_array();
      list.erase(std::remove_if(list.begin(), list.end(),
                                [&](const json::value& call) {
                                  return chat_call_tool(call, catalogue) != nullptr;
                                }),
                 list.end());
      if (list.empty()) {
        message->as_object().erase("tool_calls");
        if (string_member(*fields, "finish_reason") == "tool_calls") {
          (*fields)["finish_reason"] = "stop";
        }
      }
    }
    return json::serialize(response);
  }
};

bool is_injected_item(const json::value& item, const Catalogue& catalogue) {
  const json::object* fields = item.if_object();
  return fields != nullptr && string_member(*fields, "type") == "function_call" &&
         catalogue.find(string_member(*fields, "name")) != nullptr;
}

class ResponsesTools final : public ApiTools {
 public:
  std::string inject(std::string_view body, const Catalogue& catalogue) const override {
    std::vector<json::value> tools;
    for (const Tool& tool : catalogue.tools()) {
      tools.push_back(json::object{{"type", "function"},
                                   {"name", tool.id},
                                   {"description", tool.description},
                                   {"parameters", input_schema(tool)},
                                   {"strict", false}});
    }
    return with_tools(body, tools);
  }

  std::vector<InjectedCall> injected_calls(const json::object& response,
                                           const Catalogue& catalogue) const override {
    std::vector<InjectedCall> calls;
    for (const json::value& item : array_or_empty(response.if_contains("output"))) {
      if (!is_injected_item(item, catalogue)) {
        continue;
      }
      const json::object& fields = item.as_object();
      calls.push_back(function_call(string_member(fields, "call_id"),
                                    catalogue.find(string_member(fields, "name")),
                                    string_member(fields, "arguments")));
    }
    return calls;
  }

  std::string continued(std::string_view body, const json::object& response,
                        std::span<const InjectedCall> calls,
                        std::span<const Outcome> outcomes) const override {
    // Output items go back as input items as they are (reasoning keeps its id and encrypted
    // content), then one output per call.
    const json::array& output = array_or_empty(response.if_contains("output"));
    std::vector<json::value> items(output.begin(), output.end());
    for (std::size_t i = 0; i < calls.size(); ++i) {
      items.push_back(json::object{{"type", "function_call_output"},
                                   {"call_id", calls[i].call_id},
                                   {"output", openai_tool_output(outcomes[i])}});
    }
    std::string request(body);
    for (const JsonMember& member : object_members(body)) {
      if (member.key == "input" && body[member.value_begin] == '"') {
        // A string input is one user message.
        json::error_code error;
        const json::value text = json::parse(
            body.substr(member.value_begin, member.value_end - member.value_begin), error);
        const json::array as_items{json::object{{"role", "user"}, {"content", text}}};
        request = with_member(body, "input", json::serialize(as_items));
      }
    }
    return with_array_elements(request, "input", joined(items), false);
  }

  std::string without_injected(json::object response, const Catalogue& catalogue) const override {
    if (json::value* output = response.if_contains("output"); output && output->is_array()) {
      json::array& items = output->as_array();
      items.erase(std::remove_if(
                      items.begin(), items.end(),
                      [&](const json::value& item) { return is_injected_item(item, catalogue); }),
                  items.end());
    }
    return json::serialize(response);
  }
};

}  // namespace

const ApiTools& chat_tools() {
  static const ChatTools tools;
  return tools;
}

const ApiTools& responses_tools() {
  static const ResponsesTools tools;
  return tools;
}

}  // namespace aibridge::proxy::mcp
