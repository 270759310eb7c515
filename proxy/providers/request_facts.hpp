#pragma once
// What the gateway needs to know from a bridged request. Pure.
#include <optional>
#include <string>
#include <string_view>

#include <boost/beast/http/fields.hpp>

#include "proxy/routing.hpp"

namespace aibridge::proxy {

struct RequestFacts {
  std::string model;                  // "" when absent or not a string
  bool streaming = false;             // `"stream": true` (a JSON boolean)
  std::optional<std::string> prompt;  // the user's prompt of this turn (SPEC §5.1)
  std::string claude_session_id;      // Claude Code's session id from metadata.user_id
};

/// Validates the whole body as JSON; nullopt when it is not a JSON object.
std::optional<RequestFacts> read_request_facts(Endpoint endpoint, std::string_view body);

struct ClientFacts {
  std::string user_agent;
  std::string client;      // "Claude Code", "Codex", …, or "Unknown"
  std::string session_id;  // the client's own session id, when it sends one
};

/// Detects the calling client from its headers (reference/aibridge-behaviour.md §5.2, §5.3).
ClientFacts detect_client(const boost::beast::http::fields& headers,
                          std::string_view claude_session_id);

}  // namespace aibridge::proxy
