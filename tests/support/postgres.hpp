#pragma once
// The test suite's PostgreSQL server (tests/support/postgres_cluster.sh, which ctest starts as a
// fixture) and throwaway databases on it, one per test so that tests can run in parallel.
#include <optional>
#include <string>

namespace aibridge::testing {

/// The server's URI (its `postgres` database), or nullopt when the suite runs without one.
std::optional<std::string> postgres_server_uri();

/// Why PostgreSQL tests skip when there is no server.
inline constexpr const char* kNoPostgres =
    "no PostgreSQL server for the tests (install postgresql-15 and run them through ctest, "
    "which starts one)";

/// A fresh, empty database on the test server, dropped (with its connections) at destruction.
class TempPostgresDatabase {
 public:
  explicit TempPostgresDatabase(const std::string& server_uri);
  ~TempPostgresDatabase();
  TempPostgresDatabase(const TempPostgresDatabase&) = delete;
  TempPostgresDatabase& operator=(const TempPostgresDatabase&) = delete;
  const std::string& uri() const { return uri_; }
  const std::string& name() const { return name_; }

 private:
  std::string server_uri_;
  std::string name_;
  std::string uri_;
};

/// A PostgreSQL server of a test's own (tests/support/postgres_cluster.sh), for tests that stop
/// and start it; stopped and removed at destruction. Throws when it cannot start.
class PrivatePostgresServer {
 public:
  PrivatePostgresServer();
  ~PrivatePostgresServer();
  PrivatePostgresServer(const PrivatePostgresServer&) = delete;
  PrivatePostgresServer& operator=(const PrivatePostgresServer&) = delete;
  /// Its `postgres` database.
  const std::string& uri() const { return uri_; }
  /// Stops the server (fast shutdown: connections are cut), and starts it again on its port.
  void pause();
  void resume();

 private:
  void script(const std::string& action);

  std::string state_;
  std::string uri_;
};

/// Runs `sql` on the database at `uri` and returns the first column of the first row ("" when
/// there is none); throws with the server's message on failure.
std::string postgres_scalar(const std::string& uri, const std::string& sql);

}  // namespace aibridge::testing
