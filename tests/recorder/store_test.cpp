#include "recorder/store.hpp"

#include <random>

#include <gtest/gtest.h>

#include "core/ids.hpp"
#include "recorder/migrations.hpp"
#include "recorder/sqlite.hpp"
#include "tests/support/process.hpp"

namespace aibridge::recorder {
namespace {

class StoreTest : public ::testing::Test {
 protected:
  StoreTest() : path_(dir_.path() + "/test.db"), store_(open_store(path_, {}, true)) {}

  User user(const std::string& username, Role role = Role::kMember) {
    User result;
    result.id = core::new_uuid();
    result.username = username;
    result.role = role;
    result.created_at = core::now_micros();
    return result;
  }

  aibridge::testing::TempDir dir_;
  std::string path_;
  std::unique_ptr<Store> store_;
};

TEST_F(StoreTest, FreshDatabaseGetsTheCurrentSchemaVersionInWalMode) {
  sqlite::Database db(path_, false);
  EXPECT_EQ(schema_version(db), kSchemaVersion);
  auto mode = db.prepare("PRAGMA journal_mode");
  ASSERT_TRUE(mode.step());
  EXPECT_EQ(mode.text(0), "wal");
}

TEST_F(StoreTest, MigratingTwiceIsHarmless) {
  auto again = open_store(path_, {}, true);
  EXPECT_FALSE(again->has_users());
}

TEST_F(StoreTest, Version1DatabasesAreUpgradedWithTheirCountsBackfilled) {
  std::vector<Interception> batch;
  for (int i = 0; i < 50; ++i) {
    Interception record;
    record.id = core::new_uuid();
    record.initiator_id = i % 2 ? "u1" : "u2";
    record.provider = "openai";
    record.model = i % 3 ? "a" : "b";
    record.started_at = 1'000'000'000'000 + i * 600'000'000LL;  // every 10 minutes
    record.ended_at = record.started_at + 1;
    batch.push_back(record);
  }
  store_->write_interceptions(batch);
  {
    // Turn the database back into version 1: versions 2 and 3 only changed the counting.
    sqlite::Database db(path_, false);
    db.exec(
        "DROP TRIGGER aibridge_interceptions_uncounted;"
        "DROP TRIGGER aibridge_interceptions_recounted; DROP TABLE aibridge_interception_counts;"
        "DROP TABLE aibridge_interception_hourly_counts; PRAGMA user_version = 1;");
  }
  store_.reset();
  store_ = open_store(path_, {}, true);
  sqlite::Database db(path_, false);
  EXPECT_EQ(schema_version(db), kSchemaVersion);
  InterceptionQuery query;
  query.limit = 1;
  EXPECT_EQ(store_->list_interceptions(query).count, 50);
  query.filter.model = "b";
  EXPECT_EQ(store_->list_interceptions(query).count, 17);
}

TEST_F(StoreTest, NewerDatabaseIsRefused) {
  {
    sqlite::Database db(path_, false);
    db.exec("PRAGMA user_version = " + std::to_string(kSchemaVersion + 1));
  }
  EXPECT_THROW(open_store(path_, {}, true), std::runtime_error);
}

TEST_F(StoreTest, UsernamesAreUniqueIgnoringCase) {
  store_->insert_user(user("Alice"));
  EXPECT_THROW(store_->insert_user(user("alice")), ConflictError);
  EXPECT_TRUE(store_->find_user_by_username("ALICE").has_value());
  EXPECT_EQ(store_->list_users().size(), 1U);
}

TEST_F(StoreTest, TokensJoinTheirOwnerAndCanBeRevokedOnce) {
  const User bob = user("bob", Role::kAuditor);
  store_->insert_user(bob);
  ApiToken token;
  token.id = "abcdefghij";
  token.user_id = bob.id;
  token.secret_hash = std::string(32, '\x7f');
  token.created_at = 10;
  token.expires_at = 20;
  store_->insert_token(token);

  const auto found = store_->find_token("abcdefghij");
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->owner.username, "bob");
  EXPECT_EQ(found->owner.role, Role::kAuditor);
  EXPECT_EQ(found->token.secret_hash, token.secret_hash);
  EXPECT_EQ(found->token.expires_at, 20);
  EXPECT_FALSE(found->token.revoked_at.has_value());
  EXPECT_FALSE(store_->find_token("zzzzzzzzzz").has_value());

  EXPECT_TRUE(store_->revoke_token("abcdefghij", 30));
  EXPECT_FALSE(store_->revoke_token("abcdefghij", 40));
  EXPECT_FALSE(store_->revoke_token("zzzzzzzzzz", 40));
  EXPECT_EQ(store_->find_token("abcdefghij")->token.revoked_at, 30);

  const std::pair<std::string, UnixMicros> uses[] = {{"abcdefghij", 50}};
  store_->touch_tokens(uses);
  const std::pair<std::string, UnixMicros> older[] = {{"abcdefghij", 45}};
  store_->touch_tokens(older);
  EXPECT_EQ(store_->find_token("abcdefghij")->token.last_used_at, 50);
  EXPECT_EQ(store_->list_tokens(bob.id).size(), 1U);
  EXPECT_EQ(store_->list_tokens(std::string("nobody")).size(), 0U);
}

TEST_F(StoreTest, AConnectionSeesWritesMadeAfterItsLastLookup) {
  // A reader that keeps an unfinished statement keeps an old snapshot (and pins the WAL).
  const User user_a = user("reader");
  store_->insert_user(user_a);
  ApiToken token;
  token.id = "aaaaaaaaaa";
  token.user_id = user_a.id;
  token.secret_hash = std::string(32, 'x');
  store_->insert_token(token);
  auto reader = open_store(path_, {}, false);
  ASSERT_TRUE(reader->find_token("aaaaaaaaaa").has_value());
  store_->write_interceptions(std::vector<Interception>{});
  store_->put_setting("k", "v");
  EXPECT_EQ(reader->get_setting("k"), "v");
  EXPECT_TRUE(store_->revoke_token("aaaaaaaaaa", 5));
  EXPECT_EQ(reader->find_token("aaaaaaaaaa")->token.revoked_at, 5);
}

TEST_F(StoreTest, SettingsPersistAcrossConnections) {
  EXPECT_FALSE(store_->get_setting("log_requests").has_value());
  store_->put_setting("log_requests", "true");
  store_->put_setting("log_requests", "false");
  auto other = open_store(path_, {}, false);
  EXPECT_EQ(other->get_setting("log_requests"), "false");
}

Interception interception(UnixMicros started_at) {
  Interception record;
  record.id = core::new_uuid();
  record.initiator_id = core::new_uuid();
  record.api_key_id = "abcdefghij";
  record.provider = "anthropic";
  record.model = "claude-sonnet-4-0";
  record.started_at = started_at;
  record.ended_at = started_at + 5;
  record.user_prompts.push_back({core::new_uuid(), "msg_1", "hello", "{}", started_at + 1});
  record.token_usages.push_back({core::new_uuid(), "msg_1", 10, 20, 3, 4, "{}", started_at + 2});
  ToolUsage tool;
  tool.id = core::new_uuid();
  tool.tool = "Read";
  tool.input = R"({"file_path":"/tmp/x"})";
  tool.created_at = started_at + 3;
  record.tool_usages.push_back(tool);
  record.model_thoughts.push_back(
      {core::new_uuid(), "msg_1", "thinking", R"({"source":"thinking"})", started_at + 4});
  return record;
}

int count(const std::string& path, const std::string& table) {
  sqlite::Database db(path, false);
  auto statement = db.prepare("SELECT count(*) FROM " + table);
  statement.step();
  return static_cast<int>(statement.int64(0));
}

TEST_F(StoreTest, RetentionDeletesOldInterceptionsWithTheirChildrenInBatches) {
  std::vector<Interception> batch;
  for (int i = 0; i < 5; ++i) {
    batch.push_back(interception(1000 + i));
  }
  batch.push_back(interception(5000));
  store_->write_interceptions(batch);
  for (const char* table :
       {"aibridge_interceptions", "aibridge_user_prompts", "aibridge_token_usages",
        "aibridge_tool_usages", "aibridge_model_thoughts"}) {
    EXPECT_EQ(count(path_, table), 6) << table;
  }
  EXPECT_EQ(store_->delete_interceptions_before(2000, 3), 3U);
  EXPECT_EQ(store_->delete_interceptions_before(2000, 3), 2U);
  EXPECT_EQ(store_->delete_interceptions_before(2000, 3), 0U);
  for (const char* table :
       {"aibridge_interceptions", "aibridge_user_prompts", "aibridge_token_usages",
        "aibridge_tool_usages", "aibridge_model_thoughts"}) {
    EXPECT_EQ(count(path_, table), 1) << table;
  }
}

// Counts come from summary tables kept by triggers; they must equal a plain count for any
// filter, through inserts, late endings and deletes.
TEST_F(StoreTest, CountsMatchABruteForceCountForRandomFilters) {
  std::mt19937 random(7);
  const std::vector<std::string> users = {"u1", "u2", "u3"};
  const std::vector<std::string> providers = {"openai", "anthropic"};
  const std::vector<std::string> models = {"m1", "m2", "m3"};
  constexpr UnixMicros kBase = 1'700'000'000'000'000;
  constexpr UnixMicros kHour = 3'600'000'000;
  std::vector<Interception> records;
  for (int i = 0; i < 3000; ++i) {
    Interception record;
    record.id = core::new_uuid();
    record.initiator_id = users[random() % users.size()];
    record.provider = providers[random() % providers.size()];
    record.model = models[random() % models.size()];
    record.started_at = kBase + static_cast<UnixMicros>(random() % (48 * kHour));
    if (random() % 10 != 0) {
      record.ended_at = record.started_at + 5;
    }
    records.push_back(record);
  }
  // Several batches, so counts are added to as well as created.
  for (std::size_t start = 0; start < records.size(); start += 700) {
    const std::size_t size = std::min<std::size_t>(700, records.size() - start);
    store_->write_interceptions(std::span(records).subspan(start, size));
  }
  {
    sqlite::Database db(path_, false);
    // Some in-flight rows end later, some rows move, some are deleted.
    db.exec(
        "UPDATE aibridge_interceptions SET ended_at = started_at + 9 WHERE ended_at IS NULL AND "
        "rowid % 2 = 0");
    db.exec("UPDATE aibridge_interceptions SET model = 'm9' WHERE rowid % 17 = 0");
    db.exec("DELETE FROM aibridge_interceptions WHERE rowid % 13 = 0");
  }
  const auto brute = [&](const InterceptionFilter& filter) {
    sqlite::Database db(path_, false);
    std::string sql = "SELECT count(*) FROM aibridge_interceptions WHERE ended_at IS NOT NULL";
    if (filter.initiator_id)
      sql += " AND initiator_id = '" + *filter.initiator_id + "'";
    if (filter.visible_to)
      sql += " AND initiator_id = '" + *filter.visible_to + "'";
    if (filter.provider)
      sql += " AND provider = '" + *filter.provider + "'";
    if (filter.model)
      sql += " AND model = '" + *filter.model + "'";
    if (filter.started_after)
      sql += " AND started_at >= " + std::to_string(*filter.started_after);
    if (filter.started_before)
      sql += " AND started_at <= " + std::to_string(*filter.started_before);
    auto statement = db.prepare(sql);
    statement.step();
    return statement.int64(0);
  };
  for (int round = 0; round < 300; ++round) {
    InterceptionQuery query;
    query.limit = 1;
    InterceptionFilter& filter = query.filter;
    if (random() % 2)
      filter.initiator_id = users[random() % users.size()];
    if (random() % 4 == 0)
      filter.visible_to = users[random() % users.size()];
    if (random() % 2)
      filter.provider = providers[random() % providers.size()];
    if (random() % 2)
      filter.model = random() % 5 ? models[random() % models.size()] : "m9";
    const auto point = [&] {
      // Often exactly on an hour boundary, where off-by-one errors live.
      const UnixMicros hour =
          kBase / kHour * kHour + static_cast<UnixMicros>(random() % 52) * kHour;
      const int shape = static_cast<int>(random() % 3);
      return shape == 0   ? hour
             : shape == 1 ? hour - 1
                          : hour + static_cast<UnixMicros>(random() % kHour);
    };
    if (random() % 3)
      filter.started_after = point();
    if (random() % 3)
      filter.started_before = point();
    EXPECT_EQ(store_->list_interceptions(query).count, brute(filter)) << "round " << round;
  }
}

TEST_F(StoreTest, AFailedBatchWritesNothing) {
  Interception first = interception(1);
  Interception duplicate = interception(2);
  duplicate.id = first.id;
  const Interception batch[] = {first, duplicate};
  EXPECT_THROW(store_->write_interceptions(batch), std::exception);
  EXPECT_EQ(count(path_, "aibridge_interceptions"), 0);
  EXPECT_EQ(count(path_, "aibridge_user_prompts"), 0);
}

}  // namespace
}  // namespace aibridge::recorder
