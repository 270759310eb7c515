// The request-logging toggle and the dump files it produces (SPEC §6.4).
#include <filesystem>
#include <fstream>
#include <thread>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "recorder/store.hpp"
#include "tests/support/accounts.hpp"
#include "tests/support/gateway.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/mock.hpp"

namespace aibridge::testing {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
constexpr const char* kToggle = "/api/experimental/aibridge/log-requests";

std::vector<fs::path> files_under(const fs::path& root) {
  std::vector<fs::path> files;
  if (fs::exists(root)) {
    for (const auto& entry : fs::recursive_directory_iterator(root)) {
      if (entry.is_regular_file()) {
        files.push_back(entry.path());
      }
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

class RequestLog : public ::testing::Test {
 protected:
  RequestLog() { start(); }
  ~RequestLog() override { EXPECT_EQ(gateway_->stop(), 0); }

  void start() {
    gateway_ = std::make_unique<Gateway>(
        dir_.path(),
        std::vector<std::string>{"--openai-base-url", mock_.url("/v1"), "--anthropic-base-url",
                                 mock_.url(), "--openai-api-key", "sk-openai-secret-value-1234",
                                 "--anthropic-api-key", "sk-ant-api03-abcdefgh"});
    if (owner_token_.empty()) {
      owner_token_ = gateway_->admin_token();
    }
  }

  std::string member_token() {
    auto store = recorder::open_store(database_location(dir_.path()), {}, false);
    recorder::User user{
        "44444444-4444-4444-8444-444444444444", "dora", "", "", "", recorder::Role::kAuditor, 1};
    return add_account(*store, user);
  }

  Response toggle(const std::string& body, const std::string& token, const char* path = kToggle) {
    return request(gateway_->port(), http::verb::post, path,
                   {{"Coder-Session-Token", token}, {"Content-Type", "application/json"}}, body);
  }
  bool enabled() {
    const Response response = request(gateway_->port(), http::verb::get, kToggle,
                                      {{"Coder-Session-Token", owner_token_}});
    return json::parse(response.body()).at("enabled").as_bool();
  }
  fs::path logs() const { return fs::path(dir_.path()) / "request-logs"; }

  MockUpstream mock_;
  TempDir dir_;
  std::unique_ptr<Gateway> gateway_;
  std::string owner_token_;
};

TEST_F(RequestLog, OnlyOwnersToggleAndBadBodiesAreRefused) {
  EXPECT_FALSE(enabled());
  const Response auditor = toggle(R"({"enabled":true})", member_token());
  EXPECT_EQ(auditor.result_int(), 403);
  EXPECT_EQ(json::parse(auditor.body()).at("message"),
            "Only users with the 'owner' role can toggle request logging.");
  for (const char* body : {"", "nope", "[]", "{}", R"({"enabled":"yes"})", R"({"enabled":true)"}) {
    const Response response = toggle(body, owner_token_);
    EXPECT_EQ(response.result_int(), 400) << body;
    const json::object error = json::parse(response.body()).as_object();
    EXPECT_EQ(error.at("message"), "Request body must be valid JSON.");
    EXPECT_FALSE(error.at("detail").as_string().empty());
  }
  EXPECT_FALSE(enabled());
  EXPECT_EQ(
      request(gateway_->port(), http::verb::post, kToggle, {}, R"({"enabled":true})").result_int(),
      401);
}

TEST_F(RequestLog, StateSurvivesARestart) {
  const Response response = toggle(R"({"enabled": true})", owner_token_);
  EXPECT_EQ(response.result_int(), 200);
  EXPECT_EQ(response.body(), R"({"message":"Request logging state updated successfully."})");
  EXPECT_TRUE(enabled());
  EXPECT_EQ(gateway_->stop(), 0);
  start();
  EXPECT_TRUE(enabled());
}

TEST_F(RequestLog, ExchangesAreDumpedWithSecretsMasked) {
  ASSERT_EQ(toggle(R"({"enabled":true})", owner_token_).result_int(), 200);
  const std::string body = R"({"model":"gpt/4o..","stream":true,"messages":[]})";
  const Response chat = request(gateway_->port(), http::verb::post, "/openai/v1/chat/completions",
                                {{"Authorization", "Bearer " + owner_token_},
                                 {"X-Mock-Scenario", "sse"},
                                 {"X-Mock-Events", "3"},
                                 {"Cookie", "session=abc123"}},
                                body);
  ASSERT_EQ(chat.result_int(), 200);
  const std::string id(chat["X-AIBridge-Interception-Id"]);
  ASSERT_EQ(request(gateway_->port(), http::verb::get, "/anthropic/v1/models?limit=2",
                    {{"X-Api-Key", owner_token_}})
                .result_int(),
            200);
  std::vector<fs::path> files;
  for (int i = 0; i < 100 && files.size() < 4; ++i) {  // written by the dump thread
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    files = files_under(logs());
  }
  ASSERT_EQ(files.size(), 4U);

  // Bridged: <dir>/openai/<model, made safe>/<unix ms>-<interception id>.req.txt / .resp.txt
  const fs::path model_dir = logs() / "openai" / "gpt-4o..";
  std::vector<fs::path> bridged = files_under(model_dir);
  ASSERT_EQ(bridged.size(), 2U);
  EXPECT_TRUE(bridged[0].filename().string().ends_with("-" + id + ".req.txt")) << bridged[0];
  EXPECT_TRUE(bridged[1].filename().string().ends_with("-" + id + ".resp.txt")) << bridged[1];
  const std::string request_dump = read_file(bridged[0].string());
  EXPECT_EQ(request_dump.find(owner_token_), std::string::npos);
  EXPECT_EQ(request_dump.find("sk-openai-secret-value-1234"), std::string::npos);
  EXPECT_NE(request_dump.find("Authorization: Bearer sk-o...1234\r\n"), std::string::npos)
      << request_dump;

  http::request_parser<http::string_body> request_parser;
  error_code error;
  request_parser.eager(true);
  request_parser.put(net::buffer(request_dump), error);
  ASSERT_FALSE(error) << error.message();
  ASSERT_TRUE(request_parser.is_done());
  EXPECT_EQ(request_parser.get().target(), "/v1/chat/completions");
  EXPECT_EQ(
      json::parse(request_parser.get().body()),
      json::parse(
          R"({"stream_options":{"include_usage":true},"model":"gpt/4o..","stream":true,"messages":[]})"));

  const std::string response_dump = read_file(bridged[1].string());
  http::response_parser<http::string_body> response_parser;
  response_parser.eager(true);
  response_parser.put(net::buffer(response_dump), error);
  ASSERT_FALSE(error) << error.message();
  response_parser.put_eof(error);  // the dumped body runs to the end of the file
  ASSERT_FALSE(error) << error.message();
  EXPECT_EQ(response_parser.get().result_int(), 200);
  EXPECT_EQ(response_parser.get().body(), chat.body());  // the body as it streamed

  // Passthrough: <dir>/anthropic/passthrough/<unix ms>-v1-models-<4 chars>.*
  const std::vector<fs::path> passthrough = files_under(logs() / "anthropic" / "passthrough");
  ASSERT_EQ(passthrough.size(), 2U);
  EXPECT_TRUE(passthrough[0].filename().string().find("-v1-models-") != std::string::npos);
  const std::string passthrough_request = read_file(passthrough[0].string());
  EXPECT_NE(passthrough_request.find("GET /v1/models?limit=2 HTTP/1.1\r\n"), std::string::npos);
  EXPECT_NE(passthrough_request.find("X-Api-Key: sk-a...efgh\r\n"), std::string::npos)
      << passthrough_request;

  // Off again: nothing new is written.
  ASSERT_EQ(toggle(R"({"enabled":false})", owner_token_).result_int(), 200);
  request(gateway_->port(), http::verb::post, "/openai/v1/chat/completions",
          {{"Authorization", "Bearer " + owner_token_}}, R"({"model":"m"})");
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(files_under(logs()).size(), 4U);
}

TEST_F(RequestLog, TheAdminApiServesAnInterceptionsFilesToWhoeverMaySeeIt) {
  ASSERT_EQ(toggle(R"({"enabled":true})", owner_token_).result_int(), 200);
  const Response chat =
      request(gateway_->port(), http::verb::post, "/openai/v1/chat/completions",
              {{"Authorization", "Bearer " + owner_token_}}, R"({"model":"gpt/4o","messages":[]})");
  ASSERT_EQ(chat.result_int(), 200);
  const std::string id(chat["X-AIBridge-Interception-Id"]);
  const std::string logs_path = "/api/v2/aibridge/interceptions/" + id + "/request-logs";
  const auto get = [&](const std::string& target, const std::string& token) {
    return request(gateway_->port(), http::verb::get, target, {{"Coder-Session-Token", token}});
  };
  json::value listed;
  for (int i = 0; i < 500; ++i) {  // recorded, and both files written, off the network thread
    const Response response = get(logs_path, owner_token_);
    if (response.result_int() == 200) {
      listed = json::parse(response.body());
      if (listed.at("files").as_array().size() == 2) {
        break;
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  const json::array& files = listed.at("files").as_array();
  ASSERT_EQ(files.size(), 2U) << listed;
  const std::string request_file(files[0].at("name").as_string());
  EXPECT_TRUE(request_file.ends_with("-" + id + ".req.txt")) << request_file;
  EXPECT_TRUE(std::string(files[1].at("name").as_string()).ends_with(".resp.txt"));

  const Response file = get(logs_path + "/" + request_file, owner_token_);
  ASSERT_EQ(file.result_int(), 200);
  EXPECT_EQ(file[http::field::content_type], "text/plain; charset=utf-8");
  EXPECT_EQ(file["Content-Security-Policy"], "sandbox; default-src 'none'");
  EXPECT_EQ(file.body().size(), files[0].at("bytes").as_int64());
  EXPECT_NE(file.body().find("POST /v1/chat/completions HTTP/1.1\r\n"), std::string::npos);
  EXPECT_EQ(file.body().find(owner_token_), std::string::npos);  // as dumped: masked

  // Someone else's interception, a name that is not one of its files, a path: 404.
  auto store = recorder::open_store(database_location(dir_.path()), {}, false);
  const std::string member = add_account(*store, {"55555555-5555-4555-8555-555555555555", "erin",
                                                  "", "", "", recorder::Role::kMember, 1});
  EXPECT_EQ(get(logs_path, member).result_int(), 404);
  EXPECT_EQ(get(logs_path + "/" + request_file, member).result_int(), 404);
  for (const std::string& bad :
       std::vector<std::string>{"12-" + id + ".req.txt", "..%2F..%2Faibridge.db", "x"}) {
    EXPECT_EQ(get(logs_path + "/" + bad, owner_token_).result_int(), 404) << bad;
  }
  EXPECT_EQ(get("/api/v2/aibridge/interceptions/nope/request-logs", owner_token_).result_int(),
            400);
}

TEST(RequestLogFailures, NoResponseGivesAnErrorFile) {
  TempDir dir;
  Gateway gateway(dir.path(), {"--anthropic-base-url", "http://127.0.0.1:1"});
  const std::string token = gateway.admin_token();
  request(gateway.port(), http::verb::post, kToggle, {{"Coder-Session-Token", token}},
          R"({"enabled":true})");
  EXPECT_EQ(request(gateway.port(), http::verb::post, "/anthropic/v1/messages",
                    {{"X-Api-Key", token}}, R"({"model":"claude"})")
                .result_int(),
            502);
  // The dump is written off the network thread: the error file can exist before its text does,
  // so wait for the text (up to 10 s on a loaded machine), not for the file.
  std::vector<fs::path> files;
  std::string error_text;
  for (int i = 0; i < 1000 && error_text.find("cannot connect") == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    files = files_under(fs::path(dir.path()) / "request-logs" / "anthropic" / "claude");
    error_text = files.size() == 2 ? read_file(files[1].string()) : std::string();
  }
  ASSERT_EQ(files.size(), 2U);
  EXPECT_TRUE(files[0].string().ends_with(".req.txt"));
  EXPECT_TRUE(files[1].string().ends_with(".req_error.txt"));
  EXPECT_NE(error_text.find("cannot connect"), std::string::npos) << error_text;
  EXPECT_EQ(gateway.stop(), 0);
}

TEST(SeedDocs, CurlExamplesWorkAsWritten) {
  if (!fs::exists("/usr/bin/curl")) {
    GTEST_SKIP() << "curl is not installed";
  }
  TempDir dir;
  Gateway gateway(dir.path());
  const std::string host = "http://127.0.0.1:" + std::to_string(gateway.port());
  const std::string token = gateway.admin_token();
  RunResult list = run({"/usr/bin/curl", "-s", "-X", "GET", host + "/api/v2/aibridge/interceptions",
                        "-H", "Accept: application/json", "-H", "Coder-Session-Token: " + token});
  EXPECT_EQ(list.status, 0);
  EXPECT_EQ(list.out, R"({"count":0,"results":[]})");
  RunResult toggle = run({"/usr/bin/curl", "-s", "-X", "POST",
                          host + "/api/v2/api/experimental/aibridge/log-requests", "-H",
                          "Content-Type: application/json", "-H", "Coder-Session-Token: " + token,
                          "-d", R"({"enabled": true})"});
  EXPECT_EQ(toggle.out, R"({"message":"Request logging state updated successfully."})");
  RunResult experimental =
      run({"/usr/bin/curl", "-s", host + "/api/v2/api/experimental/aibridge/interceptions", "-H",
           "Coder-Session-Token: " + token});
  EXPECT_EQ(experimental.out, R"({"total":0,"results":[]})");
  EXPECT_EQ(gateway.stop(), 0);
}

}  // namespace
}  // namespace aibridge::testing
