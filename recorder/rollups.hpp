#pragma once
// Rollups: per time bucket (recorder/buckets.hpp) and facet, how many ended interceptions there
// are and what they used. A facet is one combination of the filterable attributes of an
// interception (initiator, provider, model, client, status); facet 0 stands for all of them, and
// each value of one attribute (provider "openai") has a group whose rollups sum all facets with
// that value, so that a filter on one attribute reads one rollup range however many facets share
// the value. Writers add a whole batch's rollups in a few upserts; counts, offsets and usage
// sums are read from them instead of from the rows. Pure.
#include <array>
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

/// The filterable attributes, each of which has value groups.
enum class Attribute { kInitiator, kProvider, kModel, kClient, kStatus };
inline constexpr std::size_t kAttributes = 5;
/// Its column name in the stores ("initiator_id", "provider", …).
std::string_view attribute_column(Attribute attribute);
/// The facet's value of each attribute, in Attribute order.
std::array<std::string_view, kAttributes> attribute_values(const FacetKey& key);

/// A value group's rollups are kept under the negated group id (facets' ids are positive).
constexpr std::int64_t group_rollup_id(std::int64_t group_id) {
  return -group_id;
}

/// The rollups an interception counts in besides all facets': its facet's and, as rollup ids,
/// its attribute values' groups.
struct RollupTargets {
  std::int64_t facet = 0;
  std::array<std::int64_t, kAttributes> groups{};
};

/// What one interception adds to its rollups.
struct Usage {
  std::int64_t interceptions = 0;
  std::int64_t input_tokens = 0;
  std::int64_t output_tokens = 0;
  std::int64_t cache_read_input_tokens = 0;
  std::int64_t cache_write_input_tokens = 0;
  std::int64_t tool_calls = 0;
  // Sessions (recorder/query.hpp) whose first interception this is: set by the stores that
  // count sessions in their rollups, which know (usage_of cannot) whether a row starts one.
  std::int64_t sessions = 0;

  Usage& operator+=(const Usage& other);
  Usage negated() const;
  bool operator==(const Usage&) const = default;
};

/// An interception's contribution: 1 interception, its token rows summed, its tool calls (and
/// no session: see Usage::sessions).
Usage usage_of(const Interception& record);

struct RollupKey {
  Level level = Level::kDay;
  std::int64_t facet = kAllFacets;
  std::int64_t bucket = 0;
  auto operator<=>(const RollupKey&) const = default;
};

/// The rollup changes of a batch: gathered per (facet, second) and, for all facets together, per
/// hundredth of a second as interceptions are added, and expanded to every level, facet and group
/// once, for writing.
class RollupDelta {
 public:
  /// An interception counted in `targets` that started at `started_at` adds (or, negated,
  /// removes) `usage`.
  void add(const RollupTargets& targets, UnixMicros started_at, const Usage& usage);
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
  std::unordered_map<std::int64_t, Usage> by_centisecond_;                          // all facets
  std::unordered_map<std::int64_t, std::array<std::int64_t, kAttributes>> groups_;  // by facet
};

}  // namespace aibridge::recorder
