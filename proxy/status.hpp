#pragma once
// The status an interception is recorded with (SPEC §5.1), decided by what the provider sent,
// in this order of precedence:
//   1. an error the provider sent (in the body or the stream)  → failed, even if the client
//      left right after it;
//   2. a non-2xx answer                                        → failed;
//   3. a response that reached its end (Anthropic message_stop, Responses response.completed,
//      chat's [DONE] or finish chunk, a whole blocking body)   → completed, even if the client
//      left right after it;
//   4. the client left before that                             → cancelled;
//   5. the gateway shut down before that                       → cancelled ("the gateway shut
//      down");
//   6. anything else: the provider connection failed, timed out, or the stream ended before
//      its final event                                         → failed.
// Pure.
#include <string>

#include "proxy/relay_outcome.hpp"
#include "recorder/records.hpp"

namespace aibridge::proxy {

struct ExchangeOutcome {
  ForwardEnding ending = ForwardEnding::kCompleted;
  std::string transport_error;  // what the relay saw go wrong, if anything
  unsigned upstream_status = 0;  // 0: no response head arrived
  bool provider_error = false;   // the extractor saw an error in the body or stream
  std::string provider_error_message;
  bool response_finished = false;  // the extractor saw the response's end
  bool event_stream = false;
};

struct StatusDecision {
  recorder::Status status = recorder::Status::kCompleted;
  std::string reason;  // why it is not completed; "" when it is
};

StatusDecision decide_status(const ExchangeOutcome& outcome);

}  // namespace aibridge::proxy
