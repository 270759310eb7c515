// The children codec: what goes in comes out, members at their defaults are left out, and rows
// written before those defaults existed (every member present) decode to the same children.
#include "recorder/record_codec.hpp"

#include <gtest/gtest.h>

#include "core/ids.hpp"

namespace aibridge::recorder {
namespace {

constexpr UnixMicros kStart = 1'796'000'000'000'000;

// An interception with one child of every kind, stamped as the gateway stamps them (one
// microsecond apart, the last at ended_at) under one provider response.
Interception stamped_record() {
  Interception record;
  record.started_at = kStart;
  record.id = core::new_uuid_at(kStart);
  record.ended_at = kStart + 900;
  record.user_prompts.push_back(
      {child_id(record.id, ChildKind::kPrompt, 0), "msg_1", "hello", "{}", kStart + 897});
  record.token_usages.push_back(
      {child_id(record.id, ChildKind::kTokenUsage, 0), "msg_1", 10, 20, 0, 0, "{}", kStart + 898});
  ToolUsage tool;
  tool.id = child_id(record.id, ChildKind::kToolUsage, 0);
  tool.provider_response_id = "msg_1";
  tool.tool = "Read";
  tool.input = R"({"file_path":"/tmp/x"})";
  tool.created_at = kStart + 899;
  record.tool_usages.push_back(tool);
  record.model_thoughts.push_back({child_id(record.id, ChildKind::kModelThought, 0), "msg_1",
                                   "thinking", R"({"source":"thinking"})", kStart + 900});
  return record;
}

Interception decoded(const Interception& like, std::string_view json) {
  Interception record;
  record.id = like.id;
  record.started_at = like.started_at;
  record.ended_at = like.ended_at;
  decode_children(json, record);
  return record;
}

template <class Child>
void expect_common(const std::vector<Child>& want, const std::vector<Child>& got) {
  ASSERT_EQ(want.size(), got.size());
  for (std::size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(want[i].id, got[i].id) << i;
    EXPECT_EQ(want[i].provider_response_id, got[i].provider_response_id) << i;
    EXPECT_EQ(want[i].metadata, got[i].metadata) << i;
    EXPECT_EQ(want[i].created_at, got[i].created_at) << i;
  }
}

void expect_same_children(const Interception& want, const Interception& got) {
  expect_common(want.user_prompts, got.user_prompts);
  expect_common(want.token_usages, got.token_usages);
  expect_common(want.tool_usages, got.tool_usages);
  expect_common(want.model_thoughts, got.model_thoughts);
  for (std::size_t i = 0; i < want.user_prompts.size(); ++i) {
    EXPECT_EQ(want.user_prompts[i].prompt, got.user_prompts[i].prompt);
  }
  for (std::size_t i = 0; i < want.token_usages.size(); ++i) {
    const TokenUsage& a = want.token_usages[i];
    const TokenUsage& b = got.token_usages[i];
    EXPECT_EQ(a.input_tokens, b.input_tokens);
    EXPECT_EQ(a.output_tokens, b.output_tokens);
    EXPECT_EQ(a.cache_read_input_tokens, b.cache_read_input_tokens);
    EXPECT_EQ(a.cache_write_input_tokens, b.cache_write_input_tokens);
  }
  for (std::size_t i = 0; i < want.tool_usages.size(); ++i) {
    const ToolUsage& a = want.tool_usages[i];
    const ToolUsage& b = got.tool_usages[i];
    EXPECT_EQ(a.tool_call_id, b.tool_call_id);
    EXPECT_EQ(a.server_url, b.server_url);
    EXPECT_EQ(a.tool, b.tool);
    EXPECT_EQ(a.input, b.input);
    EXPECT_EQ(a.injected, b.injected);
    EXPECT_EQ(a.invocation_error, b.invocation_error);
  }
  for (std::size_t i = 0; i < want.model_thoughts.size(); ++i) {
    EXPECT_EQ(want.model_thoughts[i].content, got.model_thoughts[i].content);
  }
}

TEST(RecordCodec, ChildrenAtTheirDefaultsLeaveThoseMembersOut) {
  const Interception record = stamped_record();
  std::string json;
  encode_children(record, json);
  EXPECT_EQ(json, R"({"user_prompts":[{"provider_response_id":"msg_1","prompt":"hello"}],)"
                  R"("token_usages":[{"input_tokens":10,"output_tokens":20}],)"
                  R"("tool_usages":[{"tool":"Read","input":"{\"file_path\":\"/tmp/x\"}"}],)"
                  R"("model_thoughts":[{"content":"thinking","metadata":{"source":"thinking"}}]})");
  expect_same_children(record, decoded(record, json));
}

TEST(RecordCodec, ChildrenAwayFromTheDefaultsKeepEveryMember) {
  Interception record = stamped_record();
  record.user_prompts[0].created_at = kStart + 10;  // the rest follow it but for the thought
  record.token_usages[0].created_at = kStart + 11;
  record.token_usages[0].provider_response_id = "msg_2";
  record.token_usages[0].cache_read_input_tokens = 7;
  record.token_usages[0].cache_write_input_tokens = 8;
  record.tool_usages[0].created_at = kStart + 12;
  record.tool_usages[0].tool_call_id = "toolu_1";
  record.tool_usages[0].server_url = "https://mcp.example/mcp";
  record.tool_usages[0].injected = true;
  record.tool_usages[0].invocation_error = "timeout";
  record.tool_usages[0].id = core::new_uuid();  // not the derived one
  record.model_thoughts[0].provider_response_id = "";
  std::string json;
  encode_children(record, json);
  EXPECT_NE(json.find(R"("created_at":1796000000000010)"), std::string::npos) << json;
  EXPECT_EQ(json.find(R"("created_at":1796000000000011)"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("provider_response_id":"msg_2")"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("provider_response_id":"")"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("created_at":1796000000000900)"), std::string::npos) << json;
  expect_same_children(record, decoded(record, json));
}

TEST(RecordCodec, RowsWrittenWithEveryMemberDecodeAlike) {
  const Interception record = stamped_record();
  // As the writer wrote children before defaults were left out, with times that do not follow
  // the gateway's stamping.
  const std::string json =
      R"({"user_prompts":[{"provider_response_id":"msg_1","prompt":"hello","created_at":5}],)"
      R"("token_usages":[{"provider_response_id":"msg_1","input_tokens":10,"output_tokens":20,)"
      R"("cache_read_input_tokens":0,"cache_write_input_tokens":0,"created_at":5}],)"
      R"("tool_usages":[{"provider_response_id":"msg_9","tool_call_id":"","tool":"Read",)"
      R"("input":"{}","created_at":4}]})";
  const Interception got = decoded(record, json);
  ASSERT_EQ(got.user_prompts.size(), 1U);
  ASSERT_EQ(got.token_usages.size(), 1U);
  ASSERT_EQ(got.tool_usages.size(), 1U);
  EXPECT_EQ(got.user_prompts[0].created_at, 5);
  EXPECT_EQ(got.token_usages[0].created_at, 5);
  EXPECT_EQ(got.token_usages[0].provider_response_id, "msg_1");
  EXPECT_EQ(got.tool_usages[0].created_at, 4);
  EXPECT_EQ(got.tool_usages[0].provider_response_id, "msg_9");
  EXPECT_EQ(got.tool_usages[0].id, child_id(record.id, ChildKind::kToolUsage, 0));
}

TEST(RecordCodec, ManyChildrenOfOneKindAcrossResponses) {
  Interception record;
  record.started_at = kStart;
  record.id = core::new_uuid_at(kStart);
  record.ended_at = kStart + 50;
  for (unsigned i = 0; i < 6; ++i) {
    // Two answers of a tool loop: three usages each, stamped one apart.
    record.token_usages.push_back({child_id(record.id, ChildKind::kTokenUsage, i),
                                   i < 3 ? "msg_a" : "msg_b", i, i + 1, 0, 0, "{}",
                                   kStart + 45 + i});
  }
  std::string json;
  encode_children(record, json);
  EXPECT_EQ(json.find("created_at"), std::string::npos) << json;
  EXPECT_NE(json.find(R"({"provider_response_id":"msg_b")"), std::string::npos) << json;
  expect_same_children(record, decoded(record, json));
}

TEST(RecordCodec, TextThatIsNotChildrenYieldsNone) {
  const Interception record = stamped_record();
  for (const std::string_view text : {"", "[]", "{", R"({"user_prompts":7})", "null"}) {
    const Interception got = decoded(record, text);
    EXPECT_TRUE(got.user_prompts.empty() && got.token_usages.empty() && got.tool_usages.empty() &&
                got.model_thoughts.empty())
        << text;
  }
}

}  // namespace
}  // namespace aibridge::recorder
