#pragma once
#include "recorder/sqlite/database.hpp"

namespace aibridge::recorder::sqlite {

/// The schema version this binary writes: the number of "-- @version" sections in schema.sql.
inline constexpr int kSchemaVersion = 6;

/// Applies the sections of schema.sql above the database's version (all of them to an empty
/// database), with the data steps some versions need, in one transaction. Throws when the
/// database was written by a newer binary.
void migrate(Database& db);

/// The database's current schema version (0 = empty).
int schema_version(Database& db);

}  // namespace aibridge::recorder::sqlite
