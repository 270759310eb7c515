#include "api/interceptions_json.hpp"

#include <boost/json/basic_parser_impl.hpp>

#include "core/json_text.hpp"
#include "core/time.hpp"

namespace aibridge::api {
namespace {

namespace json = boost::json;

// A 100-row page is ~130 KB of JSON: written straight into one string, fields in the order the
// reference API gives them, rather than built as a json::value tree and serialised (which cost
// a third of a page's time).

// Accepts any JSON text and keeps nothing: validates stored metadata without building it.
struct Validator {
  static constexpr std::size_t max_object_size = std::size_t(-1);
  static constexpr std::size_t max_array_size = std::size_t(-1);
  static constexpr std::size_t max_key_size = std::size_t(-1);
  static constexpr std::size_t max_string_size = std::size_t(-1);
  using Error = json::error_code;
  bool on_document_begin(Error&) { return true; }
  bool on_document_end(Error&) { return true; }
  bool on_object_begin(Error&) { return true; }
  bool on_object_end(std::size_t, Error&) { return true; }
  bool on_array_begin(Error&) { return true; }
  bool on_array_end(std::size_t, Error&) { return true; }
  bool on_key_part(json::string_view, std::size_t, Error&) { return true; }
  bool on_key(json::string_view, std::size_t, Error&) { return true; }
  bool on_string_part(json::string_view, std::size_t, Error&) { return true; }
  bool on_string(json::string_view, std::size_t, Error&) { return true; }
  bool on_number_part(json::string_view, Error&) { return true; }
  bool on_int64(std::int64_t, json::string_view, Error&) { return true; }
  bool on_uint64(std::uint64_t, json::string_view, Error&) { return true; }
  bool on_double(double, json::string_view, Error&) { return true; }
  bool on_bool(bool, Error&) { return true; }
  bool on_null(Error&) { return true; }
  bool on_comment_part(json::string_view, Error&) { return true; }
  bool on_comment(json::string_view, Error&) { return true; }
};

bool is_json_object(std::string_view text) {
  const std::size_t first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos || text[first] != '{') {
    return false;
  }
  json::basic_parser<Validator> parser(json::parse_options{});
  json::error_code error;
  const std::size_t used = parser.write_some(false, text.data(), text.size(), error);
  return !error && parser.done() &&
         text.find_first_not_of(" \t\r\n", used) == std::string_view::npos;
}

// Writes one object's members in order; each value is appended by the caller.
class Writer {
 public:
  explicit Writer(std::string& out) : out_(out) {}

  void begin_object() {
    separate();
    out_ += '{';
    first_ = true;
  }
  void end_object() {
    out_ += '}';
    first_ = false;
  }
  void begin_array(std::string_view key) {
    name(key);
    out_ += '[';
    first_ = true;
  }
  void end_array() {
    out_ += ']';
    first_ = false;
  }
  void name(std::string_view key) {
    separate();
    out_ += '"';
    out_ += key;  // our own field names: nothing to escape
    out_ += "\":";
    first_ = true;  // the value follows without a comma
  }
  void string(std::string_view key, std::string_view value) {
    name(key);
    core::append_json_string(out_, value);
    first_ = false;
  }
  void integer(std::string_view key, std::int64_t value) {
    name(key);
    core::append_json_int(out_, value);
    first_ = false;
  }
  void boolean(std::string_view key, bool value) {
    name(key);
    out_ += value ? "true" : "false";
    first_ = false;
  }
  void time(std::string_view key, core::UnixMicros value) {
    name(key);
    out_ += '"';
    core::append_rfc3339(out_, value);
    out_ += '"';
    first_ = false;
  }
  void null(std::string_view key) {
    name(key);
    out_ += "null";
    first_ = false;
  }
  /// Stored metadata is JSON the gateway wrote; anything unreadable is shown as {}.
  void metadata(std::string_view stored) {
    name("metadata");
    out_ += is_json_object(stored) ? stored : std::string_view("{}");
    first_ = false;
  }

 private:
  void separate() {
    if (!first_) {
      out_ += ',';
    }
  }

  std::string& out_;
  bool first_ = true;  // no member or element written yet at this level
};

void initiator(Writer& out, const recorder::User& user) {
  out.name("initiator");
  out.begin_object();
  out.string("id", user.id);
  out.string("username", user.username);
  if (!user.name.empty()) {
    out.string("name", user.name);
  }
  if (!user.avatar_url.empty()) {
    out.string("avatar_url", user.avatar_url);
  }
  out.end_object();
}

void interception(Writer& out, const recorder::ListedInterception& row) {
  const recorder::Interception& record = row.interception;
  out.begin_object();
  out.string("id", record.id);
  out.string("api_key_id", record.api_key_id);
  initiator(out, row.initiator);
  out.string("provider", record.provider);
  out.string("model", record.model);
  out.metadata(record.metadata);
  out.time("started_at", record.started_at);
  if (record.ended_at) {
    out.time("ended_at", *record.ended_at);
  } else {
    out.null("ended_at");
  }
  out.begin_array("token_usages");
  for (const recorder::TokenUsage& usage : record.token_usages) {
    out.begin_object();
    out.string("id", usage.id);
    out.string("interception_id", record.id);
    out.string("provider_response_id", usage.provider_response_id);
    out.integer("input_tokens", usage.input_tokens);
    out.integer("output_tokens", usage.output_tokens);
    out.integer("cache_read_input_tokens", usage.cache_read_input_tokens);
    out.integer("cache_write_input_tokens", usage.cache_write_input_tokens);
    out.metadata(usage.metadata);
    out.time("created_at", usage.created_at);
    out.end_object();
  }
  out.end_array();
  out.begin_array("user_prompts");
  for (const recorder::UserPrompt& prompt : record.user_prompts) {
    out.begin_object();
    out.string("id", prompt.id);
    out.string("interception_id", record.id);
    out.string("provider_response_id", prompt.provider_response_id);
    out.string("prompt", prompt.prompt);
    out.metadata(prompt.metadata);
    out.time("created_at", prompt.created_at);
    out.end_object();
  }
  out.end_array();
  out.begin_array("tool_usages");
  for (const recorder::ToolUsage& tool : record.tool_usages) {
    out.begin_object();
    out.string("id", tool.id);
    out.string("interception_id", record.id);
    out.string("provider_response_id", tool.provider_response_id);
    out.string("server_url", tool.server_url.value_or(""));
    out.string("tool", tool.tool);
    out.string("input", tool.input);
    out.boolean("injected", tool.injected);
    out.string("invocation_error", tool.invocation_error.value_or(""));
    out.metadata(tool.metadata);
    out.time("created_at", tool.created_at);
    out.string("tool_call_id", tool.tool_call_id);
    out.end_object();
  }
  out.end_array();
  out.begin_array("model_thoughts");
  for (const recorder::ModelThought& thought : record.model_thoughts) {
    out.begin_object();
    out.string("id", thought.id);
    out.string("interception_id", record.id);
    out.string("content", thought.content);
    out.metadata(thought.metadata);
    out.time("created_at", thought.created_at);
    out.string("provider_response_id", thought.provider_response_id);
    out.end_object();
  }
  out.end_array();
  out.end_object();
}

}  // namespace

std::string interceptions_body(const recorder::InterceptionPage& page, CountField count_field) {
  std::string body;
  body.reserve(1024 + page.rows.size() * 1536);
  Writer out(body);
  out.begin_object();
  out.integer(count_field == CountField::kCount ? "count" : "total", page.count);
  out.begin_array("results");
  for (const recorder::ListedInterception& row : page.rows) {
    interception(out, row);
  }
  out.end_array();
  out.end_object();
  return body;
}

}  // namespace aibridge::api
