// Security (SPEC §4.1, §6): tokens that no longer hold are refused everywhere, and no secret (a
// user token or a provider key) ever shows up in logs, request dumps or API output.
#include <filesystem>
#include <regex>
#include <thread>

#include <gtest/gtest.h>

#include "tests/support/gateway.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/mock.hpp"

namespace aibridge::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr const char* kOpenAiKey = "sk-proj-PROVIDERKEY-openai-0123456789";
constexpr const char* kAnthropicKey = "sk-ant-api03-PROVIDERKEY-anthropic-0123456789";

RunResult cli(const std::string& data_dir, std::vector<std::string> args) {
  args.insert(args.begin(), gateway_binary());
  args.insert(args.end(), {"--data-dir", data_dir});
  if (suite_on_postgres()) {
    args.insert(args.end(), {"--database", database_location(data_dir)});
  }
  return run(args, {{"AIBRIDGE_CONFIG", std::nullopt}});
}

std::string create_token(const std::string& data_dir, const std::string& user,
                         const std::string& lifetime) {
  const RunResult created = cli(data_dir, {"tokens", "create", user, "--lifetime", lifetime});
  EXPECT_EQ(created.status, 0) << created.err;
  return created.out.substr(0, created.out.find('\n'));
}

unsigned bridged_status(unsigned short port, const std::string& token) {
  return request(port, http::verb::post, "/anthropic/v1/messages", {{"X-Api-Key", token}},
                 R"({"model":"m"})")
      .result_int();
}

unsigned admin_status(unsigned short port, const std::string& token) {
  return request(port, http::verb::get, "/api/v2/aibridge/interceptions",
                 {{"Coder-Session-Token", token}})
      .result_int();
}

TEST(Security, ExpiredAndRevokedTokensAreRefusedOnEveryRoute) {
  MockUpstream mock;
  TempDir dir;
  ASSERT_EQ(cli(dir.path(), {"users", "create", "dana", "--role", "auditor"}).status, 0);
  const std::string short_lived = create_token(dir.path(), "dana", "1s");
  const std::string to_revoke = create_token(dir.path(), "dana", "1h");
  Gateway gateway(dir.path(), {"--anthropic-base-url", mock.url()});

  EXPECT_EQ(bridged_status(gateway.port(), to_revoke), 200);
  EXPECT_EQ(admin_status(gateway.port(), to_revoke), 200);
  ASSERT_EQ(cli(dir.path(), {"tokens", "revoke", to_revoke.substr(0, 10)}).status, 0);
  std::this_thread::sleep_for(2100ms);  // tokens are cached for 2 s; by now both have lapsed

  const long upstream_before = mock.stats().at("requests").as_int64();
  for (const std::string& token : {short_lived, to_revoke}) {
    EXPECT_EQ(bridged_status(gateway.port(), token), 401);
    EXPECT_EQ(admin_status(gateway.port(), token), 401);
    EXPECT_EQ(
        request(gateway.port(), http::verb::get, "/anthropic/v1/models", {{"X-Api-Key", token}})
            .result_int(),
        401);  // passthrough
  }
  const Response expired = request(gateway.port(), http::verb::post, "/openai/v1/responses",
                                   {{"Authorization", "Bearer " + short_lived}}, "{}");
  EXPECT_NE(expired.body().find("API token has expired."), std::string::npos) << expired.body();
  const Response revoked = request(gateway.port(), http::verb::post, "/anthropic/v1/messages",
                                   {{"Authorization", "Bearer " + to_revoke}}, "{}");
  EXPECT_NE(revoked.body().find("API token has been revoked."), std::string::npos)
      << revoked.body();
  EXPECT_EQ(mock.stats().at("requests").as_int64(), upstream_before);  // nothing forwarded
  EXPECT_EQ(gateway.stop(), 0);
}

// Tokens in use are looked up again every second off the network threads, so requests do not
// wait for the database; a revocation still holds within the 2 s lifetime.
TEST(Security, ATokenInSteadyUseIsRefusedWithinTwoSecondsOfItsRevocation) {
  MockUpstream mock;
  TempDir dir;
  ASSERT_EQ(cli(dir.path(), {"users", "create", "erin"}).status, 0);
  const std::string token = create_token(dir.path(), "erin", "1h");
  Gateway gateway(dir.path(), {"--anthropic-base-url", mock.url()});
  const auto use_until = [&](std::chrono::steady_clock::time_point end) {
    while (std::chrono::steady_clock::now() < end) {
      EXPECT_EQ(bridged_status(gateway.port(), token), 200);
      std::this_thread::sleep_for(50ms);
    }
  };
  use_until(std::chrono::steady_clock::now() + 1500ms);  // in use, refreshed in the background
  ASSERT_EQ(cli(dir.path(), {"tokens", "revoke", token}).status, 0);
  const auto revoked = std::chrono::steady_clock::now();
  while (bridged_status(gateway.port(), token) == 200 &&
         std::chrono::steady_clock::now() - revoked < 5s) {
    std::this_thread::sleep_for(50ms);
  }
  EXPECT_LE(std::chrono::steady_clock::now() - revoked, 2100ms);
  EXPECT_EQ(bridged_status(gateway.port(), token), 401);
  EXPECT_EQ(gateway.stop(), 0);
}

// Uses are written as last_used_at (every 30 s, and a last time at shutdown); unused tokens keep
// none.
TEST(Security, ATokensLastUseIsRecorded) {
  MockUpstream mock;
  TempDir dir;
  ASSERT_EQ(cli(dir.path(), {"users", "create", "gus"}).status, 0);
  const std::string used = create_token(dir.path(), "gus", "1h");
  const std::string unused = create_token(dir.path(), "gus", "1h");
  Gateway gateway(dir.path(), {"--anthropic-base-url", mock.url()});
  EXPECT_EQ(bridged_status(gateway.port(), used), 200);
  EXPECT_EQ(gateway.stop(), 0);
  const RunResult list = cli(dir.path(), {"tokens", "list", "gus"});
  ASSERT_EQ(list.status, 0) << list.err;
  const auto line_of = [&](const std::string& token) {
    const std::size_t at = list.out.find(token.substr(0, 10));
    return list.out.substr(at, list.out.find('\n', at) - at);
  };
  // CREATED, EXPIRES and LAST USED: three times for the used token, two and "-" for the other.
  const std::regex time(R"(\d{4}-\d\d-\d\dT)");
  const auto times = [&](const std::string& line) {
    return std::distance(std::sregex_iterator(line.begin(), line.end(), time),
                         std::sregex_iterator());
  };
  EXPECT_EQ(times(line_of(used)), 3) << line_of(used);
  EXPECT_EQ(times(line_of(unused)), 2) << line_of(unused);
}

// The gateway remembers a secret it has verified, so that the next request with it skips the
// hash: any other secret for the same token id is still hashed and refused.
TEST(Security, AWrongSecretIsRefusedRightAfterTheRightOneWasAccepted) {
  MockUpstream mock;
  TempDir dir;
  ASSERT_EQ(cli(dir.path(), {"users", "create", "erin"}).status, 0);
  const std::string token = create_token(dir.path(), "erin", "1h");
  Gateway gateway(dir.path(), {"--anthropic-base-url", mock.url()});
  ASSERT_EQ(bridged_status(gateway.port(), token), 200);
  std::string wrong = token;
  wrong.back() = wrong.back() == 'a' ? 'b' : 'a';
  const std::string shorter = token.substr(0, token.size() - 1);
  for (const std::string& bad : {wrong, shorter, wrong, shorter}) {
    EXPECT_EQ(bridged_status(gateway.port(), bad), 401) << bad;
  }
  EXPECT_EQ(bridged_status(gateway.port(), token), 200);
  EXPECT_EQ(gateway.stop(), 0);
}

std::string everything_under(const fs::path& dir) {
  std::string text;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file()) {
      text += read_file(entry.path().string());
    }
  }
  return text;
}

TEST(Security, SecretsNeverAppearInLogsDumpsOrApiOutput) {
  MockUpstream mock;
  TempDir dir;
  Gateway gateway(dir.path(),
                  {"--openai-base-url", mock.url("/v1"), "--anthropic-base-url", mock.url(),
                   "--openai-api-key", kOpenAiKey, "--anthropic-api-key", kAnthropicKey,
                   "--log-level", "debug", "--recorder-flush-interval", "10ms"});
  const std::string token = gateway.admin_token();
  const std::string secret = token.substr(11);
  const std::string stranger = "abcdefghij-STRANGERSECRETSTRANGER0";  // someone's mistyped key
  ASSERT_EQ(request(gateway.port(), http::verb::post, "/api/experimental/aibridge/log-requests",
                    {{"Coder-Session-Token", token}}, R"({"enabled":true})")
                .result_int(),
            200);

  const std::string body =
      R"({"model":"m","stream":true,"messages":[{"role":"user","content":"hi"}]})";
  const Headers sse = {{"X-Mock-Scenario", "sse"}, {"X-Mock-Events", "3"}};
  const auto with = [&](Headers headers, const std::string& name, const std::string& value) {
    headers.emplace_back(name, value);
    return headers;
  };
  EXPECT_EQ(stream_request(gateway.port(), http::verb::post, "/openai/v1/chat/completions",
                           with(sse, "Authorization", "Bearer " + token), body)
                .status,
            200);
  EXPECT_EQ(stream_request(gateway.port(), http::verb::post, "/anthropic/v1/messages",
                           with(sse, "X-Api-Key", token), body)
                .status,
            200);
  EXPECT_EQ(request(gateway.port(), http::verb::post, "/openai/v1/responses",
                    {{"Coder-Session-Token", token}, {"X-Mock-Scenario", "reset-before"}}, body)
                .result_int(),
            502);
  EXPECT_EQ(request(gateway.port(), http::verb::get, "/anthropic/v1/models", {{"X-Api-Key", token}})
                .result_int(),
            200);
  EXPECT_EQ(request(gateway.port(), http::verb::post, "/anthropic/v1/messages",
                    {{"X-Api-Key", stranger}}, body)
                .result_int(),
            401);
  EXPECT_EQ(request(gateway.port(), http::verb::get,
                    "/api/v2/aibridge/interceptions?coder_session_token=" + stranger)
                .result_int(),
            401);

  std::string api_output;
  for (int attempt = 0; attempt < 100; ++attempt) {  // until the recorder has written all three
    api_output = request(gateway.port(), http::verb::get,
                         "/api/v2/aibridge/interceptions?coder_session_token=" + token)
                     .body();
    if (api_output.find("\"count\":3") != std::string::npos) {
      break;
    }
    std::this_thread::sleep_for(20ms);
  }
  EXPECT_NE(api_output.find("\"count\":3"), std::string::npos) << api_output;
  const std::string metrics = request(gateway.port(), http::verb::get, "/metrics").body();
  ASSERT_EQ(gateway.stop(), 0);  // a clean stop writes every queued request dump

  const std::string dumps = everything_under(fs::path(dir.path()) / "request-logs");
  ASSERT_NE(dumps.find("POST /v1/chat/completions"), std::string::npos);  // dumps exist
  // The bootstrap line is the one place the admin token is shown, once, by design.
  std::string out = gateway.process().out();
  const std::string bootstrap_line = "admin token: " + token + "\n";
  ASSERT_NE(out.find(bootstrap_line), std::string::npos);
  out.erase(out.find(bootstrap_line), bootstrap_line.size());
  const std::vector<std::pair<std::string, std::string>> outputs = {
      {"stdout", out},
      {"stderr", gateway.process().err()},
      {"request dumps", dumps},
      {"admin API", api_output},
      {"metrics", metrics}};
  for (const auto& [where, text] : outputs) {
    for (const std::string& secret_text :
         {secret, std::string("STRANGERSECRET"), std::string("PROVIDERKEY")}) {
      EXPECT_EQ(text.find(secret_text), std::string::npos) << secret_text << " found in " << where;
    }
  }
}

}  // namespace
}  // namespace aibridge::testing
