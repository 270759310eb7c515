#pragma once
// Time buckets of the rollups: every ended interception is counted (with its token sums) in one
// bucket per level, by its started_at. A time range [from, to] splits into whole buckets —
// days in the middle, then hours, minutes, seconds (and for all facets together hundredths of a
// second) towards its ends — plus at most two pieces shorter than the finest bucket at its very ends,
// which are counted from the rows themselves. So a count over any range reads a few dozen rollup
// rows and a sliver of interceptions, however dense the data. Pure.
#include <array>
#include <cstdint>
#include <vector>

#include "core/time.hpp"

namespace aibridge::recorder {

using core::UnixMicros;

/// Levels from coarse to fine. Hundredths of a second (10 ms) are kept only for all facets
/// together (facet 0): with one facet's buckets the rows of a second are found through that
/// facet's index. (Finer buckets would cost the writer an upsert per row at moderate rates, when
/// rows land in a bucket each.)
enum class Level : int { kDay = 0, kHour = 1, kMinute = 2, kSecond = 3, kCentisecond = 4 };

inline constexpr std::array<Level, 5> kLevels{Level::kDay, Level::kHour, Level::kMinute,
                                              Level::kSecond, Level::kCentisecond};

/// Width of one bucket of `level` in microseconds.
constexpr UnixMicros bucket_width(Level level) {
  constexpr std::array<UnixMicros, 5> kWidths{86'400'000'000, 3'600'000'000, 60'000'000,
                                              1'000'000, 10'000};
  return kWidths[static_cast<std::size_t>(level)];
}

/// Rollups are stored by (level, epoch, facet, bucket): an epoch is a run of buckets of one
/// level (a minute's seconds, an hour's minutes, a day's hours, 32 days), so the rows a writer's
/// batch touches, all in the current epoch of each level, lie on a few pages together instead of
/// one page per facet and level. Buckets are never negative (kEarliest is 0).
constexpr std::int64_t buckets_per_epoch(Level level) {
  constexpr std::array<std::int64_t, 5> kPerEpoch{32, 24, 60, 60, 100};
  return kPerEpoch[static_cast<std::size_t>(level)];
}
constexpr std::int64_t epoch_of(Level level, std::int64_t bucket) {
  return bucket / buckets_per_epoch(level);
}

/// The bucket of `level` that holds `micros` (floor division: also right before 1970).
constexpr std::int64_t bucket_of(Level level, UnixMicros micros) {
  const UnixMicros width = bucket_width(level);
  return micros >= 0 ? micros / width : -((-micros + width - 1) / width);
}

/// One piece of a decomposed range: whole buckets first..last of a level, or (exact) a span
/// shorter than the finest bucket, to count row by row. Bounds are inclusive.
struct RangePiece {
  bool exact = false;
  Level level = Level::kDay;    // bucket pieces
  std::int64_t first = 0;       // bucket pieces: first and last bucket
  std::int64_t last = 0;
  UnixMicros from = 0;          // the piece's time span
  UnixMicros to = 0;
};

/// Pieces covering [from, to] exactly once with buckets down to `finest`, newest first; empty
/// when to < from.
std::vector<RangePiece> decompose(UnixMicros from, UnixMicros to, Level finest);

/// The single bucket `bucket` of `level` as one piece of the next finer level's buckets (at
/// `finest` itself: one exact piece).
RangePiece split_bucket(Level level, std::int64_t bucket, Level finest);

/// The widest range a query covers (an open end of a filter means this bound), and the start
/// times a store accepts.
inline constexpr UnixMicros kEarliest = 0;
inline constexpr UnixMicros kLatest = 8'999'999'999'999'999;  // 2255-03-14T16:00:00Z

}  // namespace aibridge::recorder
