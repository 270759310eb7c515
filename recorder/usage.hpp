#pragma once
// Usage sums (GET usage, SPEC §10) per facet and UTC day, from the rollups: a time range splits
// into whole buckets (recorder/buckets.hpp) whose per-facet rollups hold the sums, and slivers
// shorter than a second at its ends, summed from the rows. Each bucket lies within one day, so
// every sum lands on its day. The backend reads; this combines. Pure.
#include <cstdint>
#include <functional>
#include <unordered_map>
#include <utility>
#include <vector>

#include "recorder/buckets.hpp"
#include "recorder/rollups.hpp"

namespace aibridge::recorder {

/// The usage of some facets per UTC day (day = bucket_of(Level::kDay, started_at)).
struct UsageSums {
  struct Entry {
    std::size_t facet = 0;  // into `facets`
    std::int64_t day = 0;
    Usage usage;
    bool operator==(const Entry&) const = default;
  };
  std::vector<FacetKey> facets;  // sorted
  std::vector<Entry> entries;    // sorted by (facet, day); none without interceptions
};

/// What a backend reads for sum_usage, for the facets of one filter only.
class UsageSource {
 public:
  /// Called with a facet (its index among sum_usage's facets), a time within the bucket or row
  /// read, and that bucket's or row's usage.
  using Add = std::function<void(std::size_t facet, UnixMicros at, const Usage& usage)>;
  virtual ~UsageSource() = default;
  /// The facets' rollups in buckets first..last of `level` (at most kSecond).
  virtual void bucket_usage(Level level, std::int64_t first, std::int64_t last, const Add& add) = 0;
  /// The facets' interceptions that started in [from, to], one by one.
  virtual void row_usage(UnixMicros from, UnixMicros to, const Add& add) = 0;
};

/// A backend's facets (by its id) in sum_usage's order.
struct FacetIndex {
  std::vector<FacetKey> keys;                              // sorted
  std::unordered_map<std::int64_t, std::size_t> index_of;  // id → its place in keys
};
FacetIndex index_facets(std::vector<std::pair<std::int64_t, FacetKey>> found);

/// The usage of `facets` (sorted) in [from, to] per facet and day.
UsageSums sum_usage(UsageSource& source, std::vector<FacetKey> facets, UnixMicros from,
                    UnixMicros to);

}  // namespace aibridge::recorder
