#include "recorder/migrations.hpp"

#include <string>
#include <vector>

#include "recorder/schema_sql.hpp"  // generated from schema.sql

namespace aibridge::recorder {
namespace {

constexpr std::string_view kMarker = "\n-- @version ";  // at the start of a line

// schema.sql split at its "-- @version N" lines: sections[N - 1] turns version N-1 into N.
std::vector<std::string_view> schema_sections() {
  std::vector<std::string_view> sections;
  std::size_t start = kSchemaSql.find(kMarker);
  while (start != std::string_view::npos) {
    const std::size_t next = kSchemaSql.find(kMarker, start + kMarker.size());
    sections.push_back(
        kSchemaSql.substr(start, next == std::string_view::npos ? next : next - start));
    start = next;
  }
  return sections;
}

}  // namespace

int schema_version(sqlite::Database& db) {
  auto statement = db.prepare("PRAGMA user_version");
  statement.step();
  return static_cast<int>(statement.int64(0));
}

void migrate(sqlite::Database& db) {
  const std::vector<std::string_view> sections = schema_sections();
  if (sections.size() != static_cast<std::size_t>(kSchemaVersion)) {
    throw std::runtime_error("schema.sql has " + std::to_string(sections.size()) +
                             " version sections; this binary expects " +
                             std::to_string(kSchemaVersion));
  }
  sqlite::Transaction transaction(db);  // BEGIN IMMEDIATE: concurrent starters queue up here
  const int version = schema_version(db);
  if (version > kSchemaVersion) {
    throw std::runtime_error("database schema version " + std::to_string(version) +
                             " is newer than this binary's " + std::to_string(kSchemaVersion) +
                             "; upgrade aibridge");
  }
  for (int next = version + 1; next <= kSchemaVersion; ++next) {
    db.exec(std::string(sections[static_cast<std::size_t>(next - 1)]));
  }
  db.exec("PRAGMA user_version = " + std::to_string(kSchemaVersion));
  transaction.commit();
}

}  // namespace aibridge::recorder
