#pragma once
#include "recorder/sqlite.hpp"

namespace aibridge::recorder {

/// The schema version this binary writes: the number of "-- @version" sections in schema.sql.
inline constexpr int kSchemaVersion = 3;

/// Applies the sections of schema.sql above the database's version (all of them to an empty
/// database) in one transaction. Throws when the database was written by a newer binary.
void migrate(sqlite::Database& db);

/// The database's current schema version (0 = empty).
int schema_version(sqlite::Database& db);

}  // namespace aibridge::recorder
