// Sessions (recorder/query.hpp) on both backends: grouping, first-interception semantics, counts,
// cursors and offsets, against a brute force over everything listed.
#include <algorithm>
#include <map>
#include <random>
#include <set>
#include <tuple>

#include <gtest/gtest.h>

#include "core/ids.hpp"
#include "tests/recorder/store_data.hpp"
#include "tests/recorder/store_fixture.hpp"

namespace aibridge::recorder {
namespace {

class SessionStoreTest : public StoreTest {};

Interception member_of(const std::string& session_id, const std::string& user, UnixMicros at) {
  Interception record = interception(at);
  record.session_id = session_id;
  record.initiator_id = user;
  return record;
}

std::vector<std::string> ids_of(const ListedSession& session) {
  std::vector<std::string> ids;
  for (const ListedInterception& row : session.interceptions) {
    ids.push_back(row.interception.id);
  }
  return ids;
}

TEST_P(SessionStoreTest, ASessionIsOneUsersInterceptionsWithOneSessionIdListedAtItsFirst) {
  const std::string alice = core::new_uuid();
  const std::string bob = core::new_uuid();
  const Interception a1 = member_of("s-1", alice, kBase + 10);
  const Interception a2 = member_of("s-1", alice, kBase + 30);
  const Interception b1 = member_of("s-1", bob, kBase + 20);  // the same id from another user
  Interception alone = member_of("", alice, kBase + 40);
  const std::vector<Interception> batch{a2, b1, alone, a1};  // out of start order
  store_->write_interceptions(batch);

  SessionPage page = store_->list_sessions({});
  EXPECT_EQ(page.count, 3);
  ASSERT_EQ(page.rows.size(), 3U);
  EXPECT_EQ(page.rows[0].id, alone.id);  // sessionless: a session of its own, by its id
  EXPECT_EQ(ids_of(page.rows[0]), std::vector<std::string>{alone.id});
  EXPECT_EQ(page.rows[1].id, "s-1");
  EXPECT_EQ(ids_of(page.rows[1]), std::vector<std::string>{b1.id});
  EXPECT_EQ(page.rows[2].id, "s-1");
  EXPECT_EQ(ids_of(page.rows[2]), (std::vector<std::string>{a1.id, a2.id}));

  // Found by id: the earlier of the two "s-1"; a member finds only their own.
  const auto found = store_->find_session("s-1", std::nullopt);
  ASSERT_TRUE(found);
  EXPECT_EQ(ids_of(*found), (std::vector<std::string>{a1.id, a2.id}));
  const auto bobs = store_->find_session("s-1", bob);
  ASSERT_TRUE(bobs);
  EXPECT_EQ(ids_of(*bobs), std::vector<std::string>{b1.id});
  EXPECT_FALSE(store_->find_session(alone.id, bob));
  EXPECT_TRUE(store_->find_session(alone.id, alice));
  EXPECT_FALSE(store_->find_session("s-2", std::nullopt));
  EXPECT_FALSE(store_->find_session(a1.id, std::nullopt));  // a member of a named session

  // Filters match the session's first interception: a start at a1 only.
  SessionQuery window;
  window.filter.started_after = kBase + 25;
  EXPECT_EQ(store_->list_sessions(window).count, 1);  // the sessionless one
  window.filter.started_after = kBase + 5;
  window.filter.started_before = kBase + 15;
  page = store_->list_sessions(window);
  ASSERT_EQ(page.rows.size(), 1U);
  EXPECT_EQ(ids_of(page.rows[0]), (std::vector<std::string>{a1.id, a2.id}));  // all its members

  SessionQuery mine;
  mine.filter.visible_to = bob;
  EXPECT_EQ(store_->list_sessions(mine).count, 1);

  SessionQuery after;
  after.after = "no-such-session";
  EXPECT_FALSE(store_->list_sessions(after).cursor_found);
}

TEST_P(SessionStoreTest, AnEarlierInterceptionArrivingLateBecomesItsSessionsFirst) {
  const std::string user = core::new_uuid();
  Interception later = member_of("s", user, kBase + 5 * kHour);
  later.model = "late-model";
  store_->write_interceptions(std::span(&later, 1));
  Interception earlier = member_of("s", user, kBase);
  earlier.model = "early-model";
  store_->write_interceptions(std::span(&earlier, 1));
  SessionQuery by_model;
  by_model.filter.model = "late-model";
  EXPECT_EQ(store_->list_sessions(by_model).count, 0);
  by_model.filter.model = "early-model";
  const SessionPage page = store_->list_sessions(by_model);
  EXPECT_EQ(page.count, 1);
  ASSERT_EQ(page.rows.size(), 1U);
  EXPECT_EQ(ids_of(page.rows[0]), (std::vector<std::string>{earlier.id, later.id}));

  // Retention takes the first: the session is now listed (and counted) at the one left.
  EXPECT_EQ(store_->delete_interceptions_before(kBase + kHour, 10), 1U);
  EXPECT_EQ(store_->list_sessions(by_model).count, 0);
  by_model.filter.model = "late-model";
  EXPECT_EQ(store_->list_sessions(by_model).count, 1);
  EXPECT_EQ(store_->list_sessions({}).count, 1);
}

// Random sessions over two days, written out of order in batches, with part of the oldest hour
// deleted: every page and count matches grouping everything listed by hand.
TEST_P(SessionStoreTest, SessionPagesAndCountsMatchABruteForceGrouping) {
  std::mt19937 random(11);
  const Vocabulary words;
  std::vector<Interception> records;
  for (int i = 0; i < 3000; ++i) {
    const UnixMicros at = kBase + (i % 3 == 0 ? static_cast<UnixMicros>(random() % 2'000'000)
                                              : static_cast<UnixMicros>(random() % (48 * kHour)));
    const int pick = static_cast<int>(random() % 10);
    const std::size_t user = random() % words.users.size();
    // Session ids are each user's own, but for one id every user's client sent.
    Interception record =
        member_of(pick < 2    ? ""
                  : pick == 2 ? "shared"
                              : "s" + std::to_string(user) + "-" + std::to_string(random() % 70),
                  words.users[user], at);
    record.id = core::new_uuid_at(at);
    record.model = words.models[random() % words.models.size()];
    record.client = words.clients[random() % words.clients.size()];
    record.status = random() % 4 == 0 ? Status::kCancelled : Status::kCompleted;
    records.push_back(record);
  }
  std::shuffle(records.begin(), records.end(), random);
  for (std::size_t start = 0; start < records.size(); start += 500) {
    store_->write_interceptions(std::span(records).subspan(start, 500));
  }
  store_->delete_interceptions_before(kBase + kHour, 50);

  InterceptionQuery everything;
  everything.limit = 10'000;
  const std::vector<ListedInterception> all = store_->list_interceptions(everything).rows;
  // Sessions by (user, id), members oldest first; listed newest first by their first member.
  std::map<std::pair<std::string, std::string>, std::vector<const Interception*>> grouped;
  for (auto row = all.rbegin(); row != all.rend(); ++row) {
    const Interception& record = row->interception;
    grouped[{record.initiator_id, record.session_id.empty() ? record.id : record.session_id}]
        .push_back(&record);
  }
  std::vector<std::pair<std::string, std::vector<const Interception*>>> sessions;
  for (const auto& [key, members] : grouped) {
    sessions.emplace_back(key.second, members);
  }
  std::sort(sessions.begin(), sessions.end(), [](const auto& a, const auto& b) {
    const Interception& x = *a.second.front();
    const Interception& y = *b.second.front();
    return std::tie(x.started_at, x.id) > std::tie(y.started_at, y.id);
  });
  for (int round = 0; round < 150; ++round) {
    SessionQuery query;
    InterceptionFilter& filter = query.filter;
    if (random() % 2) {
      filter.visible_to = words.users[random() % words.users.size()];
    }
    if (random() % 3 == 0) {
      filter.model = words.models[random() % words.models.size()];
    }
    if (random() % 4 == 0) {
      filter.status = Status::kCancelled;
    }
    if (random() % 3 == 0) {
      filter.started_after = kBase + static_cast<UnixMicros>(random() % (48 * kHour));
    }
    if (random() % 3 == 0) {
      filter.started_before = kBase + static_cast<UnixMicros>(random() % (48 * kHour));
    }
    std::vector<std::size_t> expected;
    for (std::size_t i = 0; i < sessions.size(); ++i) {
      const Interception& first = *sessions[i].second.front();
      if ((!filter.visible_to || first.initiator_id == *filter.visible_to) &&
          (!filter.model || first.model == *filter.model) &&
          (!filter.status || first.status == *filter.status) &&
          (!filter.started_after || first.started_at >= *filter.started_after) &&
          (!filter.started_before || first.started_at <= *filter.started_before)) {
        expected.push_back(i);
      }
    }
    query.limit = 1 + static_cast<std::int64_t>(random() % 40);
    std::size_t begin = 0;
    if (random() % 2 && !expected.empty()) {
      begin = random() % expected.size();
      if (sessions[expected[begin]].first == "shared" && !filter.visible_to) {
        continue;  // an id two users sent names the earlier session, not necessarily this one
      }
      query.after = sessions[expected[begin]].first;
      ++begin;
    } else {
      query.offset = static_cast<std::int64_t>(random() % (expected.size() + 20));
      begin = static_cast<std::size_t>(query.offset);
    }
    const SessionPage page = store_->list_sessions(query);
    ASSERT_TRUE(page.cursor_found) << "round " << round;
    ASSERT_EQ(page.count, static_cast<std::int64_t>(expected.size())) << "round " << round;
    const std::size_t end =
        std::min(expected.size(), begin + static_cast<std::size_t>(query.limit));
    ASSERT_EQ(page.rows.size(), end > begin ? end - begin : 0) << "round " << round;
    for (std::size_t i = begin; i < end; ++i) {
      const auto& [id, members] = sessions[expected[i]];
      const ListedSession& got = page.rows[i - begin];
      ASSERT_EQ(got.id, id) << "round " << round;
      std::vector<std::string> want;
      for (const Interception* member : members) {
        want.push_back(member->id);
      }
      ASSERT_EQ(ids_of(got), want) << "round " << round << " session " << id;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, SessionStoreTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres), backend_name);

}  // namespace
}  // namespace aibridge::recorder
