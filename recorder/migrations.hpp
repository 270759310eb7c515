#pragma once
#include "recorder/sqlite.hpp"

namespace aibridge::recorder {

/// The schema version this binary writes (PRAGMA user_version, set by schema.sql).
inline constexpr int kSchemaVersion = 1;

/// Applies schema.sql to an empty database, or the pending upgrade steps to an older one, in one
/// transaction. Throws when the database was written by a newer binary.
void migrate(sqlite::Database& db);

/// The database's current schema version (0 = empty).
int schema_version(sqlite::Database& db);

}  // namespace aibridge::recorder
