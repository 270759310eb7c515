#pragma once
// Rollups: per time bucket (recorder/buckets.hpp) and facet, how many ended interceptions there
// are and what they used. A facet is one combination of the filterable attributes of an
// interception (initiator, provider, model, client, status); facet 0 stands for all of them.
// Writers add a whole batch's rollups in a few upserts; counts, offsets and usage sums are read
// from them instead of from the rows. Pure.
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>

#include "recorder/buckets.hpp"
#include "recorder/records.hpp"

namespace aibridge::recorder {

/// The facet id that stands for every facet.
inline constexpr std::int64_t kAllFacets = 0;

struct FacetKey {
  std::string initiator_id;
  std::string provider;
  std::string model;
  std::string client;
  Status status = Status::kCompleted;
  auto operator<=>(const FacetKey&) const = default;
};

FacetKey facet_of(const Interception& record);

/// What one interception adds to its rollups.
struct Usage {
  std::int64_t interceptions = 0;
  std::int64_t input_tokens = 0;
  std::int64_t output_tokens = 0;
  std::int64_t cache_read_input_tokens = 0;
  std::int64_t cache_write_input_tokens = 0;
  std::int64_t tool_calls = 0;

  Usage& operator+=(const Usage& other);
  Usage negated() const;
  bool operator==(const Usage&) const = default;
};

/// An interception's contribution: 1 interception, its token rows summed, its tool calls.
Usage usage_of(const Interception& record);

struct RollupKey {
  Level level = Level::kDay;
  std::int64_t facet = kAllFacets;
  std::int64_t bucket = 0;
  auto operator<=>(const RollupKey&) const = default;
};

/// The rollup changes of a batch: gathered per (facet, second) and, for all facets together, per
/// millisecond as interceptions are added, and expanded to every level once, for writing.
class RollupDelta {
 public:
  /// An interception of `facet` that started at `started_at` adds (or, negated, removes) `usage`.
  void add(std::int64_t facet, UnixMicros started_at, const Usage& usage);
  /// One entry per (level, facet, bucket) touched, in key order.
  std::map<RollupKey, Usage> expand() const;

 private:
  struct SecondKey {
    std::int64_t facet;
    std::int64_t second;
    bool operator==(const SecondKey&) const = default;
  };
  struct SecondHash {
    std::size_t operator()(const SecondKey& key) const {
      return std::hash<std::int64_t>{}(key.second * 1'000'003 + key.facet);
    }
  };
  std::unordered_map<SecondKey, Usage, SecondHash> by_second_;
  std::unordered_map<std::int64_t, Usage> by_millisecond_;  // all facets
};

}  // namespace aibridge::recorder
