#include "recorder/recorder.hpp"

#include <atomic>
#include <thread>

#include <gtest/gtest.h>

#include "core/ids.hpp"
#include "recorder/retention.hpp"
#include "recorder/sqlite.hpp"
#include "tests/support/process.hpp"

namespace aibridge::recorder {
namespace {

using namespace std::chrono_literals;

Interception record(UnixMicros started_at = core::now_micros()) {
  Interception result;
  result.id = core::new_uuid();
  result.initiator_id = "user";
  result.api_key_id = "key";
  result.provider = "openai";
  result.model = "gpt";
  result.started_at = started_at;
  result.ended_at = started_at + 1;
  result.token_usages.push_back({core::new_uuid(), "r", 1, 2, 0, 0, "{}", started_at + 1});
  return result;
}

// Passes everything to a real store, optionally slowly, and counts batches.
class CountingStore final : public Store {
 public:
  CountingStore(std::unique_ptr<Store> inner, std::chrono::milliseconds delay)
      : delay_ms(static_cast<int>(delay.count())), inner_(std::move(inner)) {}
  bool has_users() override { return inner_->has_users(); }
  void insert_user(const User& user) override { inner_->insert_user(user); }
  std::vector<User> list_users() override { return inner_->list_users(); }
  std::optional<User> find_user_by_username(std::string_view name) override {
    return inner_->find_user_by_username(name);
  }
  std::optional<User> find_user_by_id(std::string_view id) override {
    return inner_->find_user_by_id(id);
  }
  void insert_token(const ApiToken& token) override { inner_->insert_token(token); }
  std::optional<TokenWithOwner> find_token(std::string_view id) override {
    return inner_->find_token(id);
  }
  std::vector<ApiToken> list_tokens(std::optional<std::string_view> user) override {
    return inner_->list_tokens(user);
  }
  bool revoke_token(std::string_view id, UnixMicros at) override {
    return inner_->revoke_token(id, at);
  }
  void touch_tokens(std::span<const std::pair<std::string, UnixMicros>> uses) override {
    inner_->touch_tokens(uses);
  }
  std::optional<std::string> get_setting(std::string_view key) override {
    return inner_->get_setting(key);
  }
  void put_setting(std::string_view key, std::string_view value) override {
    inner_->put_setting(key, value);
  }
  void write_interceptions(std::span<const Interception> batch) override {
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms.load()));
    ++batches;
    inner_->write_interceptions(batch);
  }
  void yield_cpu_every(std::chrono::microseconds interval) override {
    yield_interval_micros = interval.count();
    inner_->yield_cpu_every(interval);
  }
  std::size_t cache_bytes() override { return inner_->cache_bytes(); }
  std::size_t delete_interceptions_before(UnixMicros cutoff, std::size_t limit) override {
    return inner_->delete_interceptions_before(cutoff, limit);
  }
  std::optional<ListPosition> interception_position(
      std::string_view id, const std::optional<std::string>& visible_to) override {
    return inner_->interception_position(id, visible_to);
  }
  InterceptionPage list_interceptions(const InterceptionQuery& query) override {
    return inner_->list_interceptions(query);
  }
  void ping() override { inner_->ping(); }

  std::atomic<int> batches{0};
  std::atomic<int> delay_ms;
  std::atomic<std::int64_t> yield_interval_micros{-1};  // -1: never set

 private:
  std::unique_ptr<Store> inner_;
};

class RecorderTest : public ::testing::Test {
 protected:
  RecorderTest() : path_(dir_.path() + "/recorder.db") { open_store(path_, {}, true); }

  std::unique_ptr<Recorder> make(core::RecorderSettings settings,
                                 std::chrono::milliseconds delay = 0ms) {
    auto store = std::make_unique<CountingStore>(open_store(path_, {}, false), delay);
    store_ = store.get();
    return std::make_unique<Recorder>(std::move(store), settings, metrics_);
  }

  int rows(const std::string& table = "aibridge_interceptions") {
    sqlite::Database db(path_, false);
    auto statement = db.prepare("SELECT count(*) FROM " + table);
    statement.step();
    return static_cast<int>(statement.int64(0));
  }

  aibridge::testing::TempDir dir_;
  std::string path_;
  core::Metrics metrics_;
  CountingStore* store_ = nullptr;
};

TEST_F(RecorderTest, WritesInBatchesOfTheConfiguredSize) {
  core::RecorderSettings settings;
  settings.batch_size = 1000;
  settings.flush_interval = 200ms;
  auto recorder = make(settings);
  for (int i = 0; i < 2500; ++i) {
    ASSERT_TRUE(recorder->submit(record()));
  }
  recorder->flush();
  EXPECT_EQ(rows(), 2500);
  EXPECT_EQ(rows("aibridge_token_usages"), 2500);
  EXPECT_GE(store_->batches.load(), 3);
  EXPECT_EQ(metrics_.recorder_written_total.Value(), 2500);
  EXPECT_EQ(metrics_.recorder_dropped_total.Value(), 0);
}

TEST_F(RecorderTest, ARecordIsWrittenWithinTheFlushWindowWithoutAFlush) {
  core::RecorderSettings settings;
  settings.flush_interval = 50ms;
  auto recorder = make(settings);
  const auto submitted = std::chrono::steady_clock::now();
  recorder->submit(record());
  while (rows() == 0 && std::chrono::steady_clock::now() - submitted < 2s) {
    std::this_thread::sleep_for(2ms);
  }
  EXPECT_EQ(rows(), 1);
  EXPECT_LT(std::chrono::steady_clock::now() - submitted, 200ms);
}

TEST_F(RecorderTest, CloseWritesEverythingQueued) {
  core::RecorderSettings settings;
  settings.flush_interval = 200ms;
  auto recorder = make(settings, 20ms);
  for (int i = 0; i < 5000; ++i) {
    recorder->submit(record());
  }
  recorder->close();
  EXPECT_EQ(rows(), 5000);
  EXPECT_FALSE(recorder->submit(record()));  // closed
  EXPECT_EQ(metrics_.recorder_dropped_total.Value(), 1);
}

TEST_F(RecorderTest, AFullQueueDropsVisiblyAndNeverBlocks) {
  core::RecorderSettings settings;
  settings.queue_capacity = 10;
  settings.batch_size = 10;
  settings.flush_interval = 10ms;
  auto recorder = make(settings, 100ms);  // a store far slower than the producer
  int accepted = 0;
  const auto started = std::chrono::steady_clock::now();
  for (int i = 0; i < 200; ++i) {
    accepted += recorder->submit(record()) ? 1 : 0;
  }
  EXPECT_LT(std::chrono::steady_clock::now() - started, 50ms);  // submit never waited
  recorder->flush();
  EXPECT_LT(accepted, 200);
  EXPECT_EQ(metrics_.recorder_dropped_total.Value(), 200 - accepted);
  EXPECT_EQ(rows(), accepted);
}

TEST_F(RecorderTest, YieldsTheCpuOnlyWhileItKeepsUpEasily) {
  core::RecorderSettings settings;
  settings.flush_interval = 20ms;
  auto recorder = make(settings);
  const auto wait_for_interval = [&](std::int64_t expected) {
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (store_->yield_interval_micros.load() != expected &&
           std::chrono::steady_clock::now() < deadline) {
      recorder->submit(record());
      std::this_thread::sleep_for(5ms);
    }
    return store_->yield_interval_micros.load();
  };
  EXPECT_EQ(wait_for_interval(Recorder::kYieldInterval.count()), Recorder::kYieldInterval.count());
  store_->delay_ms = 60;  // writing now takes most of every cycle: a saturated machine
  EXPECT_EQ(wait_for_interval(0), 0);
  store_->delay_ms = 0;
  EXPECT_EQ(wait_for_interval(Recorder::kYieldInterval.count()), Recorder::kYieldInterval.count());
  recorder->close();
  EXPECT_EQ(metrics_.recorder_dropped_total.Value(), 0);
}

TEST_F(RecorderTest, ABacklogOfSeveralBatchesSignalsCongestionUntilWritten) {
  core::RecorderSettings settings;
  settings.batch_size = 10;
  settings.queue_capacity = 1000;
  settings.flush_interval = 10ms;
  auto recorder = make(settings, 50ms);
  for (int i = 0; i < 39; ++i) {
    recorder->submit(record());
  }
  EXPECT_FALSE(recorder->congested());  // under four batches behind
  for (int i = 0; i < 100; ++i) {
    recorder->submit(record());
  }
  EXPECT_TRUE(recorder->congested());
  recorder->flush();
  EXPECT_FALSE(recorder->congested());
  EXPECT_EQ(rows(), 139);
  EXPECT_EQ(metrics_.recorder_dropped_total.Value(), 0);
}

TEST_F(RecorderTest, ABadRecordDoesNotTakeItsBatchWithIt) {
  core::RecorderSettings settings;
  auto recorder = make(settings);
  Interception first = record();
  Interception duplicate = record();
  duplicate.id = first.id;
  recorder->submit(Interception(first));
  recorder->submit(record());
  recorder->submit(std::move(duplicate));
  recorder->submit(record());
  recorder->flush();
  EXPECT_EQ(rows(), 3);
  EXPECT_EQ(metrics_.recorder_dropped_total.Value(), 1);
}

TEST_F(RecorderTest, ConcurrentProducersLoseNothing) {
  core::RecorderSettings settings;
  settings.queue_capacity = 100000;
  auto recorder = make(settings);
  std::vector<std::thread> producers;
  for (int t = 0; t < 4; ++t) {
    producers.emplace_back([&] {
      for (int i = 0; i < 5000; ++i) {
        recorder->submit(record());
      }
    });
  }
  for (auto& producer : producers) {
    producer.join();
  }
  recorder->close();
  EXPECT_EQ(rows(), 20000);
}

TEST_F(RecorderTest, PeriodicTasksRunOnTheWriterAndAtClose) {
  core::RecorderSettings settings;
  settings.flush_interval = 10ms;
  auto recorder = make(settings);
  std::atomic<int> runs{0};
  std::atomic<int> hourly_runs{0};
  recorder->every(20ms, [&](Store& store) {
    store.ping();
    ++runs;
  });
  recorder->every(1h, [&](Store&) { ++hourly_runs; });  // not due before close
  std::this_thread::sleep_for(150ms);
  EXPECT_GE(runs.load(), 3);
  EXPECT_EQ(hourly_runs.load(), 0);
  recorder->close();
  EXPECT_EQ(hourly_runs.load(), 1);  // close runs every task once more
}

TEST_F(RecorderTest, RetentionDeletesOnlyOldInterceptions) {
  core::RecorderSettings settings;
  auto recorder = make(settings);
  const UnixMicros now = core::now_micros();
  const UnixMicros day = 86'400'000'000LL;
  for (int i = 0; i < 2500; ++i) {
    recorder->submit(record(now - 90 * day));
  }
  recorder->submit(record(now - 10 * day));
  recorder->submit(record(now));
  recorder->flush();
  auto store = open_store(path_, {}, false);
  EXPECT_EQ(apply_retention(*store, std::chrono::hours(24 * 60), 1000, 2), 2000U);  // bounded
  EXPECT_EQ(apply_retention(*store, std::chrono::hours(24 * 60), 1000, 2), 500U);
  EXPECT_EQ(apply_retention(*store, std::chrono::milliseconds(0)), 0U);  // 0 keeps everything
  EXPECT_EQ(rows(), 2);
  EXPECT_EQ(rows("aibridge_token_usages"), 2);
}

}  // namespace
}  // namespace aibridge::recorder
