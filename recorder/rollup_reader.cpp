#include "recorder/rollup_reader.hpp"

namespace aibridge::recorder {
namespace {

std::int64_t piece_count(RollupReader& reader, const RangePiece& piece) {
  return piece.exact ? reader.exact_count(piece.from, piece.to)
                     : reader.bucket_count(piece.level, piece.first, piece.last);
}

}  // namespace

std::int64_t count_in_range(RollupReader& reader, UnixMicros from, UnixMicros to) {
  std::int64_t total = 0;
  for (const RangePiece& piece : decompose(from, to, reader.finest_level())) {
    total += piece_count(reader, piece);
  }
  return total;
}

OffsetSeek seek_offset(RollupReader& reader, UnixMicros from, UnixMicros to, std::int64_t offset) {
  std::vector<RangePiece> pieces = decompose(from, to, reader.finest_level());
  for (std::size_t i = 0; i < pieces.size(); ++i) {
    const RangePiece piece = pieces[i];
    const std::int64_t count = piece_count(reader, piece);
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
        i = static_cast<std::size_t>(-1);  // restart the walk over the finer pieces
        break;
      }
      offset -= in_bucket;
    }
  }
  return {from, 0, true};
}

}  // namespace aibridge::recorder
