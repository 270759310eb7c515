#pragma once
// One upstream stream of an Anthropic tool loop (SPEC §11): what the client may see of it, event
// by event, as it arrives, and the message it carries, accumulated as a blocking response would
// hold it (so the blocking loop's functions find and answer its injected calls).
//
// The client sees one message: the first stream's message_start, every content block that is not
// an injected tool_use (indexes renumbered to run on across streams), and the message_delta and
// message_stop of the last stream only. Pure.
#include <map>
#include <set>
#include <string>

#include <boost/json/object.hpp>

#include "proxy/mcp/stream_round.hpp"

namespace aibridge::proxy::mcp {

class AnthropicStreamRound final : public StreamRound {
 public:
  /// `first`: the loop's first stream; `index_offset`: content blocks the client has already
  /// seen in earlier streams.
  AnthropicStreamRound(const Catalogue& catalogue, bool first, std::size_t index_offset);

  /// The bytes to send the client for `event` now ("" for none).
  std::string on_event(const SseEvent& event) override;

  /// The message so far: id, content blocks (tool inputs parsed), stop_reason, usage.
  boost::json::object answer() const override;
  bool calls_injected_tools() const { return !injected_.empty(); }
  bool ended() const override { return ended_; }  // message_stop arrived
  /// The message_delta and message_stop held back from the client (this stream called
  /// injected tools): stop_reason becomes end_turn unless a client tool call is left.
  std::string ending(bool unanswered) const override;
  StreamCarry carry() const override {
    return {static_cast<std::int64_t>(index_offset_ + relayed_), 0, {}};
  }

 private:
  const Catalogue& catalogue_;
  bool first_;
  std::size_t index_offset_;
  std::size_t relayed_ = 0;
  boost::json::object message_;
  std::map<std::int64_t, boost::json::object> blocks_;  // by upstream index
  std::map<std::int64_t, std::string> partial_json_;    // tool inputs as they stream
  std::map<std::int64_t, std::int64_t> client_index_;   // relayed blocks: upstream → client
  std::set<std::int64_t> injected_;                     // upstream indexes of injected calls
  boost::json::object held_delta_;
  bool ended_ = false;
};

}  // namespace aibridge::proxy::mcp
