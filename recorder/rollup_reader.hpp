#pragma once
// Counting and offset seeking over the rollups (recorder/rollups.hpp), for any backend: the
// backend answers three small questions about the interceptions of one filter within one read
// snapshot, and these functions combine the answers. A count or a seek to any offset reads a few
// dozen rollup rows and at most two seconds' worth of interceptions.
#include <cstdint>
#include <utility>
#include <vector>

#include "recorder/buckets.hpp"

namespace aibridge::recorder {

class RollupReader {
 public:
  virtual ~RollupReader() = default;
  /// The finest level kept for this reader's facets (kCentisecond for all facets together).
  virtual Level finest_level() const = 0;
  /// Interceptions in buckets first..last of `level`.
  virtual std::int64_t bucket_count(Level level, std::int64_t first, std::int64_t last) = 0;
  /// (bucket, interceptions) of the non-empty buckets first..last of `level`, newest first.
  virtual std::vector<std::pair<std::int64_t, std::int64_t>> bucket_counts(Level level,
                                                                           std::int64_t first,
                                                                           std::int64_t last) = 0;
  /// Interceptions that started in [from, to], counted from the rows.
  virtual std::int64_t exact_count(UnixMicros from, UnixMicros to) = 0;
  /// Each piece's interceptions (bucket_count or exact_count). A backend a round trip away
  /// answers all of them in one.
  virtual std::vector<std::int64_t> piece_counts(const std::vector<RangePiece>& pieces);
};

/// The interceptions that started in [from, to], counted piece by piece; an offset seek in the
/// same range starts from these counts.
struct RangeCount {
  std::vector<RangePiece> pieces;  // decompose(from, to, the reader's finest level)
  std::vector<std::int64_t> counts;  // each piece's interceptions
  std::int64_t total = 0;
};

RangeCount count_range(RollupReader& reader, UnixMicros from, UnixMicros to);

/// Where the row at `offset` of a counted range in newest-first order lies: it is the row at
/// `offset` (now less than one finest bucket's worth of rows) of the range narrowed to end at
/// `to`. One bucket_counts() per level it descends, nothing else.
struct OffsetSeek {
  UnixMicros to = 0;
  std::int64_t offset = 0;
  bool past_end = false;  // the range has no more than `offset` rows
};

OffsetSeek seek_offset(RollupReader& reader, const RangeCount& range, std::int64_t offset);

}  // namespace aibridge::recorder
