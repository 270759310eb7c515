#include "proxy/mcp/anthropic_stream.hpp"

#include <boost/json.hpp>

#include "proxy/mcp/api_tools.hpp"

namespace aibridge::proxy::mcp {
namespace {

namespace json = boost::json;

std::string encoded(std::string_view type, const json::value& data) {
  return sse_event(type, data);
}

std::int64_t index_of(const json::object& data) {
  const json::value* index = data.if_contains("index");
  return index != nullptr && index->is_int64() ? index->as_int64() : -1;
}

}  // namespace

AnthropicStreamRound::AnthropicStreamRound(const Catalogue& catalogue, bool first,
                                           std::size_t index_offset)
    : catalogue_(catalogue), first_(first), index_offset_(index_offset) {}

std::string AnthropicStreamRound::on_event(const SseEvent& event) {
  json::error_code error;
  json::value parsed = json::parse(event.data, error);
  if (error || !parsed.is_object()) {
    std::string raw = "event: ";
    raw += event.type;
    raw += "\ndata: ";
    raw += event.data;
    raw += "\n\n";
    return raw;  // not ours to judge: the client gets it as it came
  }
  json::object& data = parsed.as_object();
  const std::string type(string_member(data, "type").empty() ? event.type
                                                             : string_member(data, "type"));
  const std::int64_t index = index_of(data);
  const auto relay_renumbered = [&]() {
    const auto found = client_index_.find(index);
    if (found == client_index_.end()) {
      return std::string();
    }
    data["index"] = found->second;
    return encoded(type, data);
  };
  if (type == "message_start") {
    if (const json::value* message = data.if_contains("message"); message && message->is_object()) {
      message_ = message->as_object();
    }
    return first_ ? encoded(type, data) : std::string();
  }
  if (type == "content_block_start") {
    const json::value* block = data.if_contains("content_block");
    json::object fields =
        block != nullptr && block->is_object() ? block->as_object() : json::object{};
    const bool injected = string_member(fields, "type") == "tool_use" &&
                          catalogue_.find(string_member(fields, "name")) != nullptr;
    blocks_[index] = std::move(fields);
    if (injected) {
      injected_.insert(index);
      return {};
    }
    client_index_[index] = static_cast<std::int64_t>(index_offset_ + relayed_++);
    return relay_renumbered();
  }
  if (type == "content_block_delta") {
    const json::value* delta = data.if_contains("delta");
    if (delta != nullptr && delta->is_object() && blocks_.contains(index)) {
      const json::object& change = delta->as_object();
      json::object& block = blocks_[index];
      const std::string_view kind = string_member(change, "type");
      if (kind == "text_delta") {
        append_to_member(block, "text", string_member(change, "text"));
      } else if (kind == "input_json_delta") {
        partial_json_[index] += string_member(change, "partial_json");
      } else if (kind == "thinking_delta") {
        append_to_member(block, "thinking", string_member(change, "thinking"));
      } else if (kind == "signature_delta") {
        block["signature"] = string_member(change, "signature");
      }
    }
    return relay_renumbered();
  }
  if (type == "content_block_stop") {
    if (const auto partial = partial_json_.find(index); partial != partial_json_.end()) {
      json::error_code input_error;
      json::value input = json::parse(partial->second, input_error);
      blocks_[index]["input"] = input_error ? json::value(json::object{}) : input;
    }
    return relay_renumbered();
  }
  if (type == "message_delta") {
    if (const json::value* delta = data.if_contains("delta"); delta && delta->is_object()) {
      if (const json::value* stop = delta->as_object().if_contains("stop_reason")) {
        message_["stop_reason"] = *stop;
      }
    }
    if (const json::value* usage = data.if_contains("usage"); usage && usage->is_object()) {
      json::value& merged = message_["usage"];
      if (!merged.is_object()) {
        merged = json::object{};
      }
      for (const auto& [key, value] : usage->as_object()) {
        merged.as_object()[key] = value;
      }
    }
    if (!injected_.empty()) {
      held_delta_ = data;
      return {};
    }
    return encoded(type, data);
  }
  if (type == "message_stop") {
    ended_ = true;
    return injected_.empty() ? encoded(type, data) : std::string();
  }
  return encoded(type, data);  // ping, error and whatever comes later
}

json::object AnthropicStreamRound::answer() const {
  json::object message = message_;
  json::array content;
  for (const auto& [index, block] : blocks_) {
    content.push_back(block);
  }
  message["content"] = std::move(content);
  return message;
}

std::string AnthropicStreamRound::ending(bool unanswered) const {
  if (!unanswered) {
    return {};  // the last stream's own ending has been relayed
  }
  json::object delta = held_delta_.empty() ? json::object{{"type", "message_delta"}} : held_delta_;
  bool client_call = false;
  for (const auto& [index, block] : blocks_) {
    client_call =
        client_call || (!injected_.contains(index) && string_member(block, "type") == "tool_use");
  }
  json::value& change = delta["delta"];
  if (!change.is_object()) {
    change = json::object{};
  }
  change.as_object()["stop_reason"] = client_call ? "tool_use" : "end_turn";
  return encoded("message_delta", delta) +
         encoded("message_stop", json::object{{"type", "message_stop"}});
}

std::string sse_event(std::string_view type, const json::value& data) {
  std::string out;
  if (!type.empty()) {
    out = "event: ";
    out += type;
    out += '\n';
  }
  out += "data: ";
  out += json::serialize(data);
  out += "\n\n";
  return out;
}

}  // namespace aibridge::proxy::mcp
