// Crash consistency (SPEC §5.2): kill -9 under load leaves a sound database missing at most the
// last flush window; SIGTERM under load loses nothing.
#include <signal.h>

#include <atomic>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>

#include "recorder/sqlite/database.hpp"
#include "tests/support/gateway.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/mock.hpp"

namespace aibridge::testing {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// Clients sending blocking requests as fast as the gateway answers, until it stops answering.
class Load {
 public:
  Load(unsigned short port, const std::string& token, int clients) {
    for (int i = 0; i < clients; ++i) {
      threads_.emplace_back([this, port, token] { run(port, token); });
    }
  }
  ~Load() { join(); }
  void join() {
    for (auto& thread : threads_) {
      if (thread.joinable()) {
        thread.join();
      }
    }
  }
  std::size_t completed_before(Clock::time_point moment) {
    std::lock_guard lock(mutex_);
    std::size_t count = 0;
    for (const auto& time : completions_) {
      count += time < moment ? 1 : 0;
    }
    return count;
  }
  std::size_t completed() {
    std::lock_guard lock(mutex_);
    return completions_.size();
  }

 private:
  void run(unsigned short port, const std::string& token) {
    try {
      while (true) {
        Connection connection(port);
        for (int i = 0; i < 50; ++i) {
          const Response response =
              connection.request(http::verb::post, "/anthropic/v1/messages", {{"X-Api-Key", token}},
                                 R"({"model":"m","messages":[]})");
          if (response.result_int() != 200) {
            return;
          }
          std::lock_guard lock(mutex_);
          completions_.push_back(Clock::now());
        }
      }
    } catch (const std::exception&) {
      // the gateway went away: stop
    }
  }

  std::mutex mutex_;  // guards completions_
  std::vector<Clock::time_point> completions_;
  std::vector<std::thread> threads_;
};

long count_interceptions(const std::string& path, std::string* integrity = nullptr) {
  recorder::sqlite::Database db(path, false);
  if (integrity != nullptr) {
    auto check = db.prepare("PRAGMA integrity_check");
    check.step();
    *integrity = check.text(0);
  }
  auto count = db.prepare("SELECT count(*) FROM aibridge_interceptions");
  count.step();
  return static_cast<long>(count.int64(0));
}

TEST(CrashConsistency, KillNineLosesAtMostTheLastFlushWindow) {
  MockUpstream mock({"--no-record"});
  TempDir dir;
  Gateway gateway(dir.path(), {"--anthropic-base-url", mock.url(), "--recorder-flush-interval",
                               "100ms", "--access-log", "false"});
  Load load(gateway.port(), gateway.admin_token(), 4);
  std::this_thread::sleep_for(1500ms);
  const auto killed_at = Clock::now();
  gateway.process().signal(SIGKILL);
  gateway.process().wait(5s);
  load.join();

  std::string integrity;
  const long recorded = count_interceptions(dir.path() + "/aibridge.db", &integrity);
  EXPECT_EQ(integrity, "ok");
  // Everything that completed before the last flush window (100 ms, plus the commit) is there.
  // A sanitized writer commits several times slower, so its window is wider.
  const std::size_t settled = load.completed_before(killed_at - (kSanitizedBuild ? 1000ms : 300ms));
  EXPECT_GT(settled, 100U);
  EXPECT_GE(recorded, static_cast<long>(settled));
  EXPECT_LE(recorded, static_cast<long>(load.completed()));
  std::cout << "kill -9: " << load.completed() << " completed, " << recorded << " recorded, "
            << settled << " completed before the last flush window\n";
}

TEST(CrashConsistency, SigtermUnderLoadLosesNothing) {
  MockUpstream mock({"--no-record"});
  TempDir dir;
  Gateway gateway(dir.path(), {"--anthropic-base-url", mock.url(), "--access-log", "false"});
  Load load(gateway.port(), gateway.admin_token(), 4);
  std::this_thread::sleep_for(1000ms);
  EXPECT_EQ(gateway.stop(10s), 0);
  load.join();
  EXPECT_GT(load.completed(), 100U);
  EXPECT_EQ(count_interceptions(dir.path() + "/aibridge.db"), static_cast<long>(load.completed()));
}

}  // namespace
}  // namespace aibridge::testing
