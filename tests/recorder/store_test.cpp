// The store contract, one suite run on both backends (SPEC §9).
#include "recorder/store.hpp"

#include <algorithm>
#include <map>
#include <random>
#include <set>
#include <thread>
#include <tuple>

#include <gtest/gtest.h>

#include "core/ids.hpp"
#include "tests/recorder/store_data.hpp"
#include "tests/recorder/store_fixture.hpp"

namespace aibridge::recorder {
namespace {

TEST_P(StoreTest, MigratingTwiceIsHarmless) {
  auto again = open_store(location_, {}, true);
  EXPECT_TRUE(again->list_users().empty());
}

TEST_P(StoreTest, TheFirstOwnerIsInsertedOnlyWhileThereIsNone) {
  const auto token_for = [](const User& owner, const char* id) {
    ApiToken token;
    token.id = id;
    token.user_id = owner.id;
    token.secret_hash = std::string(32, 'h');
    token.created_at = 1;
    return token;
  };
  store_->insert_user(user("alice"));  // a member does not count
  const User admin = user("admin", Role::kOwner);
  EXPECT_TRUE(store_->insert_first_owner(admin, token_for(admin, "aaaaaaaaaa")));
  const User late = user("admin2", Role::kOwner);
  EXPECT_FALSE(store_->insert_first_owner(late, token_for(late, "bbbbbbbbbb")));
  EXPECT_EQ(store_->list_users().size(), 2U);
  EXPECT_TRUE(store_->find_token("aaaaaaaaaa").has_value());
  EXPECT_FALSE(store_->find_token("bbbbbbbbbb").has_value());

  // No owner, but the name is taken: nothing is written.
  auto other = open_store(fresh_location(), {}, true);
  other->insert_user(user("Admin"));
  EXPECT_THROW(other->insert_first_owner(admin, token_for(admin, "cccccccccc")), ConflictError);
  EXPECT_EQ(other->list_users().size(), 1U);
  EXPECT_FALSE(other->find_token("cccccccccc").has_value());
}

TEST_P(StoreTest, UsernamesAreUniqueIgnoringCase) {
  store_->insert_user(user("Alice"));
  EXPECT_THROW(store_->insert_user(user("alice")), ConflictError);
  EXPECT_TRUE(store_->find_user_by_username("ALICE").has_value());
  EXPECT_EQ(store_->list_users().size(), 1U);
}

TEST_P(StoreTest, TokensJoinTheirOwnerAndCanBeRevokedOnce) {
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

// Replicas flush their tokens' last uses at the same time, each listing them in its own order:
// the rows must be locked in one order, or two flushes can deadlock (and one is aborted).
TEST_P(StoreTest, TokenUsesFlushedConcurrentlyInOppositeOrdersAreAllKept) {
  const User owner = user("carol");
  store_->insert_user(owner);
  std::vector<std::string> ids;
  for (int i = 0; i < 8; ++i) {
    ApiToken token;
    token.id = std::string(9, 'a') + static_cast<char>('a' + i);
    token.user_id = owner.id;
    token.secret_hash = std::string(32, 'x');
    store_->insert_token(token);
    ids.push_back(token.id);
  }
  constexpr int kFlushes = 150;
  auto flush_in = [&](bool reversed) {
    auto replica = open_store(location_, {}, false);
    for (int round = 1; round <= kFlushes; ++round) {
      std::vector<std::pair<std::string, UnixMicros>> uses;
      for (const std::string& id : ids) {
        uses.emplace_back(id, round * 2 + (reversed ? 1 : 0));
      }
      if (reversed) {
        std::reverse(uses.begin(), uses.end());
      }
      replica->touch_tokens(uses);
    }
  };
  std::exception_ptr failure;
  std::thread other([&] {
    try {
      flush_in(true);
    } catch (...) {
      failure = std::current_exception();
    }
  });
  EXPECT_NO_THROW(flush_in(false));
  other.join();
  EXPECT_FALSE(failure) << "the reversed flush failed";
  for (const std::string& id : ids) {
    EXPECT_EQ(store_->find_token(id)->token.last_used_at, kFlushes * 2 + 1) << id;
  }
}

TEST_P(StoreTest, AConnectionSeesWritesMadeAfterItsLastLookup) {
  // A reader that keeps an unfinished statement keeps an old snapshot (and pins the WAL).
  const User user_a = user("reader");
  store_->insert_user(user_a);
  ApiToken token;
  token.id = "aaaaaaaaaa";
  token.user_id = user_a.id;
  token.secret_hash = std::string(32, 'x');
  store_->insert_token(token);
  auto reader = open_store(location_, {}, false);
  ASSERT_TRUE(reader->find_token("aaaaaaaaaa").has_value());
  store_->write_interceptions(std::vector<Interception>{});
  store_->put_setting("k", "v");
  EXPECT_EQ(reader->get_setting("k"), "v");
  EXPECT_TRUE(store_->revoke_token("aaaaaaaaaa", 5));
  EXPECT_EQ(reader->find_token("aaaaaaaaaa")->token.revoked_at, 5);
}

TEST_P(StoreTest, SettingsPersistAcrossConnections) {
  EXPECT_FALSE(store_->get_setting("log_requests").has_value());
  store_->put_setting("log_requests", "true");
  store_->put_setting("log_requests", "false");
  auto other = open_store(location_, {}, false);
  EXPECT_EQ(other->get_setting("log_requests"), "false");
}

TEST_P(StoreTest, WhatIsWrittenIsListedBackWithEveryChild) {
  Interception record = interception(1'764'000'000'000'000);
  record.client = "Claude Code";
  record.status = Status::kFailed;
  record.session_id = "session-1";
  record.metadata = R"({"client":"Claude Code","status":"failed"})";
  record.tool_usages[0].server_url = "https://mcp.example/";
  record.tool_usages[0].injected = true;
  record.tool_usages[0].invocation_error = "boom \"quoted\"\n";
  record.user_prompts[0].prompt = "<script>\u00e9 \"quotes\" \\ and \x01 control";
  record.token_usages[0].id = core::new_uuid();  // an id of its own (older databases have them)
  store_->write_interceptions(std::span(&record, 1));
  InterceptionQuery query;
  const InterceptionPage page = store_->list_interceptions(query);
  ASSERT_EQ(page.count, 1);
  ASSERT_EQ(page.rows.size(), 1U);
  const Interception& read = page.rows[0].interception;
  EXPECT_EQ(read.id, record.id);
  EXPECT_EQ(read.initiator_id, record.initiator_id);
  EXPECT_EQ(read.api_key_id, record.api_key_id);
  EXPECT_EQ(read.provider, record.provider);
  EXPECT_EQ(read.model, record.model);
  EXPECT_EQ(read.client, "Claude Code");
  EXPECT_EQ(read.status, Status::kFailed);
  EXPECT_EQ(read.session_id, "session-1");
  EXPECT_EQ(read.started_at, record.started_at);
  EXPECT_EQ(read.ended_at, record.ended_at);
  EXPECT_EQ(read.metadata, record.metadata);
  ASSERT_EQ(read.user_prompts.size(), 1U);
  EXPECT_EQ(read.user_prompts[0].id, record.user_prompts[0].id);
  EXPECT_EQ(read.user_prompts[0].prompt, record.user_prompts[0].prompt);
  EXPECT_EQ(read.user_prompts[0].created_at, record.user_prompts[0].created_at);
  ASSERT_EQ(read.token_usages.size(), 1U);
  EXPECT_EQ(read.token_usages[0].id, record.token_usages[0].id);
  EXPECT_EQ(read.token_usages[0].input_tokens, 10);
  EXPECT_EQ(read.token_usages[0].cache_write_input_tokens, 4);
  ASSERT_EQ(read.tool_usages.size(), 1U);
  EXPECT_EQ(read.tool_usages[0].id, record.tool_usages[0].id);
  EXPECT_EQ(read.tool_usages[0].input, record.tool_usages[0].input);
  EXPECT_EQ(read.tool_usages[0].server_url, "https://mcp.example/");
  EXPECT_TRUE(read.tool_usages[0].injected);
  EXPECT_EQ(read.tool_usages[0].invocation_error, record.tool_usages[0].invocation_error);
  ASSERT_EQ(read.model_thoughts.size(), 1U);
  EXPECT_EQ(read.model_thoughts[0].content, "thinking");
  EXPECT_EQ(read.model_thoughts[0].metadata, R"({"source":"thinking"})");
  EXPECT_EQ(store_->interception_position(record.id, std::nullopt)->started_at, record.started_at);
  EXPECT_FALSE(store_->interception_position(record.id, core::new_uuid()));  // someone else's
}

// Clients and providers send what they like: a NUL in a model name or a prompt, bytes that are
// not UTF-8 in a header. The record is kept whatever the backend can hold of them (PostgreSQL's
// text turns such bytes into U+FFFD; SQLite keeps them as they are).
TEST_P(StoreTest, TextThatIsNotUtf8IsRecordedAnyway) {
  Interception record = interception(1'764'000'000'000'000);
  record.model = std::string("claude\0x", 8);
  record.session_id = "session-\xff\xfe";
  record.metadata = "{\"user_agent\":\"curl\xc0\x80\"}";
  record.user_prompts[0].prompt = std::string("caf\xc3\xa9 \0 nul", 11);  // JSON's \u0000
  store_->write_interceptions(std::span(&record, 1));
  const InterceptionPage page = store_->list_interceptions({});
  ASSERT_EQ(page.count, 1);
  ASSERT_EQ(page.rows.size(), 1U);
  const Interception& read = page.rows[0].interception;
  EXPECT_EQ(read.model.substr(0, 6), "claude");
  EXPECT_EQ(read.session_id.substr(0, 8), "session-");
  EXPECT_EQ(read.metadata.substr(0, 19), "{\"user_agent\":\"curl");
  ASSERT_EQ(read.user_prompts.size(), 1U);
  EXPECT_EQ(read.user_prompts[0].prompt, record.user_prompts[0].prompt);
}

// A batch written again (the answer to its commit was lost with the connection, so the writer
// retries it) leaves one row per interception, counted once.
TEST_P(StoreTest, ABatchWrittenTwiceIsRecordedOnce) {
  if (GetParam() == Backend::kSqlite) {
    GTEST_SKIP() << "SQLite commits in the process: a commit's outcome is never lost";
  }
  const std::vector<Interception> batch = old_and_new();
  store_->write_interceptions(batch);
  store_->write_interceptions(batch);
  const InterceptionPage page = store_->list_interceptions({});
  EXPECT_EQ(page.count, 6);
  EXPECT_EQ(page.rows.size(), 6U);
  InterceptionQuery old;
  old.filter.started_before = 2000;
  EXPECT_EQ(store_->list_interceptions(old).count, 5);
}

TEST_P(StoreTest, RetentionDeletesOldInterceptionsWithTheirChildrenInBatches) {
  store_->write_interceptions(old_and_new());
  EXPECT_EQ(store_->list_interceptions({}).count, 6);
  EXPECT_EQ(store_->delete_interceptions_before(2000, 3), 3U);
  EXPECT_EQ(store_->delete_interceptions_before(2000, 3), 2U);
  EXPECT_EQ(store_->delete_interceptions_before(2000, 3), 0U);
  const InterceptionPage left = store_->list_interceptions({});
  EXPECT_EQ(left.count, 1);
  ASSERT_EQ(left.rows.size(), 1U);
  EXPECT_EQ(left.rows[0].interception.started_at, 5000);
  EXPECT_EQ(left.rows[0].interception.token_usages.size(), 1U);
}

// GET models / clients: what was recorded, each value once, bytewise sorted; a member's own;
// nothing retention has deleted.
TEST_P(StoreTest, RecordedValuesAreDistinctSortedPerCallerAndForgetDeletedRows) {
  const std::string alice = core::new_uuid();
  const std::string bob = core::new_uuid();
  std::vector<Interception> batch;
  const auto add = [&](UnixMicros at, const std::string& who, const char* model,
                       const char* client) {
    Interception record = interception(at);
    record.initiator_id = who;
    record.model = model;
    record.client = client;
    batch.push_back(record);
  };
  add(1000, alice, "gpt-5", "Codex");
  add(2000, alice, "claude-sonnet-4-5", "Codex");
  add(3000, bob, "Zeta", "Claude Code");
  add(4000, bob, "gpt-5", "Claude Code");
  add(5000, bob, "gpt-5", "Claude Code");
  store_->write_interceptions(batch);
  using Values = std::vector<std::string>;
  EXPECT_EQ(store_->recorded_values(Attribute::kModel, std::nullopt),
            (Values{"Zeta", "claude-sonnet-4-5", "gpt-5"}));
  EXPECT_EQ(store_->recorded_values(Attribute::kModel, alice),
            (Values{"claude-sonnet-4-5", "gpt-5"}));
  EXPECT_EQ(store_->recorded_values(Attribute::kClient, bob), (Values{"Claude Code"}));
  EXPECT_EQ(store_->recorded_values(Attribute::kClient, core::new_uuid()), Values{});
  store_->delete_interceptions_before(2500, 100);
  EXPECT_EQ(store_->recorded_values(Attribute::kModel, std::nullopt), (Values{"Zeta", "gpt-5"}));
  EXPECT_EQ(store_->recorded_values(Attribute::kClient, std::nullopt), (Values{"Claude Code"}));
}

// Interceptions that start in the same microsecond are still listed by id, however many there
// are and in whatever order they arrive.
TEST_P(StoreTest, TiesInTheSameMicrosecondAreListedByIdInAnyArrivalOrder) {
  constexpr UnixMicros kSame = 1'764'000'000'000'777;
  std::vector<Interception> records;
  for (int i = 0; i < 40; ++i) {
    Interception record = interception(kSame);
    record.id = core::new_uuid();  // ids that do not carry the start time
    records.push_back(record);
  }
  for (int i = 0; i < 40; ++i) {
    records.push_back(interception(kSame));
  }
  std::sort(records.begin(), records.end(),
            [](const Interception& a, const Interception& b) { return a.id < b.id; });
  // Ascending ids one at a time leave no room above the newest: the group is spread repeatedly.
  for (const Interception& record : records) {
    store_->write_interceptions(std::span(&record, 1));
  }
  store_->write_interceptions(
      std::vector<Interception>{interception(kSame - 1), interception(kSame + 1)});
  InterceptionQuery query;
  query.limit = 1000;
  const InterceptionPage page = store_->list_interceptions(query);
  ASSERT_EQ(page.rows.size(), 82U);
  EXPECT_EQ(page.rows.front().interception.started_at, kSame + 1);
  EXPECT_EQ(page.rows.back().interception.started_at, kSame - 1);
  for (std::size_t i = 1; i + 2 < page.rows.size(); ++i) {
    EXPECT_GT(page.rows[i].interception.id, page.rows[i + 1].interception.id) << i;
  }
  for (const Interception& record : records) {
    EXPECT_EQ(store_->interception_position(record.id, std::nullopt)->started_at, kSame);
  }
}

// Counts, offsets and cursors (on SQLite from the rollups and the facet index; on PostgreSQL
// from its indexes) must give exactly what a plain filter over every row gives, on dense and
// sparse data, through several batches and retention deletes.
TEST_P(StoreTest, PagesAndCountsMatchABruteForceScanForRandomFilters) {
  std::mt19937 random(7);
  const Vocabulary words;
  const auto& [users, providers, models, clients] = words;
  write_random_records(*store_, random, words);
  InterceptionQuery everything;
  everything.limit = 10'000;
  const std::vector<ListedInterception> all = store_->list_interceptions(everything).rows;
  ASSERT_GT(all.size(), 3000U);
  for (std::size_t i = 1; i < all.size(); ++i) {
    const Interception& a = all[i - 1].interception;
    const Interception& b = all[i].interception;
    ASSERT_TRUE(a.started_at > b.started_at || (a.started_at == b.started_at && a.id > b.id)) << i;
  }
  const auto brute = [&](const InterceptionQuery& query) {
    const InterceptionFilter& filter = query.filter;
    std::vector<std::string> ids;
    for (const ListedInterception& row : all) {
      const Interception& record = row.interception;
      if ((!filter.initiator_id || record.initiator_id == *filter.initiator_id) &&
          (!filter.visible_to || record.initiator_id == *filter.visible_to) &&
          (!filter.provider || record.provider == *filter.provider) &&
          (!filter.model || record.model == *filter.model) &&
          (!filter.client || record.client == *filter.client) &&
          (!filter.status || record.status == *filter.status) &&
          (!filter.started_after || record.started_at >= *filter.started_after) &&
          (!filter.started_before || record.started_at <= *filter.started_before)) {
        ids.push_back(record.id);
      }
    }
    return ids;
  };
  for (int round = 0; round < 400; ++round) {
    InterceptionQuery query;
    InterceptionFilter& filter = query.filter;
    if (random() % 2) {
      filter.initiator_id = users[random() % users.size()];
    }
    if (random() % 4 == 0) {
      filter.visible_to = users[random() % users.size()];
    }
    if (random() % 3 == 0) {
      filter.provider = random() % 4 ? providers[random() % providers.size()] : "gemini";
    }
    if (random() % 2) {
      const int pick = static_cast<int>(random() % 6);
      filter.model = pick < 4 ? models[random() % models.size()] : pick == 4 ? "g1" : "m9";
    }
    if (random() % 4 == 0) {
      filter.client = clients[random() % clients.size()];
    }
    if (random() % 4 == 0) {
      filter.status = random() % 2 ? Status::kCancelled : Status::kCompleted;
    }
    const auto point = [&] {
      // Often right on a bucket boundary (hour, second, millisecond), where off-by-ones live.
      const UnixMicros widths[] = {kHour, 1'000'000, 1'000};
      const UnixMicros width = widths[random() % 3];
      const UnixMicros base = kBase + static_cast<UnixMicros>(random() % (50 * kHour));
      const UnixMicros edge = base / width * width;
      const int shape = static_cast<int>(random() % 3);
      return shape == 0 ? edge : shape == 1 ? edge - 1 : base;
    };
    if (random() % 3) {
      filter.started_after =
          random() % 2 ? point() : kBase + static_cast<UnixMicros>(random() % 2'000'000);
    }
    if (random() % 3) {
      filter.started_before = point();
    }
    const std::vector<std::string> expected = brute(query);
    if (round % 4 == 0) {  // GET usage: the same rows' sums per facet and day
      std::map<std::pair<FacetKey, std::int64_t>, Usage> sums;
      const std::set<std::string> matching(expected.begin(), expected.end());
      for (const ListedInterception& row : all) {
        if (matching.contains(row.interception.id)) {
          sums[{facet_of(row.interception), bucket_of(Level::kDay, row.interception.started_at)}] +=
              usage_of(row.interception);
        }
      }
      std::vector<std::tuple<FacetKey, std::int64_t, Usage>> want;
      for (const auto& [key, usage] : sums) {
        want.emplace_back(key.first, key.second, usage);
      }
      const UsageSums got = store_->usage(filter);
      ASSERT_TRUE(std::is_sorted(got.facets.begin(), got.facets.end())) << "round " << round;
      std::vector<std::tuple<FacetKey, std::int64_t, Usage>> listed;
      for (const UsageSums::Entry& entry : got.entries) {
        listed.emplace_back(got.facets.at(entry.facet), entry.day, entry.usage);
      }
      ASSERT_EQ(listed, want) << "round " << round;
    }
    query.limit = 1 + static_cast<std::int64_t>(random() % 50);
    const int mode = static_cast<int>(random() % 3);
    std::size_t first = 0;
    if (mode == 1) {
      query.offset = static_cast<std::int64_t>(random() % (expected.size() + 300));
      first = static_cast<std::size_t>(query.offset);
    } else if (mode == 2 && !expected.empty()) {
      first = random() % expected.size();
      query.after = store_->interception_position(expected[first], std::nullopt);
      ASSERT_TRUE(query.after);
      ++first;
    }
    const InterceptionPage page = store_->list_interceptions(query);
    ASSERT_EQ(page.count, static_cast<std::int64_t>(expected.size())) << "round " << round;
    std::vector<std::string> got;
    for (const ListedInterception& row : page.rows) {
      got.push_back(row.interception.id);
    }
    const std::vector<std::string> want(
        expected.begin() + static_cast<std::ptrdiff_t>(std::min(first, expected.size())),
        expected.begin() + static_cast<std::ptrdiff_t>(std::min(
                               first + static_cast<std::size_t>(query.limit), expected.size())));
    ASSERT_EQ(got, want) << "round " << round << " mode " << mode;
  }
}

TEST_P(StoreTest, AFailedBatchWritesNothing) {
  write_a_failing_batch(*store_);
  EXPECT_EQ(store_->list_interceptions({}).count, 0);
  const Interception good = interception(1);
  store_->write_interceptions(std::span(&good, 1));
  EXPECT_EQ(store_->list_interceptions({}).count, 1);
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres), backend_name);

}  // namespace
}  // namespace aibridge::recorder
