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

namespace {

// "host=db dbname=aibridge": libpq's other form, which would otherwise be taken for a file name
// (and printed as it is, password and all).
void refuse_conninfo(const std::string& location) {
  for (const char* keyword : {"host=", "hostaddr=", "dbname=", "user=", "password=", "port="}) {
    if (location.find(keyword) != std::string::npos && location.find('/') == std::string::npos) {
      throw std::runtime_error(
          "the database looks like a libpq key=value string; use a postgresql:// URI");
    }
  }
}

}  // namespace

std::unique_ptr<Store> open_store(const std::string& location, const StoreOptions& options,
                                  bool migrate) {
  refuse_conninfo(location);
  if (postgres::is_postgres_uri(location)) {
    return std::make_unique<postgres::PostgresStore>(location, migrate);
  }
  return std::make_unique<sqlite::SqliteStore>(location, options, migrate);
}

std::unique_ptr<RecordSink> open_record_sink(const std::string& location,
                                             const StoreOptions& options) {
  refuse_conninfo(location);
  if (postgres::is_postgres_uri(location)) {
    return std::make_unique<postgres::PostgresStore>(location, /*migrate=*/false);
  }
  auto store = std::make_unique<sqlite::SqliteStore>(location, options, /*migrate=*/false);
  store->serve_as_record_sink();
  return store;
}

}  // namespace aibridge::recorder
