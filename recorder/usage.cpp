#include "recorder/usage.hpp"

#include <algorithm>
#include <tuple>
#include <utility>

namespace aibridge::recorder {

FacetIndex index_facets(std::vector<std::pair<std::int64_t, FacetKey>> found) {
  std::sort(found.begin(), found.end(),
            [](const auto& a, const auto& b) { return a.second < b.second; });
  FacetIndex index;
  index.keys.reserve(found.size());
  for (auto& [id, key] : found) {
    index.index_of.emplace(id, index.keys.size());
    index.keys.push_back(std::move(key));
  }
  return index;
}

UsageSums sum_usage(UsageSource& source, std::vector<FacetKey> facets, UnixMicros from,
                    UnixMicros to) {
  // Collected as read, then sorted and merged: one facet's day may come in pieces of several
  // levels (cheaper than a map lookup per rollup row).
  UsageSums out;
  const UsageSource::Add add = [&out](std::size_t facet, UnixMicros at, const Usage& usage) {
    out.entries.push_back({facet, bucket_of(Level::kDay, at), usage});
  };
  // One facet's rollups go down to seconds (buckets.hpp): finer slivers come from the rows.
  for (const RangePiece& piece : decompose(from, to, Level::kSecond)) {
    if (piece.exact) {
      source.row_usage(piece.from, piece.to, add);
    } else {
      source.bucket_usage(piece.level, piece.first, piece.last, add);
    }
  }
  std::sort(out.entries.begin(), out.entries.end(), [](const auto& a, const auto& b) {
    return std::tie(a.facet, a.day) < std::tie(b.facet, b.day);
  });
  std::size_t kept = 0;
  for (const UsageSums::Entry& entry : out.entries) {
    if (kept > 0 && out.entries[kept - 1].facet == entry.facet &&
        out.entries[kept - 1].day == entry.day) {
      out.entries[kept - 1].usage += entry.usage;
    } else {
      out.entries[kept++] = entry;
    }
  }
  out.entries.resize(kept);
  std::erase_if(out.entries, [](const auto& entry) { return entry.usage.interceptions <= 0; });
  out.facets = std::move(facets);
  return out;
}

}  // namespace aibridge::recorder
