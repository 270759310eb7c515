// Sessions (SPEC §10) through the real binary: the session ids Claude Code and Codex send become
// sessions in GET …/sessions and …/sessions/{id}, with the list's filters, cursors and errors.
#include <thread>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "core/ids.hpp"
#include "recorder/store.hpp"
#include "tests/support/accounts.hpp"
#include "tests/support/gateway.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/mock.hpp"

namespace aibridge::testing {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

constexpr const char* kSessions = "/api/v2/aibridge/sessions";

class Sessions : public ::testing::Test {
 protected:
  Sessions()
      : gateway_(dir_.path(), {"--openai-base-url", mock_.url("/v1"), "--anthropic-base-url",
                               mock_.url(), "--recorder-flush-interval", "10ms"}),
        token_(gateway_.admin_token()) {}
  ~Sessions() override { EXPECT_EQ(gateway_.stop(), 0); }

  void claude_code(const std::string& session, const std::string& prompt) {
    const Response response = request(
        gateway_.port(), http::verb::post, "/anthropic/v1/messages",
        {{"X-Api-Key", token_},
         {"User-Agent", "claude-cli/2.0.14 (external, cli)"},
         {"X-Claude-Code-Session-Id", session}},
        R"({"model":"claude-sonnet-4-5","max_tokens":10,"messages":[{"role":"user","content":")" +
            prompt + R"("}]})");
    ASSERT_EQ(response.result_int(), 200) << response.body();
  }
  void codex(const Headers& extra) {
    Headers headers{{"Authorization", "Bearer " + token_},
                    {"User-Agent", "codex_cli_rs/0.171.0 (Debian 12; x86_64)"}};
    headers.insert(headers.end(), extra.begin(), extra.end());
    const Response response = request(gateway_.port(), http::verb::post, "/openai/v1/responses",
                                      headers, R"({"model":"gpt-5","input":"hi"})");
    ASSERT_EQ(response.result_int(), 200) << response.body();
  }

  json::object get_json(const std::string& target, unsigned status = 200,
                        const std::string& token = "") {
    const Response response = request(gateway_.port(), http::verb::get, target,
                                      {{"Coder-Session-Token", token.empty() ? token_ : token}});
    EXPECT_EQ(response.result_int(), status) << target << "\n" << response.body();
    return json::parse(response.body()).as_object();
  }
  void wait_for_interceptions(std::int64_t count) {
    for (int i = 0; i < 500; ++i) {
      if (get_json("/api/v2/aibridge/interceptions?limit=1").at("count").as_int64() >= count) {
        return;
      }
      std::this_thread::sleep_for(10ms);
    }
    FAIL() << "fewer than " << count << " interceptions were recorded";
  }

  TempDir dir_;
  MockUpstream mock_;
  Gateway gateway_;
  std::string token_;
};

TEST_F(Sessions, ClientSessionIdsGroupInterceptionsIntoSessions) {
  claude_code("cc-1", "first question");
  claude_code("cc-1", "second question");
  codex({{"session-id", "cx-1"}, {"thread-id", "cx-1"}});  // Codex 0.171
  codex({{"session_id", "cx-0"}});                         // Codex before it
  request(gateway_.port(), http::verb::post, "/openai/v1/responses",
          {{"Authorization", "Bearer " + token_}}, R"({"model":"gpt-5","input":"sdk"})");
  wait_for_interceptions(5);

  const json::object list = get_json(kSessions);
  EXPECT_EQ(list.at("count"), 4);
  const json::array& sessions = list.at("results").as_array();
  ASSERT_EQ(sessions.size(), 4U);
  EXPECT_TRUE(core::parse_uuid(sessions[0].at("id").as_string()));  // no id sent: its own
  EXPECT_EQ(sessions[0].at("interception_count"), 1);
  EXPECT_EQ(sessions[1].at("id"), "cx-0");
  EXPECT_EQ(sessions[2].at("id"), "cx-1");
  EXPECT_EQ(sessions[2].at("client"), "Codex");
  const json::value& claude = sessions[3];
  EXPECT_EQ(claude.at("id"), "cc-1");
  EXPECT_EQ(claude.at("client"), "Claude Code");
  EXPECT_EQ(claude.at("interception_count"), 2);
  EXPECT_EQ(claude.at("first_prompt"), "first question");
  EXPECT_EQ(claude.at("providers"), json::parse(R"(["anthropic"])"));
  EXPECT_EQ(claude.at("initiator").at("username"), "admin");

  const json::object one = get_json(std::string(kSessions) + "/cc-1");
  const json::array& members = one.at("interceptions").as_array();
  ASSERT_EQ(members.size(), 2U);
  EXPECT_LT(members[0].at("started_at").as_string(), members[1].at("started_at").as_string());
  EXPECT_EQ(members[0].at("user_prompts").at(0).at("prompt"), "first question");
  EXPECT_EQ(one.at("first_prompt"), claude.at("first_prompt"));

  EXPECT_EQ(get_json(std::string(kSessions) + "?q=client:Codex").at("count"), 2);
  const json::object page = get_json(std::string(kSessions) + "?limit=2&after_id=" +
                                     std::string(sessions[1].at("id").as_string()));
  EXPECT_EQ(page.at("count"), 4);
  ASSERT_EQ(page.at("results").as_array().size(), 2U);
  EXPECT_EQ(page.at("results").at(0).at("id"), "cx-1");
  EXPECT_EQ(page.at("results").at(1).at("id"), "cc-1");
  EXPECT_EQ(get_json(std::string(kSessions) + "?offset=3").at("results").at(0).at("id"), "cc-1");
}

TEST_F(Sessions, BadInputAndOtherUsersSessionsAreRefused) {
  claude_code("cc-9", "mine");
  wait_for_interceptions(1);
  EXPECT_EQ(get_json(std::string(kSessions) + "?after_id=nope", 400).at("message"),
            "Invalid pagination cursor.");
  EXPECT_EQ(get_json(std::string(kSessions) + "?after_id=x&offset=1", 400).at("message"),
            "Query parameters have invalid values.");
  EXPECT_EQ(get_json(std::string(kSessions) + "?q=nonsense:1", 400).at("message"),
            "Invalid interceptions search query.");
  EXPECT_EQ(get_json(std::string(kSessions) + "/cc-0", 404).at("message"), "Session not found.");
  EXPECT_EQ(get_json(std::string(kSessions) + "/bad%zz", 400).at("message"), "Invalid session id.");
  EXPECT_EQ(request(gateway_.port(), http::verb::get, kSessions).result_int(), 401);

  // A member sees only their own sessions.
  auto store = recorder::open_store(database_location(dir_.path()), {}, false);
  const std::string member =
      add_account(*store, {core::new_uuid(), "dora", "", "", "", recorder::Role::kMember, 1});
  EXPECT_EQ(get_json(kSessions, 200, member).at("count"), 0);
  get_json(std::string(kSessions) + "/cc-9", 404, member);
  EXPECT_EQ(get_json(std::string(kSessions) + "/cc-9").at("interception_count"), 1);
}

}  // namespace
}  // namespace aibridge::testing
