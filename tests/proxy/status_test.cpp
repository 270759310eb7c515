#include "proxy/status.hpp"

#include <gtest/gtest.h>

#include "proxy/relay_outcome.hpp"

namespace aibridge::proxy {
namespace {

using recorder::Status;

ExchangeOutcome outcome(ForwardEnding ending, unsigned upstream_status, bool finished,
                        bool provider_error = false, bool event_stream = true) {
  ExchangeOutcome out;
  out.ending = ending;
  out.transport_error = ending == ForwardEnding::kClientGone ? "client went away during the response"
                                                            : "the provider connection broke";
  out.upstream_status = upstream_status;
  out.response_finished = finished;
  out.provider_error = provider_error;
  out.provider_error_message = provider_error ? "overloaded" : "";
  out.event_stream = event_stream;
  return out;
}

TEST(Status, AResponseThatReachedItsEndIsCompletedEvenIfTheClientLeftRightAfter) {
  // Codex reads response.completed and closes before the stream's last chunk.
  EXPECT_EQ(decide_status(outcome(ForwardEnding::kClientGone, 200, true)).status,
            Status::kCompleted);
  EXPECT_EQ(decide_status(outcome(ForwardEnding::kUpstreamFailed, 200, true)).status,
            Status::kCompleted);
  EXPECT_EQ(decide_status(outcome(ForwardEnding::kCompleted, 200, true)).reason, "");
}

TEST(Status, AnErrorTheProviderSentIsFailedEvenIfTheClientLeftAfterIt) {
  const StatusDecision decision = decide_status(outcome(ForwardEnding::kClientGone, 200, false, true));
  EXPECT_EQ(decision.status, Status::kFailed);
  EXPECT_EQ(decision.reason, "overloaded");
  // Also when the error event came after what looked like the end.
  EXPECT_EQ(decide_status(outcome(ForwardEnding::kCompleted, 200, true, true)).status,
            Status::kFailed);
}

TEST(Status, NonSuccessAnswersAreFailedWhateverElseHappened) {
  for (const ForwardEnding ending : {ForwardEnding::kCompleted, ForwardEnding::kClientGone}) {
    const StatusDecision decision = decide_status(outcome(ending, 529, false, false, false));
    EXPECT_EQ(decision.status, Status::kFailed);
    EXPECT_EQ(decision.reason, "the provider answered HTTP 529");
  }
}

TEST(Status, LeavingBeforeTheEndIsCancelledAndShutdownSaysSo) {
  const StatusDecision gone = decide_status(outcome(ForwardEnding::kClientGone, 200, false));
  EXPECT_EQ(gone.status, Status::kCancelled);
  EXPECT_EQ(gone.reason, "client went away during the response");
  const StatusDecision shutdown = decide_status(outcome(ForwardEnding::kShutdown, 200, false));
  EXPECT_EQ(shutdown.status, Status::kCancelled);
  EXPECT_EQ(shutdown.reason, "the gateway shut down");
  // No response at all (the client left while the provider was thinking).
  EXPECT_EQ(decide_status(outcome(ForwardEnding::kClientGone, 0, false)).status,
            Status::kCancelled);
}

TEST(Status, ProviderSideFailuresAndTruncatedStreamsAreFailed) {
  EXPECT_EQ(decide_status(outcome(ForwardEnding::kUpstreamTimeout, 0, false)).status,
            Status::kFailed);
  EXPECT_EQ(decide_status(outcome(ForwardEnding::kUpstreamFailed, 200, false)).reason,
            "the provider connection broke");
  const StatusDecision truncated = decide_status(outcome(ForwardEnding::kCompleted, 200, false));
  EXPECT_EQ(truncated.status, Status::kFailed);
  EXPECT_EQ(truncated.reason, "the stream ended before its final event");
  // A blocking body that was relayed whole is complete even if it was too large to parse.
  EXPECT_EQ(decide_status(outcome(ForwardEnding::kCompleted, 200, false, false, false)).status,
            Status::kCompleted);
}

UpstreamFailure facts(Phase phase, error_code error) {
  UpstreamFailure out;
  out.phase = phase;
  out.error = error;
  return out;
}

TEST(RelayOutcome, StalePooledConnectionsAreRetriedOnlyBeforeAnyResponseByte) {
  UpstreamFailure stale = facts(Phase::kReadingHead, net::error::connection_reset);
  stale.reused_connection = true;
  EXPECT_TRUE(classify_upstream_failure(stale).retry);
  stale.response_started = true;
  EXPECT_FALSE(classify_upstream_failure(stale).retry);
  stale.response_started = false;
  stale.reused_connection = false;
  EXPECT_FALSE(classify_upstream_failure(stale).retry);  // a fresh connection failed for real
  UpstreamFailure sending = facts(Phase::kSendingRequest, net::error::broken_pipe);
  sending.reused_connection = true;
  EXPECT_TRUE(classify_upstream_failure(sending).retry);
  UpstreamFailure body = facts(Phase::kReadingBody, net::error::connection_reset);
  body.reused_connection = true;
  EXPECT_FALSE(classify_upstream_failure(body).retry);  // the request may have been processed
}

TEST(RelayOutcome, ShutdownAndTheClientComeBeforeTheProvidersFailures) {
  UpstreamFailure failure = facts(Phase::kReadingBody, net::error::operation_aborted);
  failure.timed_out = true;
  failure.client_gone = true;
  Verdict verdict = classify_upstream_failure(failure);
  EXPECT_EQ(verdict.ending, ForwardEnding::kClientGone);
  EXPECT_EQ(verdict.message, "client went away during the response");
  EXPECT_TRUE(verdict.metric_kind.empty());
  failure.shutting_down = true;
  verdict = classify_upstream_failure(failure);
  EXPECT_EQ(verdict.ending, ForwardEnding::kShutdown);
  EXPECT_EQ(verdict.message, "the gateway shut down");
}

TEST(RelayOutcome, ProviderFailuresAreNamedByPhaseAndKind) {
  UpstreamFailure timeout = facts(Phase::kReadingHead, net::error::operation_aborted);
  timeout.timed_out = true;
  Verdict verdict = classify_upstream_failure(timeout);
  EXPECT_EQ(verdict.ending, ForwardEnding::kUpstreamTimeout);
  EXPECT_EQ(verdict.metric_kind, "timeout");
  EXPECT_EQ(verdict.message, "the provider did not answer in time");
  timeout.phase = Phase::kReadingBody;
  EXPECT_EQ(classify_upstream_failure(timeout).message, "the provider stream went idle");
  verdict = classify_upstream_failure(facts(Phase::kReadingHead, net::error::connection_reset));
  EXPECT_EQ(verdict.metric_kind, "protocol");
  EXPECT_TRUE(verdict.message.starts_with("the provider connection failed: "));
  verdict = classify_upstream_failure(facts(Phase::kReadingBody, net::error::connection_reset));
  EXPECT_EQ(verdict.metric_kind, "reset");
  EXPECT_TRUE(verdict.message.starts_with("the provider connection broke: "));
  EXPECT_EQ(classify_client_write_failure(net::error::broken_pipe, true, false).message,
            "the client stopped reading");
}

TEST(RelayOutcome, AWriteCancelledByShutdownIsTheGatewaysDoing) {
  const Verdict gone = classify_client_write_failure(net::error::operation_aborted, false, false);
  EXPECT_EQ(gone.ending, ForwardEnding::kClientGone);
  const Verdict shutdown = classify_client_write_failure(net::error::operation_aborted, false, true);
  EXPECT_EQ(shutdown.ending, ForwardEnding::kShutdown);
  EXPECT_EQ(shutdown.message, "the gateway shut down");
}

}  // namespace
}  // namespace aibridge::proxy
