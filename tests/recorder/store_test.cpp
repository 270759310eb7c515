#include "recorder/store.hpp"

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
