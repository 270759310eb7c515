#include "recorder/sqlite/record_reader.hpp"

#include <algorithm>
#include <functional>

#include "core/ids.hpp"
#include "recorder/buckets.hpp"
#include "recorder/record_codec.hpp"
#include "recorder/rollup_reader.hpp"
#include "recorder/rollups.hpp"
#include "recorder/sqlite/facet_terms.hpp"
#include "recorder/sqlite/record_position.hpp"
#include "recorder/sqlite/session_starts.hpp"

namespace aibridge::recorder::sqlite {
namespace {

// Offsets up to this many rows are skipped by the page query itself; deeper ones are first
// narrowed through the rollups.
constexpr std::int64_t kSeekOffsetsFrom = 256;
// What reading one row of the table costs against one facet index entry (a row holds the
// children; a table page holds some 100 rows, an index page some 5,000 entries), and what a seek
// into one facet's index range costs, in index entries.
constexpr double kRowCost = 20;
constexpr double kFacetSeekCost = 20;

// Which rollups count a filter's interceptions: all facets' (no terms), one group's (when the
// filter matches exactly the facets of one attribute value, as "provider = openai" does, or
// "provider = openai AND model = gpt-5"), or else those of each matching facet.
struct RollupScope {
  std::vector<std::int64_t> facets;   // the matching facets; empty for all
  std::optional<std::int64_t> group;  // the group's rollup id, when one group covers them
};

RollupScope scope_of(RecordReader& reader, const FacetTerms& terms) {
  RollupScope scope;
  if (terms.empty()) {
    return scope;
  }
  auto& facets = reader.statement("SELECT id FROM aibridge_facets WHERE " + terms.where);
  facets.reset();
  terms.bind(facets);
  while (facets.step()) {
    scope.facets.push_back(facets.int64(0));
  }
  facets.reset();
  if (scope.facets.empty()) {
    return scope;
  }
  for (const FacetTerms::Term& term : terms.terms) {
    const std::string column(attribute_column(term.attribute));
    if (terms.terms.size() > 1) {
      auto& alone =
          reader.statement("SELECT count(*) FROM aibridge_facets WHERE " + column + " = ?1");
      alone.reset().bind(1, term.value);
      alone.step();
      const auto facets_of_term = static_cast<std::size_t>(alone.int64(0));
      alone.reset();
      if (facets_of_term != scope.facets.size()) {
        continue;  // the other terms narrow it
      }
    }
    auto& group = reader.statement(
        "SELECT id FROM aibridge_facet_groups WHERE attribute = ?1 AND value = ?2");
    group.reset().bind(1, column).bind(2, term.value);
    if (group.step()) {
      scope.group = group_rollup_id(group.int64(0));
    }
    group.reset();
    if (scope.group) {
      break;
    }
  }
  return scope;
}

// Buckets first..last of `level` that lie in `epoch`.
std::pair<std::int64_t, std::int64_t> clip_to_epoch(Level level, std::int64_t epoch,
                                                    std::int64_t first, std::int64_t last) {
  const std::int64_t per = buckets_per_epoch(level);
  return {std::max(first, epoch * per), std::min(last, epoch * per + per - 1)};
}

using Rows = RecordReader::Rows;

// Which rollup column counts the rows, and which condition picks them from aibridge_records r.
std::string_view counted_column(Rows rows) {
  return rows == Rows::kSessionStarts ? "sessions" : "interceptions";
}
std::string_view only(Rows rows) {
  return rows == Rows::kSessionStarts ? kStartsSession : "";
}
std::int64_t count_everything(RecordReader& reader, UnixMicros from, UnixMicros to,
                              Rows rows = Rows::kInterceptions);

// The rollups and rows of one filter, for counting and offset seeks. It refers to the filter's
// terms and scope, which outlive it (hence no temporaries).
class SqliteRollups final : public RollupReader {
 public:
  SqliteRollups(RecordReader& reader, const FacetTerms& terms, const RollupScope& scope,
                Rows rows = Rows::kInterceptions)
      : reader_(reader), terms_(terms), scope_(scope), rows_(rows) {}
  SqliteRollups(RecordReader&, const FacetTerms&, RollupScope&&) = delete;
  SqliteRollups(RecordReader&, FacetTerms&&, const RollupScope&) = delete;

  Level finest_level() const override {
    return terms_.empty() ? Level::kCentisecond : Level::kSecond;
  }

  std::int64_t bucket_count(Level level, std::int64_t first, std::int64_t last) override {
    auto& sum = reader_.statement("SELECT coalesce(sum(" + std::string(counted_column(rows_)) +
                                  "), 0) FROM aibridge_rollups WHERE level = ?1 AND epoch = ?4" +
                                  on_rollups() + " AND bucket BETWEEN ?2 AND ?3");
    std::int64_t total = 0;
    for (std::int64_t epoch = epoch_of(level, first); epoch <= epoch_of(level, last); ++epoch) {
      const auto [low, high] = clip_to_epoch(level, epoch, first, last);
      sum.reset().bind(1, static_cast<std::int64_t>(level)).bind(2, low).bind(3, high);
      sum.bind(4, epoch);
      bind(sum);
      sum.step();
      total += sum.int64(0);
    }
    sum.reset();
    return total;
  }

  std::vector<std::pair<std::int64_t, std::int64_t>> bucket_counts(Level level, std::int64_t first,
                                                                   std::int64_t last) override {
    const std::string sum = "sum(" + std::string(counted_column(rows_)) + ")";
    auto& counts = reader_.statement(
        "SELECT bucket, " + sum + " FROM aibridge_rollups WHERE level = ?1 AND epoch = ?4" +
        on_rollups() + " AND bucket BETWEEN ?2 AND ?3 GROUP BY bucket HAVING " + sum +
        " > 0 ORDER BY bucket DESC");
    std::vector<std::pair<std::int64_t, std::int64_t>> out;
    for (std::int64_t epoch = epoch_of(level, last); epoch >= epoch_of(level, first); --epoch) {
      const auto [low, high] = clip_to_epoch(level, epoch, first, last);
      counts.reset().bind(1, static_cast<std::int64_t>(level)).bind(2, low).bind(3, high);
      counts.bind(4, epoch);
      bind(counts);
      while (counts.step()) {
        out.emplace_back(counts.int64(0), counts.int64(1));
      }
    }
    counts.reset();
    return out;
  }

  std::int64_t exact_count(UnixMicros from, UnixMicros to) override {
    // All facets: a sliver of the table (under 10 ms). Some facets: their index ranges,
    // or the sliver of the table (under a second) with the other facets' rows skipped, whichever
    // reads less.
    bool by_facet = false;
    if (!terms_.empty()) {
      const auto rows = static_cast<double>(count_everything(reader_, from, to, rows_));
      by_facet = static_cast<double>(scope_.facets.size()) * kFacetSeekCost < rows * kRowCost;
    }
    auto& count = reader_.statement(
        std::string("SELECT count(*) FROM aibridge_records r ") +
        (by_facet ? "INDEXED BY aibridge_records_by_facet " : "NOT INDEXED ") +
        "WHERE r.position BETWEEN ?1 AND ?2" + terms_.on_records() + std::string(only(rows_)));
    count.reset().bind(1, first_position(from)).bind(2, last_position(to));
    terms_.bind(count);
    count.step();
    const std::int64_t total = count.int64(0);
    count.reset();
    return total;
  }

 private:
  // The filter's rollup rows: all facets', its group's, or its facets'.
  std::string on_rollups() const {
    if (terms_.empty()) {
      return " AND facet = 0";
    }
    return scope_.group
               ? " AND facet = ?107"
               : " AND facet IN (SELECT id FROM aibridge_facets WHERE " + terms_.where + ")";
  }
  void bind(Statement& statement) const {
    if (scope_.group) {
      statement.bind(107, *scope_.group);
    } else {
      terms_.bind(statement);
    }
  }

  RecordReader& reader_;
  const FacetTerms& terms_;
  const RollupScope& scope_;
  const Rows rows_;
};

// Every interception (or session start) between two instants, from the all-facets rollups.
std::int64_t count_everything(RecordReader& reader, UnixMicros from, UnixMicros to, Rows rows) {
  const FacetTerms no_terms{InterceptionFilter{}};
  const RollupScope no_scope;
  SqliteRollups everything(reader, no_terms, no_scope, rows);
  return count_range(everything, from, to).total;
}

// The page's positions in listing order along the table, skipping rows of other facets.
std::vector<std::int64_t> page_by_time(RecordReader& reader, Rows rows, const FacetTerms& terms,
                                       std::int64_t low, std::int64_t high, std::int64_t offset,
                                       std::int64_t limit) {
  auto& page = reader.statement(
      "SELECT r.position FROM aibridge_records r NOT INDEXED WHERE r.position BETWEEN ?1 AND ?2" +
      terms.on_records() + std::string(only(rows)) +
      " ORDER BY r.position DESC LIMIT ?3 OFFSET ?4");
  page.reset().bind(1, low).bind(2, high).bind(3, limit).bind(4, offset);
  terms.bind(page);
  std::vector<std::int64_t> positions;
  while (page.step()) {
    positions.push_back(page.int64(0));
  }
  page.reset();
  return positions;
}

// The page merged from each matching facet's own range of the facet index.
std::vector<std::int64_t> page_by_merge(RecordReader& reader, Rows rows,
                                        const std::vector<std::int64_t>& facet_ids,
                                        std::int64_t low, std::int64_t high, std::int64_t offset,
                                        std::int64_t limit) {
  auto& range = reader.statement(
      "SELECT r.position FROM aibridge_records r INDEXED BY aibridge_records_by_facet "
      "WHERE r.facet = ?1 AND r.position BETWEEN ?2 AND ?3" +
      std::string(only(rows)) + " ORDER BY r.position DESC LIMIT ?4");
  std::vector<std::int64_t> candidates;
  for (const std::int64_t facet : facet_ids) {
    range.reset().bind(1, facet).bind(2, low).bind(3, high).bind(4, offset + limit);
    while (range.step()) {
      candidates.push_back(range.int64(0));
    }
  }
  range.reset();
  std::sort(candidates.begin(), candidates.end(), std::greater<>());
  const auto begin = std::min(candidates.size(), static_cast<std::size_t>(offset));
  const auto end = std::min(candidates.size(), begin + static_cast<std::size_t>(limit));
  return {candidates.begin() + static_cast<std::ptrdiff_t>(begin),
          candidates.begin() + static_cast<std::ptrdiff_t>(end)};
}

}  // namespace

Statement& RecordReader::statement(const std::string& sql) {
  auto found = statements_.find(sql);
  if (found == statements_.end()) {
    found = statements_.emplace(sql, db_.prepare(sql)).first;
  }
  return found->second;
}

std::optional<std::int64_t> RecordReader::locate(std::string_view id,
                                                 const std::optional<std::string>& visible_to) {
  const std::string bytes = core::uuid_to_bytes(id);
  if (bytes.empty()) {
    return std::nullopt;
  }
  // Ids the gateway makes carry their start time: the row is among that microsecond's.
  auto& find = statement(
      "SELECT r.position FROM aibridge_records r JOIN aibridge_facets f ON f.id = r.facet "
      "WHERE r.position BETWEEN ?1 AND ?2 AND r.id = ?3 AND (?4 IS NULL OR f.initiator_id = ?4) "
      "UNION ALL "
      "SELECT r.position FROM aibridge_record_ids i JOIN aibridge_records r "
      "ON r.position = i.position JOIN aibridge_facets f ON f.id = r.facet "
      "WHERE i.id = ?3 AND (?4 IS NULL OR f.initiator_id = ?4) LIMIT 1");
  const core::UnixMicros micros = core::uuid_micros(bytes).value_or(-1);
  find.reset()
      .bind(1, micros < 0 ? std::int64_t{-1} : first_position(micros))
      .bind(2, micros < 0 ? std::int64_t{-1} : last_position(micros))
      .bind_blob(3, bytes)
      .bind(4, visible_to);
  std::optional<std::int64_t> found;
  if (find.step()) {
    found = find.int64(0);
  }
  find.reset();
  return found;
}

std::optional<ListPosition> RecordReader::position(std::string_view id,
                                                   const std::optional<std::string>& visible_to) {
  const auto found = locate(id, visible_to);
  if (!found) {
    return std::nullopt;
  }
  return ListPosition{started_at_of(*found), std::string(id)};
}

std::optional<ListedInterception> RecordReader::find(std::string_view id,
                                                     const std::optional<std::string>& visible_to) {
  Transaction snapshot(db_, Transaction::Kind::kRead);
  const auto found = locate(id, visible_to);
  if (!found) {
    return std::nullopt;
  }
  std::vector<ListedInterception> rows;
  load_rows({*found}, rows);
  snapshot.commit();
  if (rows.empty()) {
    return std::nullopt;
  }
  return std::move(rows.front());
}

std::vector<std::string> RecordReader::values(Attribute attribute,
                                              const std::optional<std::string>& visible_to) {
  // Facets are few (users × providers × models × clients × statuses); one that retention has
  // emptied has no row left in the facet index.
  auto& distinct = statement(
      "SELECT DISTINCT f." + std::string(attribute_column(attribute)) +
      " FROM aibridge_facets f WHERE (?1 IS NULL OR f.initiator_id = ?1) AND EXISTS (SELECT 1 "
      "FROM aibridge_records r WHERE r.facet = f.id) ORDER BY 1");
  distinct.reset().bind(1, visible_to);
  std::vector<std::string> out;
  while (distinct.step()) {
    out.push_back(distinct.text(0));
  }
  distinct.reset();
  return out;
}

InterceptionPage RecordReader::list(const InterceptionQuery& query) {
  Transaction snapshot(db_, Transaction::Kind::kRead);
  std::optional<std::int64_t> below;
  if (query.after) {
    // A cursor gone since it was checked (retention) has no rows below it.
    below = locate(query.after->id, std::nullopt).value_or(std::int64_t{0});
  }
  const PositionPage found =
      page(Rows::kInterceptions, query.filter, below, query.offset, query.limit);
  InterceptionPage out;
  out.count = found.count;
  load_rows(found.positions, out.rows);
  snapshot.commit();
  return out;
}

RecordReader::PositionPage RecordReader::page(Rows rows, const InterceptionFilter& filter,
                                              std::optional<std::int64_t> below,
                                              std::int64_t offset, std::int64_t limit) {
  PositionPage page;
  const FacetTerms terms(filter);
  const RollupScope scope = scope_of(*this, terms);
  if (!terms.empty() && scope.facets.empty()) {
    return page;  // nothing was ever recorded with these attributes
  }
  // Ranges end where the data does: an open end reads no rollups of years without rows.
  auto& extent = statement(
      "SELECT (SELECT position FROM aibridge_records ORDER BY position LIMIT 1), "
      "(SELECT position FROM aibridge_records ORDER BY position DESC LIMIT 1)");
  extent.reset();
  extent.step();
  if (extent.is_null(0)) {
    extent.reset();
    return page;
  }
  const UnixMicros from =
      std::max(filter.started_after.value_or(kEarliest), started_at_of(extent.int64(0)));
  const UnixMicros to =
      std::min(filter.started_before.value_or(kLatest), started_at_of(extent.int64(1)));
  extent.reset();
  SqliteRollups rollups(*this, terms, scope, rows);
  const RangeCount range = count_range(rollups, from, to);
  page.count = range.total;
  if (page.count == 0) {
    return page;
  }
  const std::int64_t low = first_position(from);
  std::int64_t high = last_position(to);
  if (below) {
    high = std::min(high, *below - 1);
  } else if (offset >= kSeekOffsetsFrom) {
    const OffsetSeek seek = seek_offset(rollups, range, offset);
    if (seek.past_end) {
      return page;
    }
    high = last_position(seek.to);
    offset = seek.offset;
  }

  if (terms.empty()) {
    page.positions = page_by_time(*this, rows, terms, low, high, offset, limit);
  } else {
    // Walking the table reads about (rows wanted) / (the filter's share) rows; merging reads up
    // to the rows wanted from each facet's index range, plus a seek each. Session starts are
    // found among the filter's rows by their flag, which merging reads from the table: for each
    // start wanted it reads (the filter's rows) / (their sessions) entries and rows.
    const auto all = static_cast<double>(count_everything(*this, from, to));
    const double share = static_cast<double>(page.count) / std::max(all, 1.0);
    const double wanted = static_cast<double>(offset + limit);
    double per_facet = wanted;
    if (rows == Rows::kSessionStarts) {
      SqliteRollups interceptions(*this, terms, scope);
      const auto matching = static_cast<double>(count_range(interceptions, from, to).total);
      per_facet = (1 + kRowCost) * wanted * matching / static_cast<double>(page.count);
    }
    const double by_time = kRowCost * wanted / std::max(share, 1e-9);
    const double by_merge = static_cast<double>(scope.facets.size()) * (per_facet + kFacetSeekCost);
    page.positions = by_time <= by_merge
                         ? page_by_time(*this, rows, terms, low, high, offset, limit)
                         : page_by_merge(*this, rows, scope.facets, low, high, offset, limit);
  }
  return page;
}

void RecordReader::load_rows(const std::vector<std::int64_t>& positions,
                             std::vector<ListedInterception>& out) {
  auto& row = statement(
      "SELECT r.id, r.position, r.ended_at, r.api_key_id, r.session_id, r.metadata, r.children, "
      "f.initiator_id, f.provider, f.model, f.client, f.status, u.username, u.name, "
      "u.avatar_url, u.email, u.role, u.created_at "
      "FROM aibridge_records r JOIN aibridge_facets f ON f.id = r.facet "
      "LEFT JOIN users u ON u.id = f.initiator_id WHERE r.position = ?1");
  out.reserve(positions.size());
  for (const std::int64_t position : positions) {
    row.reset().bind(1, position);
    if (!row.step()) {
      continue;
    }
    ListedInterception& listed = out.emplace_back();
    Interception& record = listed.interception;
    record.id = core::uuid_from_bytes(row.blob(0));
    record.started_at = started_at_of(row.int64(1));
    record.ended_at = row.int64(2);
    record.api_key_id = row.text(3);
    record.session_id = row.text(4);
    record.metadata = row.text(5);
    decode_children(row.text(6), record);
    record.initiator_id = row.text(7);
    record.provider = row.text(8);
    record.model = row.text(9);
    record.client = row.text(10);
    record.status = parse_status(row.text(11)).value_or(Status::kFailed);
    listed.initiator.id = record.initiator_id;
    listed.initiator.username = row.text(12);
    listed.initiator.name = row.text(13);
    listed.initiator.avatar_url = row.text(14);
    listed.initiator.email = row.text(15);
    listed.initiator.role = parse_role(row.text(16)).value_or(Role::kMember);
    listed.initiator.created_at = row.int64(17);
  }
  row.reset();
}

}  // namespace aibridge::recorder::sqlite
