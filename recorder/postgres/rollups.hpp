#pragma once
// The PostgreSQL store's rollups (recorder/rollups.hpp, recorder/rollup_reader.hpp): facets and
// groups found or made for the writer's batches, a batch's rollup changes written in one upsert,
// and the counts of one filter read back from them. Not thread-safe.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "recorder/postgres/connection.hpp"
#include "recorder/query.hpp"
#include "recorder/rollup_reader.hpp"
#include "recorder/rollups.hpp"

namespace aibridge::recorder::postgres {

/// The rollup targets of facets, made on first sight (by whichever replica sees one first) and
/// remembered; forget() after a rolled-back transaction that made some (retention may).
class FacetDirectory {
 public:
  const RollupTargets& targets_for(Connection& db, const FacetKey& key);
  void forget();

 private:
  std::int64_t group_id(Connection& db, Attribute attribute, std::string_view value);

  std::map<FacetKey, RollupTargets> facets_;
  std::array<std::map<std::string, std::int64_t, std::less<>>, kAttributes> groups_;
};

/// Adds `delta` to the rollups in one statement; with `drop_empty`, rollups left without
/// interceptions are deleted (retention).
void apply_rollups(Connection& db, const RollupDelta& delta, bool drop_empty);

/// Which rollups count a filter's interceptions: all facets', one group's, or each matching
/// facet's.
struct FacetScope {
  bool all = true;                       // no equality terms
  bool matches_nothing = false;          // no rows, or terms no facet has
  std::vector<std::int64_t> rollup_ids;  // the rollup facet ids to sum
  UnixMicros first_started = 0;          // the earliest and latest start of any row
  UnixMicros last_started = 0;
};

/// The filter's scope and the data's extent, in one round trip.
FacetScope scope_of(Connection& db, const InterceptionFilter& filter);

/// Which rows a count counts: every interception, or only those that start a session.
enum class Counted { kInterceptions, kSessionStarts };

/// Counts of one filter's interceptions (or session starts) from its scope's rollups, and from
/// the rows for the slivers finer than a bucket (`row_terms`: the filter's conditions on
/// aibridge_interceptions i, the session-start flag among them when counting those, with
/// `row_params` holding their parameters $1…).
class PostgresRollups final : public RollupReader {
 public:
  PostgresRollups(Connection& db, const FacetScope& scope, Counted counted, std::string row_terms,
                  Params row_params)
      : db_(db),
        scope_(scope),
        counted_(counted),
        row_terms_(std::move(row_terms)),
        row_params_(std::move(row_params)) {}

  Level finest_level() const override { return scope_.all ? Level::kCentisecond : Level::kSecond; }
  std::int64_t bucket_count(Level level, std::int64_t first, std::int64_t last) override;
  std::vector<std::pair<std::int64_t, std::int64_t>> bucket_counts(Level level,
                                                                   std::int64_t first,
                                                                   std::int64_t last) override;
  std::int64_t exact_count(UnixMicros from, UnixMicros to) override;
  std::vector<std::int64_t> piece_counts(const std::vector<RangePiece>& pieces) override;

 private:
  std::string_view counted_column() const;
  std::string scope_array() const;

  Connection& db_;
  const FacetScope& scope_;
  const Counted counted_;  // what the counts count
  const std::string row_terms_;
  const Params row_params_;
};

}  // namespace aibridge::recorder::postgres
