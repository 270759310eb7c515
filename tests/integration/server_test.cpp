// `aibridge serve` as a real process: bootstrap, health, errors, limits and shutdown.
#include <signal.h>

#include <optional>
#include <thread>

#include <gtest/gtest.h>

#include "tests/support/gateway.hpp"
#include "tests/support/http_client.hpp"

#include <sys/stat.h>

namespace aibridge::testing {
namespace {

TEST(Server, BootstrapsOnceServesHealthAndStopsCleanly) {
  TempDir dir;
  std::string token;
  {
    Gateway gateway(dir.path());
    token = gateway.admin_token();
    ASSERT_EQ(token.size(), 33U) << gateway.process().out();
    EXPECT_EQ(gateway.process().out(), "admin token: " + token + "\n");

    const std::string token_file = dir.path() + "/admin-token";
    EXPECT_EQ(read_file(token_file), token + "\n");
    struct stat info {};
    ASSERT_EQ(::stat(token_file.c_str(), &info), 0);
    EXPECT_EQ(info.st_mode & 0777, 0600U);

    const Response health = request(gateway.port(), http::verb::get, "/healthz");
    EXPECT_EQ(health.result_int(), 200);
    EXPECT_EQ(health[http::field::content_type], "application/json");
    EXPECT_EQ(request(gateway.port(), http::verb::get, "/readyz").result_int(), 200);
    EXPECT_EQ(gateway.stop(), 0);
    EXPECT_NE(gateway.process().err().find("access method=GET path=/healthz status=200"),
              std::string::npos);
  }
  Gateway again(dir.path());
  EXPECT_EQ(again.admin_token(), "");
  EXPECT_EQ(again.process().out(), "");
  EXPECT_EQ(read_file(dir.path() + "/admin-token"), token + "\n");
  EXPECT_EQ(again.stop(), 0);
}

TEST(Server, SigintAlsoStopsCleanly) {
  TempDir dir;
  Gateway gateway(dir.path());
  gateway.process().signal(SIGINT);
  EXPECT_EQ(gateway.process().wait(std::chrono::seconds(10)), 0);
}

TEST(Server, BadConfigurationExitsTwoListingEveryError) {
  TempDir dir;
  const RunResult result = run({gateway_binary(), "serve", "--data-dir", dir.path(), "--listen",
                                "bad", "--retention", "soon", "--timeouts-stream-idle", "0"},
                               {{"AIBRIDGE_THREADS", "lots"}, {"AIBRIDGE_CONFIG", std::nullopt}});
  EXPECT_EQ(result.status, 2);
  for (const char* fragment : {"listen", "retention", "timeouts.stream_idle", "AIBRIDGE_THREADS",
                               "4 configuration errors"}) {
    EXPECT_NE(result.err.find(fragment), std::string::npos) << fragment << "\n" << result.err;
  }
}

class RunningServer : public ::testing::Test {
 protected:
  RunningServer()
      : gateway_(dir_.path(), {"--max-request-body", "1KiB", "--max-header-bytes", "4KiB",
                               "--timeouts-client-request", "300ms"}) {}
  ~RunningServer() override { EXPECT_EQ(gateway_.stop(), 0); }
  TempDir dir_;
  Gateway gateway_;
};

TEST_F(RunningServer, UnknownPathsAndMethodsGetJsonErrors) {
  const Response missing = request(gateway_.port(), http::verb::get, "/nope");
  EXPECT_EQ(missing.result_int(), 404);
  EXPECT_EQ(missing.body(), R"({"message":"Route not found: /nope."})");
  const Response wrong = request(gateway_.port(), http::verb::delete_, "/healthz");
  EXPECT_EQ(wrong.result_int(), 405);
  EXPECT_EQ(wrong[http::field::allow], "GET");
  const Response provider =
      request(gateway_.port(), http::verb::get, "/openai/v1/chat/completions");
  EXPECT_EQ(provider.result_int(), 405);
  EXPECT_NE(provider.body().find(R"("error":)"), std::string::npos);  // OpenAI's error shape
}

TEST_F(RunningServer, MetricsArePrometheusText) {
  const Response metrics = request(gateway_.port(), http::verb::get, "/metrics");
  EXPECT_EQ(metrics.result_int(), 200);
  for (const char* series :
       {"interceptions_inflight", "recorder_queue_depth", "recorder_written_total",
        "recorder_dropped_total", "recorder_batch_seconds"}) {
    EXPECT_NE(metrics.body().find(series), std::string::npos) << series;
  }
}

TEST_F(RunningServer, AdminRoutesNeedAToken) {
  const Response response =
      request(gateway_.port(), http::verb::get, "/api/v2/aibridge/interceptions");
  EXPECT_EQ(response.result_int(), 401);
  EXPECT_NE(response.body().find("\"message\""), std::string::npos);
  const Response bad = request(gateway_.port(), http::verb::get, "/api/v2/aibridge/interceptions",
                               {{"Coder-Session-Token", "abcdefghij-ABCDEFGHIJKLMNOPQRSTUV"}});
  EXPECT_EQ(bad.result_int(), 401);
}

TEST_F(RunningServer, OversizedHeadersAndBodiesAreRefused) {
  const Response headers = request(gateway_.port(), http::verb::get, "/healthz",
                                   {{"X-Padding", std::string(8192, 'a')}});
  EXPECT_EQ(headers.result_int(), 431);
  const Response body = request(gateway_.port(), http::verb::post, "/anthropic/v1/messages", {},
                                std::string(4096, 'x'));
  EXPECT_EQ(body.result_int(), 413);
  EXPECT_NE(body.body().find("request_too_large"), std::string::npos);  // Anthropic's shape
  const Response provider_headers =
      request(gateway_.port(), http::verb::post, "/openai/v1/chat/completions",
              {{"X-Padding", std::string(8192, 'a')}}, "{}");
  EXPECT_EQ(provider_headers.result_int(), 431);
  EXPECT_NE(provider_headers.body().find(R"("type":"invalid_request_error")"), std::string::npos)
      << provider_headers.body();  // OpenAI's shape
  EXPECT_EQ(request(gateway_.port(), http::verb::get, "/healthz").result_int(), 200);
}

TEST_F(RunningServer, MetricsWithKnownLabelsAreExportedFromTheStart) {
  const std::string text = request(gateway_.port(), http::verb::get, "/metrics").body();
  for (const char* series :
       {R"(passthrough_total{provider="openai",route="models"} 0)",
        R"(passthrough_total{provider="anthropic",route="models/{id}"} 0)",
        R"(prompts_total{provider="anthropic"} 0)",
        R"(upstream_errors_total{kind="timeout",provider="openai"} 0)",
        "interceptions_inflight 0", "recorder_queue_depth 0", "recorder_dropped_total 0"}) {
    EXPECT_NE(text.find(series), std::string::npos) << series << "\n" << text;
  }
}

TEST_F(RunningServer, MalformedRequestsGet400AndTheServerKeepsServing) {
  Connection connection(gateway_.port());
  net::write(connection.socket(), net::buffer(std::string("GARBAGE / HTTP/9.9\r\n\r\n")));
  beast::flat_buffer buffer;
  Response response;
  http::read(connection.socket(), buffer, response);
  EXPECT_EQ(response.result_int(), 400);
  EXPECT_EQ(request(gateway_.port(), http::verb::get, "/healthz").result_int(), 200);
}

TEST_F(RunningServer, SlowRequestsTimeOut) {
  Connection connection(gateway_.port());
  net::write(connection.socket(), net::buffer(std::string("GET /healthz HTTP/1.1\r\nHost: x\r\n")));
  beast::flat_buffer buffer;
  Response response;
  error_code error;
  http::read(connection.socket(), buffer, response, error);
  EXPECT_FALSE(error) << error.message();
  EXPECT_EQ(response.result_int(), 408);
}

TEST_F(RunningServer, SlowlorisClientsAreCutWhileOthersAreServed) {
  // 50 connections each trickle a header line every 50 ms for 1.5 s: bytes keep arriving, but
  // the whole request never does. client_request (300 ms) bounds the whole request, not the
  // silence between bytes, so each gets its 408 long before the trickle ends.
  using Clock = std::chrono::steady_clock;
  net::io_context io;
  std::vector<tcp::socket> trickling;
  for (int i = 0; i < 50; ++i) {
    trickling.emplace_back(io).connect(
        tcp::endpoint(net::ip::make_address("127.0.0.1"), gateway_.port()));
    net::write(trickling.back(), net::buffer(std::string("GET /healthz HTTP/1.1\r\n")));
  }
  const auto started = Clock::now();
  std::vector<std::optional<Clock::duration>> answered_after(trickling.size());
  for (int line = 0; Clock::now() - started < std::chrono::milliseconds(1500); ++line) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    EXPECT_EQ(request(gateway_.port(), http::verb::get, "/healthz").result_int(), 200);
    for (std::size_t i = 0; i < trickling.size(); ++i) {
      error_code ignored;  // the gateway may answer and close between the check and the write
      if (answered_after[i]) {
        continue;
      }
      if (trickling[i].available(ignored) > 0) {
        answered_after[i] = Clock::now() - started;
        continue;
      }
      net::write(trickling[i], net::buffer("X-Slow-" + std::to_string(line) + ": 1\r\n"), ignored);
    }
  }
  for (std::size_t i = 0; i < trickling.size(); ++i) {
    ASSERT_TRUE(answered_after[i].has_value()) << "connection " << i << " was never cut";
    EXPECT_LT(*answered_after[i], std::chrono::milliseconds(1200)) << "connection " << i;
    beast::flat_buffer buffer;
    Response response;
    error_code error;
    http::read(trickling[i], buffer, response, error);
    EXPECT_FALSE(error) << error.message();
    EXPECT_EQ(response.result_int(), 408);
  }
}

TEST_F(RunningServer, KeepAliveServesManyRequestsOnOneConnection) {
  Connection connection(gateway_.port());
  for (int i = 0; i < 50; ++i) {
    EXPECT_EQ(connection.request(http::verb::get, "/healthz").result_int(), 200);
  }
}

TEST_F(RunningServer, PipelinedRequestsAreAnsweredInOrder) {
  Connection connection(gateway_.port());
  net::write(connection.socket(),
             net::buffer(std::string("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
                                     "GET /nope HTTP/1.1\r\nHost: x\r\n\r\n"
                                     "GET /readyz HTTP/1.1\r\nHost: x\r\n\r\n")));
  beast::flat_buffer buffer;
  for (unsigned expected : {200U, 404U, 200U}) {
    Response response;
    http::read(connection.socket(), buffer, response);
    EXPECT_EQ(response.result_int(), expected);
  }
}

}  // namespace
}  // namespace aibridge::testing
