#pragma once
// One bridged request as it will be recorded (SPEC §5.1): watches the response on the relay
// path (SSE events through the parser into the provider's extractor, or the JSON body of a
// blocking response) and, when the exchange ends, builds the interception with its children and
// its status (proxy/status.hpp).
#include <memory>
#include <string>

#include "core/config.hpp"
#include "proxy/auth.hpp"
#include "proxy/forward.hpp"
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

  /// The interception as it ended. Call once, after the exchange.
  recorder::Interception finish(const ForwardResult& result);

 private:
  Provider provider_;
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
};

/// The series of SPEC §7 for one ended interception.
void count_interception(ShardMetrics& metrics, const recorder::Interception& record,
                        double seconds);

}  // namespace aibridge::proxy
