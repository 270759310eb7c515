#pragma once
// What a provider's response says about usage, tool calls and thoughts. One extractor per
// upstream response, fed on the relay path (SSE events as they arrive, or the whole JSON body of
// a blocking response); not thread-safe. One implementation per API, one file each.
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "proxy/routing.hpp"
#include "proxy/sse_parser.hpp"
#include "recorder/records.hpp"

namespace aibridge::proxy {

/// Child rows found so far, in upstream order. Row ids and created_at are left to the caller.
struct Extraction {
  std::string response_id;  // the first upstream message/response id seen
  std::vector<recorder::TokenUsage> token_usages;
  std::vector<recorder::ToolUsage> tool_usages;
  std::vector<recorder::ModelThought> model_thoughts;
  bool failed = false;    // the provider reported an error in the body or stream
  std::string error;      // what it said
  bool finished = false;  // the stream's terminal event (or a complete body) was seen
};

class Extractor {
 public:
  virtual ~Extractor() = default;
  /// Streaming responses: each SSE event in order.
  virtual void on_event(const SseEvent& event) = 0;
  /// Blocking responses: the complete body (a std::string with the JSON).
  virtual void on_body(const std::string& body) = 0;
  /// Everything seen; a stream cut short keeps what it delivered (open blocks included).
  virtual Extraction finish() = 0;
};

std::unique_ptr<Extractor> make_extractor(Endpoint endpoint);

}  // namespace aibridge::proxy
