// The watchdog on real loopback sockets: what an expired deadline leaves of the connection;
// and the name lookups it guards, which a deadline or shutdown abandons.
#include "proxy/watchdog.hpp"

#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <chrono>
#include <functional>
#include <future>
#include <memory>
#include <string>
#include <vector>

#include "proxy/upstream/lookup.hpp"

namespace aibridge::proxy {
namespace {

using namespace std::chrono_literals;
constexpr auto kTuple = net::as_tuple(net::use_awaitable);

// A connected pair on 127.0.0.1: `ours` is what the watchdog guards, `peer` the other end.
struct SocketPair {
  explicit SocketPair(net::io_context& io) : ours(io), peer(io) {
    tcp::acceptor acceptor(io, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0));
    ours.connect(acceptor.local_endpoint());
    peer = acceptor.accept();
  }
  tcp::socket ours;
  tcp::socket peer;
};

// A shard's watchdog and ticker with a connected pair; run() runs a test coroutine beside the
// ticker, at most 10 s: a step that waits for ever fails the test instead of hanging it.
class WatchdogTest : public ::testing::Test {
 protected:
  void run(std::function<net::awaitable<void>()> test) {
    bool finished = false;
    net::co_spawn(io_, ticker_.run(), net::detached);
    net::co_spawn(io_, [&]() -> net::awaitable<void> {
      co_await test();
      finished = true;
      io_.stop();
    }, net::detached);
    io_.run_for(10s);
    EXPECT_TRUE(finished) << "an operation was left waiting after the deadline";
  }

  net::io_context io_;
  WatchdogTicker ticker_{io_};
  Watchdog watchdog_{ticker_};
  SocketPair pair_{io_};
};

TEST_F(WatchdogTest, ACutSocketFailsTheNextStepOfAComposedWriteAtOnce) {
  run([&]() -> net::awaitable<void> {
    // The peer reads nothing: a write far larger than the socket buffers stalls until the
    // deadline cuts it.
    const std::vector<char> big(64 << 20, 'x');
    watchdog_.arm(100ms, pair_.ours);
    auto [error, written] = co_await net::async_write(pair_.ours, net::buffer(big), kTuple);
    EXPECT_TRUE(error);
    EXPECT_LT(written, big.size());
    EXPECT_TRUE(watchdog_.expired());
    // A composed operation caught between two steps when the deadline fired would start its
    // next step now, with no deadline armed: that step must fail, not wait for the peer.
    auto [next_error, next_written] =
        co_await pair_.ours.async_write_some(net::buffer(big.data(), 4096), kTuple);
    EXPECT_EQ(next_error, net::error::broken_pipe) << next_error.message();
    std::array<char, 16> piece{};
    auto [read_error, read] = co_await pair_.ours.async_read_some(net::buffer(piece), kTuple);
    EXPECT_EQ(read_error, net::error::eof) << read_error.message();
  });
}

TEST_F(WatchdogTest, ACancelledSocketCanStillAnswer) {
  run([&]() -> net::awaitable<void> {
    std::array<char, 64> piece{};
    watchdog_.arm(100ms, pair_.ours, OnExpiry::kCancel);
    auto [error, read] = co_await pair_.ours.async_read_some(net::buffer(piece), kTuple);
    EXPECT_EQ(error, net::error::operation_aborted) << error.message();
    EXPECT_TRUE(watchdog_.expired());
    const std::string answer = "HTTP/1.1 408 Request Timeout\r\n\r\n";
    auto [write_error, written] = co_await net::async_write(pair_.ours, net::buffer(answer), kTuple);
    EXPECT_FALSE(write_error) << write_error.message();
    std::string received(answer.size(), '\0');
    auto [peer_error, got] = co_await net::async_read(pair_.peer, net::buffer(received), kTuple);
    EXPECT_FALSE(peer_error);
    EXPECT_EQ(received, answer);
  });
}

TEST_F(WatchdogTest, AnInterruptEndsWhatIsPendingWithoutCallingItATimeout) {
  run([&]() -> net::awaitable<void> {
    watchdog_.arm(10s, pair_.ours);
    net::post(io_, [this] { watchdog_.interrupt(); });  // while the read waits
    std::array<char, 16> piece{};
    auto [error, read] = co_await pair_.ours.async_read_some(net::buffer(piece), kTuple);
    EXPECT_EQ(error, net::error::operation_aborted) << error.message();
    EXPECT_FALSE(watchdog_.expired());
    EXPECT_TRUE(watchdog_.interrupted());
  });
}

TEST_F(WatchdogTest, RemembersWhichSocketItCutAfterTheNextArm) {
  SocketPair& upstream = pair_;
  SocketPair client(io_);
  run([&]() -> net::awaitable<void> {
    watchdog_.arm(50ms, upstream.ours);
    std::array<char, 16> piece{};
    auto [error, read] = co_await upstream.ours.async_read_some(net::buffer(piece), kTuple);
    EXPECT_TRUE(error);
    watchdog_.arm(10s, client.ours);  // the relay goes on to write to the client
    EXPECT_FALSE(watchdog_.expired());
    EXPECT_TRUE(watchdog_.cut(&upstream.ours));  // so the connection is not pooled
    EXPECT_FALSE(watchdog_.cut(&client.ours));
    watchdog_.disarm();
  });
}

TEST_F(WatchdogTest, DisarmedInTimeNothingHappens) {
  run([&]() -> net::awaitable<void> {
    watchdog_.arm(10s, pair_.ours);
    const std::string hello = "hello";
    auto [write_error, written] = co_await net::async_write(pair_.peer, net::buffer(hello), kTuple);
    EXPECT_FALSE(write_error);
    std::string received(hello.size(), '\0');
    auto [error, got] = co_await net::async_read(pair_.ours, net::buffer(received), kTuple);
    watchdog_.disarm();
    EXPECT_FALSE(error);
    EXPECT_EQ(received, hello);
    // Past several ticks, the socket is still whole.
    net::steady_timer pause(io_, 3 * WatchdogTicker::kTick);
    co_await pause.async_wait(kTuple);
    EXPECT_FALSE(watchdog_.expired());
    auto [again_error, again] = co_await net::async_write(pair_.ours, net::buffer(hello), kTuple);
    EXPECT_FALSE(again_error);
  });
}

// A lookup that hangs until the test lets it go (as getaddrinfo does while DNS is down), and a
// way to wait until it has started.
struct HangingResolve {
  std::shared_ptr<std::promise<void>> release = std::make_shared<std::promise<void>>();
  std::shared_future<void> released = release->get_future().share();
  std::shared_ptr<std::atomic<int>> calls = std::make_shared<std::atomic<int>>(0);

  BlockingResolve function() const {
    return [released = released, calls = calls](const std::string&, const std::string&) {
      ++*calls;
      released.wait();
      return LookupResult{{}, {tcp::endpoint(net::ip::make_address("127.0.0.1"), 1)}};
    };
  }
  ~HangingResolve() { release->set_value(); }
};

TEST_F(WatchdogTest, AHangingLookupEndsAtItsDeadline) {
  HangingResolve hanging;
  run([&]() -> net::awaitable<void> {
    const auto started = Watchdog::Clock::now();
    const LookupResult result =
        co_await lookup(watchdog_, 100ms, "provider.example", "443", hanging.function());
    EXPECT_EQ(result.error, net::error::operation_aborted);
    EXPECT_TRUE(watchdog_.expired());
    EXPECT_LT(Watchdog::Clock::now() - started, 5s);
  });
  EXPECT_EQ(*hanging.calls, 1);
}

TEST_F(WatchdogTest, AnInterruptEndsAHangingLookupAtOnce) {
  HangingResolve hanging;
  run([&]() -> net::awaitable<void> {
    net::steady_timer soon(io_, 20ms);
    soon.async_wait([&](const error_code&) { watchdog_.interrupt(); });
    const LookupResult result =
        co_await lookup(watchdog_, 1h, "provider.example", "443", hanging.function());
    EXPECT_EQ(result.error, net::error::operation_aborted);
    EXPECT_FALSE(watchdog_.expired());
    EXPECT_TRUE(watchdog_.interrupted());
    // Once interrupted, a further lookup does not start.
    const LookupResult next =
        co_await lookup(watchdog_, 1h, "provider.example", "443", hanging.function());
    EXPECT_EQ(next.error, net::error::operation_aborted);
  });
  EXPECT_EQ(*hanging.calls, 1);
}

TEST_F(WatchdogTest, ALookupThatAnswersGivesItsAddresses) {
  run([&]() -> net::awaitable<void> {
    const tcp::endpoint answer(net::ip::make_address("10.1.2.3"), 443);
    const LookupResult result = co_await lookup(
        watchdog_, 10s, "provider.example", "443",
        [answer](const std::string& host, const std::string& port) {
          EXPECT_EQ(host, "provider.example");
          EXPECT_EQ(port, "443");
          return LookupResult{{}, {answer}};
        });
    EXPECT_FALSE(result.error);
    EXPECT_EQ(result.endpoints, std::vector<tcp::endpoint>{answer});
    const LookupResult failed = co_await lookup(
        watchdog_, 10s, "nowhere.example", "443", [](const std::string&, const std::string&) {
          return LookupResult{net::error::host_not_found, {}};
        });
    EXPECT_EQ(failed.error, net::error::host_not_found);
    EXPECT_FALSE(watchdog_.expired());
  });
}

TEST_F(WatchdogTest, NumericAddressesAreNotLookedUp) {
  run([&]() -> net::awaitable<void> {
    const auto must_not_run = [](const std::string& host, const std::string&) {
      ADD_FAILURE() << "looked up " << host;
      return LookupResult{};
    };
    const LookupResult v4 = co_await lookup(watchdog_, 10s, "127.0.0.1", "8080", must_not_run);
    EXPECT_EQ(v4.endpoints,
              std::vector<tcp::endpoint>{tcp::endpoint(net::ip::make_address("127.0.0.1"), 8080)});
    const LookupResult v6 = co_await lookup(watchdog_, 10s, "::1", "443", must_not_run);
    EXPECT_EQ(v6.endpoints,
              std::vector<tcp::endpoint>{tcp::endpoint(net::ip::make_address("::1"), 443)});
  });
}

TEST(Lookup, GetaddrinfoResolvesLocalhost) {
  const LookupResult result = resolve_with_getaddrinfo("localhost", "80");
  ASSERT_FALSE(result.error) << result.error.message();
  ASSERT_FALSE(result.endpoints.empty());
  EXPECT_TRUE(result.endpoints.front().address().is_loopback());
  EXPECT_EQ(result.endpoints.front().port(), 80);
}

}  // namespace
}  // namespace aibridge::proxy
