#pragma once
// The store contract's fixture: each test runs against each backend.
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "recorder/store.hpp"
#include "tests/support/postgres.hpp"
#include "tests/support/process.hpp"

namespace aibridge::recorder {

// The store contract, run against each backend: a SQLite file, or a fresh database on the test
// suite's PostgreSQL server (skipped, saying so, without one).
enum class Backend { kSqlite, kPostgres };

class StoreTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    if (GetParam() == Backend::kPostgres && !aibridge::testing::postgres_server_uri()) {
      GTEST_SKIP() << aibridge::testing::kNoPostgres;
    }
    location_ = fresh_location();
    store_ = open_store(location_, {}, true);
  }

  /// A new, empty database of the backend under test.
  std::string fresh_location() {
    if (GetParam() == Backend::kSqlite) {
      return dirs_.emplace_back(std::make_unique<aibridge::testing::TempDir>())->path() +
             "/test.db";
    }
    return databases_
        .emplace_back(std::make_unique<aibridge::testing::TempPostgresDatabase>(
            *aibridge::testing::postgres_server_uri()))
        ->uri();
  }

  std::vector<std::unique_ptr<aibridge::testing::TempDir>> dirs_;
  std::vector<std::unique_ptr<aibridge::testing::TempPostgresDatabase>> databases_;
  std::string location_;
  std::unique_ptr<Store> store_;
};

inline std::string backend_name(const ::testing::TestParamInfo<Backend>& info) {
  return info.param == Backend::kSqlite ? "Sqlite" : "Postgres";
}

}  // namespace aibridge::recorder
