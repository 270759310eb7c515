#include "recorder/migrations.hpp"

#include <array>
#include <string>

#include "recorder/schema_sql.hpp"  // generated from schema.sql

namespace aibridge::recorder {
namespace {

// Upgrade steps: kUpgrades[i] turns version i+1 into version i+2. Empty until the first schema
// change; schema.sql always describes the latest version in full.
constexpr std::array<std::string_view, 0> kUpgrades{};
static_assert(kUpgrades.size() == kSchemaVersion - 1, "one upgrade step per version after 1");

}  // namespace

int schema_version(sqlite::Database& db) {
  auto statement = db.prepare("PRAGMA user_version");
  statement.step();
  return static_cast<int>(statement.int64(0));
}

void migrate(sqlite::Database& db) {
  sqlite::Transaction transaction(db);  // BEGIN IMMEDIATE: concurrent starters queue up here
  const int version = schema_version(db);
  if (version > kSchemaVersion) {
    throw std::runtime_error("database schema version " + std::to_string(version) +
                             " is newer than this binary's " + std::to_string(kSchemaVersion) +
                             "; upgrade aibridge");
  }
  if (version == 0) {
    db.exec(std::string(kSchemaSql));
  } else {
    for (int step = version; step < kSchemaVersion; ++step) {
      db.exec(std::string(kUpgrades[static_cast<std::size_t>(step - 1)]));
      db.exec("PRAGMA user_version = " + std::to_string(step + 1));
    }
  }
  if (schema_version(db) != kSchemaVersion) {
    throw std::runtime_error("schema.sql does not set user_version to " +
                             std::to_string(kSchemaVersion));
  }
  transaction.commit();
}

}  // namespace aibridge::recorder
