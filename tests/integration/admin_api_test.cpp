// The admin API (SPEC §6) against the real binary, on records seeded straight into its database.
#include <filesystem>
#include <set>
#include <thread>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "core/ids.hpp"
#include "recorder/store.hpp"
#include "tests/support/accounts.hpp"
#include "tests/support/gateway.hpp"
#include "tests/support/http_client.hpp"

namespace aibridge::testing {
namespace {

namespace json = boost::json;
using recorder::Role;

constexpr const char* kList = "/api/v2/aibridge/interceptions";

class AdminApi : public ::testing::Test {
 protected:
  AdminApi()
      : gateway_(dir_.path()),
        store_(recorder::open_store(database_location(dir_.path()), {}, false)),
        owner_token_(gateway_.admin_token()) {
    owner_id_ = store_->find_user_by_username("admin")->id;
    alice_ = add_user("11111111-1111-4111-8111-111111111111", "alice", Role::kMember, "Alice A",
                      "https://example.com/a.png");
    bob_ = add_user("22222222-2222-4222-8222-222222222222", "bob", Role::kMember);
    carol_ = add_user("33333333-3333-4333-8333-333333333333", "carol", Role::kAuditor);
  }
  ~AdminApi() override { EXPECT_EQ(gateway_.stop(), 0); }

  struct Account {
    std::string id;
    std::string token;
  };

  Account add_user(const std::string& id, const std::string& username, Role role,
                   const std::string& name = "", const std::string& avatar = "") {
    return {id, add_account(*store_, {id, username, name, "", avatar, role, 1})};
  }

  recorder::Interception interception(const std::string& id, const std::string& initiator,
                                      core::UnixMicros started_at,
                                      const std::string& provider = "openai",
                                      const std::string& model = "gpt-4.1") {
    recorder::Interception record;
    record.id = id;
    record.initiator_id = initiator;
    record.api_key_id = "keyid00001";
    record.provider = provider;
    record.model = model;
    record.started_at = started_at;
    record.ended_at = started_at + 1500;
    record.metadata = R"({"client":"Codex","status":"completed","streaming":true})";
    return record;
  }

  Response get(const std::string& target, const std::string& token) {
    return request(gateway_.port(), http::verb::get, target, {{"Coder-Session-Token", token}});
  }
  json::object get_json(const std::string& target, const std::string& token,
                        unsigned status = 200) {
    const Response response = get(target, token);
    EXPECT_EQ(response.result_int(), status) << target << "\n" << response.body();
    EXPECT_EQ(response[http::field::content_type], "application/json");
    return json::parse(response.body()).as_object();
  }

  TempDir dir_;
  Gateway gateway_;
  std::unique_ptr<recorder::Store> store_;
  std::string owner_token_;
  std::string owner_id_;
  Account alice_, bob_, carol_;
};

TEST_F(AdminApi, ResponseShapeMatchesTheGolden) {
  recorder::Interception record =
      interception("aaaaaaaa-0000-4000-8000-000000000001", alice_.id, 1761141791123456);
  record.user_prompts.push_back({"bbbbbbbb-0000-4000-8000-000000000001", "resp_1",
                                 "tell me <a> joke & more", "{}", 1761141791200000});
  record.token_usages.push_back({"bbbbbbbb-0000-4000-8000-000000000002", "resp_1", 11, 18, 5, 0,
                                 R"({"reasoning_tokens":0,"total_tokens":34})", 1761141791300000});
  recorder::ToolUsage tool;
  tool.id = "bbbbbbbb-0000-4000-8000-000000000003";
  tool.provider_response_id = "resp_1";
  tool.tool_call_id = "call_1";
  tool.tool = "add";
  tool.input = R"({"a":3,"b":5})";
  tool.created_at = 1761141791400000;
  record.tool_usages.push_back(tool);
  record.model_thoughts.push_back({"bbbbbbbb-0000-4000-8000-000000000004", "resp_1", "Adding.",
                                   R"({"source":"reasoning_summary"})", 1761141791500000});
  store_->write_interceptions(std::vector{record});
  store_->write_interceptions(
      std::vector{interception("aaaaaaaa-0000-4000-8000-000000000002", bob_.id, 1000)});

  const Response response = get(std::string(kList) + "?limit=1", owner_token_);
  ASSERT_EQ(response.result_int(), 200);
  const std::string golden =
      R"({"count":2,"results":[{"id":"aaaaaaaa-0000-4000-8000-000000000001","api_key_id":"keyid00001",)"
      R"("initiator":{"id":"11111111-1111-4111-8111-111111111111","username":"alice","name":"Alice A",)"
      R"("avatar_url":"https://example.com/a.png"},"provider":"openai","model":"gpt-4.1",)"
      R"("metadata":{"client":"Codex","status":"completed","streaming":true},)"
      R"("started_at":"2025-10-22T14:03:11.123456Z","ended_at":"2025-10-22T14:03:11.124956Z",)"
      R"("token_usages":[{"id":"bbbbbbbb-0000-4000-8000-000000000002","interception_id":"aaaaaaaa-0000-4000-8000-000000000001",)"
      R"("provider_response_id":"resp_1","input_tokens":11,"output_tokens":18,"cache_read_input_tokens":5,)"
      R"("cache_write_input_tokens":0,"metadata":{"reasoning_tokens":0,"total_tokens":34},"created_at":"2025-10-22T14:03:11.3Z"}],)"
      R"("user_prompts":[{"id":"bbbbbbbb-0000-4000-8000-000000000001","interception_id":"aaaaaaaa-0000-4000-8000-000000000001",)"
      R"("provider_response_id":"resp_1","prompt":"tell me <a> joke & more","metadata":{},"created_at":"2025-10-22T14:03:11.2Z"}],)"
      R"("tool_usages":[{"id":"bbbbbbbb-0000-4000-8000-000000000003","interception_id":"aaaaaaaa-0000-4000-8000-000000000001",)"
      R"("provider_response_id":"resp_1","server_url":"","tool":"add","input":"{\"a\":3,\"b\":5}","injected":false,)"
      R"("invocation_error":"","metadata":{},"created_at":"2025-10-22T14:03:11.4Z","tool_call_id":"call_1"}],)"
      R"("model_thoughts":[{"id":"bbbbbbbb-0000-4000-8000-000000000004","interception_id":"aaaaaaaa-0000-4000-8000-000000000001",)"
      R"("content":"Adding.","metadata":{"source":"reasoning_summary"},"created_at":"2025-10-22T14:03:11.5Z",)"
      R"("provider_response_id":"resp_1"}]}]})";
  EXPECT_EQ(response.body(), golden);

  // The second row's initiator has no name or avatar: both keys are omitted; arrays stay arrays.
  const json::object page = get_json(std::string(kList) + "?offset=1", owner_token_);
  const json::object& row = page.at("results").as_array().at(0).as_object();
  EXPECT_EQ(json::serialize(row.at("initiator")),
            R"({"id":"22222222-2222-4222-8222-222222222222","username":"bob"})");
  for (const char* children : {"token_usages", "user_prompts", "tool_usages", "model_thoughts"}) {
    EXPECT_TRUE(row.at(children).is_array() && row.at(children).as_array().empty()) << children;
  }
  EXPECT_EQ(row.at("started_at"), "1970-01-01T00:00:00.001Z");
}

TEST_F(AdminApi, ExperimentalPathsSayTotal) {
  store_->write_interceptions(std::vector{interception(core::new_uuid(), alice_.id, 10)});
  for (const char* path : {"/api/experimental/aibridge/interceptions",
                           "/api/v2/api/experimental/aibridge/interceptions"}) {
    const json::object page = get_json(path, owner_token_);
    EXPECT_EQ(page.at("total"), 1) << path;
    EXPECT_FALSE(page.contains("count"));
  }
  EXPECT_EQ(get_json(kList, owner_token_).at("count"), 1);
}

TEST_F(AdminApi, CursorAndOffsetWalksVisitEveryRowOnceEvenWithTiedStartTimes) {
  std::vector<recorder::Interception> records;
  for (int i = 0; i < 253; ++i) {
    records.push_back(interception(core::new_uuid(), i % 2 ? alice_.id : bob_.id, 1000 + (i / 10)));
  }
  store_->write_interceptions(records);
  std::vector<std::pair<core::UnixMicros, std::string>> expected;  // (started_at, id) descending
  for (const auto& record : records) {
    expected.emplace_back(record.started_at, record.id);
  }
  std::sort(expected.begin(), expected.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first > b.first : a.second > b.second;
  });
  for (const bool cursor : {true, false}) {
    std::vector<std::string> seen;
    std::string after;
    for (int page_number = 0; page_number < 100; ++page_number) {
      std::string target = std::string(kList) + "?limit=7";
      target += cursor ? (after.empty() ? "" : "&after_id=" + after)
                       : "&offset=" + std::to_string(seen.size());
      const json::object page = get_json(target, owner_token_);
      EXPECT_EQ(page.at("count"), 253);  // every page counts all matches
      const json::array& results = page.at("results").as_array();
      if (results.empty()) {
        break;
      }
      for (const auto& row : results) {
        seen.emplace_back(row.at("id").as_string());
      }
      after = seen.back();
    }
    ASSERT_EQ(seen.size(), expected.size()) << (cursor ? "cursor" : "offset");
    for (std::size_t i = 0; i < seen.size(); ++i) {
      EXPECT_EQ(seen[i], expected[i].second) << i;
    }
  }
}

TEST_F(AdminApi, PaginationErrors) {
  store_->write_interceptions(std::vector{interception(core::new_uuid(), alice_.id, 10)});
  const auto error = [&](const std::string& query) {
    return get_json(std::string(kList) + query, owner_token_, 400);
  };
  json::object body = error("?limit=abc&offset=-1&after_id=nope");
  EXPECT_EQ(body.at("message"), "Query parameters have invalid values.");
  const json::array& validations = body.at("validations").as_array();
  ASSERT_EQ(validations.size(), 3U);
  EXPECT_EQ(validations[0].at("field"), "after_id");
  EXPECT_EQ(validations[1].at("field"), "limit");
  EXPECT_EQ(validations[2].at("field"), "offset");
  EXPECT_EQ(error("?limit=1001").at("message"), "Invalid pagination limit value.");
  EXPECT_EQ(error("?limit=1&limit=2").at("validations").at(0).at("field"), "limit");
  body = error("?after_id=" + core::new_uuid() + "&offset=3");
  EXPECT_EQ(body.at("detail"),
            "Cannot use both after_id and offset pagination in the same request.");
  EXPECT_EQ(error("?after_id=" + core::new_uuid()).at("message"), "Invalid pagination cursor.");
  EXPECT_EQ(get_json(std::string(kList) + "?limit=0", owner_token_).at("results").as_array().size(),
            1U);
  EXPECT_EQ(
      get_json(std::string(kList) + "?limit=1000&offset=0&after_id=", owner_token_).at("count"), 1);
  EXPECT_EQ(
      get_json(std::string(kList) + "?after_id=00000000-0000-0000-0000-000000000000", owner_token_)
          .at("count"),
      1);  // the nil UUID means no cursor
  EXPECT_TRUE(
      get_json(std::string(kList) + "?offset=50", owner_token_).at("results").as_array().empty());
}

TEST_F(AdminApi, RolesDecideWhatIsVisible) {
  const std::string alice_row = core::new_uuid();
  const std::string bob_row = core::new_uuid();
  store_->write_interceptions(std::vector{interception(alice_row, alice_.id, 10),
                                          interception(bob_row, bob_.id, 20),
                                          interception(core::new_uuid(), owner_id_, 30)});
  EXPECT_EQ(get_json(kList, owner_token_).at("count"), 3);
  EXPECT_EQ(get_json(kList, carol_.token).at("count"), 3);  // auditor
  json::object mine = get_json(kList, alice_.token);
  EXPECT_EQ(mine.at("count"), 1);
  EXPECT_EQ(mine.at("results").at(0).at("id").as_string(), alice_row);
  // A member reaches nobody else's rows by any filter or cursor.
  EXPECT_EQ(get_json(std::string(kList) + "?q=initiator:bob", alice_.token).at("count"), 0);
  EXPECT_EQ(get_json(std::string(kList) + "?q=initiator:" + bob_.id, alice_.token).at("count"), 0);
  EXPECT_EQ(get_json(std::string(kList) + "?q=provider:openai", alice_.token).at("count"), 1);
  EXPECT_EQ(get_json(std::string(kList) + "?after_id=" + bob_row, alice_.token, 400).at("message"),
            "Invalid pagination cursor.");
  EXPECT_EQ(get_json(std::string(kList) + "?after_id=" + alice_row, alice_.token).at("count"), 1);
  EXPECT_EQ(get_json(std::string(kList) + "?q=initiator:me", bob_.token)
                .at("results")
                .at(0)
                .at("id")
                .as_string(),
            bob_row);
}

TEST_F(AdminApi, TokensTravelInHeadersCookiesOrTheQuery) {
  EXPECT_EQ(get(kList, "").result_int(), 401);
  EXPECT_EQ(request(gateway_.port(), http::verb::get, kList,
                    {{"Cookie", "coder_session_token=" + alice_.token}})
                .result_int(),
            200);
  EXPECT_EQ(request(gateway_.port(), http::verb::get,
                    std::string(kList) + "?coder_session_token=" + alice_.token)
                .result_int(),
            200);
  EXPECT_EQ(request(gateway_.port(), http::verb::get, kList,
                    {{"Authorization", "Bearer " + alice_.token}})
                .result_int(),
            200);
  store_->revoke_token(alice_.token.substr(0, 10), 5);
  std::this_thread::sleep_for(
      std::chrono::milliseconds(2100));  // the gateway caches tokens for 2 s
  EXPECT_EQ(get(kList, alice_.token).result_int(), 401);
}

TEST_F(AdminApi, OneInterceptionIsAsListedAndOnlyForThoseWhoMaySeeIt) {
  const std::string alice_row = core::new_uuid();
  store_->write_interceptions(std::vector{interception(alice_row, alice_.id, 10)});
  const std::string one = std::string(kList) + "/" + alice_row;
  const json::value listed = get_json(kList, owner_token_).at("results").at(0);
  EXPECT_EQ(json::value(get_json(one, owner_token_)), listed);
  EXPECT_EQ(json::value(get_json(one, alice_.token)), listed);
  EXPECT_EQ(json::value(get_json(one, carol_.token)), listed);  // auditor
  // Another member's and an unknown id look the same.
  EXPECT_EQ(get_json(one, bob_.token, 404).at("message"), "Interception not found.");
  EXPECT_EQ(get_json(std::string(kList) + "/" + core::new_uuid(), owner_token_, 404).at("message"),
            "Interception not found.");
  const json::object bad = get_json(std::string(kList) + "/not-a-uuid", owner_token_, 400);
  EXPECT_EQ(bad.at("validations").at(0).at("field"), "id");
  EXPECT_EQ(get(one, "").result_int(), 401);
}

TEST_F(AdminApi, ModelsAndClientsAreTheDistinctValuesTheCallerCanSee) {
  std::vector<recorder::Interception> batch{
      interception(core::new_uuid(), alice_.id, 10, "openai", "gpt-5"),
      interception(core::new_uuid(), alice_.id, 20, "anthropic", "claude-sonnet-4-5"),
      interception(core::new_uuid(), bob_.id, 30, "openai", "gpt-5"),
      interception(core::new_uuid(), bob_.id, 40, "openai", "o3")};
  batch[0].client = "Codex";
  batch[1].client = "Claude Code";
  batch[2].client = "Codex";
  batch[3].client = "Cursor";
  store_->write_interceptions(batch);
  const auto array = [&](const std::string& path, const std::string& token) {
    const Response response = get("/api/v2/aibridge/" + path, token);
    EXPECT_EQ(response.result_int(), 200) << response.body();
    return json::parse(response.body());
  };
  EXPECT_EQ(array("models", owner_token_), json::parse(R"(["claude-sonnet-4-5","gpt-5","o3"])"));
  EXPECT_EQ(array("models", alice_.token), json::parse(R"(["claude-sonnet-4-5","gpt-5"])"));
  EXPECT_EQ(array("clients", carol_.token), json::parse(R"(["Claude Code","Codex","Cursor"])"));
  EXPECT_EQ(array("clients", bob_.token), json::parse(R"(["Codex","Cursor"])"));
  EXPECT_EQ(get("/api/v2/aibridge/models", "").result_int(), 401);
}

TEST_F(AdminApi, UsageSumsEveryTokenKindPerGroupOverTheFilters) {
  constexpr core::UnixMicros kDay = 86'400'000'000;
  constexpr core::UnixMicros kDec1 = 20'423 * kDay;  // 2025-12-01T00:00:00Z
  const auto used = [&](const std::string& user, core::UnixMicros at, const char* model,
                        std::int64_t input, std::int64_t output) {
    recorder::Interception record = interception(core::new_uuid_at(at), user, at, "openai", model);
    record.token_usages.push_back(
        {recorder::child_id(record.id, recorder::ChildKind::kTokenUsage, 0), "resp_1", input,
         output, 7, 3, "{}", at + 10});
    return record;
  };
  store_->write_interceptions(std::vector{used(alice_.id, kDec1 + 5, "gpt-5", 100, 10),
                                          used(alice_.id, kDec1 + kDay + 5, "o3", 200, 20),
                                          used(bob_.id, kDec1 + kDay + 9, "gpt-5", 400, 40)});
  const std::string usage = "/api/v2/aibridge/usage";
  const json::object by_model = get_json(usage + "?group_by=model", owner_token_);
  EXPECT_EQ(by_model.at("group_by"), json::parse(R"(["model"])"));
  EXPECT_EQ(by_model.at("results"), json::parse(R"([
      {"model":"gpt-5","interceptions":2,"input_tokens":500,"output_tokens":50,
       "cache_read_input_tokens":14,"cache_write_input_tokens":6,"tool_calls":0},
      {"model":"o3","interceptions":1,"input_tokens":200,"output_tokens":20,
       "cache_read_input_tokens":7,"cache_write_input_tokens":3,"tool_calls":0}])"));
  EXPECT_EQ(by_model.at("total").at("input_tokens"), 700);
  // A member's sums are their own; filters narrow them as in the list.
  EXPECT_EQ(get_json(usage + "?group_by=user", alice_.token).at("total").at("input_tokens"), 300);
  const json::object bob_rows = get_json(usage + "?group_by=user&q=initiator:bob", carol_.token);
  EXPECT_EQ(bob_rows.at("results").at(0).at("user").at("username"), "bob");
  EXPECT_EQ(bob_rows.at("total").at("input_tokens"), 400);
  // Every day of the range, zeros included, as UTC dates.
  const json::object days =
      get_json(usage +
                   "?group_by=day&q=started_after:%222025-11-30T00:00:00Z%22%20"
                   "started_before:%222025-12-03T00:00:00Z%22",
               owner_token_);
  std::vector<std::string> listed;
  for (const json::value& row : days.at("results").as_array()) {
    listed.push_back(std::string(row.at("day").as_string()) + "=" +
                     std::to_string(row.at("input_tokens").as_int64()));
  }
  EXPECT_EQ(listed, (std::vector<std::string>{"2025-11-30=0", "2025-12-01=100", "2025-12-02=600",
                                              "2025-12-03=0"}));
  // Bounds inside a day count only what started within them.
  const json::object sliver = get_json(
      usage + "?group_by=day&q=started_after:%222025-12-02T00:00:00.000008Z%22", owner_token_);
  EXPECT_EQ(sliver.at("total").at("input_tokens"), 400);
  EXPECT_EQ(
      get_json(usage + "?group_by=week", owner_token_, 400).at("validations").at(0).at("field"),
      "group_by");
  // Bad filters are refused as the list refuses them.
  EXPECT_EQ(
      get_json(usage + "?q=status:done", owner_token_, 400).at("validations").at(0).at("field"),
      "status");
  EXPECT_EQ(get_json(usage + "?q=initiator:nobody", owner_token_, 400).at("message"),
            "Invalid interceptions search query.");
  EXPECT_EQ(get(usage + "?q=%zz", owner_token_).result_int(), 400);
  EXPECT_EQ(get(usage, "").result_int(), 401);
}

TEST_F(AdminApi, OwnersCreateUsersAndTokensAndRevokeThem) {
  const auto send = [&](http::verb method, const std::string& path, const std::string& token,
                        const std::string& body = "") {
    return request(gateway_.port(), method, "/api/v2/aibridge/" + path,
                   {{"Coder-Session-Token", token}, {"Content-Type", "application/json"}}, body);
  };
  const Response made = send(http::verb::post, "users", owner_token_,
                             R"({"username":"dora","name":"Dora D","role":"auditor"})");
  ASSERT_EQ(made.result_int(), 201) << made.body();
  EXPECT_EQ(json::parse(made.body()).at("role"), "auditor");
  EXPECT_EQ(send(http::verb::post, "users", owner_token_, R"({"username":"DORA"})").result_int(),
            409);  // usernames are unique ignoring case
  const Response invalid = send(http::verb::post, "users", owner_token_, R"({"username":"-x"})");
  EXPECT_EQ(invalid.result_int(), 400);
  EXPECT_EQ(json::parse(invalid.body()).at("validations").at(0).at("field"), "username");
  EXPECT_EQ(send(http::verb::post, "users", owner_token_, R"({"username":"e","role":"god"})")
                .result_int(),
            400);
  EXPECT_EQ(send(http::verb::post, "users", owner_token_, "not json").result_int(), 400);
  // Only owners.
  EXPECT_EQ(send(http::verb::get, "users", carol_.token).result_int(), 403);
  EXPECT_EQ(send(http::verb::post, "tokens", alice_.token, R"({"username":"alice"})").result_int(),
            403);

  const Response minted =
      send(http::verb::post, "tokens", owner_token_, R"({"username":"dora","lifetime_days":30})");
  ASSERT_EQ(minted.result_int(), 201) << minted.body();
  const std::string token(json::parse(minted.body()).at("token").as_string());
  const std::string token_id(json::parse(minted.body()).at("id").as_string());
  EXPECT_EQ(get(kList, token).result_int(), 200);  // dora (auditor) may list
  bool listed = false;
  const json::value tokens = json::parse(send(http::verb::get, "tokens", owner_token_).body());
  for (const json::value& row : tokens.as_array()) {
    if (row.at("id").as_string() == token_id) {
      listed = true;
      EXPECT_EQ(row.at("username"), "dora");
      EXPECT_TRUE(row.at("expires_at").is_string());
      EXPECT_TRUE(row.at("revoked_at").is_null());
      EXPECT_EQ(row.as_object().count("secret_hash"), 0U);
    }
  }
  EXPECT_TRUE(listed);
  EXPECT_EQ(send(http::verb::post, "tokens", owner_token_, R"({"username":"nobody"})").result_int(),
            400);
  EXPECT_EQ(
      send(http::verb::post, "tokens", owner_token_, R"({"username":"dora","lifetime_days":-1})")
          .result_int(),
      400);
  EXPECT_EQ(send(http::verb::delete_, "tokens/" + token_id, owner_token_).result_int(), 200);
  EXPECT_EQ(send(http::verb::delete_, "tokens/" + token_id, owner_token_).result_int(), 404);
  std::this_thread::sleep_for(std::chrono::milliseconds(2100));  // tokens are cached for 2 s
  EXPECT_EQ(get(kList, token).result_int(), 401);
}

TEST_F(AdminApi, UnknownAdminPathsAndMethodsAreRefusedBeforeAuthentication) {
  const Response unknown = get("/api/v2/aibridge/nothing", "");
  EXPECT_EQ(unknown.result_int(), 404);
  EXPECT_EQ(json::parse(unknown.body()).at("message"),
            "Route not found: /api/v2/aibridge/nothing.");
  const Response post = request(gateway_.port(), http::verb::post, kList, {}, "{}");
  EXPECT_EQ(post.result_int(), 405);
  EXPECT_EQ(post[http::field::allow], "GET");
}

// A browser sends its cookie with requests other sites make it send: with only a cookie, state
// changes need the gateway's own Origin and the console's header (SPEC §10).
TEST_F(AdminApi, ACookieChangesStateOnlyFromTheGatewaysOwnPages) {
  constexpr const char* kToggle = "/api/experimental/aibridge/log-requests";
  const std::string cookie = "coder_session_token=" + owner_token_;
  const std::string self = "http://127.0.0.1:" + std::to_string(gateway_.port());
  const auto post = [&](Headers headers) {
    headers.emplace_back("Host", self.substr(7));  // a browser names the port it connected to
    return request(gateway_.port(), http::verb::post, kToggle, headers, R"({"enabled":true})");
  };
  const Response forged =
      post({{"Cookie", cookie}, {"Origin", "https://evil.example"}, {"X-Aibridge-Csrf", "1"}});
  EXPECT_EQ(forged.result_int(), 403) << forged.body();
  EXPECT_EQ(json::parse(forged.body()).at("message"), "Cross-site request refused.");
  EXPECT_EQ(post({{"Cookie", cookie}}).result_int(), 403);
  EXPECT_EQ(post({{"Cookie", cookie}, {"Origin", self}}).result_int(), 403);
  EXPECT_FALSE(get_json(kToggle, owner_token_).at("enabled").as_bool());  // nothing changed
  EXPECT_EQ(post({{"Cookie", cookie}, {"Origin", self}, {"X-Aibridge-Csrf", "1"}}).result_int(),
            200);
  EXPECT_TRUE(get_json(kToggle, owner_token_).at("enabled").as_bool());
  // Reads by cookie, and anything a script authenticates on purpose, need neither.
  EXPECT_EQ(request(gateway_.port(), http::verb::get, kToggle, {{"Cookie", cookie}}).result_int(),
            200);
  EXPECT_EQ(post({{"Coder-Session-Token", owner_token_}}).result_int(), 200);
  EXPECT_EQ(post({{"Authorization", "Bearer " + owner_token_}}).result_int(), 200);
}

TEST_F(AdminApi, SearchFilters) {
  store_->write_interceptions(std::vector{
      interception(core::new_uuid(), alice_.id, 1'700'000'000'000'000, "openai", "gpt-4.1"),
      interception(core::new_uuid(), alice_.id, 1'700'000'100'000'000, "anthropic",
                   "claude-sonnet-4-0"),
      interception(core::new_uuid(), bob_.id, 1'700'000'200'000'000, "anthropic",
                   "claude-haiku-4-5")});
  const auto count = [&](const std::string& q) {
    return get_json(std::string(kList) + "?q=" + q, owner_token_).at("count").as_int64();
  };
  EXPECT_EQ(count("provider:anthropic"), 2);
  EXPECT_EQ(count("provider:Anthropic"), 0);  // values are exact
  EXPECT_EQ(count("model:gpt-4.1"), 1);
  EXPECT_EQ(count("initiator:ALICE"), 2);  // usernames ignore case
  EXPECT_EQ(count("alice+provider:anthropic"), 1);
  EXPECT_EQ(count("initiator:" + bob_.id), 1);
  EXPECT_EQ(count("initiator:99999999-9999-4999-8999-999999999999"), 0);
  EXPECT_EQ(count("started_after:%222023-11-14T22:15:00Z%22"),
            2);  // 1700000100 = 22:15:00, inclusive
  EXPECT_EQ(count("started_before:%222023-11-14T22:15:00Z%22"), 2);
  EXPECT_EQ(count("started_after:%222023-11-14T22:14:00Z%22+started_before:%222023-11-14T22:16:00%"
                  "2B00:00%22"),
            1);
  EXPECT_EQ(count("model:%22x'+OR+'1'%3D'1%22"), 0);  // SQL in a value is just a value
  const json::object unknown_user =
      get_json(std::string(kList) + "?q=initiator:nobody", owner_token_, 400);
  EXPECT_EQ(unknown_user.at("validations").at(0).at("field"), "initiator");
  const json::object bad =
      get_json(std::string(kList) + "?q=foo:bar+started_after:soon", owner_token_, 400);
  EXPECT_EQ(bad.at("validations").as_array().size(), 2U);
}

}  // namespace
}  // namespace aibridge::testing
