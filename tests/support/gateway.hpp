#pragma once
// The real aibridge binary started for a test, listening on a free port.
#include <memory>
#include <string>
#include <vector>

#include "tests/support/process.hpp"

namespace aibridge::testing {

/// Path of the aibridge binary under test (set by CMake).
std::string gateway_binary();

/// Whether this build (tests and the binary they start) runs under a sanitizer: several times
/// slower, and with allocators that hold freed memory back, so timing and RSS bounds differ.
inline constexpr bool kSanitizedBuild =
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
    true;
#else
    false;
#endif

/// Where a gateway started on `data_dir` keeps its records: `data_dir`/aibridge.db, or, when
/// the suite runs on PostgreSQL (TEST_DATABASE_BACKEND=postgres), a database on the test server
/// made for that data directory (the same for every gateway started on it, as the file would be).
std::string database_location(const std::string& data_dir);
/// Whether the suite runs on PostgreSQL (TEST_DATABASE_BACKEND=postgres).
bool suite_on_postgres();

class Gateway {
 public:
  /// Starts `aibridge serve --data-dir <data_dir> --listen 127.0.0.1:0 <extra_args…>` (no
  /// --listen of its own when `extra_args` has one; on PostgreSQL, --database too) and waits
  /// until it listens. Throws if it does not come up.
  Gateway(const std::string& data_dir, const std::vector<std::string>& extra_args = {},
          const std::map<std::string, std::optional<std::string>>& env = {});

  unsigned short port() const { return port_; }
  Process& process() { return *process_; }
  /// "admin token: X" from stdout, or "" when this start did not bootstrap.
  std::string admin_token() const;
  /// SIGTERM and the exit status (nullopt when it did not exit in time).
  std::optional<int> stop(std::chrono::milliseconds timeout = std::chrono::seconds(10));

 private:
  std::unique_ptr<Process> process_;
  unsigned short port_ = 0;
};

}  // namespace aibridge::testing
