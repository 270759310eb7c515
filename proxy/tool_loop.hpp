#pragma once
// A bridged request with injected tools (SPEC §11): the provider is called, the injected calls
// of its answer are run on their MCP servers and their results fed back, and the provider is
// called again, until an answer calls no injected tool or mcp.max_iterations is reached. The
// client gets the last answer only, with no injected call in it.
//
// Blocking requests: every answer is read whole before the client sees the last. Streams: each
// upstream stream is relayed as it arrives, filtered per API (mcp/stream_round.hpp). Requests
// without tools never come here; they keep the relay's byte-for-byte path (forward).
#include <string_view>

#include "proxy/forward.hpp"
#include "proxy/interception.hpp"
#include "proxy/mcp/toolbox.hpp"
#include "proxy/request_dump.hpp"

namespace aibridge::proxy {

struct ToolLoopRequest {
  const Origin& origin;
  StringRequest& request;  // the provider request as prepared for forward(), tools not yet in
  const Route& route;
  bool client_keep_alive = true;
  bool streaming = false;
  std::string_view interception_id;
  const mcp::Toolbox& tools;
  InterceptionRecording& recording;
  ExchangeDump* dump = nullptr;  // the first request and the last answer, when logging is on
};

net::awaitable<ForwardResult> run_tool_loop(Session& session, const ToolLoopRequest& loop,
                                            ExchangeLog& log);

}  // namespace aibridge::proxy
