#pragma once
// The tools the gateway injects (SPEC §11): what each MCP server listed, filtered by the
// server's allow/deny patterns, named bmcp_<server>_<tool> and sorted by that name, so that
// every request carries them in the same order and its bytes repeat (prompt caching). Built once
// at start, then only read (by every shard at once). Pure.
#include <regex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/value.hpp>

#include "core/config.hpp"

namespace aibridge::proxy::mcp {

struct Tool {
  std::string id;          // the name the model sees: bmcp_<server>_<name>
  std::string name;        // the server's own name, used in tools/call and in records
  std::string server;      // the configured server name
  std::string server_url;  // recorded with each call
  std::string description;
  boost::json::value properties;  // the input schema's `properties` (an object), or null
  boost::json::array required;    // the input schema's `required` names
};

/// The exposed name of tool `name` of server `server`.
std::string tool_id(std::string_view server, std::string_view name);

/// One page of a tools/list result.
struct ToolPage {
  std::vector<Tool> tools;  // those with a usable name; the others are in `skipped`
  std::vector<std::string> skipped;
  std::string next_cursor;  // "" on the last page
  std::string error;        // the result was not a tools/list result
};
ToolPage read_tool_page(const boost::json::value& result, const core::McpServerSettings& server);

/// A server's allow and deny patterns: searched for (not anchored) in a tool's own name; deny
/// wins; no allow pattern admits every name deny does not take.
class ToolFilter {
 public:
  /// The patterns must be valid (the configuration checks them).
  ToolFilter(const std::string& allow, const std::string& deny);
  bool admits(const std::string& name) const;

 private:
  std::optional<std::regex> allow_;
  std::optional<std::regex> deny_;
};

class Catalogue {
 public:
  Catalogue() = default;
  explicit Catalogue(std::vector<Tool> tools);

  /// In id order.
  std::span<const Tool> tools() const { return tools_; }
  bool empty() const { return tools_.empty(); }
  const Tool* find(std::string_view id) const;

 private:
  std::vector<Tool> tools_;
};

}  // namespace aibridge::proxy::mcp
