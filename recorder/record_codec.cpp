#include "recorder/record_codec.hpp"

#include <array>
#include <cstring>
#include <optional>

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
  return bound(row.id) + bound(row.provider_response_id) + row.metadata.size() + bound(row.content);
}

template <class Child>
std::size_t bound(const std::vector<Child>& rows) {
  std::size_t total = 32;
  for (const Child& row : rows) {
    total += kChildOverhead + bound(row);
  }
  return total;
}

// What a child leaves out when it holds the value it would be decoded with: the provider's
// response id of the child before it (in the order kinds are written), and a created_at one after
// the child before it's, the first ended_at minus the children after it (how the gateway stamps
// them, proxy/interception.cpp). Both ends keep one of these for the whole record.
struct Defaults {
  Defaults(const Interception& record, std::size_t children)
      : created_at(record.ended_at.value_or(record.started_at) -
                   static_cast<std::int64_t>(children) + 1) {}
  void follow(std::string_view row_response_id, std::int64_t row_created_at) {
    response_id = row_response_id;
    created_at = row_created_at + 1;
  }
  // The child before's (a view of that child's, or of the JSON text it was decoded from); none
  // for the first.
  std::optional<std::string_view> response_id;
  std::int64_t created_at;
};

std::size_t child_count(const Interception& record) {
  return record.user_prompts.size() + record.token_usages.size() + record.tool_usages.size() +
         record.model_thoughts.size();
}

// Every child: its id unless it is the one derived from the interception's, the provider's
// response id and created_at unless at their defaults, the kind's own members, and metadata
// unless empty.
template <class Child, class Body>
void encode_rows(const std::vector<Child>& rows, const core::DerivedIds& ids, ChildKind kind,
                 std::string_view quoted_name_colon, Defaults& defaults, JsonCursor& out,
                 Body&& body) {
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
    if (defaults.response_id != row.provider_response_id) {
      out.key("\"provider_response_id\":");
      out.string(row.provider_response_id);
    }
    body(out, row);
    if (!row.metadata.empty() && row.metadata != "{}") {
      out.key("\"metadata\":");
      out.raw(row.metadata);
    }
    if (row.created_at != defaults.created_at) {
      out.key("\"created_at\":");
      out.integer(row.created_at);
    }
    out.raw('}');
    defaults.follow(row.provider_response_id, row.created_at);
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
                 unsigned index, Defaults& defaults, Child& child) {
  child.id =
      object.contains("id") ? text(object, "id") : ids.make(static_cast<unsigned>(kind), index);
  const json::value* response_id = object.if_contains("provider_response_id");
  const std::string_view response_id_text = response_id != nullptr && response_id->is_string()
                                                ? std::string_view(response_id->as_string())
                                                : defaults.response_id.value_or("");
  child.provider_response_id = response_id_text;
  const json::value* metadata = object.if_contains("metadata");
  child.metadata = metadata != nullptr && metadata->is_object() ? json::serialize(*metadata) : "{}";
  const json::value* created_at = object.if_contains("created_at");
  child.created_at = created_at != nullptr && created_at->is_int64() ? created_at->as_int64()
                                                                     : defaults.created_at;
  defaults.follow(response_id_text, child.created_at);
}

template <class Child, class Body>
void decode_rows(const json::object& children, std::string_view name, const core::DerivedIds& ids,
                 ChildKind kind, Defaults& defaults, std::vector<Child>& out, Body&& body) {
  unsigned index = 0;
  each_object(children, name, [&](const json::object& object) {
    Child& child = out.emplace_back();
    read_common(object, ids, kind, index++, defaults, child);
    body(object, child);
  });
}

constexpr std::array<std::string_view, 4> kKinds = {"user_prompts", "token_usages", "tool_usages",
                                                    "model_thoughts"};

std::size_t child_count(const json::object& children) {
  std::size_t count = 0;
  for (const std::string_view kind : kKinds) {
    each_object(children, kind, [&](const json::object&) { ++count; });
  }
  return count;
}

}  // namespace

void encode_children(const Interception& record, std::string& buffer) {
  const core::DerivedIds ids(record.id);
  JsonCursor out(buffer, 2 + bound(record.user_prompts) + bound(record.token_usages) +
                             bound(record.tool_usages) + bound(record.model_thoughts));
  Defaults defaults(record, child_count(record));
  out.raw('{');
  encode_rows(record.user_prompts, ids, ChildKind::kPrompt, "\"user_prompts\":", defaults, out,
              [](JsonCursor& json, const UserPrompt& prompt) {
                json.key("\"prompt\":");
                json.string(prompt.prompt);
              });
  encode_rows(record.token_usages, ids, ChildKind::kTokenUsage, "\"token_usages\":", defaults, out,
              [](JsonCursor& json, const TokenUsage& usage) {
                json.key("\"input_tokens\":");
                json.integer(usage.input_tokens);
                json.key("\"output_tokens\":");
                json.integer(usage.output_tokens);
                if (usage.cache_read_input_tokens != 0) {
                  json.key("\"cache_read_input_tokens\":");
                  json.integer(usage.cache_read_input_tokens);
                }
                if (usage.cache_write_input_tokens != 0) {
                  json.key("\"cache_write_input_tokens\":");
                  json.integer(usage.cache_write_input_tokens);
                }
              });
  encode_rows(record.tool_usages, ids, ChildKind::kToolUsage, "\"tool_usages\":", defaults, out,
              [](JsonCursor& json, const ToolUsage& tool) {
                if (!tool.tool_call_id.empty()) {
                  json.key("\"tool_call_id\":");
                  json.string(tool.tool_call_id);
                }
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
  encode_rows(record.model_thoughts, ids, ChildKind::kModelThought, "\"model_thoughts\":", defaults,
              out, [](JsonCursor& json, const ModelThought& thought) {
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
  Defaults defaults(record, child_count(children));
  decode_rows(children, "user_prompts", ids, ChildKind::kPrompt, defaults, record.user_prompts,
              [](const json::object& object, UserPrompt& prompt) {
                prompt.prompt = text(object, "prompt");
              });
  decode_rows(children, "token_usages", ids, ChildKind::kTokenUsage, defaults, record.token_usages,
              [](const json::object& object, TokenUsage& usage) {
                usage.input_tokens = integer(object, "input_tokens");
                usage.output_tokens = integer(object, "output_tokens");
                usage.cache_read_input_tokens = integer(object, "cache_read_input_tokens");
                usage.cache_write_input_tokens = integer(object, "cache_write_input_tokens");
              });
  decode_rows(children, "tool_usages", ids, ChildKind::kToolUsage, defaults, record.tool_usages,
              [](const json::object& object, ToolUsage& tool) {
                tool.tool_call_id = text(object, "tool_call_id");
                tool.server_url = optional_text(object, "server_url");
                tool.tool = text(object, "tool");
                tool.input = text(object, "input");
                const json::value* injected = object.if_contains("injected");
                tool.injected = injected != nullptr && injected->is_bool() && injected->as_bool();
                tool.invocation_error = optional_text(object, "invocation_error");
              });
  decode_rows(children, "model_thoughts", ids, ChildKind::kModelThought, defaults,
              record.model_thoughts, [](const json::object& object, ModelThought& thought) {
                thought.content = text(object, "content");
              });
}

}  // namespace aibridge::recorder
