// OpenAI Responses: usage, function and custom tool calls, reasoning summaries and commentary
// (SPEC §5.1), from the output items as they complete and from the final response.
#include <set>

#include "proxy/providers/extractor.hpp"
#include "proxy/providers/json_access.hpp"
#include "proxy/providers/openai_usage.hpp"

namespace aibridge::proxy {
namespace {

using json::element;

class ResponsesExtractor final : public Extractor {
 public:
  void on_event(const SseEvent& event) override {
    const auto root = json::parse_event(event.data);
    if (!root) {
      fail("invalid JSON in a stream event");
      return;
    }
    const std::string_view type = json::string(*root, "/type").value_or(event.type);
    if (event.type == "error" || type == "error" || json::has(*root, "/error")) {
      fail(
          json::string(*root, "/message").value_or(json::string_or_empty(*root, "/error/message")));
      return;
    }
    if (out_.response_id.empty()) {
      out_.response_id = json::string_or_empty(*root, "/response/id");
    }
    if (type == "response.output_item.done") {
      element item;
      if (root->at_pointer("/item").get(item) == simdjson::SUCCESS) {
        add_item(item);
      }
    } else if (type == "response.completed" || type == "response.incomplete" ||
               type == "response.failed") {
      element response;
      if (root->at_pointer("/response").get(response) == simdjson::SUCCESS) {
        add_response(response);
      }
      if (type == "response.failed") {
        fail(json::string_or_empty(*root, "/response/error/message"));
      } else {
        out_.finished = true;
      }
    }
  }

  void on_body(const std::string& body) override {
    const auto root = json::parse_body(body);
    if (!root) {
      fail("the response body is not valid JSON");
      return;
    }
    if (json::has(*root, "/error")) {
      fail(json::string_or_empty(*root, "/error/message"));
      return;
    }
    out_.response_id = json::string_or_empty(*root, "/id");
    add_response(*root);
    if (json::string(*root, "/status") == "failed") {
      fail("the response failed");
    } else {
      out_.finished = true;
    }
  }

  Extraction finish() override { return std::move(out_); }

 private:
  void fail(std::string_view message) {
    out_.failed = true;
    if (out_.error.empty()) {
      out_.error = message.empty() ? "the provider reported an error" : std::string(message);
    }
  }

  void add_response(element response) {
    if (out_.response_id.empty()) {
      out_.response_id = json::string_or_empty(response, "/id");
    }
    element usage;
    if (response.at_pointer("/usage").get(usage) == simdjson::SUCCESS && usage.is_object()) {
      out_.token_usages.push_back(responses_usage_row(usage, out_.response_id));
    }
    simdjson::dom::array output;
    if (response.at_pointer("/output").get_array().get(output) == simdjson::SUCCESS) {
      for (element item : output) {
        add_item(item);  // items already seen as output_item.done are skipped by id
      }
    }
  }

  void add_item(element item) {
    const std::string id = json::string_or_empty(item, "/id");
    if (!id.empty() && !seen_items_.insert(id).second) {
      return;
    }
    const std::string_view type = json::string(item, "/type").value_or("");
    if (type == "function_call" || type == "custom_tool_call") {
      recorder::ToolUsage tool;
      tool.provider_response_id = out_.response_id;
      tool.tool = json::string_or_empty(item, "/name");
      tool.tool_call_id = json::string_or_empty(item, "/call_id");
      tool.input = json::string_or_empty(item, type == "function_call" ? "/arguments" : "/input");
      out_.tool_usages.push_back(std::move(tool));
    } else if (type == "reasoning") {
      simdjson::dom::array summary;
      if (item.at_pointer("/summary").get_array().get(summary) == simdjson::SUCCESS) {
        for (element part : summary) {
          add_thought(json::string(part, "/text").value_or(""), "reasoning_summary");
        }
      }
    } else if (type == "message" && json::string(item, "/phase") == "commentary") {
      simdjson::dom::array content;
      if (item.at_pointer("/content").get_array().get(content) == simdjson::SUCCESS) {
        for (element part : content) {
          if (json::string(part, "/type") == "output_text") {
            add_thought(json::string(part, "/text").value_or(""), "commentary");
          }
        }
      }
    }
  }

  void add_thought(std::string_view text, std::string_view source) {
    if (text.empty()) {
      return;
    }
    recorder::ModelThought thought;
    thought.provider_response_id = out_.response_id;
    thought.content = std::string(text);
    thought.metadata = R"({"source":")" + std::string(source) + R"("})";
    out_.model_thoughts.push_back(std::move(thought));
  }

  Extraction out_;
  std::set<std::string> seen_items_;
};

}  // namespace

std::unique_ptr<Extractor> make_responses_extractor() {
  return std::make_unique<ResponsesExtractor>();
}

}  // namespace aibridge::proxy
