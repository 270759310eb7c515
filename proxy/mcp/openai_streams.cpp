// OpenAI streams in a tool loop. Chat completions: every chunk is relayed as it comes except the
// deltas of an injected tool call, and a stream that called one keeps its finish and usage
// chunks back; one `[DONE]` ends the client's stream. Responses: the first stream's
// response.created/in_progress, every event of an output item that is not an injected call
// (output_index and sequence_number running on across streams), and the last stream's
// response.completed, its output holding every item the client saw.
#include <map>
#include <set>

#include <boost/json.hpp>

#include "proxy/mcp/anthropic_stream.hpp"
#include "proxy/mcp/api_tools.hpp"
#include "proxy/mcp/stream_round.hpp"

namespace aibridge::proxy::mcp {
namespace {

namespace json = boost::json;

std::string raw_data(const SseEvent& event) {
  std::string out = "data: ";
  out += event.data;
  out += "\n\n";
  return out;
}

class ChatStreamRound final : public StreamRound {
 public:
  explicit ChatStreamRound(const Catalogue& catalogue) : catalogue_(catalogue) {}

  std::string on_event(const SseEvent& event) override {
    if (event.data == "[DONE]") {
      ended_ = true;
      return {};  // the loop sends one at the very end
    }
    json::error_code error;
    json::value parsed = json::parse(event.data, error);
    if (error || !parsed.is_object()) {
      return raw_data(event);
    }
    const json::object& chunk = parsed.as_object();
    if (id_.empty()) {
      id_ = string_member(chunk, "id");
      model_ = string_member(chunk, "model");
    }
    if (const json::value* usage = chunk.if_contains("usage"); usage && usage->is_object()) {
      usage_ = usage->as_object();
    }
    const json::value* choices = chunk.if_contains("choices");
    const json::object* choice =
        choices != nullptr && choices->is_array() && !choices->as_array().empty()
            ? choices->as_array().front().if_object()
            : nullptr;
    if (choice == nullptr) {
      return hold_if_calling(event, held_usage_);  // the trailing usage chunk
    }
    const json::value* delta = choice->if_contains("delta");
    bool only_injected = false;
    if (delta != nullptr && delta->is_object()) {
      only_injected = accumulate(delta->as_object());
    }
    if (const json::value* finish = choice->if_contains("finish_reason");
        finish && finish->is_string()) {
      finish_reason_ = finish->as_string();
      if (only_injected || !injected_.empty()) {
        return hold_if_calling(event, held_finish_);
      }
    }
    return only_injected ? std::string() : raw_data(event);
  }

  json::object answer() const override {
    json::object message{{"role", "assistant"}};
    message["content"] = content_.empty() ? json::value(nullptr) : json::value(content_);
    json::array calls;
    for (const auto& [index, call] : calls_) {
      calls.push_back(call);
    }
    if (!calls.empty()) {
      message["tool_calls"] = std::move(calls);
    }
    json::object answer{{"id", id_}, {"object", "chat.completion"}, {"model", model_}};
    answer["choices"] = json::array{json::object{
        {"index", 0}, {"message", std::move(message)}, {"finish_reason", finish_reason_}}};
    if (!usage_.empty()) {
      answer["usage"] = usage_;
    }
    return answer;
  }

  bool ended() const override { return ended_; }

  std::string ending(bool unanswered) const override {
    std::string out;
    if (unanswered) {
      bool client_call = false;
      for (const auto& [index, call] : calls_) {
        client_call = client_call || !injected_.contains(index);
      }
      json::object finish{{"id", id_}, {"object", "chat.completion.chunk"}, {"model", model_}};
      finish["choices"] =
          json::array{json::object{{"index", 0},
                                   {"delta", json::object{}},
                                   {"finish_reason", client_call ? "tool_calls" : "stop"}}};
      out = sse_event("", finish) + held_usage_;
    }
    return out + "data: [DONE]\n\n";
  }

  StreamCarry carry() const override { return {}; }

 private:
  // Adds a delta to the answer; true when it carried nothing but injected tool-call parts.
  bool accumulate(const json::object& delta) {
    if (const json::value* content = delta.if_contains("content");
        content && content->is_string()) {
      content_ += content->as_string();
    }
    const json::value* calls = delta.if_contains("tool_calls");
    if (calls == nullptr || !calls->is_array() || calls->as_array().empty()) {
      return false;
    }
    bool only_injected = delta.if_contains("content") == nullptr || delta.at("content").is_null();
    for (const json::value& part : calls->as_array()) {
      const json::object* fields = part.if_object();
      if (fields == nullptr) {
        continue;
      }
      const json::value* at = fields->if_contains("index");
      const std::int64_t index = at != nullptr && at->is_int64() ? at->as_int64() : 0;
      json::object& call = calls_[index];
      if (call.empty()) {
        call = json::object{{"id", ""},
                            {"type", "function"},
                            {"function", json::object{{"name", ""}, {"arguments", ""}}}};
      }
      if (const std::string_view id = string_member(*fields, "id"); !id.empty()) {
        call["id"] = id;
      }
      if (const json::value* function = fields->if_contains("function");
          function && function->is_object()) {
        json::object& target = call["function"].as_object();
        append_to_member(target, "name", string_member(function->as_object(), "name"));
        append_to_member(target, "arguments", string_member(function->as_object(), "arguments"));
        if (catalogue_.find(string_member(target, "name")) != nullptr) {
          injected_.insert(index);
        }
      }
      only_injected = only_injected && injected_.contains(index);
    }
    return only_injected;
  }

  // A chunk that ends a stream which called injected tools waits: the loop goes on.
  std::string hold_if_calling(const SseEvent& event, std::string& held) {
    if (injected_.empty()) {
      return raw_data(event);
    }
    held = raw_data(event);
    return {};
  }

  const Catalogue& catalogue_;
  std::string id_;
  std::string model_;
  std::string content_;
  std::string finish_reason_;
  json::object usage_;
  std::map<std::int64_t, json::object> calls_;
  std::set<std::int64_t> injected_;
  std::string held_finish_;
  std::string held_usage_;
  bool ended_ = false;
};

class ResponsesStreamRound final : public StreamRound {
 public:
  ResponsesStreamRound(const Catalogue& catalogue, bool first, StreamCarry carry)
      : catalogue_(catalogue), first_(first), carry_(std::move(carry)) {}

  std::string on_event(const SseEvent& event) override {
    json::error_code error;
    json::value parsed = json::parse(event.data, error);
    if (error || !parsed.is_object()) {
      return "event: " + std::string(event.type) + "\n" + raw_data(event);
    }
    json::object& data = parsed.as_object();
    const std::string type(string_member(data, "type"));
    if (type == "response.created" || type == "response.in_progress") {
      return first_ ? relay(type, data) : std::string();
    }
    if (type == "response.completed") {
      ended_ = true;
      if (const json::value* response = data.if_contains("response");
          response && response->is_object()) {
        completed_ = response->as_object();
      }
      if (!injected_.empty()) {
        return {};
      }
      return relay(type, with_client_items(std::move(data)));
    }
    const json::value* at = data.if_contains("output_index");
    if (at == nullptr || !at->is_int64()) {
      return relay(type, data);  // errors, failures, whatever comes later
    }
    const std::int64_t index = at->as_int64();
    if (type == "response.output_item.added") {
      const json::value* item = data.if_contains("item");
      if (item != nullptr && item->is_object() &&
          string_member(item->as_object(), "type") == "function_call" &&
          catalogue_.find(string_member(item->as_object(), "name")) != nullptr) {
        injected_.insert(index);
      } else {
        client_index_[index] = carry_.client_items + relayed_++;
      }
    }
    const auto found = client_index_.find(index);
    if (found == client_index_.end()) {
      return {};  // an injected call's events
    }
    if (type == "response.output_item.done") {
      if (const json::value* item = data.if_contains("item")) {
        seen_items_.push_back(*item);
      }
    }
    data["output_index"] = found->second;
    return relay(type, data);
  }

  json::object answer() const override { return completed_; }
  bool ended() const override { return ended_; }

  std::string ending(bool unanswered) const override {
    if (!unanswered) {
      return {};
    }
    json::object event{
        {"type", "response.completed"}, {"sequence_number", 0}, {"response", completed_}};
    return relay("response.completed", with_client_items(std::move(event)));
  }

  StreamCarry carry() const override {
    StreamCarry next{carry_.client_items + relayed_, sequence_, carry_.items};
    for (const json::value& item : seen_items_) {
      next.items.push_back(item);
    }
    return next;
  }

 private:
  std::string relay(const std::string& type, json::object data) const {
    if (data.contains("sequence_number")) {
      data["sequence_number"] = sequence_++;
    }
    return sse_event(type, data);
  }

  // response.completed of the last stream: its output is every item the client saw.
  json::object with_client_items(json::object data) const {
    json::value* response = data.if_contains("response");
    if (response == nullptr || !response->is_object()) {
      return data;
    }
    json::array output = carry_.items;
    for (const json::value& item : seen_items_) {
      output.push_back(item);
    }
    response->as_object()["output"] = std::move(output);
    return data;
  }

  const Catalogue& catalogue_;
  bool first_;
  StreamCarry carry_;
  std::int64_t relayed_ = 0;
  mutable std::int64_t sequence_ = carry_.sequence;  // the ending's event takes one too
  std::map<std::int64_t, std::int64_t> client_index_;
  std::set<std::int64_t> injected_;
  json::array seen_items_;
  json::object completed_;
  bool ended_ = false;
};

}  // namespace

std::unique_ptr<StreamRound> make_stream_round(Endpoint endpoint, const Catalogue& catalogue,
                                               bool first, const StreamCarry& carry) {
  switch (endpoint) {
    case Endpoint::kMessages:
      return std::make_unique<AnthropicStreamRound>(catalogue, first,
                                                    static_cast<std::size_t>(carry.client_items));
    case Endpoint::kChatCompletions:
      return std::make_unique<ChatStreamRound>(catalogue);
    case Endpoint::kResponses:
      return std::make_unique<ResponsesStreamRound>(catalogue, first, carry);
  }
  return nullptr;
}

}  // namespace aibridge::proxy::mcp
