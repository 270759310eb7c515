// PostgresStore: the writer's batches (one COPY each), retention, and the admin API's reads.
#include <algorithm>
#include <numeric>
#include <set>
#include <unordered_set>

#include "recorder/postgres/listed_rows.hpp"
#include "recorder/postgres/postgres_store.hpp"
#include "recorder/postgres/rollups.hpp"
#include "recorder/postgres/session_starts.hpp"
#include "recorder/postgres/terms.hpp"
#include "recorder/record_codec.hpp"
#include "recorder/rollup_reader.hpp"

namespace aibridge::recorder::postgres {
namespace {

// Offsets up to this many rows are skipped by the page query itself; deeper ones are first
// narrowed through the rollups.
constexpr std::int64_t kSeekOffsetsFrom = 256;

// The key of the advisory lock a replica holds while it deletes old interceptions.
constexpr std::int64_t kRetentionLock = 0x4169427265746e;  // "AiBretn"

FacetKey valid_facet(const Interception& record) {
  FacetKey key = facet_of(record);
  key.provider = valid_text(key.provider);  // as the row's columns hold them
  key.model = valid_text(key.model);
  key.client = valid_text(key.client);
  return key;
}

}  // namespace

const std::string_view kListedColumns =
    "i.id::text, aibridge_micros(i.started_at), aibridge_micros(i.ended_at), i.api_key_id, "
    "i.session_id, i.metadata, i.children, i.initiator_id::text, i.provider, i.model, i.client, "
    "i.status, u.id::text, u.username, u.name, u.email, u.avatar_url, u.role, "
    "aibridge_micros(u.created_at)";
const std::string_view kInitiatorJoin = " LEFT JOIN users u ON u.id = i.initiator_id";

ListedInterception read_listed(const Result& rows, int row) {
  ListedInterception listed;
  Interception& record = listed.interception;
  record.id = rows.text(row, 0);
  record.started_at = rows.int64(row, 1);
  record.ended_at = rows.int64(row, 2);
  record.api_key_id = rows.text(row, 3);
  record.session_id = rows.text(row, 4);  // "" for NULL
  record.metadata = rows.text(row, 5);
  decode_children(rows.view(row, 6), record);
  record.initiator_id = rows.text(row, 7);
  record.provider = rows.text(row, 8);
  record.model = rows.text(row, 9);
  record.client = rows.text(row, 10);
  record.status = parse_status(rows.view(row, 11)).value_or(Status::kFailed);
  listed.initiator.id = record.initiator_id;
  if (!rows.is_null(row, 12)) {  // the user still exists
    listed.initiator.username = rows.text(row, 13);
    listed.initiator.name = rows.text(row, 14);
    listed.initiator.email = rows.text(row, 15);
    listed.initiator.avatar_url = rows.text(row, 16);
    listed.initiator.role = parse_role(rows.view(row, 17)).value_or(Role::kMember);
    listed.initiator.created_at = rows.int64(row, 18);
  }
  return listed;
}

void PostgresStore::write_interceptions(std::span<const Interception> batch) {
  // The facets it makes are committed before the batch's transaction: remembered either way.
  guarded([&](Connection& db) {
    try {
      write_rows(db, batch, /*probe=*/false);
    } catch (const Error& e) {
      if (!e.is_conflict()) {
        throw;
      }
      // Some of its rows are there already: the batch is written again (its COMMIT's answer
      // was lost with the connection). Rarely, so first writes pay no probe of their ids.
      write_rows(db, batch, /*probe=*/true);
    }
  });
}

void PostgresStore::write_rows(Connection& db, std::span<const Interception> batch,
                               bool probe) {
  if (batch.empty()) {
    return;
  }
  std::vector<FacetKey> keys;  // each record's, as its columns will hold them
  keys.reserve(batch.size());
  for (const Interception& record : batch) {
    if (!is_uuid(record.id)) {
      throw std::runtime_error("interception id \"" + record.id + "\" is not a canonical UUID");
    }
    if (!is_uuid(record.initiator_id)) {
      throw std::runtime_error("interception " + record.id + " has an initiator that is no UUID");
    }
    if (record.started_at < kEarliest || record.started_at > kLatest) {
      throw std::runtime_error("interception " + record.id + " has no valid start time");
    }
    if (!record.ended_at) {
      throw std::runtime_error("interception " + record.id + " has not ended");  // never listed
    }
    keys.push_back(valid_facet(record));
  }
  const std::set<FacetKey> facets(keys.begin(), keys.end());
  // The batch's facets and groups first, each in a statement of its own and in key order:
  // replicas writing at once never wait for each other's uncommitted facets (nor deadlock on
  // them), and one made for a batch that then fails is merely unused.
  for (const FacetKey& key : facets) {
    facets_.targets_for(db, key);
  }
  Transaction transaction(db);
  // The rows to write: all of them at first (an id written before, or twice in the batch, fails
  // the COPY on the key); when asked to `probe`, only those not written yet, each once, so that
  // rollups are never counted twice.
  std::vector<std::size_t> fresh(batch.size());
  std::iota(fresh.begin(), fresh.end(), std::size_t{0});
  if (probe) {
    std::vector<std::string> ids;
    ids.reserve(batch.size());
    for (const Interception& record : batch) {
      ids.push_back(record.id);
    }
    const Result written =
        db.prepared("SELECT id::text FROM aibridge_interceptions WHERE id = ANY ($1::uuid[])",
                    Params().add(array_literal(ids)));
    std::unordered_set<std::string_view> known;
    for (int row = 0; row < written.rows(); ++row) {
      known.insert(written.view(row, 0));
    }
    std::erase_if(fresh, [&](std::size_t i) { return !known.insert(batch[i].id).second; });
  }
  RollupDelta delta;
  std::unordered_set<std::string> claimed;  // the new rows that start their session
  const SessionFirsts firsts = firsts_of(batch, fresh);
  if (!firsts.rows.empty()) {
    Usage former_start;
    former_start.sessions = -1;
    for (const FlaggedRow& former : claim_session_starts(db, firsts, claimed)) {
      delta.add(facets_.targets_for(db, former.facet), former.started_at, former_start);
    }
  }
  copy_rows_.clear();
  for (const std::size_t i : fresh) {
    const Interception& record = batch[i];
    const bool starts_session = record.session_id.empty() || claimed.contains(record.id);
    encode_children(record, children_);
    copy_rows_.begin_row(13);
    copy_rows_.add_uuid(record.id);
    copy_rows_.add_uuid(record.initiator_id);
    copy_rows_.add_text(record.api_key_id);
    copy_rows_.add_text(record.provider);
    copy_rows_.add_text(record.model);
    copy_rows_.add_text(record.client);
    copy_rows_.add_text(status_name(record.status));
    if (record.session_id.empty()) {
      copy_rows_.add_null();
    } else {
      copy_rows_.add_text(record.session_id);
    }
    copy_rows_.add_timestamp(record.started_at);
    copy_rows_.add_timestamp(*record.ended_at);
    copy_rows_.add_text(record.metadata);
    copy_rows_.add_text(children_);
    copy_rows_.add_bool(starts_session);
    Usage usage = usage_of(record);
    usage.sessions = starts_session ? 1 : 0;
    delta.add(facets_.targets_for(db, keys[i]), record.started_at, usage);
  }
  if (!fresh.empty()) {
    db.copy_in(
        "COPY aibridge_interceptions (id, initiator_id, api_key_id, provider, model, client, "
        "status, session_id, started_at, ended_at, metadata, children, starts_session) "
        "FROM STDIN (FORMAT binary)",
        copy_rows_.finish());
  }
  apply_rollups(db, delta, /*drop_empty=*/false);
  transaction.commit();
}

std::size_t PostgresStore::delete_interceptions_before(UnixMicros cutoff, std::size_t limit) {
  return guarded([&](Connection& db) -> std::size_t {
    try {
      return delete_rows_before(db, cutoff, limit);
    } catch (...) {
      facets_.forget();  // a facet it had to make went with the rolled-back transaction
      throw;
    }
  });
}

std::size_t PostgresStore::delete_rows_before(Connection& db, UnixMicros cutoff,
                                              std::size_t limit) {
  // One replica at a time: the others find the lock taken and leave the work to it.
  Transaction transaction(db);
  if (db.prepared("SELECT pg_try_advisory_xact_lock($1)", Params().add(kRetentionLock))
          .view(0, 0) != "t") {
    return 0;
  }
  // Their ids as one uuid[] literal, NULL when there are none.
  const Result oldest = db.prepared(
      "SELECT array_agg(id)::text FROM (SELECT id FROM aibridge_interceptions "
      "WHERE started_at < aibridge_at($1) ORDER BY started_at, id LIMIT $2) o",
      Params().add(cutoff).add(static_cast<std::int64_t>(limit)));
  if (oldest.is_null(0, 0)) {
    return 0;
  }
  const std::string ids = oldest.text(0, 0);
  lock_sessions_of(db, ids);
  std::vector<FlaggedRow> restarted;
  const Result deleted = delete_rows(db, ids, restarted);
  RollupDelta delta;
  for (int row = 0; row < deleted.rows(); ++row) {
    Interception record;
    record.initiator_id = deleted.text(row, 2);
    record.provider = deleted.text(row, 3);
    record.model = deleted.text(row, 4);
    record.client = deleted.text(row, 5);
    record.status = parse_status(deleted.view(row, 6)).value_or(Status::kFailed);
    decode_children(deleted.view(row, 7), record);
    Usage removed = usage_of(record);
    removed.sessions = deleted.view(row, 0) == "t" ? 1 : 0;
    delta.add(facets_.targets_for(db, facet_of(record)), deleted.int64(row, 1),
              removed.negated());
  }
  Usage restart;
  restart.sessions = 1;
  for (const FlaggedRow& row : restarted) {
    delta.add(facets_.targets_for(db, row.facet), row.started_at, restart);
  }
  apply_rollups(db, delta, /*drop_empty=*/true);
  transaction.commit();
  return static_cast<std::size_t>(deleted.rows());
}

std::optional<ListPosition> PostgresStore::interception_position(
    std::string_view id, const std::optional<std::string>& visible_to) {
  return guarded([&](Connection& db) -> std::optional<ListPosition> {
    if (!is_uuid(id) || (visible_to && !is_uuid(*visible_to))) {
      return std::nullopt;
    }
    const Result rows = db.prepared(
        "SELECT aibridge_micros(started_at), id::text FROM aibridge_interceptions "
        "WHERE id = $1 AND ($2::uuid IS NULL OR initiator_id = $2::uuid)",
        Params().add(id).add(visible_to));
    if (rows.rows() == 0) {
      return std::nullopt;
    }
    return ListPosition{rows.int64(0, 0), rows.text(0, 1)};
  });
}

InterceptionPage PostgresStore::list_interceptions(const InterceptionQuery& query) {
  return guarded([&](Connection& db) -> InterceptionPage {
    // The count and the page from one snapshot.
    ReadSnapshot snapshot(db);
    InterceptionPage page = list_in_snapshot(db, query);
    snapshot.end();
    return page;
  });
}

InterceptionPage PostgresStore::list_in_snapshot(Connection& db, const InterceptionQuery& query,
                                                 Counted listed) {
  InterceptionPage page;
  const InterceptionFilter& filter = query.filter;
  const FacetScope scope = scope_of(db, filter);
  if (scope.matches_nothing) {
    return page;
  }
  // Ranges end where the data does: an open end reads no rollups of years without rows.
  const UnixMicros from = std::max(filter.started_after.value_or(kEarliest), scope.first_started);
  UnixMicros to = std::min(filter.started_before.value_or(kLatest), scope.last_started);
  if (from > to) {
    return page;
  }
  Terms terms = terms_of(filter);
  if (listed == Counted::kSessionStarts) {
    terms.sql += " AND i.starts_session";
  }
  PostgresRollups rollups(db, scope, listed, terms.sql, terms.params);
  const RangeCount range = count_range(rollups, from, to);
  page.count = range.total;
  if (page.count == 0) {
    return page;
  }
  std::int64_t offset = query.offset;
  if (!query.after && offset >= kSeekOffsetsFrom) {
    const OffsetSeek seek = seek_offset(rollups, range, offset);
    if (seek.past_end) {
      return page;
    }
    to = seek.to;
    offset = seek.offset;
  }
  // The page's ids first, from the index (an offset skips index entries, not rows with their
  // children), then those rows: one statement, one round trip.
  std::string page_ids =
      "SELECT i.id, i.started_at FROM aibridge_interceptions i "
      "WHERE i.started_at BETWEEN aibridge_at(" +
      placeholder(terms.params.size() + 1) + "::bigint) AND aibridge_at(" +
      placeholder(terms.params.size() + 2) + "::bigint)" + terms.sql;
  Params params = terms.params;
  params.add(from).add(to);
  if (query.after) {
    page_ids += " AND (i.started_at, i.id) < (aibridge_at(" + placeholder(params.size() + 1) +
                "::bigint), " + placeholder(params.size() + 2) + "::uuid)";
    params.add(query.after->started_at).add(query.after->id);
  }
  page_ids += " ORDER BY i.started_at DESC, i.id DESC OFFSET " + placeholder(params.size() + 1) +
              " LIMIT " + placeholder(params.size() + 2);
  params.add(offset).add(query.limit);
  const Result rows =
      db.prepared("SELECT " + std::string(kListedColumns) + " FROM (" + page_ids +
                      ") page JOIN aibridge_interceptions i ON i.id = page.id" +
                      std::string(kInitiatorJoin) + " ORDER BY page.started_at DESC, page.id DESC",
                  params);
  page.rows.reserve(static_cast<std::size_t>(rows.rows()));
  for (int row = 0; row < rows.rows(); ++row) {
    page.rows.push_back(read_listed(rows, row));
  }
  return page;
}

std::optional<ListedInterception> PostgresStore::find_interception(
    std::string_view id, const std::optional<std::string>& visible_to) {
  return guarded([&](Connection& db) -> std::optional<ListedInterception> {
    if (!is_uuid(id) || (visible_to && !is_uuid(*visible_to))) {
      return std::nullopt;
    }
    const Result rows =
        db.prepared("SELECT " + std::string(kListedColumns) + " FROM aibridge_interceptions i" +
                        std::string(kInitiatorJoin) +
                        " WHERE i.id = $1 AND ($2::uuid IS NULL OR i.initiator_id = $2::uuid)",
                    Params().add(id).add(visible_to));
    if (rows.rows() == 0) {
      return std::nullopt;
    }
    return read_listed(rows, 0);
  });
}

std::vector<std::string> PostgresStore::recorded_values(
    Attribute attribute, const std::optional<std::string>& visible_to) {
  return guarded([&](Connection& db) -> std::vector<std::string> {
    if (visible_to && !is_uuid(*visible_to)) {
      return {};
    }
    // A facet whose rows retention deleted has no day rollup left. Sorted bytewise, as SQLite.
    const Result rows = db.prepared(
        "SELECT DISTINCT f." + std::string(attribute_column(attribute)) +
            "::text COLLATE \"C\" FROM aibridge_facets f WHERE ($1::uuid IS NULL OR "
            "f.initiator_id = $1::uuid) AND EXISTS (SELECT 1 FROM aibridge_rollups r WHERE "
            "r.level = 0 AND r.facet = f.id AND r.interceptions > 0) ORDER BY 1",
        Params().add(visible_to));
    std::vector<std::string> out;
    out.reserve(static_cast<std::size_t>(rows.rows()));
    for (int row = 0; row < rows.rows(); ++row) {
      out.push_back(rows.text(row, 0));
    }
    return out;
  });
}

void Terms::term(std::string_view column, std::string_view value) {
  sql += " AND ";
  sql += column;
  sql += " = ";
  sql += placeholder(params.size() + 1);
  params.add(value);
}

Terms terms_of(const InterceptionFilter& filter, std::string_view alias) {
  Terms terms;
  const auto column = [alias](std::string_view name) {
    return std::string(alias) + std::string(name);
  };
  for (const auto* user : {&filter.initiator_id, &filter.visible_to}) {
    if (*user) {
      terms.term(column("initiator_id"), **user);  // scope_of() has checked it is a UUID
    }
  }
  if (filter.provider) {
    terms.term(column("provider"), valid_text(*filter.provider));
  }
  if (filter.model) {
    terms.term(column("model"), valid_text(*filter.model));
  }
  if (filter.client) {
    terms.term(column("client"), valid_text(*filter.client));
  }
  if (filter.status) {
    terms.term(column("status"), status_name(*filter.status));
  }
  return terms;
}

}  // namespace aibridge::recorder::postgres
