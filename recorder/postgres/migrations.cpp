#include <iterator>
#include <string>

#include "recorder/postgres/postgres_store.hpp"
#include "recorder/schema_postgres_sql.hpp"

namespace aibridge::recorder::postgres {
namespace {

// Migration n (1-based) takes the schema from version n-1 to n.
constexpr std::string_view kMigrations[] = {
    kSchemaPostgresSql,
    // 2: sessions (GET sessions): a session's interceptions in listing order.
    "CREATE INDEX aibridge_interceptions_session ON aibridge_interceptions "
    "(session_id, initiator_id, started_at, id) WHERE session_id IS NOT NULL",
};
constexpr int kSchemaVersion = static_cast<int>(std::size(kMigrations));

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
  }
  if (version < kSchemaVersion) {
    db.exec("DELETE FROM aibridge_schema_version");
    db.query("INSERT INTO aibridge_schema_version (version) VALUES ($1)",
             Params().add(std::int64_t{kSchemaVersion}));
  }
  transaction.commit();
}

}  // namespace aibridge::recorder::postgres
