#include "proxy/mcp/catalogue.hpp"

#include <algorithm>

#include <boost/json.hpp>

namespace aibridge::proxy::mcp {
namespace {

namespace json = boost::json;

// What the providers accept as a tool name (Anthropic and OpenAI alike).
bool valid_tool_id(std::string_view id) {
  return !id.empty() && id.size() <= 64 && std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
  });
}

std::string string_member(const json::object& object, std::string_view key) {
  const json::value* value = object.if_contains(key);
  return value != nullptr && value->is_string() ? std::string(value->as_string()) : std::string();
}

}  // namespace

std::string tool_id(std::string_view server, std::string_view name) {
  std::string id = "bmcp_";
  id += server;
  id += '_';
  id += name;
  return id;
}

ToolPage read_tool_page(const json::value& result, const core::McpServerSettings& server) {
  ToolPage page;
  const json::object* object = result.if_object();
  const json::value* tools = object != nullptr ? object->if_contains("tools") : nullptr;
  if (tools == nullptr || !tools->is_array()) {
    page.error = "the tools/list result has no tools array";
    return page;
  }
  for (const json::value& entry : tools->as_array()) {
    const json::object* fields = entry.if_object();
    if (fields == nullptr) {
      continue;
    }
    Tool tool;
    tool.name = string_member(*fields, "name");
    tool.id = tool_id(server.name, tool.name);
    if (tool.name.empty() || !valid_tool_id(tool.id)) {
      page.skipped.push_back(tool.name);
      continue;
    }
    tool.server = server.name;
    tool.server_url = server.url;
    tool.description = string_member(*fields, "description");
    if (const json::value* schema = fields->if_contains("inputSchema");
        schema && schema->is_object()) {
      const json::object& input = schema->as_object();
      if (const json::value* properties = input.if_contains("properties");
          properties && properties->is_object()) {
        tool.properties = *properties;
      }
      if (const json::value* required = input.if_contains("required");
          required && required->is_array()) {
        for (const json::value& name : required->as_array()) {
          if (name.is_string()) {
            tool.required.push_back(name);
          }
        }
      }
    }
    page.tools.push_back(std::move(tool));
  }
  page.next_cursor = string_member(*object, "nextCursor");
  return page;
}

ToolFilter::ToolFilter(const std::string& allow, const std::string& deny) {
  if (!allow.empty()) {
    allow_.emplace(allow, std::regex::ECMAScript);
  }
  if (!deny.empty()) {
    deny_.emplace(deny, std::regex::ECMAScript);
  }
}

bool ToolFilter::admits(const std::string& name) const {
  if (deny_ && std::regex_search(name, *deny_)) {
    return false;
  }
  return !allow_ || std::regex_search(name, *allow_);
}

Catalogue::Catalogue(std::vector<Tool> tools) : tools_(std::move(tools)) {
  std::stable_sort(tools_.begin(), tools_.end(),
                   [](const Tool& a, const Tool& b) { return a.id < b.id; });
  // Two servers cannot yield one id (server names are distinct and hold no '_'), but one server
  // listing a name twice can: the first listing stands.
  tools_.erase(std::unique(tools_.begin(), tools_.end(),
                           [](const Tool& a, const Tool& b) { return a.id == b.id; }),
               tools_.end());
}

const Tool* Catalogue::find(std::string_view id) const {
  const auto found =
      std::lower_bound(tools_.begin(), tools_.end(), id,
                       [](const Tool& tool, std::string_view key) { return tool.id < key; });
  return found != tools_.end() && found->id == id ? &*found : nullptr;
}

}  // namespace aibridge::proxy::mcp
