#pragma once
// The series one shard counts into, each resolved from its labels once (on first use) and kept:
// counting a request then takes no label maps, hashing of labels or family locks. Lives on its
// shard's thread; not thread-safe.
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/metrics.hpp"
#include "proxy/routing.hpp"

namespace aibridge::proxy {

/// Every series whose labels are known in advance (passthrough routes, upstream error kinds,
/// prompts per provider), created at zero so that /metrics shows them before their first event.
void export_known_series(core::Metrics& metrics);

class ShardMetrics {
 public:
  explicit ShardMetrics(core::Metrics& metrics) : metrics_(metrics) {}

  const core::ModelSeries& model(std::string_view provider, std::string_view model);
  prometheus::Counter& passthrough(Provider provider, std::string_view route);
  prometheus::Counter& upstream_error(Provider provider, std::string_view kind);

 private:
  struct KeyHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view key) const {
      return std::hash<std::string_view>{}(key);
    }
  };
  template <class Value>
  using Cache = std::unordered_map<std::string, Value, KeyHash, std::equal_to<>>;
  // "provider\0rest": built in key_, a buffer kept between calls.
  std::string_view key(std::string_view provider, std::string_view rest);
  /// The family's series {provider, label=value}, resolved once and kept in `cache`.
  prometheus::Counter& counter(Cache<prometheus::Counter*>& cache,
                               prometheus::Family<prometheus::Counter>& family, Provider provider,
                               const char* label, std::string_view value);

  core::Metrics& metrics_;
  std::string key_;
  Cache<const core::ModelSeries*> models_;
  Cache<prometheus::Counter*> passthrough_;
  Cache<prometheus::Counter*> upstream_errors_;
};

}  // namespace aibridge::proxy
