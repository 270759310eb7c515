#include "recorder/record_codec.hpp"

#include <cstring>

#include <boost/json.hpp>

#include "core/ids.hpp"
#include "core/json_text.hpp"

namespace aibridge::recorder {
namespace {

namespace json = boost::json;

// Writes the JSON into a buffer sized once for the worst case (every byte escaped), so that
// no append checks capacity.
class JsonCursor {
 public:
  JsonCursor(std::string& buffer, std::size_t bound) : buffer_(buffer) {
    buffer_.resize(bound);
    at_ = buffer_.data();
  }
  void finish() { buffer_.resize(static_cast<std::size_t>(at_ - buffer_.data())); }

  void raw(std::string_view text) {
    std::memcpy(at_, text.data(), text.size());
    at_ += text.size();
  }
  void raw(char c) { *at_++ = c; }
  /// `"name":` (given with its quotes and colon), after a comma unless it opens an object.
  void key(std::string_view quoted_name_colon) {
    if (at_[-1] != '{') {
      *at_++ = ',';
    }
    raw(quoted_name_colon);
  }
  void string(std::string_view text) { at_ = core::write_json_string(at_, text); }
  void integer(std::int64_t value) { at_ = core::write_json_int(at_, value); }

 private:
  std::string& buffer_;
  char* at_ = nullptr;
};

// The bound of one child's JSON beyond its own strings: member names, punctuation, numbers.
constexpr std::size_t kChildOverhead = 400;

std::size_t bound(const std::string& text) {
  return core::json_string_bound(text.size());
}

std::size_t bound(const UserPrompt& row) {
  return bound(row.id) + bound(row.provider_response_id) + row.metadata.size() + bound(row.prompt);
}
std::size_t bound(const TokenUsage& row) {
  return bound(row.id) + bound(row.provider_response_id) + row.metadata.size();
}
std::size_t bound(const ToolUsage& row) {
  return bound(row.id) + bound(row.provider_response_id) + row.metadata.size() +
         bound(row.tool_call_id) + bound(row.server_url.value_or("")) + bound(row.tool) +
         bound(row.input) + bound(row.invocation_error.value_or(""));
}
std::size_t bound(const ModelThought& row) {
  return bound(row.id) + bound(row.provider_response_id) + row.metadata.size() +
         bound(row.content);
}

template <class Child>
std::size_t bound(const std::vector<Child>& rows) {
  std::size_t total = 32;
  for (const Child& row : rows) {
    total += kChildOverhead + bound(row);
  }
  return total;
}

// Every child: its id unless it is the one derived from the interception's, the provider's
// response id, the kind's own members, metadata unless empty, and created_at.
template <class Child, class Body>
void encode_rows(const std::vector<Child>& rows, const core::DerivedIds& ids, ChildKind kind,
                 std::string_view quoted_name_colon, JsonCursor& out, Body&& body) {
  if (rows.empty()) {
    return;
  }
  out.key(quoted_name_colon);
  out.raw('[');
  unsigned index = 0;
  for (const Child& row : rows) {
    if (index > 0) {
      out.raw(',');
    }
    out.raw('{');
    if (!ids.matches(row.id, static_cast<unsigned>(kind), index)) {
      out.key("\"id\":");
      out.string(row.id);
    }
    out.key("\"provider_response_id\":");
    out.string(row.provider_response_id);
    body(out, row);
    if (!row.metadata.empty() && row.metadata != "{}") {
      out.key("\"metadata\":");
      out.raw(row.metadata);
    }
    out.key("\"created_at\":");
    out.integer(row.created_at);
    out.raw('}');
    ++index;
  }
  out.raw(']');
}

// Calls `each(object)` for every object element of the array `name` of `children`.
template <class Each>
void each_object(const json::object& children, std::string_view name, Each&& each) {
  const json::value* array = children.if_contains(name);
  if (array == nullptr || !array->is_array()) {
    return;
  }
  for (const json::value& element : array->as_array()) {
    if (element.is_object()) {
      each(element.as_object());
    }
  }
}

std::string text(const json::object& object, std::string_view name) {
  const json::value* value = object.if_contains(name);
  return value != nullptr && value->is_string() ? std::string(value->as_string()) : std::string();
}

std::optional<std::string> optional_text(const json::object& object, std::string_view name) {
  const json::value* value = object.if_contains(name);
  if (value == nullptr || !value->is_string()) {
    return std::nullopt;
  }
  return std::string(value->as_string());
}

std::int64_t integer(const json::object& object, std::string_view name) {
  const json::value* value = object.if_contains(name);
  return value != nullptr && value->is_int64() ? value->as_int64() : 0;
}

template <class Child>
void read_common(const json::object& object, const core::DerivedIds& ids, ChildKind kind,
                 unsigned index, Child& child) {
  child.id = object.contains("id") ? text(object, "id")
                                   : ids.make(static_cast<unsigned>(kind), index);
  child.provider_response_id = text(object, "provider_response_id");
  const json::value* metadata = object.if_contains("metadata");
  child.metadata = metadata != nullptr && metadata->is_object() ? json::serialize(*metadata) : "{}";
  child.created_at = integer(object, "created_at");
}

template <class Child, class Body>
void decode_rows(const json::object& children, std::string_view name, const core::DerivedIds& ids,
                 ChildKind kind, std::vector<Child>& out, Body&& body) {
  unsigned index = 0;
  each_object(children, name, [&](const json::object& object) {
    Child& child = out.emplace_back();
    read_common(object, ids, kind, index++, child);
    body(object, child);
  });
}

}  // namespace

void encode_children(const Interception& record, std::string& buffer) {
  const core::DerivedIds ids(record.id);
  JsonCursor out(buffer, 2 + bound(record.user_prompts) + bound(record.token_usages) +
                             bound(record.tool_usages) + bound(record.model_thoughts));
  out.raw('{');
  encode_rows(record.user_prompts, ids, ChildKind::kPrompt, "\"user_prompts\":", out,
              [](JsonCursor& json, const UserPrompt& prompt) {
                json.key("\"prompt\":");
                json.string(prompt.prompt);
              });
  encode_rows(record.token_usages, ids, ChildKind::kTokenUsage, "\"token_usages\":", out,
              [](JsonCursor& json, const TokenUsage& usage) {
                json.key("\"input_tokens\":");
                json.integer(usage.input_tokens);
                json.key("\"output_tokens\":");
                json.integer(usage.output_tokens);
                json.key("\"cache_read_input_tokens\":");
                json.integer(usage.cache_read_input_tokens);
                json.key("\"cache_write_input_tokens\":");
                json.integer(usage.cache_write_input_tokens);
              });
  encode_rows(record.tool_usages, ids, ChildKind::kToolUsage, "\"tool_usages\":", out,
              [](JsonCursor& json, const ToolUsage& tool) {
                json.key("\"tool_call_id\":");
                json.string(tool.tool_call_id);
                if (tool.server_url) {
                  json.key("\"server_url\":");
                  json.string(*tool.server_url);
                }
                json.key("\"tool\":");
                json.string(tool.tool);
                json.key("\"input\":");
                json.string(tool.input);
                if (tool.injected) {
                  json.key("\"injected\":true");
                }
                if (tool.invocation_error) {
                  json.key("\"invocation_error\":");
                  json.string(*tool.invocation_error);
                }
              });
  encode_rows(record.model_thoughts, ids, ChildKind::kModelThought, "\"model_thoughts\":", out,
              [](JsonCursor& json, const ModelThought& thought) {
                json.key("\"content\":");
                json.string(thought.content);
              });
  out.raw('}');
  out.finish();
}

void decode_children(std::string_view json_text, Interception& record) {
  boost::system::error_code error;
  const json::value value = json::parse(json_text, error);
  if (error || !value.is_object()) {
    return;
  }
  const json::object& children = value.as_object();
  const core::DerivedIds ids(record.id);
  decode_rows(children, "user_prompts", ids, ChildKind::kPrompt, record.user_prompts,
              [](const json::object& object, UserPrompt& prompt) {
                prompt.prompt = text(object, "prompt");
              });
  decode_rows(children, "token_usages", ids, ChildKind::kTokenUsage, record.token_usages,
              [](const json::object& object, TokenUsage& usage) {
                usage.input_tokens = integer(object, "input_tokens");
                usage.output_tokens = integer(object, "output_tokens");
                usage.cache_read_input_tokens = integer(object, "cache_read_input_tokens");
                usage.cache_write_input_tokens = integer(object, "cache_write_input_tokens");
              });
  decode_rows(children, "tool_usages", ids, ChildKind::kToolUsage, record.tool_usages,
              [](const json::object& object, ToolUsage& tool) {
                tool.tool_call_id = text(object, "tool_call_id");
                tool.server_url = optional_text(object, "server_url");
                tool.tool = text(object, "tool");
                tool.input = text(object, "input");
                const json::value* injected = object.if_contains("injected");
                tool.injected = injected != nullptr && injected->is_bool() && injected->as_bool();
                tool.invocation_error = optional_text(object, "invocation_error");
              });
  decode_rows(children, "model_thoughts", ids, ChildKind::kModelThought,
              record.model_thoughts, [](const json::object& object, ModelThought& thought) {
                thought.content = text(object, "content");
              });
}

}  // namespace aibridge::recorder
