#include "proxy/status.hpp"

namespace aibridge::proxy {

StatusDecision decide_status(const ExchangeOutcome& outcome) {
  using recorder::Status;
  if (outcome.provider_error) {
    return {Status::kFailed, outcome.provider_error_message.empty()
                                 ? "the provider reported an error"
                                 : outcome.provider_error_message};
  }
  if (outcome.upstream_status != 0 &&
      (outcome.upstream_status < 200 || outcome.upstream_status >= 300)) {
    return {Status::kFailed, "the provider answered HTTP " + std::to_string(outcome.upstream_status)};
  }
  if (outcome.response_finished) {
    return {Status::kCompleted, {}};
  }
  switch (outcome.ending) {
    case ForwardEnding::kClientGone:
      return {Status::kCancelled, outcome.transport_error.empty() ? "the client went away"
                                                                  : outcome.transport_error};
    case ForwardEnding::kShutdown:
      return {Status::kCancelled, "the gateway shut down"};
    case ForwardEnding::kUpstreamFailed:
    case ForwardEnding::kUpstreamTimeout:
      return {Status::kFailed, outcome.transport_error};
    case ForwardEnding::kCompleted:
      break;
  }
  if (outcome.event_stream) {
    return {Status::kFailed, "the stream ended before its final event"};
  }
  return {Status::kCompleted, {}};
}

}  // namespace aibridge::proxy
