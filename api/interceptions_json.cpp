#include "api/interceptions_json.hpp"

#include <algorithm>
#include <set>

#include <boost/json/basic_parser_impl.hpp>

#include "core/json_text.hpp"
#include "core/time.hpp"
#include "recorder/rollups.hpp"

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
  /// One string element of the array being written.
  void element(std::string_view value) {
    separate();
    core::append_json_string(out_, value);
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

// The distinct values one attribute of a session's interceptions has, sorted.
template <class Attribute>
void distinct_values(Writer& out, std::string_view key, const recorder::ListedSession& session,
                     Attribute attribute) {
  std::set<std::string_view> values;
  for (const recorder::ListedInterception& row : session.interceptions) {
    values.insert(attribute(row.interception));
  }
  out.begin_array(key);
  for (const std::string_view value : values) {
    out.element(value);
  }
  out.end_array();
}

// The session's fields (SPEC §10), summed over its interceptions; the caller closes the object.
void session_fields(Writer& out, const recorder::ListedSession& session) {
  const recorder::ListedInterception& first = session.interceptions.front();
  out.begin_object();
  out.string("id", session.id);
  initiator(out, first.initiator);
  out.string("client", first.interception.client);
  distinct_values(
      out, "providers", session,
      [](const recorder::Interception& record) -> std::string_view { return record.provider; });
  distinct_values(
      out, "models", session,
      [](const recorder::Interception& record) -> std::string_view { return record.model; });
  core::UnixMicros ended_at = first.interception.started_at;
  std::string_view first_prompt;
  bool prompted = false;
  recorder::Usage sums;
  for (const recorder::ListedInterception& row : session.interceptions) {
    const recorder::Interception& record = row.interception;
    ended_at = std::max(ended_at, record.ended_at.value_or(record.started_at));
    if (!prompted && !record.user_prompts.empty()) {
      first_prompt = record.user_prompts.front().prompt;
      prompted = true;
    }
    sums += recorder::usage_of(record);
  }
  out.time("started_at", first.interception.started_at);
  out.time("ended_at", ended_at);
  out.integer("interception_count", sums.interceptions);
  out.string("first_prompt", first_prompt);
  out.integer("input_tokens", sums.input_tokens);
  out.integer("output_tokens", sums.output_tokens);
  out.integer("cache_read_input_tokens", sums.cache_read_input_tokens);
  out.integer("cache_write_input_tokens", sums.cache_write_input_tokens);
  out.integer("tool_call_count", sums.tool_calls);
}

// {"<count_key>": N, "results": [each row]}, with room reserved for rows of about 1.5 KiB.
template <class Rows, class WriteRow>
std::string page_body(std::string_view count_key, std::int64_t count, const Rows& rows,
                      WriteRow write_row) {
  std::string body;
  body.reserve(1024 + rows.size() * 1536);
  Writer out(body);
  out.begin_object();
  out.integer(count_key, count);
  out.begin_array("results");
  for (const auto& row : rows) {
    write_row(out, row);
  }
  out.end_array();
  out.end_object();
  return body;
}

}  // namespace

std::string interceptions_body(const recorder::InterceptionPage& page, CountField count_field) {
  return page_body(
      count_field == CountField::kCount ? "count" : "total", page.count, page.rows,
      [](Writer& out, const recorder::ListedInterception& row) { interception(out, row); });
}

std::string interception_body(const recorder::ListedInterception& row) {
  std::string body;
  body.reserve(1536);
  Writer out(body);
  interception(out, row);
  return body;
}

std::string sessions_body(const recorder::SessionPage& page) {
  return page_body("count", page.count, page.rows,
                   [](Writer& out, const recorder::ListedSession& session) {
                     if (!session.interceptions.empty()) {
                       session_fields(out, session);
                       out.end_object();
                     }
                   });
}

std::string session_body(const recorder::ListedSession& session) {
  std::string body;
  Writer out(body);
  session_fields(out, session);
  out.begin_array("interceptions");
  for (const recorder::ListedInterception& row : session.interceptions) {
    interception(out, row);
  }
  out.end_array();
  out.end_object();
  return body;
}

}  // namespace aibridge::api
