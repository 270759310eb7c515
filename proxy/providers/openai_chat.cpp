// OpenAI Chat Completions: usage and tool calls, streamed or not (SPEC §5.1).
#include <map>
#include <set>
#include <utility>

#include "proxy/providers/extractor.hpp"
#include "proxy/providers/json_access.hpp"
#include "proxy/providers/openai_usage.hpp"

namespace aibridge::proxy {
namespace {

using json::element;

// A streamed tool call, assembled from deltas that share a (choice, tool call) index.
struct PendingCall {
  std::size_t order = 0;  // first appearance, to keep upstream order
  std::string id;
  std::string name;
  std::string arguments;
};

class ChatExtractor final : public Extractor {
 public:
  void on_event(const SseEvent& event) override {
    if (event.data == "[DONE]") {
      out_.finished = true;
      return;
    }
    const auto root = json::parse_event(event.data);
    if (!root) {
      fail("invalid JSON in a stream chunk");
      return;
    }
    if (json::has(*root, "/error")) {
      fail(json::string_or_empty(*root, "/error/message"));
      return;
    }
    if (out_.response_id.empty()) {
      out_.response_id = json::string_or_empty(*root, "/id");
    }
    element usage;
    if (root->at_pointer("/usage").get(usage) == simdjson::SUCCESS && usage.is_object()) {
      usage_ = chat_usage_row(usage, out_.response_id);  // the last usage chunk wins
    }
    simdjson::dom::array choices;
    if (root->at_pointer("/choices").get_array().get(choices) != simdjson::SUCCESS) {
      return;
    }
    for (element choice : choices) {
      const std::int64_t choice_index = json::integer(choice, "/index").value_or(0);
      choices_seen_.insert(choice_index);
      if (json::string(choice, "/finish_reason")) {
        choices_finished_.insert(choice_index);
        // Every choice has its finish reason: the answer is complete (usage and [DONE] follow).
        out_.finished = out_.finished || choices_finished_.size() == choices_seen_.size();
      }
      simdjson::dom::array calls;
      if (choice.at_pointer("/delta/tool_calls").get_array().get(calls) != simdjson::SUCCESS) {
        continue;
      }
      for (element call : calls) {
        const std::int64_t call_index = json::integer(call, "/index").value_or(0);
        auto [it, inserted] = pending_.try_emplace({choice_index, call_index});
        PendingCall& pending = it->second;
        if (inserted) {
          pending.order = pending_.size();
        }
        if (auto id = json::string(call, "/id"); id && !id->empty()) {
          pending.id = std::string(*id);
        }
        pending.name += json::string(call, "/function/name").value_or("");
        pending.arguments += json::string(call, "/function/arguments").value_or("");
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
    out_.finished = true;
    out_.response_id = json::string_or_empty(*root, "/id");
    element usage;
    if (root->at_pointer("/usage").get(usage) == simdjson::SUCCESS && usage.is_object()) {
      usage_ = chat_usage_row(usage, out_.response_id);
    }
    simdjson::dom::array choices;
    if (root->at_pointer("/choices").get_array().get(choices) != simdjson::SUCCESS) {
      return;
    }
    for (element choice : choices) {
      simdjson::dom::array calls;
      if (choice.at_pointer("/message/tool_calls").get_array().get(calls) != simdjson::SUCCESS) {
        continue;
      }
      for (element call : calls) {
        add_tool(json::string_or_empty(call, "/id"), json::string_or_empty(call, "/function/name"),
                 json::string_or_empty(call, "/function/arguments"));
      }
    }
  }

  Extraction finish() override {
    std::vector<const PendingCall*> calls;
    for (const auto& [key, call] : pending_) {
      calls.push_back(&call);
    }
    std::sort(calls.begin(), calls.end(),
              [](const PendingCall* a, const PendingCall* b) { return a->order < b->order; });
    for (const PendingCall* call : calls) {
      add_tool(call->id, call->name, call->arguments);  // "" arguments stay "" (as received)
    }
    pending_.clear();
    if (usage_) {
      usage_->provider_response_id = out_.response_id;
      out_.token_usages.push_back(std::move(*usage_));
      usage_.reset();
    }
    return std::move(out_);
  }

 private:
  void fail(std::string_view message) {
    out_.failed = true;
    if (out_.error.empty()) {
      out_.error = message.empty() ? "the provider reported an error" : std::string(message);
    }
  }

  void add_tool(std::string id, std::string name, std::string arguments) {
    recorder::ToolUsage tool;
    tool.provider_response_id = out_.response_id;
    tool.tool_call_id = std::move(id);
    tool.tool = std::move(name);
    tool.input = std::move(arguments);
    out_.tool_usages.push_back(std::move(tool));
  }

  Extraction out_;
  std::set<std::int64_t> choices_seen_;
  std::set<std::int64_t> choices_finished_;
  std::optional<recorder::TokenUsage> usage_;
  std::map<std::pair<std::int64_t, std::int64_t>, PendingCall> pending_;
};

}  // namespace

std::unique_ptr<Extractor> make_chat_extractor() {
  return std::make_unique<ChatExtractor>();
}

}  // namespace aibridge::proxy
