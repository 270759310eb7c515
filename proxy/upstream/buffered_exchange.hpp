#pragma once
// One request to an upstream (an MCP server, or a provider inside the tool loop) whose whole
// response is read into memory before anyone looks at it: not the relay's byte-for-byte path
// (forward.hpp), which writes each piece to the client as it arrives.
#include <functional>
#include <string>

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "proxy/upstream/client.hpp"

namespace aibridge::proxy {

struct BufferedResponse {
  boost::beast::http::response<boost::beast::http::string_body> message;  // when !failed()
  std::string error;       // why there is no (complete) response; "" when there is one
  bool timed_out = false;  // the deadline passed
  bool failed() const { return !error.empty(); }
};

struct BufferedExchange {
  const Origin& origin;
  const boost::beast::http::request<boost::beast::http::string_body>& request;  // prepared
  Watchdog::Clock::time_point deadline;
  std::size_t body_limit = 16ULL << 20;
  /// Called with the body read so far as it grows; true ends the read there (an SSE answer has
  /// arrived: the server may keep the stream open). The connection is then not reused.
  std::function<bool(std::string_view content_type, const std::string& body)> enough = {};
  /// Told the socket in use, then nullptr: lets a shutdown or a client that leaves cancel it.
  std::function<void(tcp::socket*)> in_use = {};
  /// Set for a streamed answer: a 2xx text/event-stream body is handed over piece by piece as it
  /// arrives (not kept in the message); false ends the read there. Each read may then wait
  /// `idle` at most, instead of the whole answer until `deadline`.
  std::function<net::awaitable<bool>(const http::response_header<>& head, std::string_view piece)>
      stream = {};
  Watchdog::Clock::duration idle{};
};

net::awaitable<BufferedResponse> exchange_buffered(UpstreamClient& upstream, Watchdog& watchdog,
                                                   const BufferedExchange& exchange);

}  // namespace aibridge::proxy
