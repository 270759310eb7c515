#pragma once
// What the mock upstream answers: provider-shaped JSON bodies and SSE events for the three
// bridged APIs, and replay of txtar fixtures. Pure.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace aibridge::mock {

enum class Api { kAnthropicMessages, kOpenAiChat, kOpenAiResponses, kOther };

Api api_for_path(std::string_view path);

/// A complete non-streaming response body with usage (input 10, output `tokens`).
std::string json_body(Api api, int tokens);

/// The SSE events of a streaming response with `deltas` text deltas, each a complete event
/// ("event: …\ndata: …\n\n"), framing events included.
std::vector<std::string> sse_events(Api api, int deltas);

/// A txtar archive: named sections ("-- name --" lines); text before the first marker is dropped.
std::optional<std::string> txtar_section(const std::string& archive, std::string_view name);

/// A section holding a raw HTTP response ("HTTP/1.1 400 …", headers, blank line, body).
struct RawResponse {
  unsigned status = 200;
  std::string reason;
  std::vector<std::pair<std::string, std::string>> headers;  // without framing headers
  std::string body;  // Content-Length bytes when that header was given
};
std::optional<RawResponse> parse_raw_response(std::string_view section);

}  // namespace aibridge::mock
