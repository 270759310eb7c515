// The libpq wrapper against the test server: statements sent with the next one, answers not
// waited for, and the read snapshot built from them.
#include <gtest/gtest.h>

#include "recorder/postgres/connection.hpp"
#include "tests/support/postgres.hpp"

namespace aibridge::recorder::postgres {
namespace {

using testing::TempPostgresDatabase;

class PostgresConnection : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto server = testing::postgres_server_uri();
    if (!server) {
      GTEST_SKIP() << testing::kNoPostgres;
    }
    database_.emplace(*server);
    db_.emplace(database_->uri());
  }

  std::string isolation() {
    return db_->prepared("SELECT current_setting('transaction_isolation')").text(0, 0);
  }

  std::optional<TempPostgresDatabase> database_;
  std::optional<Connection> db_;
};

TEST_F(PostgresConnection, AStatementSentWithTheNextRunsBeforeIt) {
  db_->exec_with_next("BEGIN ISOLATION LEVEL SERIALIZABLE");
  EXPECT_EQ(isolation(), "serializable");  // prepared the first time, in the same pipeline
  EXPECT_EQ(isolation(), "serializable");  // already prepared
  db_->exec("COMMIT");
  EXPECT_EQ(isolation(), "read committed");
  // Before a statement that is not prepared, it is sent on its own first.
  db_->exec_with_next("BEGIN ISOLATION LEVEL REPEATABLE READ");
  EXPECT_EQ(db_->query("SELECT current_setting('transaction_isolation')").text(0, 0),
            "repeatable read");
  db_->exec("COMMIT");
}

TEST_F(PostgresConnection, AFailureInThePipelineIsTheStatementsAndTheConnectionStaysUsable) {
  db_->exec_with_next("SELECT 1/0");
  try {
    db_->prepared("SELECT 42");
    FAIL() << "the failed statement sent with it was not reported";
  } catch (const Error& error) {
    EXPECT_EQ(error.sqlstate(), "22012");  // division_by_zero
  }
  EXPECT_EQ(db_->prepared("SELECT 42").int64(0, 0), 42);  // prepared now, not before
  db_->exec_with_next("BEGIN");
  EXPECT_THROW(db_->prepared("SELECT no_such_column"), Error);
  db_->exec("ROLLBACK");
  EXPECT_EQ(db_->prepared("SELECT 7").int64(0, 0), 7);
  // Prepared in the pipeline, then failed when run: prepared all the same, and usable.
  const std::string divide = "SELECT 10 / $1::int";
  db_->exec_with_next("BEGIN");
  EXPECT_THROW(db_->prepared(divide, Params().add(std::int64_t{0})), Error);
  db_->exec("ROLLBACK");
  EXPECT_EQ(db_->prepared(divide, Params().add(std::int64_t{5})).int64(0, 0), 2);
}

TEST_F(PostgresConnection, AnUnawaitedAnswerIsReadBeforeTheNextStatement) {
  db_->exec("BEGIN");
  db_->exec_unawaited("COMMIT");
  EXPECT_EQ(isolation(), "read committed");
  db_->exec_unawaited("SELECT 1/0");  // its failure is dropped, as documented
  EXPECT_EQ(db_->query("SELECT 5").int64(0, 0), 5);
  // A pipeline needs an idle connection: the answer is read before one starts (a snapshot
  // after a snapshot).
  db_->exec_unawaited("SELECT 1");
  db_->exec_with_next("BEGIN ISOLATION LEVEL SERIALIZABLE");
  EXPECT_EQ(isolation(), "serializable");
  db_->exec("COMMIT");
}

TEST_F(PostgresConnection, AReadSnapshotSeesOneStateAndIsReadOnly) {
  db_->exec("CREATE TABLE t (v int)");
  Connection writer(database_->uri());
  {
    ReadSnapshot snapshot(*db_);
    EXPECT_EQ(db_->prepared("SELECT count(*) FROM t").int64(0, 0), 0);
    writer.exec("INSERT INTO t VALUES (1)");
    EXPECT_EQ(db_->prepared("SELECT count(*) FROM t").int64(0, 0), 0);  // the same snapshot
    EXPECT_THROW(db_->exec("INSERT INTO t VALUES (2)"), Error);          // read only
  }  // rolled back: the failed insert left the transaction aborted
  EXPECT_EQ(db_->prepared("SELECT count(*) FROM t").int64(0, 0), 1);
  {
    ReadSnapshot snapshot(*db_);
    EXPECT_EQ(isolation(), "repeatable read");
    snapshot.end();
  }
  EXPECT_EQ(isolation(), "read committed");
}

}  // namespace
}  // namespace aibridge::recorder::postgres
