// Which client is calling (reference/aibridge-behaviour.md §5.2), and its own session id (§5.3).
#include <array>

#include <boost/beast/core/string.hpp>

#include "proxy/providers/request_facts.hpp"

namespace aibridge::proxy {
namespace {

namespace http = boost::beast::http;

struct KnownClient {
  std::string_view user_agent_prefix;  // lower case
  std::string_view originator;         // header `originator` (exact), or empty
  std::string_view name;
  // Where the client sends its session id, first found wins; empty when it sends none.
  std::array<std::string_view, 2> session_headers;
};

// First match wins; the order matters ("copilot/" after "githubcopilotchat/").
constexpr std::array<KnownClient, 10> kClients{{
    {"mux/", "", "Mux", {"X-Mux-Workspace-Id"}},
    {"claude", "", "Claude Code", {"X-Claude-Code-Session-Id"}},
    // Codex before 0.171 sent `session_id`; 0.171 sends `session-id` (and `thread-id`).
    {"codex", "", "Codex", {"session_id", "session-id"}},
    {"zed/", "", "Zed", {}},
    {"githubcopilotchat/", "", "GitHub Copilot (VS Code)", {"x-interaction-id"}},
    {"copilot/", "", "GitHub Copilot (CLI)", {"X-Client-Session-Id"}},
    {"kilo-code/", "kilo-code", "Kilo Code", {"X-KILOCODE-TASKID"}},
    {"roo-code/", "roo-code", "Roo Code", {}},
    {"coder-agents/", "", "Coder Agents", {"X-Coder-Chat-Id"}},
    {"charm crush/", "", "Charm Crush", {}},
}};

std::string trimmed(std::string_view value) {
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) {
    value.remove_prefix(1);
  }
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) {
    value.remove_suffix(1);
  }
  return std::string(value);
}

}  // namespace

ClientFacts detect_client(const http::fields& headers, std::string_view claude_session_id) {
  ClientFacts facts;
  facts.user_agent = std::string(headers[http::field::user_agent]);
  std::string agent = facts.user_agent;
  for (char& c : agent) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  const std::string_view originator = headers["originator"];
  facts.client = "Unknown";
  for (const KnownClient& known : kClients) {
    if (agent.starts_with(known.user_agent_prefix) ||
        (!known.originator.empty() && originator == known.originator)) {
      facts.client = std::string(known.name);
      for (const std::string_view header : known.session_headers) {
        if (!header.empty() && facts.session_id.empty()) {
          facts.session_id = trimmed(headers[header]);
        }
      }
      break;
    }
  }
  if (facts.client == "Unknown" && !headers["x-cursor-client-version"].empty()) {
    facts.client = "Cursor";
  }
  if (facts.client == "Claude Code" && facts.session_id.empty()) {
    facts.session_id = trimmed(claude_session_id);
  }
  return facts;
}

}  // namespace aibridge::proxy
