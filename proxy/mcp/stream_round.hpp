#pragma once
// One upstream stream of a tool loop (SPEC §11), per API: what the client may see of it, event
// by event, as it arrives, and the answer it carries, accumulated as a blocking response of the
// API would hold it (so the blocking loop's functions in api_tools.hpp find and answer its
// injected calls). The client sees one answer across all the streams of a loop. Pure.
#include <cstdint>
#include <memory>
#include <string>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "proxy/mcp/catalogue.hpp"
#include "proxy/routing.hpp"
#include "proxy/sse_parser.hpp"

namespace aibridge::proxy::mcp {

/// What a stream hands on to the next stream of the same loop.
struct StreamCarry {
  std::int64_t client_items = 0;  // blocks (Anthropic) or output items (responses) relayed so far
  std::int64_t sequence = 0;      // responses: the next sequence_number the client gets
  boost::json::array items;       // responses: the output items the client has seen
};

class StreamRound {
 public:
  virtual ~StreamRound() = default;
  /// The bytes to send the client for `event` now ("" for none).
  virtual std::string on_event(const SseEvent& event) = 0;
  /// The answer so far, in the API's blocking shape.
  virtual boost::json::object answer() const = 0;
  /// The stream reached its end (message_stop, [DONE], response.completed).
  virtual bool ended() const = 0;
  /// The bytes that end the client's stream after this one, the last: `unanswered` when the
  /// loop stopped with injected calls left (max_iterations), whose ending was held back.
  virtual std::string ending(bool unanswered) const = 0;
  virtual StreamCarry carry() const = 0;
};

std::unique_ptr<StreamRound> make_stream_round(Endpoint endpoint, const Catalogue& catalogue,
                                               bool first, const StreamCarry& carry);

/// "event: <type>\ndata: <json>\n\n" ("data: <json>\n\n" without a type).
std::string sse_event(std::string_view type, const boost::json::value& data);

}  // namespace aibridge::proxy::mcp
