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

std::int64_t count_in_range(RollupReader& reader, UnixMicros from, UnixMicros to) {
  std::int64_t total = 0;
  for (const std::int64_t count :
       reader.piece_counts(decompose(from, to, reader.finest_level()))) {
    total += count;
  }
  return total;
}

OffsetSeek seek_offset(RollupReader& reader, UnixMicros from, UnixMicros to, std::int64_t offset) {
  std::vector<RangePiece> pieces = decompose(from, to, reader.finest_level());
  std::vector<std::int64_t> counts = reader.piece_counts(pieces);
  for (std::size_t i = 0; i < pieces.size(); ++i) {
    const RangePiece piece = pieces[i];
    const std::int64_t count = counts[i];
    if (offset >= count) {
      offset -= count;
      continue;
    }
    if (piece.exact) {
      return {piece.to, offset, false};
    }
    // The row is in one of these buckets: find which, then look inside it one level finer.
    for (const auto& [bucket, in_bucket] : reader.bucket_counts(piece.level, piece.first,
                                                                piece.last)) {
      if (offset < in_bucket) {
        pieces = split_bucket(piece.level, bucket, reader.finest_level());
        counts = reader.piece_counts(pieces);
        i = static_cast<std::size_t>(-1);  // restart the walk over the finer pieces
        break;
      }
      offset -= in_bucket;
    }
  }
  return {from, 0, true};
}

}  // namespace aibridge::recorder
