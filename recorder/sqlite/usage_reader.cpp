#include "recorder/sqlite/usage_reader.hpp"

#include <algorithm>
#include <unordered_map>

#include "recorder/record_codec.hpp"
#include "recorder/sqlite/facet_terms.hpp"
#include "recorder/sqlite/record_position.hpp"
#include "recorder/sqlite/sqlite_store.hpp"

namespace aibridge::recorder::sqlite {
namespace {

Usage usage_columns(const Statement& row, int first) {
  return {row.int64(first),     row.int64(first + 1), row.int64(first + 2),
          row.int64(first + 3), row.int64(first + 4), row.int64(first + 5)};
}

// The rollups and rows of the filter's facets. An epoch's rollups of every facet lie together
// (record_writer.cpp), so reading them all and keeping the filter's costs no more seeks.
class SqliteUsage final : public UsageSource {
 public:
  SqliteUsage(RecordReader& reader, const std::unordered_map<std::int64_t, std::size_t>& facets)
      : reader_(reader), facets_(facets) {}

  void bucket_usage(Level level, std::int64_t first, std::int64_t last, const Add& add) override {
    auto& rollups = reader_.statement(
        "SELECT facet, bucket, interceptions, input_tokens, output_tokens, "
        "cache_read_input_tokens, cache_write_input_tokens, tool_calls FROM aibridge_rollups "
        "WHERE level = ?1 AND epoch = ?2 AND facet > 0 AND bucket BETWEEN ?3 AND ?4");
    const std::int64_t per = buckets_per_epoch(level);
    for (std::int64_t epoch = epoch_of(level, first); epoch <= epoch_of(level, last); ++epoch) {
      rollups.reset()
          .bind(1, static_cast<std::int64_t>(level))
          .bind(2, epoch)
          .bind(3, std::max(first, epoch * per))
          .bind(4, std::min(last, epoch * per + per - 1));
      while (rollups.step()) {
        if (const auto facet = facets_.find(rollups.int64(0)); facet != facets_.end()) {
          add(facet->second, rollups.int64(1) * bucket_width(level), usage_columns(rollups, 2));
        }
      }
    }
    rollups.reset();
  }

  void row_usage(UnixMicros from, UnixMicros to, const Add& add) override {
    auto& rows = reader_.statement(
        "SELECT facet, position, children FROM aibridge_records WHERE position BETWEEN ?1 AND ?2");
    rows.reset().bind(1, first_position(from)).bind(2, last_position(to));
    while (rows.step()) {
      if (const auto facet = facets_.find(rows.int64(0)); facet != facets_.end()) {
        Interception record;
        decode_children(rows.text(2), record);
        add(facet->second, started_at_of(rows.int64(1)), usage_of(record));
      }
    }
    rows.reset();
  }

 private:
  RecordReader& reader_;
  const std::unordered_map<std::int64_t, std::size_t>& facets_;  // id → sum_usage's index
};

}  // namespace

UsageSums read_usage(RecordReader& reader, const InterceptionFilter& filter) {
  const FacetTerms terms(filter);
  auto& matching = reader.statement(
      "SELECT id, initiator_id, provider, model, client, status FROM aibridge_facets" +
      (terms.empty() ? std::string() : " WHERE " + terms.where));
  matching.reset();
  terms.bind(matching);
  std::vector<std::pair<std::int64_t, FacetKey>> found;
  while (matching.step()) {
    found.emplace_back(
        matching.int64(0),
        FacetKey{matching.text(1), matching.text(2), matching.text(3), matching.text(4),
                 parse_status(matching.text(5)).value_or(Status::kFailed)});
  }
  matching.reset();
  FacetIndex facets = index_facets(std::move(found));
  auto& extent = reader.statement(
      "SELECT (SELECT position FROM aibridge_records ORDER BY position LIMIT 1), "
      "(SELECT position FROM aibridge_records ORDER BY position DESC LIMIT 1)");
  extent.reset();
  extent.step();
  if (facets.keys.empty() || extent.is_null(0)) {
    extent.reset();
    return {};
  }
  // Open ends stop at whole days around the data: no finer buckets than the bounds ask for.
  const UnixMicros day = bucket_width(Level::kDay);
  const UnixMicros from = std::max(filter.started_after.value_or(kEarliest),
                                   bucket_of(Level::kDay, started_at_of(extent.int64(0))) * day);
  const UnixMicros to =
      std::min(filter.started_before.value_or(kLatest),
               (bucket_of(Level::kDay, started_at_of(extent.int64(1))) + 1) * day - 1);
  extent.reset();
  SqliteUsage source(reader, facets.index_of);
  return sum_usage(source, std::move(facets.keys), from, to);
}

UsageSums SqliteStore::usage(const InterceptionFilter& filter) {
  Transaction snapshot(db_, Transaction::Kind::kRead);
  UsageSums sums = read_usage(reader_, filter);
  snapshot.commit();
  return sums;
}

}  // namespace aibridge::recorder::sqlite
