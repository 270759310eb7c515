#pragma once
// MCP's JSON-RPC 2.0 messages over Streamable HTTP (MCP 2025-06-18, "Transports"): what the
// gateway posts, and how it finds the answer to one request in what comes back, a JSON body or
// an SSE stream of messages. Pure.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json/value.hpp>

namespace aibridge::proxy::mcp {

/// The protocol version the gateway asks for; older ones a server may answer with are accepted.
inline constexpr std::string_view kProtocolVersion = "2025-06-18";
bool supported_protocol_version(std::string_view version);

std::string request_body(std::int64_t id, std::string_view method,
                         const boost::json::value& params);
std::string notification_body(std::string_view method);
/// `initialize`'s params: the version above and the gateway as the client.
boost::json::value initialize_params();

/// The answer to one request: its `result`, or why there is none.
struct Answer {
  std::optional<boost::json::value> result;
  std::string error;  // set when result is empty: a JSON-RPC error or a malformed reply
};

/// Finds the response to request `id` in an HTTP body of type `content_type`
/// (application/json: one message or a batch; text/event-stream: messages as event data).
Answer read_answer(std::string_view content_type, std::string_view body, std::int64_t id);

}  // namespace aibridge::proxy::mcp
