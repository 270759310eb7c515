#include "recorder/postgres/rollups.hpp"

#include <algorithm>

#include "core/ids.hpp"

namespace aibridge::recorder::postgres {
namespace {

}  // namespace

const RollupTargets& FacetDirectory::targets_for(Connection& db, const FacetKey& key) {
  if (const auto found = facets_.find(key); found != facets_.end()) {
    return found->second;
  }
  RollupTargets targets;
  const auto values = attribute_values(key);
  for (std::size_t i = 0; i < kAttributes; ++i) {
    targets.groups[i] = group_rollup_id(group_id(db, static_cast<Attribute>(i), values[i]));
  }
  // DO NOTHING takes no lock on a row that exists; then the row is read.
  Params params;
  for (const std::string_view value : values) {
    params.add(value);
  }
  const Result made = db.prepared(
      "INSERT INTO aibridge_facets (initiator_id, provider, model, client, status) "
      "VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING id",
      params);
  targets.facet =
      made.rows() > 0
          ? made.int64(0, 0)
          : db.prepared("SELECT id FROM aibridge_facets WHERE initiator_id = $1 AND "
                        "provider = $2 AND model = $3 AND client = $4 AND status = $5",
                        params)
                .int64(0, 0);
  return facets_.emplace(key, targets).first->second;
}

std::int64_t FacetDirectory::group_id(Connection& db, Attribute attribute, std::string_view value) {
  auto& known = groups_[static_cast<std::size_t>(attribute)];
  if (const auto found = known.find(value); found != known.end()) {
    return found->second;
  }
  const Params params = Params().add(attribute_column(attribute)).add(value);
  const Result made = db.prepared(
      "INSERT INTO aibridge_facet_groups (attribute, value) VALUES ($1, $2) "
      "ON CONFLICT DO NOTHING RETURNING id",
      params);
  const std::int64_t id =
      made.rows() > 0 ? made.int64(0, 0)
                      : db.prepared("SELECT id FROM aibridge_facet_groups WHERE attribute = $1 "
                                    "AND value = $2",
                                    params)
                            .int64(0, 0);
  return known.emplace(std::string(value), id).first->second;
}

void FacetDirectory::forget() {
  facets_.clear();
  for (auto& known : groups_) {
    known.clear();
  }
}

void apply_rollups(Connection& db, const RollupDelta& delta, bool drop_empty) {
  const std::map<RollupKey, Usage> rollups = delta.expand();
  if (rollups.empty()) {
    return;
  }
  // Column by column, in key order: replicas upserting at once lock rows in the same order.
  std::vector<std::int64_t> level, facet, bucket, interceptions, input, output, cache_read,
      cache_write, tools, sessions;
  for (const auto& [key, usage] : rollups) {
    level.push_back(static_cast<std::int64_t>(key.level));
    facet.push_back(key.facet);
    bucket.push_back(key.bucket);
    interceptions.push_back(usage.interceptions);
    input.push_back(usage.input_tokens);
    output.push_back(usage.output_tokens);
    cache_read.push_back(usage.cache_read_input_tokens);
    cache_write.push_back(usage.cache_write_input_tokens);
    tools.push_back(usage.tool_calls);
    sessions.push_back(usage.sessions);
  }
  Params keys;
  keys.add(int_array(level)).add(int_array(facet)).add(int_array(bucket));
  Params all = keys;
  all.add(int_array(interceptions))
      .add(int_array(input))
      .add(int_array(output))
      .add(int_array(cache_read))
      .add(int_array(cache_write))
      .add(int_array(tools))
      .add(int_array(sessions));
  db.prepared(
      "INSERT INTO aibridge_rollups (level, facet, bucket, interceptions, input_tokens, "
      "output_tokens, cache_read_input_tokens, cache_write_input_tokens, tool_calls, sessions) "
      "SELECT * FROM unnest($1::smallint[], $2::bigint[], $3::bigint[], $4::bigint[], "
      "$5::bigint[], $6::bigint[], $7::bigint[], $8::bigint[], $9::bigint[], $10::bigint[]) "
      "ON CONFLICT (level, facet, bucket) DO UPDATE SET "
      "interceptions = aibridge_rollups.interceptions + excluded.interceptions, "
      "input_tokens = aibridge_rollups.input_tokens + excluded.input_tokens, "
      "output_tokens = aibridge_rollups.output_tokens + excluded.output_tokens, "
      "cache_read_input_tokens = aibridge_rollups.cache_read_input_tokens + "
      "excluded.cache_read_input_tokens, "
      "cache_write_input_tokens = aibridge_rollups.cache_write_input_tokens + "
      "excluded.cache_write_input_tokens, "
      "tool_calls = aibridge_rollups.tool_calls + excluded.tool_calls, "
      "sessions = aibridge_rollups.sessions + excluded.sessions",
      all);
  if (drop_empty) {
    db.prepared(
        "DELETE FROM aibridge_rollups r USING unnest($1::smallint[], $2::bigint[], "
        "$3::bigint[]) AS k (level, facet, bucket) WHERE r.level = k.level AND "
        "r.facet = k.facet AND r.bucket = k.bucket AND r.interceptions <= 0",
        keys);
  }
}

FacetScope scope_of(Connection& db, const InterceptionFilter& filter) {
  FacetScope scope;
  struct Term {
    Attribute attribute;
    std::string value;
  };
  std::vector<Term> terms;
  for (const auto* user : {&filter.visible_to, &filter.initiator_id}) {
    if (*user) {
      if (core::uuid_to_bytes(**user).empty()) {
        scope.matches_nothing = true;  // user ids are UUIDs
        return scope;
      }
      terms.push_back({Attribute::kInitiator, **user});
    }
  }
  if (filter.provider) {
    terms.push_back({Attribute::kProvider, valid_text(*filter.provider)});
  }
  if (filter.model) {
    terms.push_back({Attribute::kModel, valid_text(*filter.model)});
  }
  if (filter.client) {
    terms.push_back({Attribute::kClient, valid_text(*filter.client)});
  }
  if (filter.status) {
    terms.push_back({Attribute::kStatus, std::string(status_name(*filter.status))});
  }
  // One round trip: the data's extent; with terms, the matching facets and, per term, how many
  // facets it matches alone and its group.
  std::string sql =
      "SELECT aibridge_micros(min(started_at)), aibridge_micros(max(started_at))";
  std::string where;
  Params params;
  for (const Term& term : terms) {
    const std::string column(attribute_column(term.attribute));
    // Typed at each use: the same parameter is a uuid in a facet and text in a group.
    const std::string value = placeholder(params.size() + 1) + "::text";
    const std::string as_column = term.attribute == Attribute::kInitiator ? value + "::uuid" : value;
    params.add(term.value);
    where += where.empty() ? " WHERE " : " AND ";
    where += column + " = " + as_column;
    sql += ", (SELECT count(*) FROM aibridge_facets WHERE " + column + " = " + as_column +
           "), (SELECT id FROM aibridge_facet_groups WHERE attribute = '" + column +
           "' AND value = " + value + ")";
  }
  if (!terms.empty()) {
    sql += ", (SELECT array_agg(id ORDER BY id) FROM aibridge_facets" + where + ")";
  }
  const Result found = db.prepared(sql + " FROM aibridge_interceptions", params);
  if (found.is_null(0, 0)) {
    scope.matches_nothing = true;  // no rows at all
    return scope;
  }
  scope.first_started = found.int64(0, 0);
  scope.last_started = found.int64(0, 1);
  if (terms.empty()) {
    scope.rollup_ids = {kAllFacets};
    return scope;
  }
  scope.all = false;
  const int facets_column = 2 + 2 * static_cast<int>(terms.size());
  if (found.is_null(0, facets_column)) {
    scope.matches_nothing = true;
    return scope;
  }
  const std::string_view ids = found.view(0, facets_column);  // {1,2,3}
  for (std::size_t at = 1; at < ids.size();) {
    const std::size_t end = std::min(ids.find(',', at), ids.size() - 1);
    scope.rollup_ids.push_back(std::stoll(std::string(ids.substr(at, end - at))));
    at = end + 1;
  }
  // One group covers them when some term alone matches exactly these facets ("provider =
  // openai", or "provider = openai AND model = gpt-5" where only openai has gpt-5).
  for (std::size_t i = 0; i < terms.size(); ++i) {
    const int column = 2 + 2 * static_cast<int>(i);
    if (found.int64(0, column) == static_cast<std::int64_t>(scope.rollup_ids.size()) &&
        !found.is_null(0, column + 1)) {
      scope.rollup_ids = {group_rollup_id(found.int64(0, column + 1))};
      break;
    }
  }
  return scope;
}

std::string_view PostgresRollups::counted_column() const {
  return counted_ == Counted::kSessionStarts ? "sessions" : "interceptions";
}

std::string PostgresRollups::scope_array() const {
  return int_array(scope_.rollup_ids);
}

std::int64_t PostgresRollups::bucket_count(Level level, std::int64_t first, std::int64_t last) {
  return db_
      .prepared(
          "SELECT coalesce(sum(" + std::string(counted_column()) +
              "), 0) FROM aibridge_rollups WHERE level = $1 AND "
              "facet = ANY ($2::bigint[]) AND bucket BETWEEN $3 AND $4",
          Params()
              .add(static_cast<std::int64_t>(level))
              .add(scope_array())
              .add(first)
              .add(last))
      .int64(0, 0);
}

std::vector<std::pair<std::int64_t, std::int64_t>> PostgresRollups::bucket_counts(
    Level level, std::int64_t first, std::int64_t last) {
  const std::string sum = "sum(" + std::string(counted_column()) + ")";
  const Result rows = db_.prepared(
      "SELECT bucket, " + sum +
          " FROM aibridge_rollups WHERE level = $1 AND facet = ANY ($2::bigint[]) AND bucket "
          "BETWEEN $3 AND $4 GROUP BY bucket HAVING " + sum + " > 0 ORDER BY bucket DESC",
      Params().add(static_cast<std::int64_t>(level)).add(scope_array()).add(first).add(last));
  std::vector<std::pair<std::int64_t, std::int64_t>> out;
  out.reserve(static_cast<std::size_t>(rows.rows()));
  for (int row = 0; row < rows.rows(); ++row) {
    out.emplace_back(rows.int64(row, 0), rows.int64(row, 1));
  }
  return out;
}

std::vector<std::int64_t> PostgresRollups::piece_counts(const std::vector<RangePiece>& pieces) {
  // One round trip: the bucket pieces' sums (a subquery each, so each is one index range scan;
  // a join would be planned as a scan of the whole level), and the (at most two) exact pieces at
  // the ends counted from the rows.
  std::vector<std::int64_t> index, level, first, last;
  std::vector<std::size_t> exact;
  const bool any_exact =
      std::any_of(pieces.begin(), pieces.end(), [](const RangePiece& piece) { return piece.exact; });
  // The row terms' parameters ($1…) only when a subquery uses them: an unused one has no type.
  Params params = any_exact ? row_params_ : Params();
  std::string sql = "SELECT ARRAY(SELECT (SELECT coalesce(sum(r." + std::string(counted_column()) +
                    "), 0) FROM "
                    "aibridge_rollups r WHERE r.level = p.level AND r.facet = ANY (" +
                    placeholder(params.size() + 1) +
                    "::bigint[]) AND r.bucket BETWEEN p.first AND p.last) FROM unnest(" +
                    placeholder(params.size() + 2) + "::smallint[], " +
                    placeholder(params.size() + 3) + "::bigint[], " +
                    placeholder(params.size() + 4) +
                    "::bigint[]) WITH ORDINALITY AS p (level, first, last, n) ORDER BY p.n)";
  for (std::size_t i = 0; i < pieces.size(); ++i) {
    if (!pieces[i].exact) {
      level.push_back(static_cast<std::int64_t>(pieces[i].level));
      first.push_back(pieces[i].first);
      last.push_back(pieces[i].last);
    }
  }
  params.add(scope_array()).add(int_array(level)).add(int_array(first)).add(int_array(last));
  for (std::size_t i = 0; i < pieces.size(); ++i) {
    if (pieces[i].exact) {
      exact.push_back(i);
      sql += ", (SELECT count(*) FROM aibridge_interceptions i WHERE i.started_at BETWEEN "
             "aibridge_at(" + placeholder(params.size() + 1) + "::bigint) AND aibridge_at(" +
             placeholder(params.size() + 2) + "::bigint)" + row_terms_ + ")";
      params.add(pieces[i].from).add(pieces[i].to);
    }
  }
  const Result found = db_.prepared(sql, params);
  std::vector<std::int64_t> counts(pieces.size(), 0);
  const std::string_view sums = found.view(0, 0);  // {3,0,12}
  std::size_t at = 1;
  for (std::size_t i = 0; i < pieces.size(); ++i) {
    if (pieces[i].exact || at >= sums.size()) {
      continue;
    }
    const std::size_t end = std::min(sums.find(',', at), sums.size() - 1);
    counts[i] = std::stoll(std::string(sums.substr(at, end - at)));
    at = end + 1;
  }
  for (std::size_t e = 0; e < exact.size(); ++e) {
    counts[exact[e]] = found.int64(0, static_cast<int>(e) + 1);
  }
  return counts;
}

std::int64_t PostgresRollups::exact_count(UnixMicros from, UnixMicros to) {
  Params params = row_params_;
  const std::string first = placeholder(params.size() + 1);
  const std::string last = placeholder(params.size() + 2);
  params.add(from).add(to);
  return db_
      .prepared("SELECT count(*) FROM aibridge_interceptions i WHERE i.started_at BETWEEN "
                "aibridge_at(" + first + "::bigint) AND aibridge_at(" + last + "::bigint)" +
                    row_terms_,
                params)
      .int64(0, 0);
}

}  // namespace aibridge::recorder::postgres
