#include "proxy/relay_outcome.hpp"

#include <boost/beast/http/error.hpp>

namespace aibridge::proxy {

bool is_stale_connection_error(const error_code& error) {
  return error == http::error::end_of_stream || error == net::error::eof ||
         error == net::error::connection_reset || error == net::error::broken_pipe;
}

Verdict shutdown_verdict() {
  return {ForwardEnding::kShutdown, false, {}, "the gateway shut down"};
}

Verdict classify_upstream_failure(const UpstreamFailure& failure) {
  const bool before_response = failure.phase != Phase::kReadingBody;
  if (failure.shutting_down) {
    return shutdown_verdict();
  }
  if (failure.client_gone) {
    return {ForwardEnding::kClientGone, false, {},
            before_response ? "client went away before the response"
                            : "client went away during the response"};
  }
  if (before_response && failure.reused_connection && !failure.timed_out &&
      !failure.response_started && is_stale_connection_error(failure.error)) {
    return {ForwardEnding::kUpstreamFailed, true, {}, "the pooled provider connection was closed"};
  }
  if (failure.timed_out) {
    return {ForwardEnding::kUpstreamTimeout, false, "timeout",
            before_response ? "the provider did not answer in time"
                            : "the provider stream went idle"};
  }
  if (before_response) {
    return {ForwardEnding::kUpstreamFailed, false, "protocol",
            "the provider connection failed: " + failure.error.message()};
  }
  return {ForwardEnding::kUpstreamFailed, false, "reset",
          "the provider connection broke: " + failure.error.message()};
}

Verdict classify_client_write_failure(const error_code& error, bool timed_out,
                                      bool shutting_down) {
  if (shutting_down) {
    return shutdown_verdict();
  }
  return {ForwardEnding::kClientGone, false, {},
          timed_out ? "the client stopped reading"
                    : "writing to the client failed: " + error.message()};
}

}  // namespace aibridge::proxy
