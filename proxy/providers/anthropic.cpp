// Anthropic Messages: usage, tool_use blocks and thinking (SPEC §5.1).
#include <algorithm>
#include <map>

#include "proxy/json_edit.hpp"
#include "proxy/providers/extractor.hpp"
#include "proxy/providers/json_access.hpp"

namespace aibridge::proxy {
namespace {

using json::element;

// Counters of one message. Anthropic reports them cumulatively (message_start, then
// message_delta), so the largest value seen is the current one; a stream cut before its
// message_delta keeps the last output count it delivered.
struct MessageUsage {
  std::string id;
  std::int64_t input = 0;
  std::int64_t output = 0;
  std::int64_t cache_read = 0;
  std::int64_t cache_write = 0;
  std::optional<std::int64_t> web_search_requests;
  std::optional<std::int64_t> ephemeral_5m;
  std::optional<std::int64_t> ephemeral_1h;

  void add(element usage) {
    const auto raise = [](std::int64_t& counter, std::optional<std::int64_t> value) {
      counter = std::max(counter, value.value_or(0));
    };
    const auto raise_optional = [](std::optional<std::int64_t>& counter,
                                   std::optional<std::int64_t> value) {
      if (value) {
        counter = std::max(counter.value_or(0), *value);
      }
    };
    raise(input, json::integer(usage, "/input_tokens"));
    raise(output, json::integer(usage, "/output_tokens"));
    raise(cache_read, json::integer(usage, "/cache_read_input_tokens"));
    raise(cache_write, json::integer(usage, "/cache_creation_input_tokens"));
    raise_optional(web_search_requests,
                   json::integer(usage, "/server_tool_use/web_search_requests"));
    raise_optional(ephemeral_5m, json::integer(usage, "/cache_creation/ephemeral_5m_input_tokens"));
    raise_optional(ephemeral_1h, json::integer(usage, "/cache_creation/ephemeral_1h_input_tokens"));
  }

  recorder::TokenUsage row() const {
    recorder::TokenUsage row;
    row.provider_response_id = id;
    row.input_tokens = input;
    row.output_tokens = output;
    row.cache_read_input_tokens = cache_read;
    row.cache_write_input_tokens = cache_write;
    row.metadata = json::counters({{"web_search_requests", web_search_requests},
                                   {"cache_ephemeral_5m_input_tokens", ephemeral_5m},
                                   {"cache_ephemeral_1h_input_tokens", ephemeral_1h}});
    return row;
  }
};

bool is_tool_block(std::string_view type) {
  return type == "tool_use" || type == "server_tool_use" || type == "mcp_tool_use";
}

std::string tool_metadata(std::string_view type) {
  return type == "tool_use" ? "{}" : R"({"type":")" + std::string(type) + R"("})";
}

// A content block being streamed.
struct Block {
  std::string type;
  std::string id;
  std::string name;
  std::string text;         // thinking text, or the concatenated partial_json of a tool call
  std::string start_input;  // the tool input given in content_block_start (normally {})
};

class AnthropicExtractor final : public Extractor {
 public:
  void on_event(const SseEvent& event) override {
    if (event.type == "ping") {
      return;
    }
    const auto root = json::parse_event(event.data);
    if (!root) {
      fail("invalid JSON in a stream event");
      return;
    }
    const std::string_view type = json::string(*root, "/type").value_or(event.type);
    if (event.type == "error" || type == "error") {
      fail(json::string_or_empty(*root, "/error/message"));
    } else if (type == "message_start") {
      close_open_blocks();
      messages_.push_back({});
      messages_.back().id = json::string_or_empty(*root, "/message/id");
      note_response_id(messages_.back().id);
      element usage;
      if (root->at_pointer("/message/usage").get(usage) == simdjson::SUCCESS) {
        messages_.back().add(usage);
      }
    } else if (type == "content_block_start") {
      start_block(*root);
    } else if (type == "content_block_delta") {
      const auto index = json::integer(*root, "/index");
      auto block = index ? blocks_.find(*index) : blocks_.end();
      if (block != blocks_.end()) {
        const std::string_view delta_type = json::string(*root, "/delta/type").value_or("");
        if (delta_type == "thinking_delta") {
          block->second.text += json::string(*root, "/delta/thinking").value_or("");
        } else if (delta_type == "input_json_delta") {
          block->second.text += json::string(*root, "/delta/partial_json").value_or("");
        }
      }
    } else if (type == "content_block_stop") {
      if (const auto index = json::integer(*root, "/index")) {
        close_block(*index);
      }
    } else if (type == "message_delta") {
      element usage;
      if (!messages_.empty() && root->at_pointer("/usage").get(usage) == simdjson::SUCCESS) {
        messages_.back().add(usage);
      }
    } else if (type == "message_stop") {
      close_open_blocks();
      out_.finished = true;
    }
  }

  void on_body(const std::string& body) override {
    const auto root = json::parse_body(body);
    if (!root) {
      fail("the response body is not valid JSON");
      return;
    }
    if (json::string(*root, "/type") == "error" || json::has(*root, "/error")) {
      fail(json::string_or_empty(*root, "/error/message"));
      return;
    }
    out_.finished = true;
    MessageUsage usage;
    usage.id = json::string_or_empty(*root, "/id");
    note_response_id(usage.id);
    element usage_json;
    if (root->at_pointer("/usage").get(usage_json) == simdjson::SUCCESS) {
      usage.add(usage_json);
      messages_.push_back(usage);
    }
    simdjson::dom::array content;
    if (root->at_pointer("/content").get_array().get(content) != simdjson::SUCCESS) {
      return;
    }
    // Tool inputs are recorded as the JSON text received: their raw spans are found on the
    // first tool block (most responses have none).
    std::optional<std::vector<JsonSpan>> raw_blocks;
    std::size_t position = 0;
    for (element block : content) {
      const std::string_view type = json::string(block, "/type").value_or("");
      if (type == "thinking") {
        add_thought(usage.id, json::string(block, "/thinking").value_or(""));
      } else if (is_tool_block(type)) {
        recorder::ToolUsage tool;
        tool.provider_response_id = usage.id;
        tool.tool = json::string_or_empty(block, "/name");
        tool.tool_call_id = json::string_or_empty(block, "/id");
        if (!raw_blocks) {
          raw_blocks.emplace();
          for (const JsonMember& member : object_members(body)) {
            if (member.key == "content") {
              *raw_blocks = array_elements(body, member.value_begin);
            }
          }
        }
        tool.input = raw_input(body, *raw_blocks, position).value_or(minified_input(block));
        tool.metadata = tool_metadata(type);
        out_.tool_usages.push_back(std::move(tool));
      }
      ++position;
    }
  }

  Extraction finish() override {
    close_open_blocks();
    for (const MessageUsage& message : messages_) {
      out_.token_usages.push_back(message.row());
    }
    messages_.clear();
    return std::move(out_);
  }

 private:
  void fail(std::string_view message) {
    out_.failed = true;
    if (out_.error.empty()) {
      out_.error = message.empty() ? "the provider reported an error" : std::string(message);
    }
  }

  void note_response_id(const std::string& id) {
    if (out_.response_id.empty()) {
      out_.response_id = id;
    }
  }

  std::string current_message_id() const { return messages_.empty() ? "" : messages_.back().id; }

  void start_block(element root) {
    const auto index = json::integer(root, "/index");
    element content_block;
    if (!index || root.at_pointer("/content_block").get(content_block) != simdjson::SUCCESS) {
      return;
    }
    Block block;
    block.type = json::string_or_empty(content_block, "/type");
    if (block.type == "thinking") {
      block.text = json::string_or_empty(content_block, "/thinking");
    } else if (is_tool_block(block.type)) {
      block.id = json::string_or_empty(content_block, "/id");
      block.name = json::string_or_empty(content_block, "/name");
      element input;
      if (content_block.at_pointer("/input").get(input) == simdjson::SUCCESS) {
        block.start_input = json::minified(input);
      }
    } else {
      return;  // text and redacted thinking are not recorded
    }
    blocks_[*index] = std::move(block);
  }

  void close_block(std::int64_t index) {
    const auto found = blocks_.find(index);
    if (found == blocks_.end()) {
      return;
    }
    Block& block = found->second;
    if (block.type == "thinking") {
      add_thought(current_message_id(), block.text);
    } else {
      recorder::ToolUsage tool;
      tool.provider_response_id = current_message_id();
      tool.tool = block.name;
      tool.tool_call_id = block.id;
      // The streamed arguments; a call streamed without any uses the input it started with.
      tool.input = block.text.empty() ? block.start_input : block.text;
      tool.metadata = tool_metadata(block.type);
      out_.tool_usages.push_back(std::move(tool));
    }
    blocks_.erase(found);
  }

  void close_open_blocks() {
    while (!blocks_.empty()) {
      close_block(blocks_.begin()->first);
    }
  }

  void add_thought(const std::string& message_id, std::string_view text) {
    if (text.empty()) {
      return;
    }
    recorder::ModelThought thought;
    thought.provider_response_id = message_id;
    thought.content = std::string(text);
    thought.metadata = R"({"source":"thinking"})";
    out_.model_thoughts.push_back(std::move(thought));
  }

  static std::optional<std::string> raw_input(const std::string& body,
                                              const std::vector<JsonSpan>& raw_blocks,
                                              std::size_t position) {
    if (position >= raw_blocks.size()) {
      return std::nullopt;
    }
    for (const JsonMember& member : object_members(body, raw_blocks[position].begin)) {
      if (member.key == "input") {
        return body.substr(member.value_begin, member.value_end - member.value_begin);
      }
    }
    return std::nullopt;
  }

  static std::string minified_input(element block) {
    element input;
    return block.at_pointer("/input").get(input) == simdjson::SUCCESS ? json::minified(input)
                                                                      : "{}";
  }

  Extraction out_;
  std::vector<MessageUsage> messages_;
  std::map<std::int64_t, Block> blocks_;  // open content blocks of the current message
};

}  // namespace

std::unique_ptr<Extractor> make_anthropic_extractor() {
  return std::make_unique<AnthropicExtractor>();
}

}  // namespace aibridge::proxy
