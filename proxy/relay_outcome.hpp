#pragma once
// How one upstream exchange ended, decided from what the I/O saw: which failures are retried,
// which are the provider's and which the client's, what they are called in logs, records and
// metrics. Pure.
#include <string>
#include <string_view>

#include "core/net.hpp"

namespace aibridge::proxy {

enum class ForwardEnding {
  kCompleted,        // the provider's whole response was relayed
  kUpstreamFailed,   // no usable response, or the provider connection broke
  kUpstreamTimeout,  // a provider timeout fired
  kClientGone,       // the client disconnected or stopped reading
  kShutdown,         // the gateway cancelled it while shutting down
};

/// Where in the exchange the provider side failed.
enum class Phase { kSendingRequest, kReadingHead, kReadingBody };

struct UpstreamFailure {
  Phase phase = Phase::kReadingHead;
  error_code error;
  bool timed_out = false;      // the exchange's watchdog fired
  bool client_gone = false;    // the client went away meanwhile (its watch saw it)
  bool shutting_down = false;  // shutdown cancelled the exchange
  bool reused_connection = false;
  bool response_started = false;  // some response byte had arrived
};

/// Every kind upstream_errors_total counts: the verdicts' and the connect failures' names.
inline constexpr std::string_view kUpstreamErrorKinds[] = {"connect", "protocol", "reset",
                                                           "resolve", "timeout", "tls"};

struct Verdict {
  ForwardEnding ending = ForwardEnding::kUpstreamFailed;
  bool retry = false;             // send again on a fresh connection: the pooled one was stale
  std::string_view metric_kind;   // upstream_errors_total{kind}; empty: not the provider's fault
  std::string message;
};

Verdict classify_upstream_failure(const UpstreamFailure& failure);

/// An exchange the gateway cancelled while shutting down.
Verdict shutdown_verdict();

/// A failed write to the client: the client went away, or (timed_out) stopped reading, or
/// shutdown cancelled it.
Verdict classify_client_write_failure(const error_code& error, bool timed_out,
                                      bool shutting_down);

/// A reused keep-alive connection the provider had already closed fails like this before any
/// response byte.
bool is_stale_connection_error(const error_code& error);

}  // namespace aibridge::proxy
