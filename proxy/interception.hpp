#pragma once
// One bridged request as it will be recorded (SPEC §5.1): watches the response on the relay
// path (SSE events through the parser into the provider's extractor, or the JSON body of a
// blocking response) and, when the exchange ends, builds the interception with its children and
// its status (proxy/status.hpp).
#include <memory>
#include <optional>
#include <string>

#include "core/config.hpp"
#include "proxy/auth.hpp"
#include "proxy/forward.hpp"
#include "proxy/mcp/catalogue.hpp"
#include "proxy/providers/extractor.hpp"
#include "proxy/providers/request_facts.hpp"
#include "proxy/shard_metrics.hpp"
#include "proxy/sse_parser.hpp"
#include "recorder/records.hpp"

namespace aibridge::proxy {

class InterceptionRecording final : public RelayObserver {
 public:
  InterceptionRecording(const Route& route, std::string interception_id,
                        core::UnixMicros started_at, const Principal& caller, RequestFacts facts,
                        ClientFacts client, const core::RecorderSettings& settings);

  void on_response_head(const http::response_header<>& head) override;
  void on_response_body(std::string_view piece) override;

  /// A tool loop (SPEC §11) reports each whole provider response here instead of through the
  /// observer calls; `last` when it is the one the client gets. Calls of injected tools in it are
  /// left out: on_injected_call() records them as what they were.
  void on_loop_response(const http::response_header<>& head, const std::string& body,
                        const mcp::Catalogue& catalogue, bool last);
  void on_injected_call(recorder::ToolUsage usage);

  /// The interception as it ended. Call once, after the exchange.
  recorder::Interception finish(const ForwardResult& result);

 private:
  Provider provider_;
  Endpoint endpoint_;
  recorder::Interception record_;
  RequestFacts facts_;
  ClientFacts client_;
  std::unique_ptr<Extractor> extractor_;
  SseParser sse_;
  std::size_t max_body_;
  bool extract_ = false;       // a 2xx response: worth looking at
  bool event_stream_ = false;  // text/event-stream: fed event by event
  bool body_too_large_ = false;
  std::string body_;  // a blocking response, up to max_body_
  std::optional<Extraction> loop_;  // a tool loop's responses so far, merged
};

/// The series of SPEC §7 for one ended interception.
void count_interception(ShardMetrics& metrics, const recorder::Interception& record,
                        double seconds);

}  // namespace aibridge::proxy
