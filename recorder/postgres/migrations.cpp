#include <iterator>
#include <string>

#include "recorder/postgres/postgres_store.hpp"
#include "recorder/postgres/rollups.hpp"
#include "recorder/schema_postgres_sql.hpp"

namespace aibridge::recorder::postgres {
namespace {

// Migration n (1-based) takes the schema from version n-1 to n.
constexpr std::string_view kMigrations[] = {
    kSchemaPostgresSql,
    // 2: sessions (GET sessions): a session's interceptions in listing order.
    "CREATE INDEX aibridge_interceptions_session ON aibridge_interceptions "
    "(session_id, initiator_id, started_at, id) WHERE session_id IS NOT NULL",
    // 3: session starts (recorder/postgres/session_starts.hpp). Each session's first interception,
    // one row per (session id, initiator): the writers of all replicas claim or move a session's
    // start through it, its row lock ordering them. The flag on the first row, for the listing
    // (indexes of the flagged rows alone would cost the writer more than the flag saves the
    // reader), and the sessions each rollup counts (filled by count_recorded_sessions()).
    "CREATE TABLE aibridge_sessions ("
    "  session_id text NOT NULL,"
    "  initiator_id uuid NOT NULL,"
    "  first_started_at timestamptz NOT NULL,"
    "  first_id uuid NOT NULL,"
    "  PRIMARY KEY (session_id, initiator_id));"
    "INSERT INTO aibridge_sessions "
    "  SELECT DISTINCT ON (session_id, initiator_id) session_id, initiator_id, started_at, id"
    "  FROM aibridge_interceptions WHERE session_id IS NOT NULL"
    "  ORDER BY session_id, initiator_id, started_at, id;"
    "ALTER TABLE aibridge_interceptions ADD COLUMN starts_session boolean NOT NULL DEFAULT true;"
    "UPDATE aibridge_interceptions i SET starts_session = false WHERE i.session_id IS NOT NULL"
    "  AND NOT EXISTS (SELECT 1 FROM aibridge_sessions s WHERE s.session_id = i.session_id"
    "  AND s.initiator_id = i.initiator_id AND s.first_id = i.id);"
    "ALTER TABLE aibridge_rollups ADD COLUMN sessions bigint NOT NULL DEFAULT 0",
    // 4: the rollups' sums in their key's index, for index-only scans: rollup rows of one bucket
    // range lie scattered over the heap (each is updated in place as batches come), and a usage
    // sum over days read one heap page per row. Their updates are no longer HOT, which costs the
    // writer one index entry per rollup row it updates, not per interception.
    "ALTER TABLE aibridge_rollups DROP CONSTRAINT aibridge_rollups_pkey, ADD PRIMARY KEY "
    "(level, facet, bucket) INCLUDE (interceptions, input_tokens, output_tokens, "
    "cache_read_input_tokens, cache_write_input_tokens, tool_calls, sessions)",
};
constexpr int kSessionStartsVersion = 3;
constexpr int kSchemaVersion = static_cast<int>(std::size(kMigrations));

// Counts each recorded session once, in the rollups of its first interception.
void count_recorded_sessions(Connection& db) {
  constexpr std::int64_t kBatch = 10000;
  FacetDirectory facets;
  Usage one;
  one.sessions = 1;
  std::optional<std::string> after_id;  // keyset paging along (started_at, id)
  std::int64_t after_at = 0;
  for (bool more = true; more;) {
    const Result starts = db.prepared(
        "SELECT aibridge_micros(started_at), id::text, initiator_id::text, provider, model, "
        "client, status FROM aibridge_interceptions WHERE starts_session AND ($1::uuid IS NULL "
        "OR (started_at, id) > (aibridge_at($2::bigint), $1::uuid)) ORDER BY started_at, id "
        "LIMIT $3",
        Params().add(after_id).add(after_at).add(kBatch));
    RollupDelta delta;
    for (int row = 0; row < starts.rows(); ++row) {
      const FacetKey key{starts.text(row, 2), starts.text(row, 3), starts.text(row, 4),
                         starts.text(row, 5),
                         parse_status(starts.view(row, 6)).value_or(Status::kFailed)};
      delta.add(facets.targets_for(db, key), starts.int64(row, 0), one);
    }
    apply_rollups(db, delta, /*drop_empty=*/false);
    more = starts.rows() == kBatch;
    if (more) {
      after_at = starts.int64(kBatch - 1, 0);
      after_id = starts.text(kBatch - 1, 1);
    }
  }
}

// Any fixed number: the key of the advisory lock all aibridge migrations take.
constexpr std::int64_t kMigrationLock = 0x41694272696467;  // "AiBridg"

}  // namespace

void migrate(Connection& db) {
  // One transaction: DDL is transactional in PostgreSQL, and the lock is held until COMMIT, so
  // of replicas starting together one migrates while the others wait, then find nothing to do.
  Transaction transaction(db);
  db.query("SELECT pg_advisory_xact_lock($1)", Params().add(kMigrationLock));
  db.exec("CREATE TABLE IF NOT EXISTS aibridge_schema_version (version integer NOT NULL)");
  const Result current = db.query("SELECT max(version) FROM aibridge_schema_version");
  const int version = static_cast<int>(current.optional_int64(0, 0).value_or(0));
  if (version > kSchemaVersion) {
    throw std::runtime_error("the database has schema version " + std::to_string(version) +
                             ", newer than this aibridge understands (" +
                             std::to_string(kSchemaVersion) + "); upgrade aibridge");
  }
  for (int next = version + 1; next <= kSchemaVersion; ++next) {
    db.exec(kMigrations[next - 1]);
    if (next == kSessionStartsVersion) {
      count_recorded_sessions(db);
    }
  }
  if (version < kSchemaVersion) {
    db.exec("DELETE FROM aibridge_schema_version");
    db.query("INSERT INTO aibridge_schema_version (version) VALUES ($1)",
             Params().add(std::int64_t{kSchemaVersion}));
  }
  transaction.commit();
}

}  // namespace aibridge::recorder::postgres
