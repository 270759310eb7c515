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
      mcp_calls_total(BuildCounter()
                          .Name("mcp_calls_total")
                          .Help("Injected tool calls to MCP servers, by server and outcome (ok, "
                                "tool_error: the tool said isError, failed: no result)")
                          .Register(*registry)),
      mcp_call_duration_seconds(BuildHistogram()
                                    .Name("mcp_call_duration_seconds")
                                    .Help("Time an MCP server took to answer a tools/call")
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
      recorder_held_back_total(BuildCounter()
                                   .Name("recorder_held_back_total")
                                   .Help("Bridged requests that waited for the recorder to "
                                         "catch up (its queue was three-quarters full)")
                                   .Register(*registry)
                                   .Add({})),
      recorder_held_back_seconds_total(BuildCounter()
                                           .Name("recorder_held_back_seconds_total")
                                           .Help("Time bridged requests waited for the recorder")
                                           .Register(*registry)
                                           .Add({})),
      recorder_batch_seconds(BuildHistogram()
                                 .Name("recorder_batch_seconds")
                                 .Help("Time to write one batch transaction")
                                 .Register(*registry)
                                 .Add({}, batch_buckets())),
      store_cache_bytes(BuildGauge()
                            .Name("store_cache_bytes")
                            .Help("Memory the recorder's database cache holds")
                            .Register(*registry)
                            .Add({})) {}

const ModelSeries& Metrics::series(std::string_view provider, std::string_view model) {
  thread_local std::string key;
  key.assign(provider).append(1, '\0').append(model);
  {
    std::shared_lock lock(series_mutex_);
    if (const auto found = series_.find(std::string_view(key)); found != series_.end()) {
      return *found->second;
    }
  }
  std::unique_lock lock(series_mutex_);
  if (const auto found = series_.find(std::string_view(key)); found != series_.end()) {
    return *found->second;
  }
  std::string label(model);
  if (series_.size() >= kMaxModels) {
    label = "other";
    const std::string other = std::string(provider) + '\0' + label;
    if (const auto found = series_.find(std::string_view(other)); found != series_.end()) {
      return *found->second;  // not cached under this model: the table must stay bounded
    }
    key = other;
  }
  auto created = std::make_unique<ModelSeries>(make_series(std::string(provider), label));
  return *series_.emplace(key, std::move(created)).first->second;
}

ModelSeries Metrics::make_series(const std::string& provider, const std::string& model) {
  ModelSeries out;
  const char* statuses[] = {"completed", "failed", "cancelled"};
  for (std::size_t i = 0; i < out.interceptions.size(); ++i) {
    out.interceptions[i] = &interceptions_total.Add(
        {{"provider", provider}, {"model", model}, {"status", statuses[i]}});
  }
  const char* types[] = {"input", "output", "cache_read", "cache_write"};
  for (std::size_t i = 0; i < out.tokens.size(); ++i) {
    out.tokens[i] =
        &tokens_total.Add({{"provider", provider}, {"model", model}, {"type", types[i]}});
  }
  out.prompts = &prompts_total.Add({{"provider", provider}});
  out.tool_calls[0] =
      &tool_calls_total.Add({{"provider", provider}, {"model", model}, {"injected", "false"}});
  out.tool_calls[1] =
      &tool_calls_total.Add({{"provider", provider}, {"model", model}, {"injected", "true"}});
  out.duration = &interceptions_duration_seconds.Add({{"provider", provider}},
                                                     interception_duration_buckets());
  return out;
}

std::string Metrics::render() const {
  return prometheus::TextSerializer().Serialize(registry->Collect());
}

}  // namespace aibridge::core
