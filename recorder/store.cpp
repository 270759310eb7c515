// Opening a store: the location says which backend.
#include "recorder/store.hpp"

#include "recorder/postgres/postgres_store.hpp"
#include "recorder/sqlite/sqlite_store.hpp"

namespace aibridge::recorder {

bool is_postgres_location(std::string_view location) {
  return postgres::is_postgres_uri(location);
}

std::string printable_location(std::string_view location) {
  return is_postgres_location(location) ? postgres::redact_uri(location) : std::string(location);
}

std::unique_ptr<Store> open_store(const std::string& location, const StoreOptions& options,
                                  bool migrate) {
  if (postgres::is_postgres_uri(location)) {
    return std::make_unique<postgres::PostgresStore>(location, migrate);
  }
  return std::make_unique<sqlite::SqliteStore>(location, options, migrate);
}

std::unique_ptr<RecordSink> open_record_sink(const std::string& location,
                                             const StoreOptions& options) {
  if (postgres::is_postgres_uri(location)) {
    return std::make_unique<postgres::PostgresStore>(location, /*migrate=*/false);
  }
  auto store = std::make_unique<sqlite::SqliteStore>(location, options, /*migrate=*/false);
  store->serve_as_record_sink();
  return store;
}

}  // namespace aibridge::recorder
