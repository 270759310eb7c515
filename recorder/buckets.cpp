#include "recorder/buckets.hpp"

#include <algorithm>

namespace aibridge::recorder {
namespace {

// Appends the pieces of [from, to] (from ≥ 0) at level kLevels[index] and finer down to
// `finest`, newest first.
void add_pieces(std::size_t index, Level finest, UnixMicros from, UnixMicros to,
                std::vector<RangePiece>& out) {
  if (from > to) {
    return;
  }
  if (index > static_cast<std::size_t>(finest)) {
    out.push_back({true, finest, 0, 0, from, to});
    return;
  }
  const Level level = kLevels[index];
  const UnixMicros width = bucket_width(level);
  const std::int64_t first = (from + width - 1) / width;  // first bucket wholly inside
  const std::int64_t last = (to + 1) / width - 1;         // last bucket wholly inside
  if (first > last) {
    add_pieces(index + 1, finest, from, to, out);
    return;
  }
  add_pieces(index + 1, finest, (last + 1) * width, to, out);
  out.push_back({false, level, first, last, first * width, (last + 1) * width - 1});
  add_pieces(index + 1, finest, from, first * width - 1, out);
}

}  // namespace

std::vector<RangePiece> decompose(UnixMicros from, UnixMicros to, Level finest) {
  std::vector<RangePiece> pieces;
  add_pieces(0, finest, std::max(from, kEarliest), std::min(to, kLatest), pieces);
  return pieces;
}

RangePiece split_bucket(Level level, std::int64_t bucket, Level finest) {
  const UnixMicros width = bucket_width(level);
  const UnixMicros from = bucket * width;
  const UnixMicros to = from + width - 1;
  if (level >= finest) {
    return {true, finest, 0, 0, from, to};
  }
  const Level finer = kLevels[static_cast<std::size_t>(level) + 1];
  const UnixMicros finer_width = bucket_width(finer);
  return {false, finer, from / finer_width, (to + 1) / finer_width - 1, from, to};
}

}  // namespace aibridge::recorder
