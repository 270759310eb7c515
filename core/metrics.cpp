#include "core/metrics.hpp"

#include <prometheus/text_serializer.h>

namespace aibridge::core {
namespace {

using prometheus::BuildCounter;
using prometheus::BuildGauge;
using prometheus::BuildHistogram;

prometheus::Histogram::BucketBoundaries batch_buckets() {
  return {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1};
}

}  // namespace

prometheus::Histogram::BucketBoundaries interception_duration_buckets() {
  return {0.05, 0.1, 0.25, 0.5, 1, 2, 5, 15, 30, 60, 120, 300, 600};
}

Metrics::Metrics()
    : registry(std::make_shared<prometheus::Registry>()),
      interceptions_total(BuildCounter()
                              .Name("interceptions_total")
                              .Help("Bridged requests by provider, model and final status")
                              .Register(*registry)),
      interceptions_inflight(BuildGauge()
                                 .Name("interceptions_inflight")
                                 .Help("Bridged requests in progress")
                                 .Register(*registry)
                                 .Add({})),
      interceptions_duration_seconds(BuildHistogram()
                                         .Name("interceptions_duration_seconds")
                                         .Help("Time from request to the end of the response")
                                         .Register(*registry)),
      tokens_total(BuildCounter()
                       .Name("tokens_total")
                       .Help("Tokens recorded, by type (input, output, cache_read, cache_write)")
                       .Register(*registry)),
      prompts_total(
          BuildCounter().Name("prompts_total").Help("User prompts recorded").Register(*registry)),
      tool_calls_total(BuildCounter()
                           .Name("tool_calls_total")
                           .Help("Tool calls the models made")
                           .Register(*registry)),
      passthrough_total(BuildCounter()
                            .Name("passthrough_total")
                            .Help("Requests relayed on passthrough routes")
                            .Register(*registry)),
      upstream_errors_total(BuildCounter()
                                .Name("upstream_errors_total")
                                .Help("Failures talking to a provider, by kind")
                                .Register(*registry)),
      recorder_queue_depth(BuildGauge()
                               .Name("recorder_queue_depth")
                               .Help("Interceptions waiting to be written")
                               .Register(*registry)
                               .Add({})),
      recorder_written_total(BuildCounter()
                                 .Name("recorder_written_total")
                                 .Help("Interceptions committed to the store")
                                 .Register(*registry)
                                 .Add({})),
      recorder_dropped_total(BuildCounter()
                                 .Name("recorder_dropped_total")
                                 .Help("Interceptions dropped because the queue was full")
                                 .Register(*registry)
                                 .Add({})),
      recorder_batch_seconds(BuildHistogram()
                                 .Name("recorder_batch_seconds")
                                 .Help("Time to write one batch transaction")
                                 .Register(*registry)
                                 .Add({}, batch_buckets())) {}

std::string Metrics::model_label(std::string_view model) {
  std::lock_guard lock(models_mutex_);
  if (models_.find(model) != models_.end()) {
    return std::string(model);
  }
  if (models_.size() >= kMaxModels) {
    return "other";
  }
  models_.emplace(model);
  return std::string(model);
}

std::string Metrics::render() const {
  return prometheus::TextSerializer().Serialize(registry->Collect());
}

}  // namespace aibridge::core
