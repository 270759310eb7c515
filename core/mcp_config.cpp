#include "core/mcp_config.hpp"

#include <algorithm>
#include <regex>

namespace aibridge::core {
namespace {

// Tool names become bmcp_<server>_<tool>, and providers accept [A-Za-z0-9_-] in tool names:
// '_' is the separator, so a server name has none.
bool valid_server_name(std::string_view name) {
  return !name.empty() && name.size() <= 32 && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
  });
}

bool valid_pattern(const std::string& pattern, std::string& error) {
  try {
    std::regex compiled(pattern, std::regex::ECMAScript);
    return true;
  } catch (const std::regex_error& e) {
    error = "\"" + pattern + "\" is not a regular expression: " + e.what();
    return false;
  }
}

class ServerReader {
 public:
  ServerReader(const toml::table& table, std::string where, std::vector<std::string>& errors)
      : table_(table), where_(std::move(where)), errors_(errors) {}

  std::optional<McpServerSettings> read() {
    McpServerSettings server;
    for (const auto& [key, node] : table_) {
      const std::string_view name = key.str();
      if (name == "name") {
        text(node, name, server.name);
      } else if (name == "url") {
        text(node, name, server.url);
      } else if (name == "allow") {
        text(node, name, server.allow);
      } else if (name == "deny") {
        text(node, name, server.deny);
      } else if (name == "headers") {
        headers(node, server.headers);
      } else {
        fail(std::string(name) + ": unknown key (name, url, headers, allow, deny)");
      }
    }
    if (!valid_server_name(server.name)) {
      fail("name: \"" + server.name + "\" must be 1 to 32 letters, digits or '-'");
    }
    if (!server.url.starts_with("http://") && !server.url.starts_with("https://")) {
      fail("url: \"" + server.url + "\" is not an http:// or https:// URL");
    }
    std::string error;
    for (const std::string* pattern : {&server.allow, &server.deny}) {
      if (!pattern->empty() && !valid_pattern(*pattern, error)) {
        fail(error);
      }
    }
    if (failed_) {
      return std::nullopt;
    }
    return server;
  }

 private:
  void fail(const std::string& message) {
    errors_.push_back(where_ + ": mcp.servers: " + message);
    failed_ = true;
  }
  void text(const toml::node& node, std::string_view key, std::string& out) {
    if (const auto* value = node.as_string()) {
      out = value->get();
    } else {
      fail(std::string(key) + ": expected a string");
    }
  }
  void headers(const toml::node& node, std::vector<std::pair<std::string, std::string>>& out) {
    const auto* table = node.as_table();
    if (table == nullptr) {
      fail("headers: expected a table of strings, e.g. { Authorization = \"Bearer …\" }");
      return;
    }
    for (const auto& [name, value] : *table) {
      const auto* text = value.as_string();
      if (text == nullptr) {
        fail("headers." + std::string(name.str()) + ": expected a string");
        continue;
      }
      out.emplace_back(std::string(name.str()), text->get());
    }
  }

  const toml::table& table_;
  std::string where_;
  std::vector<std::string>& errors_;
  bool failed_ = false;
};

}  // namespace

void read_mcp_servers(const toml::node& node, const std::string& path, McpSettings& mcp,
                      std::vector<std::string>& errors) {
  const auto* servers = node.as_array();
  if (servers == nullptr) {
    errors.push_back(path + ":" + std::to_string(node.source().begin.line) +
                     ": mcp.servers: expected [[mcp.servers]] tables");
    return;
  }
  for (const toml::node& element : *servers) {
    const std::string where = path + ":" + std::to_string(element.source().begin.line);
    const auto* table = element.as_table();
    if (table == nullptr) {
      errors.push_back(where + ": mcp.servers: expected a table");
      continue;
    }
    std::optional<McpServerSettings> server = ServerReader(*table, where, errors).read();
    if (!server) {
      continue;
    }
    const bool taken = std::any_of(mcp.servers.begin(), mcp.servers.end(),
                                   [&](const auto& other) { return other.name == server->name; });
    if (taken) {
      errors.push_back(where + ": mcp.servers: a second server named \"" + server->name + "\"");
      continue;
    }
    mcp.servers.push_back(std::move(*server));
  }
}

}  // namespace aibridge::core
