// What only the SQLite store has: its file, pragmas, rollup tables and older layouts.
#include <random>
#include <tuple>

#include <gtest/gtest.h>

#include "recorder/sqlite/database.hpp"
#include "recorder/sqlite/migrations.hpp"
#include "recorder/sqlite/record_writer.hpp"
#include "tests/recorder/store_data.hpp"
#include "tests/support/process.hpp"

namespace aibridge::recorder {
namespace {

class SqliteStoreTest : public ::testing::Test {
 protected:
  SqliteStoreTest() : path_(dir_.path() + "/test.db"), store_(open_store(path_, {}, true)) {}

  aibridge::testing::TempDir dir_;
  std::string path_;
  std::unique_ptr<Store> store_;
};

int count(const std::string& path, const std::string& sql) {
  sqlite::Database db(path, false);
  auto statement = db.prepare(sql);
  statement.step();
  return static_cast<int>(statement.int64(0));
}

TEST_F(SqliteStoreTest, FreshDatabaseGetsTheCurrentSchemaVersionInWalMode) {
  sqlite::Database db(path_, false);
  EXPECT_EQ(sqlite::schema_version(db), sqlite::kSchemaVersion);
  auto mode = db.prepare("PRAGMA journal_mode");
  ASSERT_TRUE(mode.step());
  EXPECT_EQ(mode.text(0), "wal");
}

// A database written by version 3 (rows and children in tables of their own) is copied into the
// current layout: same ids, children, counts and order.
TEST(StoreMigration, Version3DatabasesAreCopiedWithEveryChild) {
  aibridge::testing::TempDir dir;
  const std::string path = dir.path() + "/old.db";
  {
    const std::string schema = aibridge::testing::read_file(AIBRIDGE_SOURCE_DIR "/schema.sql");
    sqlite::Database db(path, true);
    db.exec("PRAGMA journal_mode = WAL");
    db.exec(schema.substr(0, schema.find("\n-- @version 4")));
    db.exec("PRAGMA user_version = 3");
    db.exec(R"(
      INSERT INTO aibridge_interceptions VALUES
        ('0190a000-0000-7000-8000-000000000001', 'u1', 'key', 'anthropic', 'claude', 1000, 2000,
         '{"client":"Claude Code","status":"completed","client_session_id":"s1"}'),
        ('0190a000-0000-7000-8000-000000000002', 'u2', 'key', 'openai', 'gpt', 3000, 4000,
         '{"client":"Codex","status":"cancelled"}'),
        ('0190a000-0000-7000-8000-000000000003', 'u2', 'key', 'openai', 'gpt', 5000, NULL, '{}');
      INSERT INTO aibridge_interception_counts VALUES ('u1', 'anthropic', 'claude', 1),
        ('u2', 'openai', 'gpt', 1);
      INSERT INTO aibridge_user_prompts VALUES ('0190a000-0000-7000-8000-0000000000a1',
        '0190a000-0000-7000-8000-000000000001', 'msg', 'hello', '{}', 1500);
      INSERT INTO aibridge_token_usages VALUES ('0190a000-0000-7000-8000-0000000000b1',
        '0190a000-0000-7000-8000-000000000001', 'msg', 10, 20, 3, 4, '{"x":1}', 1600),
        ('0190a000-0000-7000-8000-0000000000b2',
        '0190a000-0000-7000-8000-000000000001', 'msg2', 1, 2, 0, 0, '{}', 1700);
      INSERT INTO aibridge_tool_usages VALUES ('0190a000-0000-7000-8000-0000000000c1',
        '0190a000-0000-7000-8000-000000000002', 'resp', 'call_1', NULL, 'Bash', '{"c":1}', 0,
        NULL, '{}', 3500);
    )");
  }
  auto store = open_store(path, {}, true);
  {
    sqlite::Database db(path, false);
    EXPECT_EQ(sqlite::schema_version(db), sqlite::kSchemaVersion);
  }
  const InterceptionPage page = store->list_interceptions({});
  ASSERT_EQ(page.count, 2);  // the unended row was never listed, and is not copied
  ASSERT_EQ(page.rows.size(), 2U);
  const Interception& codex = page.rows[0].interception;
  const Interception& claude = page.rows[1].interception;
  EXPECT_EQ(codex.id, "0190a000-0000-7000-8000-000000000002");
  EXPECT_EQ(codex.status, Status::kCancelled);
  EXPECT_EQ(codex.client, "Codex");
  ASSERT_EQ(codex.tool_usages.size(), 1U);
  EXPECT_EQ(codex.tool_usages[0].id, "0190a000-0000-7000-8000-0000000000c1");
  EXPECT_EQ(codex.tool_usages[0].tool_call_id, "call_1");
  EXPECT_FALSE(codex.tool_usages[0].server_url.has_value());
  EXPECT_EQ(claude.session_id, "s1");
  ASSERT_EQ(claude.token_usages.size(), 2U);
  EXPECT_EQ(claude.token_usages[0].id, "0190a000-0000-7000-8000-0000000000b1");
  EXPECT_EQ(claude.token_usages[0].metadata, R"({"x":1})");
  EXPECT_EQ(claude.token_usages[1].created_at, 1700);
  ASSERT_EQ(claude.user_prompts.size(), 1U);
  EXPECT_EQ(claude.user_prompts[0].prompt, "hello");
  InterceptionQuery by_model;
  by_model.filter.model = "claude";
  EXPECT_EQ(store->list_interceptions(by_model).count, 1);
  EXPECT_EQ(store->list_sessions({}).count, 2);
  EXPECT_EQ(store->interception_position("0190a000-0000-7000-8000-000000000001", std::nullopt)
                ->started_at,
            1000);
  // The old names still answer hand-written queries.
  sqlite::Database db(path, false);
  auto view = db.prepare("SELECT count(*) FROM aibridge_interceptions WHERE provider = 'openai'");
  ASSERT_TRUE(view.step());
  EXPECT_EQ(view.int64(0), 1);
}

// Version 6 counts sessions in the rollups: a version 5 database's sessions are counted once each,
// at their first interception.
TEST(StoreMigration, Version5SessionsAreCountedAtTheirFirstInterception) {
  aibridge::testing::TempDir dir;
  const std::string path = dir.path() + "/old.db";
  const std::string user = core::new_uuid();
  std::vector<Interception> batch;
  for (const auto& [session_id, at, model] :
       {std::tuple{"s", 3000, "late"}, {"s", 1000, "early"}, {"", 2000, "alone"}}) {
    Interception& record = batch.emplace_back(interception(at));
    record.session_id = session_id;
    record.initiator_id = user;
    record.model = model;
  }
  {
    const std::string schema = aibridge::testing::read_file(AIBRIDGE_SOURCE_DIR "/schema.sql");
    sqlite::Database db(path, true);
    db.exec("PRAGMA journal_mode = WAL");
    db.exec(schema.substr(0, schema.find("\n-- @version 6")));
    db.exec("PRAGMA user_version = 5");
    sqlite::RecordWriter(db, sqlite::RecordWriter::SessionCounts::kNotYet).write(batch);
  }
  auto store = open_store(path, {}, true);
  EXPECT_EQ(store->list_sessions({}).count, 2);
  SessionQuery by_model;
  by_model.filter.model = "early";
  const SessionPage page = store->list_sessions(by_model);
  EXPECT_EQ(page.count, 1);
  ASSERT_EQ(page.rows.size(), 1U);
  EXPECT_EQ(page.rows[0].interceptions.size(), 2U);
  by_model.filter.model = "late";
  EXPECT_EQ(store->list_sessions(by_model).count, 0);
}

TEST_F(SqliteStoreTest, NewerDatabaseIsRefused) {
  {
    sqlite::Database db(path_, false);
    db.exec("PRAGMA user_version = " + std::to_string(sqlite::kSchemaVersion + 1));
  }
  EXPECT_THROW(open_store(path_, {}, true), std::runtime_error);
}

TEST_F(SqliteStoreTest, RetentionTakesTheRollupsWithTheRows) {
  store_->write_interceptions(old_and_new());
  EXPECT_EQ(count(path_, "SELECT count(*) FROM aibridge_records"), 6);
  while (store_->delete_interceptions_before(2000, 3) > 0) {
  }
  EXPECT_EQ(count(path_, "SELECT count(*) FROM aibridge_records"), 1);
  // No empty rollup rows stay behind, and the sums are the survivor's.
  EXPECT_EQ(count(path_, "SELECT count(*) FROM aibridge_rollups WHERE interceptions <= 0"), 0);
  EXPECT_EQ(count(path_, "SELECT sum(input_tokens) FROM aibridge_rollups WHERE facet = 0 AND "
                         "level = 0"),
            10);
}

TEST_F(SqliteStoreTest, EveryGroupsRollupsAreTheSumsOfItsFacets) {
  std::mt19937 random(7);
  write_random_records(*store_, random, Vocabulary());
  // Every group's rollups are the sums of its facets' rollups, bucket by bucket.
  const std::string by_facets =
      "SELECT r.level, -g.id, r.bucket, sum(r.interceptions) FROM aibridge_rollups r "
      "JOIN aibridge_facets f ON f.id = r.facet JOIN aibridge_facet_groups g ON g.value = "
      "CASE g.attribute WHEN 'initiator_id' THEN f.initiator_id WHEN 'provider' THEN f.provider "
      "WHEN 'model' THEN f.model WHEN 'client' THEN f.client ELSE f.status END "
      "GROUP BY 1, 2, 3";
  const std::string of_groups =
      "SELECT level, facet, bucket, interceptions FROM aibridge_rollups WHERE facet < 0";
  EXPECT_GT(count(path_, "SELECT count(*) FROM (" + of_groups + ")"), 0);
  EXPECT_EQ(count(path_, "SELECT count(*) FROM (" + by_facets + " EXCEPT " + of_groups + ")"), 0);
  EXPECT_EQ(count(path_, "SELECT count(*) FROM (" + of_groups + " EXCEPT " + by_facets + ")"), 0);

}

TEST_F(SqliteStoreTest, AFailedBatchLeavesNoFacetsOrRollups) {
  write_a_failing_batch(*store_);
  EXPECT_EQ(count(path_, "SELECT count(*) FROM aibridge_records"), 0);
  EXPECT_EQ(count(path_, "SELECT count(*) FROM aibridge_rollups"), 0);
  EXPECT_EQ(count(path_, "SELECT count(*) FROM aibridge_facets"), 0);
  const Interception good = interception(1);
  store_->write_interceptions(std::span(&good, 1));  // the facet is made again, not assumed
  EXPECT_EQ(store_->list_interceptions({}).count, 1);
}

}  // namespace
}  // namespace aibridge::recorder
