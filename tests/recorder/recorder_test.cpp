#include "recorder/recorder.hpp"

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>

#include "core/ids.hpp"
#include "recorder/retention.hpp"
#include "recorder/sqlite/database.hpp"
#include "tests/support/process.hpp"

namespace aibridge::recorder {
namespace {

using namespace std::chrono_literals;

Interception record(UnixMicros started_at = core::now_micros()) {
  Interception result;
  result.started_at = started_at;
  result.id = core::new_uuid_at(started_at);
  result.initiator_id = "user";
  result.api_key_id = "key";
  result.provider = "openai";
  result.model = "gpt";
  result.ended_at = started_at + 1;
  result.token_usages.push_back({child_id(result.id, ChildKind::kTokenUsage, 0), "r", 1, 2, 0, 0,
                                 "{}", started_at + 1});
  return result;
}

// A sink that passes everything to a real store, optionally slowly, and counts batches: the
// writer needs nothing but the RecordSink role.
class CountingSink final : public RecordSink {
 public:
  CountingSink(std::unique_ptr<RecordSink> inner, std::chrono::milliseconds delay)
      : delay_ms(static_cast<int>(delay.count())), inner_(std::move(inner)) {}
  void write_interceptions(std::span<const Interception> batch) override {
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms.load()));
    ++batches;
    inner_->write_interceptions(batch);
  }
  std::size_t delete_interceptions_before(UnixMicros cutoff, std::size_t limit) override {
    return inner_->delete_interceptions_before(cutoff, limit);
  }

  std::atomic<int> batches{0};
  std::atomic<int> delay_ms;

 private:
  std::unique_ptr<RecordSink> inner_;
};

class RecorderTest : public ::testing::Test {
 protected:
  RecorderTest() : path_(dir_.path() + "/recorder.db") { open_store(path_, {}, true); }

  std::unique_ptr<Recorder> make(core::RecorderSettings settings,
                                 std::chrono::milliseconds delay = 0ms) {
    auto sink = std::make_unique<CountingSink>(open_record_sink(path_, {}), delay);
    sink_ = sink.get();
    return std::make_unique<Recorder>(std::move(sink), settings, metrics_);
  }

  // Interceptions in the database, or children of one kind ("token_usages", …).
  int rows(const std::string& children = "") {
    sqlite::Database db(path_, false);
    auto statement = db.prepare(
        children.empty() ? std::string("SELECT count(*) FROM aibridge_records")
                         : "SELECT coalesce(sum(json_array_length(children, '$." + children +
                               "')), 0) FROM aibridge_records");
    statement.step();
    return static_cast<int>(statement.int64(0));
  }

  aibridge::testing::TempDir dir_;
  std::string path_;
  core::Metrics metrics_;
  CountingSink* sink_ = nullptr;
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
  EXPECT_EQ(rows("token_usages"), 2500);
  EXPECT_GE(sink_->batches.load(), 3);
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

TEST_F(RecorderTest, AFarBehindWriterSignalsRoomWhenItHasCaughtUp) {
  core::RecorderSettings settings;
  settings.batch_size = 10;
  settings.queue_capacity = 400;
  settings.flush_interval = 10ms;
  auto recorder = make(settings, 30ms);
  std::atomic<int> told{0};
  recorder->notify_when_room([&] { ++told; });
  EXPECT_EQ(told.load(), 1);  // room already: told at once, on this thread
  for (int i = 0; i < 299; ++i) {
    recorder->submit(record());
  }
  EXPECT_FALSE(recorder->congested());  // under three-quarters full
  for (int i = 0; i < 100; ++i) {
    recorder->submit(record());
  }
  ASSERT_TRUE(recorder->congested());
  std::mutex mutex;
  std::condition_variable room;
  bool has_room = false;
  std::thread::id caller;
  recorder->notify_when_room([&] {
    std::lock_guard lock(mutex);
    has_room = true;
    caller = std::this_thread::get_id();
    room.notify_one();
  });
  {
    std::unique_lock lock(mutex);
    ASSERT_TRUE(room.wait_for(lock, 30s, [&] { return has_room; }));
  }
  EXPECT_NE(caller, std::this_thread::get_id());  // the writer said so
  EXPECT_FALSE(recorder->congested());
  recorder->flush();
  EXPECT_EQ(rows(), 399);
  EXPECT_EQ(metrics_.recorder_dropped_total.Value(), 0);
}

// A store that is unreachable (as PostgreSQL restarting) until the test brings it back.
class OutageSink final : public RecordSink {
 public:
  explicit OutageSink(std::unique_ptr<RecordSink> inner) : inner_(std::move(inner)) {}
  void write_interceptions(std::span<const Interception> batch) override {
    {
      std::lock_guard lock(mutex_);
      if (down_) {
        ++refused_;
        changed_.notify_all();
        throw StoreUnavailable("the test's database is down");
      }
    }
    inner_->write_interceptions(batch);
  }
  std::size_t delete_interceptions_before(UnixMicros cutoff, std::size_t limit) override {
    return inner_->delete_interceptions_before(cutoff, limit);
  }
  bool wait_until_refused(int times) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, 30s, [&] { return refused_ >= times; });
  }
  void bring_back() {
    std::lock_guard lock(mutex_);
    down_ = false;
  }

 private:
  std::unique_ptr<RecordSink> inner_;
  std::mutex mutex_;  // guards what follows
  std::condition_variable changed_;
  bool down_ = true;
  int refused_ = 0;
};

// While the store is unreachable the batch in hand waits and the queue fills up to its bound;
// no request is held back for room the writer cannot make; once the store is back everything
// queued is written, and what overflowed was dropped and counted.
TEST_F(RecorderTest, AnUnreachableStoreKeepsRecordsQueuedAndHoldsNoRequestBack) {
  core::RecorderSettings settings;
  settings.queue_capacity = 100;
  settings.batch_size = 10;
  settings.flush_interval = 10ms;
  auto sink = std::make_unique<OutageSink>(open_record_sink(path_, {}));
  OutageSink* outage = sink.get();
  Recorder recorder(std::move(sink), settings, metrics_);
  ASSERT_TRUE(recorder.submit(record()));
  // The writer holds that one, retrying: by its second try it has called the store down.
  ASSERT_TRUE(outage->wait_until_refused(2));
  for (int i = 0; i < 149; ++i) {
    recorder.submit(record());
  }
  EXPECT_FALSE(recorder.congested()) << "a request waiting for room would wait in vain";
  std::atomic<int> told{0};
  recorder.notify_when_room([&] { ++told; });
  EXPECT_EQ(told.load(), 1);
  ASSERT_TRUE(outage->wait_until_refused(3));  // still down, still retrying
  outage->bring_back();
  recorder.flush();
  EXPECT_EQ(rows(), 101);  // the one in hand and a full queue
  EXPECT_EQ(metrics_.recorder_dropped_total.Value(), 49);
  EXPECT_EQ(metrics_.recorder_written_total.Value(), 101);
}

TEST_F(RecorderTest, ABadRecordDoesNotTakeItsBatchWithIt) {
  core::RecorderSettings settings;
  auto recorder = make(settings);
  Interception bad = record();
  bad.id = "not-a-uuid";
  recorder->submit(record());
  recorder->submit(record());
  recorder->submit(std::move(bad));
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
  recorder->every(20ms, [&](RecordSink&) { ++runs; });
  recorder->every(1h, [&](RecordSink&) { ++hourly_runs; });  // not due before close
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
    recorder->submit(record(now - 90 * day + i));
  }
  recorder->submit(record(now - 10 * day));
  recorder->submit(record(now));
  recorder->flush();
  auto store = open_store(path_, {}, false);
  EXPECT_EQ(apply_retention(*store, std::chrono::hours(24 * 60), 1000, 2), 2000U);  // bounded
  EXPECT_EQ(apply_retention(*store, std::chrono::hours(24 * 60), 1000, 2), 500U);
  EXPECT_EQ(apply_retention(*store, std::chrono::milliseconds(0)), 0U);  // 0 keeps everything
  EXPECT_EQ(rows(), 2);
  EXPECT_EQ(rows("token_usages"), 2);
}

}  // namespace
}  // namespace aibridge::recorder
