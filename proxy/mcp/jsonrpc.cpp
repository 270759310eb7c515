#include "proxy/mcp/jsonrpc.hpp"

#include <array>

#include <boost/json.hpp>

#include "proxy/sse_parser.hpp"

namespace aibridge::proxy::mcp {
namespace {

namespace json = boost::json;

constexpr std::size_t kMaxEventBytes = 64ULL << 20;

// The response among `message` (an object, or a batch of them) whose id is `id`.
std::optional<Answer> match(const json::value& message, std::int64_t id) {
  if (const auto* batch = message.if_array()) {
    for (const json::value& element : *batch) {
      if (auto found = match(element, id)) {
        return found;
      }
    }
    return std::nullopt;
  }
  const auto* object = message.if_object();
  if (object == nullptr) {
    return std::nullopt;
  }
  const json::value* message_id = object->if_contains("id");
  if (message_id == nullptr || !message_id->is_int64() || message_id->as_int64() != id) {
    return std::nullopt;  // a notification or a request from the server, or another answer
  }
  if (const json::value* error = object->if_contains("error"); error && error->is_object()) {
    std::string text = "JSON-RPC error";
    if (const json::value* code = error->as_object().if_contains("code");
        code && code->is_int64()) {
      text += " " + std::to_string(code->as_int64());
    }
    if (const json::value* what = error->as_object().if_contains("message");
        what && what->is_string()) {
      text += ": " + std::string(what->as_string());
    }
    return Answer{std::nullopt, std::move(text)};
  }
  if (const json::value* result = object->if_contains("result")) {
    return Answer{*result, {}};
  }
  return Answer{std::nullopt, "the answer has neither result nor error"};
}

std::optional<Answer> match_text(std::string_view text, std::int64_t id) {
  json::error_code error;
  const json::value message = json::parse(text, error);
  if (error) {
    return std::nullopt;
  }
  return match(message, id);
}

}  // namespace

bool supported_protocol_version(std::string_view version) {
  constexpr std::array<std::string_view, 3> kKnown{"2025-06-18", "2025-03-26", "2024-11-05"};
  return std::find(kKnown.begin(), kKnown.end(), version) != kKnown.end();
}

std::string request_body(std::int64_t id, std::string_view method, const json::value& params) {
  return json::serialize(
      json::object{{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", params}});
}

std::string notification_body(std::string_view method) {
  return json::serialize(json::object{{"jsonrpc", "2.0"}, {"method", method}});
}

json::value initialize_params() {
  return json::object{
      {"protocolVersion", kProtocolVersion},
      {"capabilities", json::object{}},
      {"clientInfo", json::object{{"name", "aibridge"}, {"version", AIBRIDGE_VERSION}}}};
}

Answer read_answer(std::string_view content_type, std::string_view body, std::int64_t id) {
  if (content_type.starts_with("text/event-stream")) {
    std::optional<Answer> found;
    SseParser parser(kMaxEventBytes);
    parser.feed(body, [&](const SseEvent& event) {
      if (!found) {
        found = match_text(event.data, id);
      }
    });
    parser.feed("\n\n", [&](const SseEvent& event) {  // a last event without its blank line
      if (!found) {
        found = match_text(event.data, id);
      }
    });
    return found ? std::move(*found)
                 : Answer{std::nullopt, "the event stream ended without the answer"};
  }
  if (content_type.starts_with("application/json")) {
    if (auto found = match_text(body, id)) {
      return std::move(*found);
    }
    return Answer{std::nullopt, "the JSON body is not the answer to the request"};
  }
  return Answer{std::nullopt, "unexpected Content-Type \"" + std::string(content_type) + "\""};
}

}  // namespace aibridge::proxy::mcp
