#include "recorder/rollup_reader.hpp"

namespace aibridge::recorder {

std::vector<std::int64_t> RollupReader::piece_counts(const std::vector<RangePiece>& pieces) {
  std::vector<std::int64_t> counts;
  counts.reserve(pieces.size());
  for (const RangePiece& piece : pieces) {
    counts.push_back(piece.exact ? exact_count(piece.from, piece.to)
                                 : bucket_count(piece.level, piece.first, piece.last));
  }
  return counts;
}

RangeCount count_range(RollupReader& reader, UnixMicros from, UnixMicros to) {
  RangeCount range;
  range.pieces = decompose(from, to, reader.finest_level());
  range.counts = reader.piece_counts(range.pieces);
  for (const std::int64_t count : range.counts) {
    range.total += count;
  }
  return range;
}

OffsetSeek seek_offset(RollupReader& reader, const RangeCount& range, std::int64_t offset) {
  for (std::size_t i = 0; i < range.pieces.size(); ++i) {
    if (offset >= range.counts[i]) {
      offset -= range.counts[i];
      continue;
    }
    // The row is in this piece: find the bucket that holds it, then look inside that bucket one
    // level finer, until the piece is a sliver shorter than the finest bucket.
    RangePiece piece = range.pieces[i];
    while (!piece.exact) {
      bool found = false;
      for (const auto& [bucket, in_bucket] :
           reader.bucket_counts(piece.level, piece.first, piece.last)) {
        if (offset < in_bucket) {
          piece = split_bucket(piece.level, bucket, reader.finest_level());
          found = true;
          break;
        }
        offset -= in_bucket;
      }
      if (!found) {
        return {0, 0, true};  // fewer rows than counted: not within one read snapshot
      }
    }
    return {piece.to, offset, false};
  }
  return {0, 0, true};
}

}  // namespace aibridge::recorder
