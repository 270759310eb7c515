// The interceptions list body, written without a JSON document: the same JSON (fields, their
// order, escapes) the API gave when it serialised a json::value; stored metadata is copied.
#include "api/interceptions_json.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace aibridge::api {
namespace {

namespace json = boost::json;

recorder::ListedInterception full_row() {
  recorder::ListedInterception row;
  recorder::Interception& record = row.interception;
  record.id = "01a23251-b75b-7213-b773-97d20df36a1a";
  record.api_key_id = "key1";
  record.provider = "openai";
  record.model = "gpt-5 \"mini\"";
  record.metadata = R"({"client":"Codex","streaming":true})";
  record.started_at = 1'761'141'791'123'456;
  record.ended_at = 1'761'141'792'000'000;
  record.token_usages.push_back({"t1", "resp_1", 900, 120, 512, 0, R"({"reasoning_tokens":64})",
                                 1'761'141'791'500'000});
  record.user_prompts.push_back({"p1", "resp_1", "line one\nline two\t\x01\b\f </script>", "{}",
                                 1'761'141'791'200'000});
  recorder::ToolUsage tool;
  tool.id = "u1";
  tool.provider_response_id = "resp_1";
  tool.tool_call_id = "call_1";
  tool.tool = "add";
  tool.input = R"({"a":2,"b":40})";
  tool.injected = true;
  tool.server_url = "https://mcp.example/mcp";
  tool.invocation_error = "boom";
  tool.metadata = "not json";
  tool.created_at = 1'761'141'791'600'000;
  record.tool_usages.push_back(tool);
  record.model_thoughts.push_back({"m1", "resp_1", "Need the sum. \\ done", "{}",
                                   1'761'141'791'300'000});
  row.initiator = {"user1", "alice", "Alice A.", "", "https://a/b.png"};
  return row;
}

TEST(InterceptionsBody, WritesEveryFieldInTheReferenceOrder) {
  recorder::InterceptionPage page;
  page.count = 7;
  page.rows.push_back(full_row());
  const std::string body = interceptions_body(page, CountField::kCount);
  const json::value parsed = json::parse(body);  // throws on invalid JSON
  const json::value expected = json::parse(R"({"count":7,"results":[{
    "id":"01a23251-b75b-7213-b773-97d20df36a1a","api_key_id":"key1",
    "initiator":{"id":"user1","username":"alice","name":"Alice A.","avatar_url":"https://a/b.png"},
    "provider":"openai","model":"gpt-5 \"mini\"",
    "metadata":{"client":"Codex","streaming":true},
    "started_at":"2025-10-22T14:03:11.123456Z","ended_at":"2025-10-22T14:03:12Z",
    "token_usages":[{"id":"t1","interception_id":"01a23251-b75b-7213-b773-97d20df36a1a",
      "provider_response_id":"resp_1","input_tokens":900,"output_tokens":120,
      "cache_read_input_tokens":512,"cache_write_input_tokens":0,
      "metadata":{"reasoning_tokens":64},"created_at":"2025-10-22T14:03:11.5Z"}],
    "user_prompts":[{"id":"p1","interception_id":"01a23251-b75b-7213-b773-97d20df36a1a",
      "provider_response_id":"resp_1","prompt":"line one\nline two\t\u0001\b\f </script>",
      "metadata":{},"created_at":"2025-10-22T14:03:11.2Z"}],
    "tool_usages":[{"id":"u1","interception_id":"01a23251-b75b-7213-b773-97d20df36a1a",
      "provider_response_id":"resp_1","server_url":"https://mcp.example/mcp","tool":"add",
      "input":"{\"a\":2,\"b\":40}","injected":true,"invocation_error":"boom","metadata":{},
      "created_at":"2025-10-22T14:03:11.6Z","tool_call_id":"call_1"}],
    "model_thoughts":[{"id":"m1","interception_id":"01a23251-b75b-7213-b773-97d20df36a1a",
      "content":"Need the sum. \\ done","metadata":{},"created_at":"2025-10-22T14:03:11.3Z",
      "provider_response_id":"resp_1"}]}]})");
  EXPECT_EQ(parsed, expected) << body;
  // The same order of members as the reference (json::value equality ignores order).
  EXPECT_EQ(body, json::serialize(expected));
}

TEST(InterceptionsBody, AnOpenInterceptionAndAnEmptyPage) {
  recorder::InterceptionPage page;
  page.count = 0;
  EXPECT_EQ(interceptions_body(page, CountField::kTotal), R"({"total":0,"results":[]})");

  recorder::ListedInterception row;
  row.interception.id = "i";
  row.interception.metadata = "{";  // cut short: unreadable, shown as {}
  row.initiator.id = "gone";        // a deleted user: id only
  page.count = 1;
  page.rows = {row, row};
  EXPECT_EQ(interceptions_body(page, CountField::kCount),
            R"({"count":1,"results":[)"
            R"({"id":"i","api_key_id":"","initiator":{"id":"gone","username":""},"provider":"",)"
            R"("model":"","metadata":{},"started_at":"1970-01-01T00:00:00Z","ended_at":null,)"
            R"("token_usages":[],"user_prompts":[],"tool_usages":[],"model_thoughts":[]},)"
            R"({"id":"i","api_key_id":"","initiator":{"id":"gone","username":""},"provider":"",)"
            R"("model":"","metadata":{},"started_at":"1970-01-01T00:00:00Z","ended_at":null,)"
            R"("token_usages":[],"user_prompts":[],"tool_usages":[],"model_thoughts":[]}]})");
}

TEST(InterceptionsBody, MetadataMustBeOneWholeObject) {
  for (const char* stored : {"[1,2]", "\"text\"", "{} {}", "{\"a\":1", "", "  {\"a\" : 1 } "}) {
    recorder::InterceptionPage page;
    recorder::ListedInterception row;
    row.interception.metadata = stored;
    page.rows.push_back(row);
    const json::value parsed = json::parse(interceptions_body(page, CountField::kCount));
    const json::value& metadata = parsed.at("results").at(0).at("metadata");
    if (std::string_view(stored).find("\"a\" : 1") != std::string_view::npos) {
      EXPECT_EQ(metadata, json::parse(R"({"a":1})")) << stored;
    } else {
      EXPECT_EQ(metadata, json::object()) << stored;
    }
  }
}

// A session sums its interceptions: its first one's initiator, client and start; the last end;
// providers and models once each, sorted; the first prompt any of them has.
TEST(SessionsBody, EachSessionIsSummedOverItsInterceptions) {
  recorder::ListedSession session;
  session.id = "s<1>";
  recorder::ListedInterception first = full_row();
  first.interception.user_prompts.clear();
  first.interception.client = "Claude Code";
  recorder::ListedInterception second = full_row();
  second.interception.model = "claude-haiku";
  second.interception.provider = "anthropic";
  second.interception.started_at += 5'000'000;
  second.interception.ended_at = second.interception.started_at + 2'000'000;
  session.interceptions = {first, second};
  recorder::SessionPage page;
  page.count = 7;
  page.rows = {session};
  const json::value listed = json::parse(sessions_body(page));
  EXPECT_EQ(listed.at("count"), 7);
  const json::value want = json::parse(R"({"id":"s<1>",
      "initiator":{"id":"user1","username":"alice","name":"Alice A.",
                   "avatar_url":"https://a/b.png"},
      "client":"Claude Code","providers":["anthropic","openai"],
      "models":["claude-haiku","gpt-5 \"mini\""],
      "started_at":"2025-10-22T14:03:11.123456Z","ended_at":"2025-10-22T14:03:18.123456Z",
      "interception_count":2,"first_prompt":"line one\nline two\t\u0001\b\f </script>",
      "input_tokens":1800,"output_tokens":240,"cache_read_input_tokens":1024,
      "cache_write_input_tokens":0,"tool_call_count":2})");
  EXPECT_EQ(listed.at("results").at(0), want);
  json::value one = json::parse(session_body(session));
  ASSERT_EQ(one.at("interceptions").as_array().size(), 2U);
  EXPECT_EQ(one.at("interceptions").at(1), json::parse(interception_body(second)));
  one.as_object().erase("interceptions");
  EXPECT_EQ(one, want);
  // A session without a prompt anywhere has an empty one.
  session.interceptions = {first};
  EXPECT_EQ(json::parse(session_body(session)).at("first_prompt"), "");
}

}  // namespace
}  // namespace aibridge::api
