// Gateway replicas sharing one PostgreSQL database (SPEC §9): tokens, the request-logging switch
// and every listing are the same through either; a database restart loses nothing.
#include <signal.h>

#include <chrono>
#include <thread>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "tests/support/gateway.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/mock.hpp"
#include "tests/support/postgres.hpp"

namespace aibridge::testing {
namespace {

using namespace std::chrono_literals;
namespace json = boost::json;

constexpr const char* kList = "/api/v2/aibridge/interceptions?limit=100";
constexpr const char* kToggle = "/api/experimental/aibridge/log-requests";

// Polls `condition` every 20 ms until it holds or `limit` passes; whether it held.
template <class Condition>
bool within(std::chrono::milliseconds limit, Condition condition) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= deadline) {
      return false;
    }
    std::this_thread::sleep_for(20ms);
  }
  return true;
}

class Replicas : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto server = postgres_server_uri();
    if (!server) {
      GTEST_SKIP() << kNoPostgres;
    }
    database_ = std::make_unique<TempPostgresDatabase>(*server);
  }

  std::vector<std::string> args(std::vector<std::string> extra = {}) const {
    std::vector<std::string> all = {"--database",         database_->uri(),
                                    "--anthropic-base-url", mock_.url(),
                                    "--anthropic-api-key",  "sk-ant-replica-key-0123",
                                    "--recorder-flush-interval", "10ms"};
    all.insert(all.end(), extra.begin(), extra.end());
    return all;
  }

  static Response chat(const Gateway& gateway, const std::string& token) {
    return request(gateway.port(), http::verb::post, "/anthropic/v1/messages",
                   {{"X-Api-Key", token}, {"Content-Type", "application/json"}},
                   R"({"model":"claude-replica","max_tokens":5,"messages":[]})");
  }

  static Response list(const Gateway& gateway, const std::string& token) {
    return request(gateway.port(), http::verb::get, kList, {{"Coder-Session-Token", token}});
  }

  static std::int64_t listed_count(const Gateway& gateway, const std::string& token) {
    const Response listing = list(gateway, token);
    if (listing.result_int() != 200) {
      return -1;
    }
    return json::parse(listing.body()).at("count").as_int64();
  }

  MockUpstream mock_;
  std::unique_ptr<TempPostgresDatabase> database_;
  TempDir first_dir_;
  TempDir second_dir_;
};

TEST_F(Replicas, ShareTokensTheRequestLoggingSwitchAndEveryListing) {
  Gateway first(first_dir_.path(), args());
  Gateway second(second_dir_.path(), args());
  const std::string token = first.admin_token();
  ASSERT_FALSE(token.empty());
  EXPECT_TRUE(second.admin_token().empty()) << "one owner for the shared database";

  // A token made through one replica works on the other; each records into the same table.
  EXPECT_EQ(chat(first, token).result_int(), 200);
  EXPECT_EQ(chat(second, token).result_int(), 200);
  EXPECT_EQ(chat(second, token).result_int(), 200);
  ASSERT_TRUE(within(10s, [&] { return listed_count(first, token) == 3; }));
  ASSERT_TRUE(within(10s, [&] { return listed_count(second, token) == 3; }));
  const Response from_first = list(first, token);
  const Response from_second = list(second, token);
  EXPECT_EQ(from_first.body(), from_second.body()) << "identical results, order and count";

  // The cursor one replica hands out pages the same on the other.
  const json::value page = json::parse(
      request(first.port(), http::verb::get, "/api/v2/aibridge/interceptions?limit=1",
              {{"Coder-Session-Token", token}})
          .body());
  const std::string after(page.at("results").as_array()[0].at("id").as_string());
  const std::string next = "/api/v2/aibridge/interceptions?limit=5&after_id=" + after;
  EXPECT_EQ(request(first.port(), http::verb::get, next, {{"Coder-Session-Token", token}}).body(),
            request(second.port(), http::verb::get, next, {{"Coder-Session-Token", token}}).body());

  // The request-logging switch set through one replica holds on the other within 2 s.
  ASSERT_EQ(request(first.port(), http::verb::post, kToggle, {{"Coder-Session-Token", token}},
                    R"({"enabled":true})")
                .result_int(),
            200);
  const auto enabled_on = [&](const Gateway& gateway) {
    const Response state =
        request(gateway.port(), http::verb::get, kToggle, {{"Coder-Session-Token", token}});
    return json::parse(state.body()).at("enabled").as_bool();
  };
  EXPECT_TRUE(within(2s, [&] { return enabled_on(second); }));

  EXPECT_EQ(first.stop(), 0);
  EXPECT_EQ(second.stop(), 0);
  // ... and survives restarts.
  Gateway restarted(first_dir_.path(), args());
  EXPECT_TRUE(enabled_on(restarted));
  EXPECT_EQ(restarted.stop(), 0);
}

TEST_F(Replicas, ATokenRevokedThroughOneIsRefusedByAllWithinTwoSeconds) {
  Gateway first(first_dir_.path(), args());
  Gateway second(second_dir_.path(), args());
  const std::string owner = first.admin_token();
  const RunResult created =
      run({gateway_binary(), "tokens", "create", "admin", "--database", database_->uri()},
          {{"AIBRIDGE_CONFIG", std::nullopt}});
  ASSERT_EQ(created.status, 0) << created.err;
  const std::string token = created.out.substr(0, created.out.find('\n'));
  // In steady use on both (so each holds it in its cache).
  ASSERT_EQ(chat(first, token).result_int(), 200);
  ASSERT_EQ(chat(second, token).result_int(), 200);
  const RunResult revoked = run({gateway_binary(), "tokens", "revoke", token.substr(0, 10),
                                 "--database", database_->uri()},
                                {{"AIBRIDGE_CONFIG", std::nullopt}});
  ASSERT_EQ(revoked.status, 0) << revoked.err;
  const auto started = std::chrono::steady_clock::now();
  EXPECT_TRUE(within(2500ms, [&] {
    return chat(first, token).result_int() == 401 && chat(second, token).result_int() == 401;
  }));
  EXPECT_LT(std::chrono::steady_clock::now() - started, 2500ms);
  EXPECT_EQ(chat(first, owner).result_int(), 200) << "other tokens are untouched";
  EXPECT_EQ(first.stop(), 0);
  EXPECT_EQ(second.stop(), 0);
}

// kill -9 of one replica: what it answered more than a flush interval before is recorded, and
// the other goes on serving and listing.
TEST_F(Replicas, KillingOneLosesAtMostItsLastBatchWindow) {
  Gateway first(first_dir_.path(), args());
  Gateway second(second_dir_.path(), args());
  const std::string token = first.admin_token();
  for (int i = 0; i < 30; ++i) {
    ASSERT_EQ(chat(i % 2 ? first : second, token).result_int(), 200);
  }
  // The promise under test is a time window: 100 flush intervals (10 ms here) after its last
  // answer, a replica has written everything it answered.
  std::this_thread::sleep_for(1s);
  first.process().signal(SIGKILL);
  EXPECT_EQ(first.process().wait(5s), 128 + SIGKILL);
  EXPECT_EQ(listed_count(second, token), 30);
  EXPECT_EQ(chat(second, token).result_int(), 200);
  EXPECT_TRUE(within(5s, [&] { return listed_count(second, token) == 31; }));
  EXPECT_EQ(second.stop(), 0);
}

// Replicas starting at the same moment on a new database: the migrations run once (the others
// wait on the lock) and one of them makes the owner.
TEST_F(Replicas, StartingTogetherMigrateOnceAndMakeOneOwner) {
  std::vector<std::unique_ptr<TempDir>> dirs;
  std::vector<std::unique_ptr<Gateway>> gateways(3);
  std::vector<std::thread> starts;
  for (std::size_t i = 0; i < gateways.size(); ++i) {
    dirs.push_back(std::make_unique<TempDir>());
    starts.emplace_back([&, i, dir = dirs.back()->path()] {
      gateways[i] = std::make_unique<Gateway>(dir, args());
    });
  }
  for (std::thread& start : starts) {
    start.join();
  }
  int owners = 0;
  std::string token;
  for (const auto& gateway : gateways) {
    if (!gateway->admin_token().empty()) {
      ++owners;
      token = gateway->admin_token();
    }
  }
  EXPECT_EQ(owners, 1);
  EXPECT_EQ(postgres_scalar(database_->uri(), "SELECT count(*) FROM users"), "1");
  EXPECT_EQ(postgres_scalar(database_->uri(), "SELECT count(*) FROM aibridge_schema_version"), "1");
  for (const auto& gateway : gateways) {
    EXPECT_EQ(list(*gateway, token).result_int(), 200);
    EXPECT_EQ(gateway->stop(), 0);
  }
}

// A password in the database URI never reaches the logs, whether the database answers or not.
TEST_F(Replicas, TheDatabasePasswordIsNeverShown) {
  constexpr const char* kPassword = "s3cret-Pa55word";
  std::string uri = database_->uri();
  uri.insert(uri.find('@'), std::string(":") + kPassword);  // the test server trusts anyone
  std::vector<std::string> with_password = args();
  with_password[1] = uri;
  Gateway gateway(first_dir_.path(), with_password);
  EXPECT_EQ(chat(gateway, gateway.admin_token()).result_int(), 200);
  EXPECT_EQ(gateway.stop(), 0);
  EXPECT_EQ(gateway.process().err().find(kPassword), std::string::npos) << gateway.process().err();
  EXPECT_NE(gateway.process().err().find(":***@"), std::string::npos) << gateway.process().err();

  // Nobody listens on port 1: the start fails, and says where without the password.
  const RunResult unreachable =
      run({gateway_binary(), "serve", "--listen", "127.0.0.1:0", "--data-dir", second_dir_.path(),
           "--database",
           std::string("postgresql://aibridge:") + kPassword + "@127.0.0.1:1/x?password=" +
               kPassword + "&connect_timeout=2"},
          {{"AIBRIDGE_CONFIG", std::nullopt}});
  EXPECT_EQ(unreachable.status, 1);
  EXPECT_NE(unreachable.err.find("cannot connect to PostgreSQL"), std::string::npos)
      << unreachable.err;
  EXPECT_EQ(unreachable.err.find(kPassword), std::string::npos) << unreachable.err;
}

// PostgreSQL stopped under a gateway: the relay keeps answering, /readyz and the admin API say
// 503, records wait in the queue; once the server is back every one of them is written.
TEST(ReplicasDatabaseRestart, NothingIsLostWhileTheDatabaseIsDown) {
  if (!postgres_server_uri()) {
    GTEST_SKIP() << kNoPostgres;
  }
  PrivatePostgresServer server;
  TempPostgresDatabase database(server.uri());
  MockUpstream mock;
  TempDir dir;
  Gateway gateway(dir.path(), {"--database", database.uri(), "--anthropic-base-url", mock.url(),
                               "--anthropic-api-key", "sk-ant-restart-key-0123",
                               "--recorder-flush-interval", "10ms"});
  const std::string token = gateway.admin_token();
  const auto chat = [&] {
    return request(gateway.port(), http::verb::post, "/anthropic/v1/messages",
                   {{"X-Api-Key", token}, {"Content-Type", "application/json"}},
                   R"({"model":"claude-restart","max_tokens":5,"messages":[]})")
        .result_int();
  };
  for (int i = 0; i < 5; ++i) {
    ASSERT_EQ(chat(), 200);
  }
  server.pause();
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(chat(), 200) << "the relay does not need the database";
  }
  EXPECT_EQ(request(gateway.port(), http::verb::get, "/readyz").result_int(), 503);
  const Response listing = request(gateway.port(), http::verb::get, kList,
                                   {{"Coder-Session-Token", token}});
  EXPECT_EQ(listing.result_int(), 503);
  EXPECT_NE(listing.body().find("The database is unavailable"), std::string::npos)
      << listing.body();
  server.resume();
  EXPECT_TRUE(within(20s, [&] {
    const Response after = request(gateway.port(), http::verb::get, kList,
                                   {{"Coder-Session-Token", token}});
    return after.result_int() == 200 && json::parse(after.body()).at("count").as_int64() == 25;
  })) << "every interception recorded once the database is back";
  EXPECT_EQ(request(gateway.port(), http::verb::get, "/readyz").result_int(), 200);
  EXPECT_EQ(gateway.stop(), 0);
  EXPECT_NE(gateway.process().err().find("the database is back"), std::string::npos);
}

}  // namespace
}  // namespace aibridge::testing
