// The gateway's lifecycle as a real process: one listener per port, the drain at shutdown that
// load balancers see, and a second signal that cancels at once (SPEC §4.5).
#include <signal.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "tests/support/gateway.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/mock.hpp"

namespace aibridge::testing {
namespace {

using namespace std::chrono_literals;
namespace json = boost::json;

std::vector<std::string> provider_args(const MockUpstream& mock,
                                       std::vector<std::string> extra = {}) {
  std::vector<std::string> args = {"--anthropic-base-url", mock.url(), "--anthropic-api-key",
                                   "sk-ant-test-key-123456"};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

Headers slow_stream(const std::string& token, int events) {
  return {{"Authorization", "Bearer " + token},
          {"X-Mock-Scenario", "sse"},
          {"X-Mock-Events", std::to_string(events)},
          {"X-Mock-Interval-Ms", "100"}};
}

TEST(Lifecycle, ASecondGatewayOnTheSamePortRefusesToStart) {
  TempDir first_dir;
  TempDir second_dir;
  Gateway first(first_dir.path(), {"--threads", "2"});
  const std::string listen = "127.0.0.1:" + std::to_string(first.port());
  const RunResult second =
      run({gateway_binary(), "serve", "--listen", listen, "--threads", "2", "--data-dir",
           second_dir.path()},
          {{"AIBRIDGE_CONFIG", std::nullopt}}, 20s);
  EXPECT_EQ(second.status, 1) << second.err;
  EXPECT_NE(second.err.find("cannot listen on " + listen + ": Address already in use"),
            std::string::npos)
      << second.err;
  // Every connection still reaches the first gateway (its token works on all of them).
  for (int i = 0; i < 12; ++i) {
    const Response listing = request(first.port(), http::verb::get, "/api/v2/aibridge/interceptions",
                                     {{"Coder-Session-Token", first.admin_token()}});
    EXPECT_EQ(listing.result_int(), 200) << "request " << i;
  }
  EXPECT_EQ(first.stop(), 0);
}

// A program of the same user that sets SO_REUSEPORT can neither join the gateway's port nor
// take it over on a more specific address (127.0.0.1 while the gateway listens on 0.0.0.0),
// with one network thread or several.
TEST(Lifecycle, NoOtherSocketCanBindTheListeningPort) {
  for (const char* threads : {"1", "2"}) {
    SCOPED_TRACE(std::string("threads ") + threads);
    TempDir dir;
    Gateway gateway(dir.path(), {"--threads", threads, "--listen", "0.0.0.0:0"});
    net::io_context io;
    for (const char* address : {"0.0.0.0", "127.0.0.1"}) {
      tcp::acceptor intruder(io);
      intruder.open(tcp::v4());
      intruder.set_option(net::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>(true));
      intruder.set_option(tcp::acceptor::reuse_address(true));
      error_code error;
      intruder.bind(tcp::endpoint(net::ip::make_address(address), gateway.port()), error);
      EXPECT_EQ(error, net::error::address_in_use) << address;
    }
    // Every shard still serves: more connections than threads, each answered.
    std::vector<std::unique_ptr<Connection>> connections;
    for (int i = 0; i < 8; ++i) {
      connections.push_back(std::make_unique<Connection>(gateway.port()));
    }
    for (auto& connection : connections) {
      EXPECT_EQ(connection->request(http::verb::get, "/healthz").result_int(), 200);
    }
    connections.clear();
    EXPECT_EQ(gateway.stop(), 0);
  }
}

// While a stream is still in flight after SIGTERM, the gateway keeps accepting: /readyz says
// 503 (a load balancer takes it out), /healthz 200, each response closes its connection; the
// stream finishes, then the process exits.
TEST(Lifecycle, DrainingAnswersReadyz503UntilInFlightRequestsFinish) {
  MockUpstream mock;
  TempDir dir;
  Gateway gateway(dir.path(), provider_args(mock, {"--shutdown-grace", "20s"}));
  Connection kept(gateway.port());
  ASSERT_EQ(kept.request(http::verb::get, "/healthz").result_int(), 200);

  StreamedResponse stream;
  std::thread client([&] {
    stream = stream_request(gateway.port(), http::verb::post, "/anthropic/v1/messages",
                            slow_stream(gateway.admin_token(), 40), R"({"stream":true})");
  });
  mock.wait_for("requests", 1);
  gateway.process().signal(SIGTERM);
  ASSERT_TRUE(gateway.process().wait_for_stderr("shutting down", 5s));

  const Response on_kept = kept.request(http::verb::get, "/readyz");
  EXPECT_EQ(on_kept.result_int(), 503);
  EXPECT_FALSE(on_kept.keep_alive()) << "draining responses say Connection: close";
  const Response health = request(gateway.port(), http::verb::get, "/healthz");
  EXPECT_EQ(health.result_int(), 200);
  EXPECT_FALSE(health.keep_alive());
  EXPECT_EQ(request(gateway.port(), http::verb::get, "/readyz").result_int(), 503);
  EXPECT_TRUE(gateway.process().running()) << "the stream is still in flight";

  client.join();
  EXPECT_TRUE(stream.complete);
  EXPECT_NE(stream.body.find("message_stop"), std::string::npos);
  EXPECT_EQ(gateway.process().wait(10s), 0);
}

// A second signal cancels every in-flight stream at once, wherever it is (connecting, waiting
// for the provider, streaming), and the record says the gateway shut down.
TEST(Lifecycle, ASecondSignalCancelsAtOnceAndRecordsTheShutdown) {
  MockUpstream mock;
  TempDir dir;
  std::string token;
  std::vector<std::string> cancelled_ids;
  for (int round = 0; round < 6; ++round) {
    Gateway gateway(dir.path(), provider_args(mock, {"--shutdown-grace", "30s"}));
    if (round == 0) {
      token = gateway.admin_token();
    }
    const long provider_requests = mock.stats().at("requests").as_int64();
    StreamedResponse stream;
    std::thread client([&] {
      try {
        stream = stream_request(gateway.port(), http::verb::post, "/anthropic/v1/messages",
                                slow_stream(token, 300), R"({"stream":true})");
      } catch (const std::exception&) {
        // Cut before the response head: nothing to record either.
      }
    });
    // Early rounds signal while the request may still be on its way in or connecting; later
    // ones once the provider is streaming.
    if (round < 3) {
      std::this_thread::sleep_for(std::chrono::milliseconds(round * 3));
    } else {
      mock.wait_for("requests", provider_requests + 1);
    }
    gateway.process().signal(SIGTERM);
    ASSERT_TRUE(gateway.process().wait_for_stderr("shutting down", 5s));
    const auto second = std::chrono::steady_clock::now();
    gateway.process().signal(SIGTERM);
    client.join();
    EXPECT_EQ(gateway.process().wait(10s), 0);
    EXPECT_LT(std::chrono::steady_clock::now() - second, kSanitizedBuild ? 3s : 1s)
        << "round " << round << ":\n"
        << gateway.process().err();
    EXPECT_FALSE(stream.complete);
    const std::string id(stream.headers["X-AIBridge-Interception-Id"]);
    if (!id.empty()) {
      cancelled_ids.push_back(id);
    }
  }
  ASSERT_GE(cancelled_ids.size(), 3U);

  Gateway reader(dir.path());
  const Response listing = request(reader.port(), http::verb::get,
                                   "/api/v2/aibridge/interceptions?limit=1000",
                                   {{"Coder-Session-Token", token}});
  const json::array results = json::parse(listing.body()).at("results").as_array();
  for (const std::string& id : cancelled_ids) {
    const auto found = std::find_if(results.begin(), results.end(), [&](const json::value& row) {
      return row.at("id").as_string() == id;
    });
    ASSERT_NE(found, results.end()) << id << " was not recorded";
    EXPECT_EQ(found->at("metadata").at("status"), "cancelled");
    EXPECT_EQ(found->at("metadata").at("error"), "the gateway shut down");
  }
  EXPECT_EQ(reader.stop(), 0);
}

// Whether some socket of this machine is still in SYN-SENT towards 127.0.0.1:`port`.
bool connecting_to(unsigned short port) {
  std::ifstream table("/proc/net/tcp");
  std::string line;
  char wanted[16];
  std::snprintf(wanted, sizeof wanted, "0100007F:%04X", port);
  while (std::getline(table, line)) {
    std::istringstream fields(line);
    std::string slot, local, remote, state;
    fields >> slot >> local >> remote >> state;
    if (remote == wanted && state == "02") {
      return true;
    }
  }
  return false;
}

// The second signal also ends a connect to a provider that does not answer (one whose listen
// queue is full drops the SYNs): no waiting for the connect timeout.
TEST(Lifecycle, ASecondSignalCancelsAConnectInProgress) {
  net::io_context io;
  tcp::acceptor unanswering(io, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0));
  unanswering.listen(0);
  const unsigned short port = unanswering.local_endpoint().port();
  tcp::socket filler(io);  // the one connection the queue holds
  filler.connect(unanswering.local_endpoint());

  TempDir dir;
  Gateway gateway(dir.path(), {"--anthropic-base-url", "http://127.0.0.1:" + std::to_string(port),
                               "--anthropic-api-key", "sk-ant-test-key-123456",
                               "--timeouts-upstream-connect", "60s", "--shutdown-grace", "60s"});
  const std::string token = gateway.admin_token();
  std::thread client([&] {
    try {
      stream_request(gateway.port(), http::verb::post, "/anthropic/v1/messages",
                     {{"Authorization", "Bearer " + token}}, R"({"stream":true})");
    } catch (const std::exception&) {
      // Cut before any response: expected.
    }
  });
  const auto give_up = std::chrono::steady_clock::now() + 10s;
  while (!connecting_to(port) && std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(10ms);
  }
  ASSERT_TRUE(connecting_to(port)) << "the gateway never tried to connect";
  gateway.process().signal(SIGTERM);
  ASSERT_TRUE(gateway.process().wait_for_stderr("shutting down", 5s));
  const auto second = std::chrono::steady_clock::now();
  gateway.process().signal(SIGTERM);
  EXPECT_EQ(gateway.process().wait(20s), 0);
  client.join();
  EXPECT_LT(std::chrono::steady_clock::now() - second, kSanitizedBuild ? 3s : 1s)
      << gateway.process().err();

  Gateway reader(dir.path());
  const Response listing = request(reader.port(), http::verb::get,
                                   "/api/v2/aibridge/interceptions", {{"Coder-Session-Token", token}});
  const json::array results = json::parse(listing.body()).at("results").as_array();
  ASSERT_EQ(results.size(), 1U) << listing.body();
  EXPECT_EQ(results[0].at("metadata").at("status"), "cancelled");
  EXPECT_EQ(results[0].at("metadata").at("error"), "the gateway shut down");
  EXPECT_EQ(reader.stop(), 0);
}

}  // namespace
}  // namespace aibridge::testing
