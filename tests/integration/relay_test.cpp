// The relay (SPEC §3, §4): the real binary between a client and the mock provider.
#include <signal.h>

#include <thread>

#include <gtest/gtest.h>

#include "tests/support/gateway.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/mock.hpp"

namespace aibridge::testing {
namespace {

using namespace std::chrono_literals;

struct Api {
  const char* name;
  const char* gateway_path;
  const char* direct_path;
};
constexpr Api kApis[] = {
    {"chat", "/api/v2/aibridge/openai/v1/chat/completions", "/v1/chat/completions"},
    {"responses", "/api/v2/aibridge/openai/v1/responses", "/v1/responses"},
    {"messages", "/api/v2/aibridge/anthropic/v1/messages", "/v1/messages"},
};

std::vector<std::string> gateway_args(const MockUpstream& mock, std::vector<std::string> extra) {
  std::vector<std::string> args = {
      "--openai-base-url", mock.url("/v1"),      "--anthropic-base-url", mock.url(),
      "--openai-api-key",  "sk-openai-test-key", "--anthropic-api-key",  "sk-ant-test-key-123456"};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

class RelayTest : public ::testing::Test {
 protected:
  explicit RelayTest(std::vector<std::string> extra = {"--threads", "1"})
      : gateway_(dir_.path(), gateway_args(mock_, std::move(extra))),
        token_(gateway_.admin_token()) {}
  ~RelayTest() override { EXPECT_EQ(gateway_.stop(), 0); }

  Headers auth(Headers headers = {}) const {
    headers.emplace_back("Authorization", "Bearer " + token_);
    return headers;
  }
  long upstream_requests() const {
    return static_cast<long>(mock_.stats().at("requests").as_int64());
  }
  boost::json::object last_request() const { return mock_.stats().at("last_request").as_object(); }

  MockUpstream mock_;
  TempDir dir_;
  Gateway gateway_;
  std::string token_;
};

TEST_F(RelayTest, ResponsesAreByteIdenticalToDirectUnderAnyChunking) {
  for (const Api& api : kApis) {
    for (const char* scenario : {"json", "sse"}) {
      for (const char* chunk : {"", "1", "7", "random:1", "random:2", "random:3"}) {
        Headers headers = {{"X-Mock-Scenario", scenario}, {"X-Mock-Events", "20"}};
        if (*chunk != '\0') {
          headers.emplace_back("X-Mock-Chunk", chunk);
        }
        const std::string body = std::string(R"({"model":"m","stream":)") +
                                 (std::string(scenario) == "sse" ? "true" : "false") + "}";
        const StreamedResponse direct =
            stream_request(mock_.port(), http::verb::post, api.direct_path, headers, body);
        const StreamedResponse relayed = stream_request(gateway_.port(), http::verb::post,
                                                        api.gateway_path, auth(headers), body);
        const std::string label = std::string(api.name) + "/" + scenario + "/" + chunk;
        ASSERT_TRUE(relayed.complete) << label;
        EXPECT_EQ(relayed.status, direct.status) << label;
        EXPECT_EQ(relayed.headers[http::field::content_type],
                  direct.headers[http::field::content_type])
            << label;
        EXPECT_EQ(relayed.body, direct.body) << label;
        EXPECT_EQ(relayed.headers["x-request-id"], "req_mock") << label;  // provider headers pass
        EXPECT_EQ(relayed.headers["X-AIBridge-Interception-Id"].size(), 36U) << label;
      }
    }
  }
}

TEST_F(RelayTest, PacedStreamsArriveAtTheUpstreamPace) {
  const Headers headers = {
      {"X-Mock-Scenario", "sse"}, {"X-Mock-Events", "10"}, {"X-Mock-Interval-Ms", "50"}};
  const std::string body = R"({"model":"m","stream":true})";
  const StreamedResponse direct =
      stream_request(mock_.port(), http::verb::post, "/v1/messages", headers, body);
  const StreamedResponse relayed = stream_request(gateway_.port(), http::verb::post,
                                                  "/anthropic/v1/messages", auth(headers), body);
  ASSERT_TRUE(relayed.complete);
  EXPECT_EQ(relayed.body, direct.body);
  // Every paced event arrives on its own, as it was sent: nothing is held back and batched.
  EXPECT_GE(relayed.pieces.size(), 10U);
  const auto span = relayed.pieces.back().first - relayed.pieces.front().first;
  EXPECT_GE(span, 400ms);
  const auto ttfb_difference = relayed.pieces.front().first - direct.pieces.front().first;
  EXPECT_LT(ttfb_difference, 40ms);
}

TEST_F(RelayTest, LongStreamsAreNotCutByBodyLimits) {
  const Headers headers = {{"X-Mock-Scenario", "sse"}, {"X-Mock-Events", "60000"}};
  const StreamedResponse relayed =
      stream_request(gateway_.port(), http::verb::post, "/openai/v1/responses", auth(headers),
                     R"({"model":"m","stream":true})");
  ASSERT_TRUE(relayed.complete);
  EXPECT_GT(relayed.body.size(), 9U << 20);  // more than Beast's 8 MB default response limit
  EXPECT_NE(relayed.body.find("response.completed"), std::string::npos);
}

TEST_F(RelayTest, UpstreamErrorsAreRelayedAsTheyAre) {
  const Headers headers = {{"X-Mock-Scenario", "status"}, {"X-Mock-Status", "429"}};
  const Response direct =
      request(mock_.port(), http::verb::post, "/v1/chat/completions", headers, "{}");
  const Response relayed = request(gateway_.port(), http::verb::post, "/openai/v1/chat/completions",
                                   auth(headers), "{}");
  EXPECT_EQ(relayed.result_int(), 429);
  EXPECT_EQ(relayed.body(), direct.body());
  EXPECT_EQ(relayed[http::field::content_type], "application/json");
  EXPECT_EQ(relayed["X-AIBridge-Interception-Id"].size(), 36U);
}

TEST_F(RelayTest, ProviderRequestCarriesTheProviderKeyAndTheClientsOtherHeaders) {
  const Headers headers = {{"X-Mock-Scenario", "echo"},
                           {"anthropic-version", "2023-06-01"},
                           {"anthropic-beta", "interleaved-thinking-2025-05-14,x"},
                           {"User-Agent", "claude-cli/2.0.67 (external, cli)"},
                           {"X-Custom", "kept"},
                           {"Connection", "keep-alive, X-Hop"},
                           {"X-Hop", "dropped"},
                           {"Cookie", "coder_session_token=" + token_},
                           {"Accept-Encoding", "gzip, br"},
                           {"X-Api-Key", token_}};
  const std::string body = R"({"model":"claude-sonnet-4-0","max_tokens":5,"messages":[]})";
  const Response response =
      request(gateway_.port(), http::verb::post, "/api/v2/aibridge/anthropic/v1/messages?beta=true",
              headers, body);
  ASSERT_EQ(response.result_int(), 200);
  const auto echoed = boost::json::parse(response.body()).as_object();
  const auto& seen = echoed.at("headers").as_object();
  EXPECT_EQ(echoed.at("target").as_string(), "/v1/messages?beta=true");
  EXPECT_EQ(echoed.at("body").as_string(), body);  // unchanged, byte for byte
  EXPECT_EQ(seen.at("x-api-key").as_string(), "sk-ant-test-key-123456");
  EXPECT_EQ(seen.at("anthropic-version").as_string(), "2023-06-01");
  EXPECT_EQ(seen.at("anthropic-beta").as_string(), "interleaved-thinking-2025-05-14,x");
  EXPECT_EQ(seen.at("user-agent").as_string(), "claude-cli/2.0.67 (external, cli)");
  EXPECT_EQ(seen.at("x-custom").as_string(), "kept");
  EXPECT_EQ(seen.at("accept-encoding").as_string(), "identity");
  EXPECT_EQ(seen.at("host").as_string(), "127.0.0.1:" + std::to_string(mock_.port()));
  for (const char* absent : {"authorization", "cookie", "x-hop", "coder-session-token"}) {
    EXPECT_FALSE(seen.contains(absent)) << absent;
  }
  EXPECT_EQ(response.body().find(token_), std::string::npos);  // the client token never left
}

TEST_F(RelayTest, StreamingChatRequestsAlwaysAskForUsage) {
  const Headers headers = auth({{"X-Mock-Scenario", "echo"}});
  const auto forwarded_body = [&](const std::string& body) {
    const Response response =
        request(gateway_.port(), http::verb::post, "/openai/v1/chat/completions", headers, body);
    return std::string(boost::json::parse(response.body()).at("body").as_string());
  };
  EXPECT_EQ(forwarded_body(R"({"model":"m","stream":true})"),
            R"({"stream_options":{"include_usage":true},"model":"m","stream":true})");
  EXPECT_EQ(forwarded_body(
                R"({"model":"m","stream":true,"stream_options":{"include_usage":false,"x":1}})"),
            R"({"model":"m","stream":true,"stream_options":{"include_usage":true,"x":1}})");
  EXPECT_EQ(forwarded_body(R"({"model":"m","stream":false})"), R"({"model":"m","stream":false})");
  const Response responses = request(gateway_.port(), http::verb::post, "/openai/v1/responses",
                                     headers, R"({"model":"m","stream":true})");
  EXPECT_EQ(boost::json::parse(responses.body()).at("body").as_string(),
            R"({"model":"m","stream":true})");
}

TEST_F(RelayTest, PassthroughRoutesUseTheProviderKeyAndKeepTheQuery) {
  Response models = request(gateway_.port(), http::verb::get, "/api/v2/aibridge/openai/v1/models",
                            auth({{"X-Mock-Scenario", "echo"}}));
  ASSERT_EQ(models.result_int(), 200);
  auto echoed = boost::json::parse(models.body()).as_object();
  EXPECT_EQ(echoed.at("target").as_string(), "/v1/models");
  EXPECT_EQ(echoed.at("headers").at("authorization").as_string(), "Bearer sk-openai-test-key");
  EXPECT_EQ(models["X-AIBridge-Interception-Id"], "");  // not bridged, not recorded

  models = request(gateway_.port(), http::verb::get, "/anthropic/v1/models/claude-sonnet-4-0",
                   {{"X-Mock-Scenario", "echo"}, {"X-Api-Key", token_}});
  echoed = boost::json::parse(models.body()).as_object();
  EXPECT_EQ(echoed.at("target").as_string(), "/v1/models/claude-sonnet-4-0");
  EXPECT_EQ(echoed.at("headers").at("x-api-key").as_string(), "sk-ant-test-key-123456");

  const Response count =
      request(gateway_.port(), http::verb::post, "/anthropic/v1/messages/count_tokens?beta=true",
              {{"X-Mock-Scenario", "echo"}, {"Coder-Session-Token", token_}},
              R"({"model":"m","messages":[]})");
  echoed = boost::json::parse(count.body()).as_object();
  EXPECT_EQ(echoed.at("target").as_string(), "/v1/messages/count_tokens?beta=true");

  const Response listing = request(gateway_.port(), http::verb::get, "/openai/v1/models", auth());
  EXPECT_EQ(listing.result_int(), 200);
  EXPECT_NE(listing.body().find("mock-model"), std::string::npos);

  // One route label per route, whatever prefix the client used.
  const std::string metrics = request(gateway_.port(), http::verb::get, "/metrics").body();
  for (const char* series : {R"(passthrough_total{provider="openai",route="models"} 2)",
                             R"(passthrough_total{provider="anthropic",route="models/{id}"} 1)",
                             R"(passthrough_total{provider="anthropic",route="messages/count_tokens"} 1)"}) {
    EXPECT_NE(metrics.find(series), std::string::npos) << series << "\n" << metrics;
  }
}

TEST_F(RelayTest, UnauthenticatedRequestsGetTheProvidersErrorShapeAndGoNowhere) {
  const long before = upstream_requests();
  Response openai = request(gateway_.port(), http::verb::post, "/openai/v1/chat/completions", {},
                            R"({"model":"m"})");
  EXPECT_EQ(openai.result_int(), 401);
  auto body = boost::json::parse(openai.body()).as_object();
  EXPECT_EQ(body.at("error").at("type").as_string(), "invalid_request_error");
  EXPECT_EQ(body.at("error").at("code").as_string(), "invalid_api_key");

  Response anthropic = request(gateway_.port(), http::verb::post, "/anthropic/v1/messages",
                               {{"X-Api-Key", "sk-ant-api03-not-one-of-ours"}}, R"({"model":"m"})");
  EXPECT_EQ(anthropic.result_int(), 401);
  body = boost::json::parse(anthropic.body()).as_object();
  EXPECT_EQ(body.at("type").as_string(), "error");
  EXPECT_EQ(body.at("error").at("type").as_string(), "authentication_error");

  std::string wrong_secret = token_;
  wrong_secret.back() = wrong_secret.back() == 'a' ? 'b' : 'a';
  EXPECT_EQ(request(gateway_.port(), http::verb::get, "/openai/v1/models",
                    {{"Authorization", "Bearer " + wrong_secret}})
                .result_int(),
            401);
  EXPECT_EQ(upstream_requests(), before);
}

TEST_F(RelayTest, NonJsonBridgedBodiesAreRejectedAndNotForwarded) {
  const long before = upstream_requests();
  for (const char* body : {"", "not json", "[1,2]", R"({"model":"m")", "42"}) {
    const Response response =
        request(gateway_.port(), http::verb::post, "/anthropic/v1/messages", auth(), body);
    EXPECT_EQ(response.result_int(), 400) << body;
    EXPECT_NE(response.body().find("invalid_request_error"), std::string::npos) << body;
  }
  EXPECT_EQ(upstream_requests(), before);
}

TEST_F(RelayTest, KeepAliveReusesOneProviderConnection) {
  Connection client(gateway_.port());
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(
        client.request(http::verb::post, "/openai/v1/chat/completions", auth(), R"({"model":"m"})")
            .result_int(),
        200);
  }
  for (int i = 0; i < 5; ++i) {  // new client connections, same shard (one thread)
    EXPECT_EQ(request(gateway_.port(), http::verb::post, "/anthropic/v1/messages", auth(),
                      R"({"model":"m"})")
                  .result_int(),
              200);
  }
  EXPECT_EQ(mock_.stats().at("connections").as_int64(), 1);
}

TEST_F(RelayTest, ResetMidStreamEndsTheClientStreamWithTheProvidersErrorEvent) {
  const Headers headers = auth({{"X-Mock-Scenario", "reset-mid"}, {"X-Mock-Events", "10"}});
  StreamedResponse anthropic = stream_request(
      gateway_.port(), http::verb::post, "/anthropic/v1/messages", headers, R"({"stream":true})");
  EXPECT_EQ(anthropic.status, 200);
  EXPECT_TRUE(anthropic.complete);  // terminated cleanly, not cut off
  EXPECT_NE(anthropic.body.find("content_block_delta"), std::string::npos);
  EXPECT_TRUE(anthropic.body.ends_with("\n\n"));
  const std::size_t error =
      anthropic.body.rfind("event: error\ndata: {\"type\":\"error\",\"error\":{");
  EXPECT_NE(error, std::string::npos) << anthropic.body;

  StreamedResponse chat =
      stream_request(gateway_.port(), http::verb::post, "/openai/v1/chat/completions", headers,
                     R"({"stream":true})");
  EXPECT_TRUE(chat.complete);
  EXPECT_NE(chat.body.rfind("data: {\"error\":{"), std::string::npos) << chat.body;
}

TEST_F(RelayTest, MalformedChunkingFromTheProviderEndsTheStreamCleanly) {
  StreamedResponse relayed =
      stream_request(gateway_.port(), http::verb::post, "/anthropic/v1/messages",
                     auth({{"X-Mock-Scenario", "bad-chunked"}}), R"({"stream":true})");
  EXPECT_EQ(relayed.status, 200);
  EXPECT_TRUE(relayed.complete);
  EXPECT_NE(relayed.body.find("event: error"), std::string::npos);
}

TEST_F(RelayTest, ClientDisconnectClosesTheProviderConnectionAtOnce) {
  {
    net::io_context io;
    tcp::socket socket(io);
    socket.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), gateway_.port()));
    const std::string body = R"({"model":"m","stream":true})";
    const std::string request_text =
        "POST /anthropic/v1/messages HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token_ +
        "\r\nX-Mock-Scenario: sse\r\nX-Mock-Events: 100\r\nX-Mock-Interval-Ms: 100\r\n"
        "Content-Length: " +
        std::to_string(body.size()) + "\r\n\r\n" + body;
    net::write(socket, net::buffer(request_text));
    std::array<char, 256> first{};
    socket.read_some(net::buffer(first));  // the stream started
  }                                        // the client goes away; the stream had ~10 s left
  const auto started = std::chrono::steady_clock::now();
  EXPECT_GE(mock_.wait_for("peer_closed", 1, 3s), 1);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 2s);
}

TEST_F(RelayTest, ClientDisconnectWhileWaitingForTheProviderCancelsIt) {
  {
    net::io_context io;
    tcp::socket socket(io);
    socket.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), gateway_.port()));
    const std::string request_text =
        "POST /openai/v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token_ +
        "\r\nX-Mock-Scenario: stall-before\r\nContent-Length: 2\r\n\r\n{}";
    net::write(socket, net::buffer(request_text));
    mock_.wait_for("requests", 1);
  }
  EXPECT_GE(mock_.wait_for("peer_closed", 1, 3s), 1);
}

TEST(RelayFailures, UnreachableProviderGets502InTheProvidersShape) {
  const RefusingPort refusing;
  TempDir dir;
  Gateway gateway(dir.path(), {"--openai-base-url", refusing.url("/v1"), "--anthropic-base-url",
                               refusing.url()});
  const Headers headers = {{"Authorization", "Bearer " + gateway.admin_token()}};
  Response openai = request(gateway.port(), http::verb::post, "/openai/v1/chat/completions",
                            headers, R"({"model":"m","stream":true})");
  EXPECT_EQ(openai.result_int(), 502);
  EXPECT_EQ(boost::json::parse(openai.body()).at("error").at("type").as_string(), "server_error");
  EXPECT_EQ(openai["X-AIBridge-Interception-Id"].size(), 36U);
  Response anthropic = request(gateway.port(), http::verb::post, "/anthropic/v1/messages", headers,
                               R"({"model":"m"})");
  EXPECT_EQ(anthropic.result_int(), 502);
  EXPECT_EQ(boost::json::parse(anthropic.body()).at("type").as_string(), "error");
  EXPECT_EQ(request(gateway.port(), http::verb::get, "/openai/v1/models", headers).result_int(),
            502);
  EXPECT_EQ(gateway.stop(), 0);
}

class TimeoutTest : public RelayTest {
 protected:
  TimeoutTest()
      : RelayTest({"--threads", "1", "--timeouts-blocking-response", "400ms",
                   "--timeouts-stream-idle", "400ms"}) {}
};

TEST_F(TimeoutTest, StalledProviderGets504) {
  const auto started = std::chrono::steady_clock::now();
  const Response blocking =
      request(gateway_.port(), http::verb::post, "/anthropic/v1/messages",
              auth({{"X-Mock-Scenario", "stall-before"}}), R"({"model":"m"})");
  EXPECT_EQ(blocking.result_int(), 504);
  EXPECT_NE(blocking.body().find("api_error"), std::string::npos);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 3s);
  const Response streaming =
      request(gateway_.port(), http::verb::post, "/openai/v1/chat/completions",
              auth({{"X-Mock-Scenario", "stall-before"}}), R"({"model":"m","stream":true})");
  EXPECT_EQ(streaming.result_int(), 504);
  EXPECT_GE(mock_.wait_for("peer_closed", 2), 2);  // the stalled connections were dropped
}

TEST_F(TimeoutTest, IdleStreamEndsWithAnErrorEvent) {
  const StreamedResponse relayed =
      stream_request(gateway_.port(), http::verb::post, "/anthropic/v1/messages",
                     auth({{"X-Mock-Scenario", "stall-mid"}, {"X-Mock-Events", "6"}}),
                     R"({"model":"m","stream":true})");
  EXPECT_EQ(relayed.status, 200);
  EXPECT_TRUE(relayed.complete);
  EXPECT_NE(relayed.body.find("event: error"), std::string::npos);
  EXPECT_NE(relayed.body.find("idle"), std::string::npos);
}

}  // namespace
}  // namespace aibridge::testing

namespace aibridge::testing {
namespace {

// SPEC §4.5: in-flight streams may finish within the grace period; after it they are cut.
TEST(Shutdown, InFlightStreamsFinishWithinTheGracePeriod) {
  MockUpstream mock;
  TempDir dir;
  Gateway gateway(dir.path(), gateway_args(mock, {"--shutdown-grace", "10s"}));
  const Headers headers = {{"Authorization", "Bearer " + gateway.admin_token()},
                           {"X-Mock-Scenario", "sse"},
                           {"X-Mock-Events", "10"},
                           {"X-Mock-Interval-Ms", "100"}};
  std::thread stopper([&] {
    mock.wait_for("requests", 1);
    std::this_thread::sleep_for(200ms);
    gateway.process().signal(SIGTERM);
  });
  const StreamedResponse stream = stream_request(
      gateway.port(), http::verb::post, "/anthropic/v1/messages", headers, R"({"stream":true})");
  stopper.join();
  EXPECT_TRUE(stream.complete);
  EXPECT_NE(stream.body.find("message_stop"), std::string::npos);
  EXPECT_EQ(gateway.process().wait(5s), 0);
}

TEST(Shutdown, StreamsStillRunningAfterTheGracePeriodAreCancelled) {
  MockUpstream mock;
  TempDir dir;
  Gateway gateway(dir.path(), gateway_args(mock, {"--shutdown-grace", "300ms"}));
  const Headers headers = {{"Authorization", "Bearer " + gateway.admin_token()},
                           {"X-Mock-Scenario", "sse"},
                           {"X-Mock-Events", "100"},
                           {"X-Mock-Interval-Ms", "100"}};
  std::thread stopper([&] {
    mock.wait_for("requests", 1);
    gateway.process().signal(SIGTERM);
  });
  const auto started = std::chrono::steady_clock::now();
  const StreamedResponse stream = stream_request(
      gateway.port(), http::verb::post, "/anthropic/v1/messages", headers, R"({"stream":true})");
  stopper.join();
  EXPECT_FALSE(stream.complete);
  EXPECT_EQ(gateway.process().wait(5s), 0);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 3s);
  EXPECT_GE(mock.wait_for("peer_closed", 1), 1);
}

}  // namespace
}  // namespace aibridge::testing
