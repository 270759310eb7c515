#pragma once
// The Prometheus series of SPEC §7. Thread-safe: every member may be used from any thread.
#include <array>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

namespace aibridge::core {

/// The series of one (provider, model), resolved once: counting an interception with them
/// takes no label maps, hashing or allocation.
struct ModelSeries {
  enum Status { kCompleted, kFailed, kCancelled };
  enum Tokens { kInput, kOutput, kCacheRead, kCacheWrite };
  std::array<prometheus::Counter*, 3> interceptions{};  // by Status
  std::array<prometheus::Counter*, 4> tokens{};         // by Tokens
  prometheus::Counter* prompts = nullptr;
  std::array<prometheus::Counter*, 2> tool_calls{};  // [injected]
  prometheus::Histogram* duration = nullptr;         // per provider
};

class Metrics {
 public:
  Metrics();

  /// The series of a provider and model, created on first use. The model comes from request
  /// bodies: past kMaxModels distinct models, new ones share the series of model "other", so a
  /// client cannot grow the exposition without bound.
  const ModelSeries& series(std::string_view provider, std::string_view model);

  /// Prometheus text exposition format.
  std::string render() const;

  std::shared_ptr<prometheus::Registry> registry;
  prometheus::Family<prometheus::Counter>& interceptions_total;  // provider, model, status
  prometheus::Gauge& interceptions_inflight;
  prometheus::Family<prometheus::Histogram>& interceptions_duration_seconds;  // provider
  prometheus::Family<prometheus::Counter>& tokens_total;           // provider, model, type
  prometheus::Family<prometheus::Counter>& prompts_total;          // provider
  prometheus::Family<prometheus::Counter>& tool_calls_total;       // provider, model, injected
  prometheus::Family<prometheus::Counter>& passthrough_total;      // provider, route
  prometheus::Family<prometheus::Counter>& upstream_errors_total;  // provider, kind
  prometheus::Family<prometheus::Counter>& mcp_calls_total;  // server, outcome (SPEC §11)
  prometheus::Family<prometheus::Histogram>& mcp_call_duration_seconds;  // server
  prometheus::Gauge& recorder_queue_depth;
  prometheus::Counter& recorder_written_total;
  prometheus::Counter& recorder_dropped_total;
  prometheus::Counter& recorder_held_back_total;          // requests that waited for room
  prometheus::Counter& recorder_held_back_seconds_total;  // and how long, in all
  prometheus::Histogram& recorder_batch_seconds;
  prometheus::Gauge& store_cache_bytes;

  static constexpr std::size_t kMaxModels = 500;

 private:
  struct KeyHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view key) const {
      return std::hash<std::string_view>{}(key);
    }
  };
  ModelSeries make_series(const std::string& provider, const std::string& model);

  std::shared_mutex series_mutex_;  // guards series_ (read-mostly: shared for lookups)
  std::unordered_map<std::string, std::unique_ptr<ModelSeries>, KeyHash, std::equal_to<>> series_;
};

/// Buckets of interceptions_duration_seconds (seconds).
prometheus::Histogram::BucketBoundaries interception_duration_buckets();

}  // namespace aibridge::core
