#include "proxy/providers/request_facts.hpp"

#include <simdjson.h>

namespace aibridge::proxy {
namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

std::string_view string_field(element value, std::string_view key) {
  std::string_view out;
  if (value[key].get_string().get(out) != simdjson::SUCCESS) {
    return {};
  }
  return out;
}

// Walks back from the last message, skipping system and developer messages (current Claude Code
// appends one after the user's turn); the message reached must be the user's.
std::optional<element> last_user_turn(array messages) {
  std::vector<element> items(messages.begin(), messages.end());
  for (auto it = items.rbegin(); it != items.rend(); ++it) {
    const std::string_view role = string_field(*it, "role");
    if (role == "system" || role == "developer") {
      continue;
    }
    if (role == "user" && string_field(*it, "type") != "function_call_output") {
      return *it;
    }
    return std::nullopt;
  }
  return std::nullopt;
}

// Anthropic and chat: a string content, or the last text block/part.
std::optional<std::string> last_text(element message) {
  element content;
  if (message["content"].get(content) != simdjson::SUCCESS) {
    return std::nullopt;
  }
  std::string_view text;
  if (content.get_string().get(text) == simdjson::SUCCESS) {
    return std::string(text);
  }
  array parts;
  if (content.get_array().get(parts) != simdjson::SUCCESS) {
    return std::nullopt;
  }
  std::optional<std::string> last;
  for (element part : parts) {
    if (string_field(part, "type") == "text" &&
        part["text"].get_string().get(text) == simdjson::SUCCESS) {
      last = std::string(text);
    }
  }
  return last;
}

// Responses: a string content, or every input_text part joined with '\n'.
std::optional<std::string> joined_input_text(element item) {
  element content;
  if (item["content"].get(content) != simdjson::SUCCESS) {
    return std::nullopt;
  }
  std::string_view text;
  if (content.get_string().get(text) == simdjson::SUCCESS) {
    return std::string(text);
  }
  array parts;
  if (content.get_array().get(parts) != simdjson::SUCCESS) {
    return std::nullopt;
  }
  std::optional<std::string> joined;
  for (element part : parts) {
    if (string_field(part, "type") == "input_text" &&
        part["text"].get_string().get(text) == simdjson::SUCCESS) {
      joined = joined ? *joined + "\n" + std::string(text) : std::string(text);
    }
  }
  return joined;
}

std::optional<std::string> prompt_of(Endpoint endpoint, object root) {
  if (endpoint == Endpoint::kResponses) {
    element input;
    if (root["input"].get(input) != simdjson::SUCCESS) {
      return std::nullopt;
    }
    std::string_view text;
    if (input.get_string().get(text) == simdjson::SUCCESS) {
      return std::string(text);
    }
    array items;
    if (input.get_array().get(items) != simdjson::SUCCESS) {
      return std::nullopt;
    }
    const auto turn = last_user_turn(items);
    return turn ? joined_input_text(*turn) : std::nullopt;
  }
  array messages;
  if (root["messages"].get_array().get(messages) != simdjson::SUCCESS) {
    return std::nullopt;
  }
  const auto turn = last_user_turn(messages);
  return turn ? last_text(*turn) : std::nullopt;
}

// Claude Code puts its session in metadata.user_id: JSON with "session_id", or the legacy
// "user_<hash>_account_<id>_session_<uuid>".
std::string claude_session(object root) {
  std::string_view user_id;
  if (root.at_pointer("/metadata/user_id").get_string().get(user_id) != simdjson::SUCCESS) {
    return {};
  }
  simdjson::dom::parser parser;
  element parsed;
  std::string_view session;
  if (parser.parse(user_id.data(), user_id.size()).get(parsed) == simdjson::SUCCESS &&
      parsed["session_id"].get_string().get(session) == simdjson::SUCCESS) {
    return std::string(session);
  }
  constexpr std::string_view kMarker = "_session_";
  const std::size_t marker = user_id.rfind(kMarker);
  return marker == std::string_view::npos ? std::string()
                                          : std::string(user_id.substr(marker + kMarker.size()));
}

}  // namespace

std::optional<RequestFacts> read_request_facts(Endpoint endpoint, std::string_view body) {
  // One parser per network thread: its buffers are reused across requests.
  thread_local simdjson::dom::parser parser;
  element root;
  if (parser.parse(body.data(), body.size(), /*realloc_if_needed=*/true).get(root) !=
      simdjson::SUCCESS) {
    return std::nullopt;
  }
  object fields;
  if (root.get_object().get(fields) != simdjson::SUCCESS) {
    return std::nullopt;
  }
  RequestFacts facts;
  facts.model = std::string(string_field(root, "model"));
  bool stream = false;
  if (fields["stream"].get_bool().get(stream) == simdjson::SUCCESS) {
    facts.streaming = stream;
  }
  facts.prompt = prompt_of(endpoint, fields);
  if (endpoint == Endpoint::kMessages) {
    facts.claude_session_id = claude_session(fields);
  }
  return facts;
}

}  // namespace aibridge::proxy
