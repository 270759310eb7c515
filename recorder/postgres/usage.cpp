// PostgresStore::usage (GET usage): a filter's sums per facet and day from the per-facet rollups
// and, for slivers under a second at the range's ends, the rows (recorder/usage.hpp).
#include <algorithm>
#include <optional>
#include <ranges>

#include "recorder/postgres/postgres_store.hpp"
#include "recorder/postgres/rollups.hpp"
#include "recorder/postgres/terms.hpp"
#include "recorder/record_codec.hpp"

namespace aibridge::recorder::postgres {
namespace {

Usage usage_columns(const Result& rows, int row, int first) {
  return {rows.int64(row, first),     rows.int64(row, first + 1), rows.int64(row, first + 2),
          rows.int64(row, first + 3), rows.int64(row, first + 4), rows.int64(row, first + 5)};
}

class PostgresUsage final : public UsageSource {
 public:
  /// `every_facet`: the filter matches every facet, so none of the rollups of facets need to be
  /// told apart by id (cheaper than an array of all of them, to bind and to probe).
  PostgresUsage(Connection& db, const FacetIndex& facets, bool every_facet, Terms row_terms)
      : db_(db), facets_(facets), row_terms_(std::move(row_terms)) {
    if (!every_facet) {
      ids_ = int_array(std::views::keys(facets_.index_of));
    }
  }

  void bucket_usage(Level level, std::int64_t first, std::int64_t last, const Add& add) override {
    // Facets have ids > 0; the rollups under 0 and below are those of groups (schema-postgres.sql).
    Params params;
    params.add(static_cast<std::int64_t>(level)).add(first).add(last);
    if (ids_) {
      params.add(*ids_);
    }
    const Result rows = db_.prepared(
        "SELECT facet, bucket, interceptions, input_tokens, output_tokens, "
        "cache_read_input_tokens, cache_write_input_tokens, tool_calls FROM aibridge_rollups "
        "WHERE level = $1::smallint AND " +
            std::string(ids_ ? "facet = ANY($4::bigint[])" : "facet > 0") +
            " AND bucket BETWEEN $2::bigint AND $3::bigint",
        params);
    for (int row = 0; row < rows.rows(); ++row) {
      add(facets_.index_of.at(rows.int64(row, 0)), rows.int64(row, 1) * bucket_width(level),
          usage_columns(rows, row, 2));
    }
  }

  void row_usage(UnixMicros from, UnixMicros to, const Add& add) override {
    Params params = row_terms_.params;
    const std::string first = placeholder(params.size() + 1);
    const std::string last = placeholder(params.size() + 2);
    params.add(from).add(to);
    const Result rows = db_.prepared(
        "SELECT i.initiator_id::text, i.provider, i.model, i.client, i.status, "
        "aibridge_micros(i.started_at), i.children FROM aibridge_interceptions i WHERE "
        "i.started_at BETWEEN aibridge_at(" +
            first + "::bigint) AND aibridge_at(" + last + "::bigint)" + row_terms_.sql,
        params);
    for (int row = 0; row < rows.rows(); ++row) {
      Interception record;
      decode_children(rows.view(row, 6), record);
      const FacetKey facet{rows.text(row, 0), rows.text(row, 1), rows.text(row, 2),
                           rows.text(row, 3),
                           parse_status(rows.view(row, 4)).value_or(Status::kFailed)};
      // The row matched the filter's terms, so its facet is among the filter's.
      const auto place = std::lower_bound(facets_.keys.begin(), facets_.keys.end(), facet);
      if (place == facets_.keys.end() || *place != facet) {
        throw std::runtime_error("an interception of a facet the filter did not find");
      }
      add(static_cast<std::size_t>(place - facets_.keys.begin()), rows.int64(row, 5),
          usage_of(record));
    }
  }

 private:
  Connection& db_;
  const FacetIndex& facets_;
  const Terms row_terms_;
  std::optional<std::string> ids_;  // the facets' ids as an array literal; none: every facet
};

}  // namespace

UsageSums PostgresStore::usage(const InterceptionFilter& filter) {
  return guarded([&](Connection& db) -> UsageSums {
    ReadSnapshot snapshot(db);
    const FacetScope scope = scope_of(db, filter);  // checks the user ids are UUIDs
    if (scope.matches_nothing) {
      snapshot.end();
      return UsageSums{};
    }
    const Terms facet_terms = terms_of(filter, "f.");
    const Result matching = db.prepared(
        "SELECT f.id, f.initiator_id::text, f.provider, f.model, f.client, f.status FROM "
        "aibridge_facets f WHERE true" +
            facet_terms.sql,
        facet_terms.params);
    std::vector<std::pair<std::int64_t, FacetKey>> found;
    for (int row = 0; row < matching.rows(); ++row) {
      found.emplace_back(matching.int64(row, 0),
                         FacetKey{matching.text(row, 1), matching.text(row, 2),
                                  matching.text(row, 3), matching.text(row, 4),
                                  parse_status(matching.view(row, 5)).value_or(Status::kFailed)});
    }
    FacetIndex facets = index_facets(std::move(found));
    UsageSums sums;
    if (!facets.keys.empty()) {
      // Open ends stop at whole days around the data: no finer buckets than the bounds ask for.
      const UnixMicros day = bucket_width(Level::kDay);
      const UnixMicros from = std::max(filter.started_after.value_or(kEarliest),
                                       bucket_of(Level::kDay, scope.first_started) * day);
      const UnixMicros to = std::min(filter.started_before.value_or(kLatest),
                                     (bucket_of(Level::kDay, scope.last_started) + 1) * day - 1);
      PostgresUsage source(db, facets, facet_terms.sql.empty(), terms_of(filter));
      sums = sum_usage(source, facets.keys, from, to);  // a copy: row_usage reads them
    }
    snapshot.end();
    return sums;
  });
}

}  // namespace aibridge::recorder::postgres
