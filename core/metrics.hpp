#pragma once
// The Prometheus series of SPEC §7. Thread-safe: every member may be used from any thread.
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

namespace aibridge::core {

class Metrics {
 public:
  Metrics();

  /// The model label comes from request bodies; past kMaxModels distinct values new ones are
  /// reported as "other" so a client cannot grow the series without bound.
  std::string model_label(std::string_view model);

  /// Prometheus text exposition format.
  std::string render() const;

  std::shared_ptr<prometheus::Registry> registry;
  prometheus::Family<prometheus::Counter>& interceptions_total;  // provider, model, status
  prometheus::Gauge& interceptions_inflight;
  prometheus::Family<prometheus::Histogram>& interceptions_duration_seconds;  // provider
  prometheus::Family<prometheus::Counter>& tokens_total;           // provider, model, type
  prometheus::Family<prometheus::Counter>& prompts_total;          // provider, model
  prometheus::Family<prometheus::Counter>& tool_calls_total;       // provider, model, injected
  prometheus::Family<prometheus::Counter>& passthrough_total;      // provider, route
  prometheus::Family<prometheus::Counter>& upstream_errors_total;  // provider, kind
  prometheus::Gauge& recorder_queue_depth;
  prometheus::Counter& recorder_written_total;
  prometheus::Counter& recorder_dropped_total;
  prometheus::Histogram& recorder_batch_seconds;

  static constexpr std::size_t kMaxModels = 500;

 private:
  std::mutex models_mutex_;  // guards models_
  std::set<std::string, std::less<>> models_;
};

/// Buckets of interceptions_duration_seconds (seconds).
prometheus::Histogram::BucketBoundaries interception_duration_buckets();

}  // namespace aibridge::core
