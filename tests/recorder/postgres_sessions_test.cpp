// Session starts on PostgreSQL with more than one writer (recorder/postgres/session_starts.hpp):
// replicas writing rows of the same sessions at once, and a database of schema version 2 (before
// session starts were kept) migrated. The oracle is the same records written by one writer, whose
// listing session_store_test.cpp checks against a brute force.
#include <random>
#include <thread>

#include <gtest/gtest.h>

#include "core/ids.hpp"
#include "recorder/postgres/connection.hpp"
#include "recorder/store.hpp"
#include "tests/recorder/store_data.hpp"
#include "tests/support/postgres.hpp"

namespace aibridge::recorder {
namespace {

using aibridge::testing::TempPostgresDatabase;

class PostgresSessions : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!aibridge::testing::postgres_server_uri()) {
      GTEST_SKIP() << aibridge::testing::kNoPostgres;
    }
  }

  std::string fresh_database() {
    return databases_
        .emplace_back(std::make_unique<TempPostgresDatabase>(
            *aibridge::testing::postgres_server_uri()))
        ->uri();
  }

  std::vector<std::unique_ptr<TempPostgresDatabase>> databases_;
};

// Rows of 40 sessions of 3 users (and rows without a session id) over a few seconds, shuffled:
// many arrive after a later row of their session.
std::vector<Interception> session_rows(std::mt19937& random, const Vocabulary& words) {
  std::vector<Interception> records;
  for (int i = 0; i < 2000; ++i) {
    const UnixMicros at = kBase + static_cast<UnixMicros>(random() % 5'000'000);
    Interception record = interception(at);
    record.id = core::new_uuid_at(at);
    const std::size_t user = random() % words.users.size();
    record.initiator_id = words.users[user];
    record.model = words.models[random() % words.models.size()];
    if (random() % 10 != 0) {
      // A quarter of the ids hold what an array literal must quote.
      const auto n = random() % 40;
      record.session_id = n % 4 == 0 ? "s\"{" + std::to_string(n) + "}, \\" : "s" + std::to_string(n);
    }
    records.push_back(record);
  }
  std::shuffle(records.begin(), records.end(), random);
  return records;
}

// What a listing shows of the sessions, for comparing two stores.
std::vector<std::string> listing(Store& store, const Vocabulary& words) {
  std::vector<SessionQuery> queries(4);
  queries[1].filter.model = words.models[0];
  queries[2].filter.visible_to = words.users[1];
  queries[3].offset = 30;
  std::vector<std::string> out;
  for (SessionQuery& query : queries) {
    query.limit = 1000;
    const SessionPage page = store.list_sessions(query);
    out.push_back("count " + std::to_string(page.count));
    for (const ListedSession& session : page.rows) {
      std::string line = session.id + ":";
      for (const ListedInterception& row : session.interceptions) {
        line += " " + row.interception.id;
      }
      out.push_back(line);
    }
  }
  return out;
}

TEST_F(PostgresSessions, TwoReplicasWritingOneSessionsRowsAtOnceCountEachSessionOnce) {
  std::mt19937 random(5);
  const Vocabulary words;
  const std::vector<Interception> records = session_rows(random, words);
  const auto one_writer = open_store(fresh_database(), {}, true);
  one_writer->write_interceptions(records);

  const std::string shared = fresh_database();
  const auto first = open_store(shared, {}, true);
  const auto second = open_store(shared, {}, false);
  // Each replica writes every other batch of 25, both at once.
  const auto write_half = [&](Store& store, std::size_t parity) {
    for (std::size_t start = parity * 25; start < records.size(); start += 50) {
      store.write_interceptions(std::span(records).subspan(start, 25));
    }
  };
  std::thread other([&] { write_half(*second, 1); });
  write_half(*first, 0);
  other.join();

  const std::vector<std::string> expected = listing(*one_writer, words);
  EXPECT_EQ(listing(*first, words), expected);
  EXPECT_EQ(listing(*second, words), expected);
}

// A batch written again in part (its COMMIT's answer lost, then sent with new rows) and one that
// holds a row twice: each row is written, and counted, once, its session's start included.
TEST_F(PostgresSessions, RowsWrittenAgainOrTwiceInABatchAreCountedOnce) {
  std::mt19937 random(11);
  const Vocabulary words;
  const std::vector<Interception> records = session_rows(random, words);
  const auto one_writer = open_store(fresh_database(), {}, true);
  one_writer->write_interceptions(records);

  const auto store = open_store(fresh_database(), {}, true);
  const std::span all(records);
  store->write_interceptions(all.subspan(0, 600));
  store->write_interceptions(all.subspan(400, 800));  // 200 rows written before, 600 new
  std::vector<Interception> twice(records.begin() + 1200, records.end());
  twice.push_back(records[1300]);
  twice.push_back(records[100]);  // and one of the first batch
  store->write_interceptions(twice);

  EXPECT_EQ(store->list_interceptions({}).count, static_cast<std::int64_t>(records.size()));
  EXPECT_EQ(listing(*store, words), listing(*one_writer, words));
}

TEST_F(PostgresSessions, AVersion2DatabaseIsMigratedWithItsSessionsFlaggedAndCounted) {
  std::mt19937 random(8);
  const Vocabulary words;
  const std::string uri = fresh_database();
  {
    const auto store = open_store(uri, {}, true);
    store->write_interceptions(session_rows(random, words));
  }
  const auto reference = open_store(uri, {}, false);
  const std::vector<std::string> expected = listing(*reference, words);
  {
    // Version 2 had none of migration 3's table and columns, and its rollups' key covered no
    // sums (migration 4; dropping the column drops that key).
    postgres::Connection db(uri);
    db.exec(
        "DROP TABLE aibridge_sessions; "
        "ALTER TABLE aibridge_interceptions DROP COLUMN starts_session; "
        "ALTER TABLE aibridge_rollups DROP COLUMN sessions; "
        "ALTER TABLE aibridge_rollups ADD PRIMARY KEY (level, facet, bucket); "
        "UPDATE aibridge_schema_version SET version = 2");
  }
  const auto migrated = open_store(uri, {}, true);
  EXPECT_EQ(listing(*migrated, words), expected);
}

}  // namespace
}  // namespace aibridge::recorder
