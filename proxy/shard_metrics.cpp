#include "proxy/shard_metrics.hpp"

#include "proxy/relay_outcome.hpp"

namespace aibridge::proxy {

void export_known_series(core::Metrics& metrics) {
  for (const auto& [provider, route] : passthrough_routes()) {
    metrics.passthrough_total.Add(
        {{"provider", std::string(provider_name(provider))}, {"route", std::string(route)}});
  }
  for (const Provider provider : {Provider::kOpenAi, Provider::kAnthropic}) {
    const std::string name(provider_name(provider));
    metrics.prompts_total.Add({{"provider", name}});
    for (const std::string_view kind : kUpstreamErrorKinds) {
      metrics.upstream_errors_total.Add({{"provider", name}, {"kind", std::string(kind)}});
    }
  }
}

std::string_view ShardMetrics::key(std::string_view provider, std::string_view rest) {
  key_.assign(provider).append(1, '\0').append(rest);
  return key_;
}

const core::ModelSeries& ShardMetrics::model(std::string_view provider, std::string_view model) {
  const std::string_view wanted = key(provider, model);
  if (const auto found = models_.find(wanted); found != models_.end()) {
    return *found->second;
  }
  const core::ModelSeries& series = metrics_.series(provider, model);
  if (models_.size() < core::Metrics::kMaxModels) {  // bounded like the series themselves
    models_.emplace(std::string(wanted), &series);
  }
  return series;
}

prometheus::Counter& ShardMetrics::counter(Cache<prometheus::Counter*>& cache,
                                           prometheus::Family<prometheus::Counter>& family,
                                           Provider provider, const char* label,
                                           std::string_view value) {
  const std::string_view wanted = key(provider_name(provider), value);
  if (const auto found = cache.find(wanted); found != cache.end()) {
    return *found->second;
  }
  auto& created = family.Add(
      {{"provider", std::string(provider_name(provider))}, {label, std::string(value)}});
  cache.emplace(std::string(wanted), &created);
  return created;
}

prometheus::Counter& ShardMetrics::passthrough(Provider provider, std::string_view route) {
  return counter(passthrough_, metrics_.passthrough_total, provider, "route", route);
}

prometheus::Counter& ShardMetrics::upstream_error(Provider provider, std::string_view kind) {
  return counter(upstream_errors_, metrics_.upstream_errors_total, provider, "kind", kind);
}

}  // namespace aibridge::proxy
