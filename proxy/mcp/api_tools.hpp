#pragma once
// How each provider API carries injected tools (SPEC §11, reference §11.2–11.4): adding them to
// a request, finding the calls a response makes of them, continuing the conversation with their
// results, and hiding them from what the client sees. Pure: JSON in, JSON text out. The request
// is edited in place (json_edit.hpp), never re-serialised, so the client's bytes stay as sent.
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "proxy/mcp/catalogue.hpp"
#include "proxy/mcp/client.hpp"
#include "proxy/routing.hpp"

namespace aibridge::proxy::mcp {

/// A call the model made of an injected tool.
struct InjectedCall {
  std::string call_id;  // tool_use id, tool call id or call_id
  const Tool* tool = nullptr;
  boost::json::value arguments;  // as the model gave them (null: none)
  std::string raw_arguments;     // the same as text, for the record
};

class ApiTools {
 public:
  virtual ~ApiTools() = default;
  /// `body` (a JSON object) with the catalogue's tools added and parallel tool calls turned off.
  virtual std::string inject(std::string_view body, const Catalogue& catalogue) const = 0;
  /// The calls `response` (a whole, successful response body) makes of injected tools.
  virtual std::vector<InjectedCall> injected_calls(const boost::json::object& response,
                                                   const Catalogue& catalogue) const = 0;
  /// The next request: `body` followed by the model's turn in `response` and the results of
  /// its calls (outcomes[i] answers calls[i]).
  virtual std::string continued(std::string_view body, const boost::json::object& response,
                                std::span<const InjectedCall> calls,
                                std::span<const Outcome> outcomes) const = 0;
  /// `response` without its injected calls: what the client gets when mcp.max_iterations
  /// leaves some unanswered.
  virtual std::string without_injected(boost::json::object response,
                                       const Catalogue& catalogue) const = 0;
};

const ApiTools& api_tools(Endpoint endpoint);

/// The JSON-schema object of a tool's input: {"type":"object","properties":…[,"required":…]}.
boost::json::object input_schema(const Tool& tool);
/// A tool result as OpenAI's APIs take it back (a string): the MCP result as JSON, or an error.
std::string openai_tool_output(const Outcome& outcome);
/// `object[key]` when it is a string, else "".
std::string_view string_member(const boost::json::object& object, std::string_view key);
/// Appends `text` to the string member `key` of `object` (made when missing).
void append_to_member(boost::json::object& object, std::string_view key, std::string_view text);

/// The array `value` points to, or an empty one (for loops over members that may be missing).
const boost::json::array& array_or_empty(const boost::json::value* value);

/// Comma-joined serialisations of `values`, for json_edit's with_array_elements.
std::string joined(std::span<const boost::json::value> values);

}  // namespace aibridge::proxy::mcp
