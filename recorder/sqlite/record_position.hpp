#pragma once
// The key of a row in aibridge_records: started_at * 1024 plus a tie-break, so that the table's
// own order is the listing order (started_at, then id). Interceptions rarely start in the same
// microsecond; when they do, the tie-breaks of that microsecond's rows follow their ids, and a
// newcomer takes a free tie-break between its neighbours or, when there is none, the group is
// spread out again. Pure.
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "core/time.hpp"

namespace aibridge::recorder::sqlite {

inline constexpr std::int64_t kTieBreaks = 1024;  // rows that can start in one microsecond

constexpr std::int64_t first_position(core::UnixMicros started_at) {
  return started_at * kTieBreaks;
}
constexpr std::int64_t last_position(core::UnixMicros started_at) {
  return started_at * kTieBreaks + kTieBreaks - 1;
}
constexpr core::UnixMicros started_at_of(std::int64_t position) {
  return position / kTieBreaks;
}

/// A row of a microsecond's group: its tie-break and its id (16 bytes).
struct Tied {
  std::int64_t tie = 0;
  std::string id;
};

/// The tie-break for a new row with id `id` among `group` (the rows of its microsecond, in tie
/// order, which is also id order), or nullopt when no free one lies between its neighbours.
std::optional<std::int64_t> tie_between(const std::vector<Tied>& group, const std::string& id);

/// Tie-breaks for `count` rows spread evenly over [0, kTieBreaks), increasing.
std::vector<std::int64_t> spread_ties(std::size_t count);

/// The microseconds a writer has put rows in lately, so that most new rows need no look at
/// their neighbours: every row in the database that started at or after tracked_from() is
/// remembered here (older ones, and any the writer did not write, are not). Two generations of
/// a bit set (a Bloom filter with one hash): fixed memory, a rare false "may have", never a
/// false "has not"; a hash set of every start cost the writer an allocation and a cache miss
/// per row.
class RecentStarts {
 public:
  explicit RecentStarts(std::size_t per_generation = 1 << 16) : per_generation_(per_generation) {}

  /// Nothing in the database started after `newest`.
  void track_after(core::UnixMicros newest) { tracked_from_ = newest + 1; }
  /// False only when no row can have started in that microsecond.
  bool may_have_rows(core::UnixMicros started_at) const;
  void add(core::UnixMicros started_at);
  core::UnixMicros tracked_from() const { return tracked_from_; }

 private:
  static constexpr std::size_t kBits = std::size_t{1} << 21;  // 256 KiB per generation
  struct Generation {
    std::vector<std::uint64_t> bits = std::vector<std::uint64_t>(kBits / 64);
    std::size_t count = 0;
    core::UnixMicros newest = -1;
    bool contains(core::UnixMicros started_at) const;
    void add(core::UnixMicros started_at);
  };

  std::size_t per_generation_;
  core::UnixMicros tracked_from_ = std::numeric_limits<core::UnixMicros>::max();
  Generation current_;
  Generation previous_;
};

}  // namespace aibridge::recorder::sqlite
