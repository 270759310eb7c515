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

/// Interceptions that started in [from, to].
std::int64_t count_in_range(RollupReader& reader, UnixMicros from, UnixMicros to);

/// Where the row at `offset` of [from, to] in newest-first order lies: it is the row at
/// `offset` (now less than one second's worth of rows) of [from, to] narrowed to end at `to`.
struct OffsetSeek {
  UnixMicros to = 0;
  std::int64_t offset = 0;
  bool past_end = false;  // the range has no more than `offset` rows
};

OffsetSeek seek_offset(RollupReader& reader, UnixMicros from, UnixMicros to, std::int64_t offset);

}  // namespace aibridge::recorder
