// The extractors on the project's own fixtures, fed through the SSE parser at every split point.
#include "proxy/providers/extractor.hpp"

#include <filesystem>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "tests/mock/responses.hpp"
#include "tests/support/process.hpp"

namespace aibridge::proxy {
namespace {

namespace fs = std::filesystem;

std::string fixture(const std::string& name) {
  return aibridge::testing::read_file(
      (fs::path(AIBRIDGE_SOURCE_DIR) / "tests/fixtures/conformance/fixtures" / (name + ".fixture"))
          .string());
}

// A stable text form of an extraction, to compare runs.
std::string describe(const Extraction& extraction) {
  boost::json::object out{{"response_id", extraction.response_id},
                          {"failed", extraction.failed},
                          {"finished", extraction.finished}};
  boost::json::array tokens, tools, thoughts;
  for (const auto& row : extraction.token_usages) {
    tokens.push_back({row.provider_response_id, row.input_tokens, row.output_tokens,
                      row.cache_read_input_tokens, row.cache_write_input_tokens, row.metadata});
  }
  for (const auto& row : extraction.tool_usages) {
    tools.push_back(
        {row.provider_response_id, row.tool, row.tool_call_id, row.input, row.metadata});
  }
  for (const auto& row : extraction.model_thoughts) {
    thoughts.push_back({row.provider_response_id, row.content, row.metadata});
  }
  out["tokens"] = tokens;
  out["tools"] = tools;
  out["thoughts"] = thoughts;
  return boost::json::serialize(out);
}

Extraction extract_stream(Endpoint endpoint, const std::vector<std::string_view>& pieces) {
  auto extractor = make_extractor(endpoint);
  SseParser parser(1 << 20);
  for (std::string_view piece : pieces) {
    parser.feed(piece, [&](const SseEvent& event) { extractor->on_event(event); });
  }
  return extractor->finish();
}

Extraction extract_body(Endpoint endpoint, const std::string& body) {
  auto extractor = make_extractor(endpoint);
  extractor->on_body(body);
  return extractor->finish();
}

std::string stream_of(const std::string& name) {
  return *mock::txtar_section(fixture(name), "streaming");
}

TEST(Extractors, SameResultAtEverySplitPoint) {
  const std::pair<const char*, Endpoint> streams[] = {
      {"anthropic/thinking_parallel_tools", Endpoint::kMessages},
      {"anthropic/error_event", Endpoint::kMessages},
      {"anthropic/cut_stream", Endpoint::kMessages},
      {"openai/chat/parallel_tools", Endpoint::kChatCompletions},
      {"openai/chat/error_chunk", Endpoint::kChatCompletions},
      {"openai/responses/reasoning_tools", Endpoint::kResponses},
      {"openai/responses/tool_output_failed", Endpoint::kResponses},
  };
  for (const auto& [name, endpoint] : streams) {
    SCOPED_TRACE(name);
    const std::string text = stream_of(name);
    const std::string whole = describe(extract_stream(endpoint, {text}));
    for (std::size_t cut = 0; cut <= text.size(); ++cut) {
      const std::string_view view(text);
      ASSERT_EQ(describe(extract_stream(endpoint, {view.substr(0, cut), view.substr(cut)})), whole)
          << "cut at " << cut;
    }
    std::vector<std::string_view> bytes;
    for (std::size_t i = 0; i < text.size(); ++i) {
      bytes.push_back(std::string_view(text).substr(i, 1));
    }
    ASSERT_EQ(describe(extract_stream(endpoint, bytes)), whole);
  }
}

TEST(AnthropicExtractor, StreamedToolArgumentsAreConcatenatedPerBlock) {
  const Extraction got =
      extract_stream(Endpoint::kMessages, {stream_of("anthropic/thinking_parallel_tools")});
  EXPECT_TRUE(got.finished);
  EXPECT_FALSE(got.failed);
  ASSERT_EQ(got.tool_usages.size(), 2U);
  EXPECT_EQ(got.tool_usages[0].input, R"({"path": "/repo/src"})");
  EXPECT_EQ(got.tool_usages[1].input, R"({"path": "/repo/docs", "depth": 2})");
  ASSERT_EQ(got.token_usages.size(), 1U);
  EXPECT_EQ(got.token_usages[0].output_tokens, 88);  // message_delta's, not 2 + 88
  EXPECT_EQ(got.token_usages[0].cache_write_input_tokens, 30);
  ASSERT_EQ(got.model_thoughts.size(), 1U);
  EXPECT_EQ(got.model_thoughts[0].metadata, R"({"source":"thinking"})");
}

TEST(AnthropicExtractor, BlockingToolInputIsTheRawJsonText) {
  const Extraction got = extract_body(
      Endpoint::kMessages,
      *mock::txtar_section(fixture("anthropic/thinking_parallel_tools"), "non-streaming"));
  ASSERT_EQ(got.tool_usages.size(), 2U);
  EXPECT_EQ(got.tool_usages[0].input, "{\n        \"path\": \"/repo/src\"\n      }");
  EXPECT_EQ(
      got.token_usages[0].metadata,
      R"({"web_search_requests":0,"cache_ephemeral_5m_input_tokens":0,"cache_ephemeral_1h_input_tokens":0})");
}

TEST(AnthropicExtractor, ACutStreamKeepsWhatItDelivered) {
  const Extraction got = extract_stream(Endpoint::kMessages, {stream_of("anthropic/cut_stream")});
  EXPECT_FALSE(got.finished);
  ASSERT_EQ(got.tool_usages.size(), 1U);
  EXPECT_EQ(got.tool_usages[0].input, R"({"command": "ls)");
  EXPECT_EQ(got.token_usages[0].output_tokens, 40);
}

TEST(AnthropicExtractor, ErrorsAndBadJsonFail) {
  Extraction got = extract_stream(Endpoint::kMessages, {stream_of("anthropic/error_event")});
  EXPECT_TRUE(got.failed);
  EXPECT_EQ(got.error, "Overloaded");
  EXPECT_EQ(got.token_usages[0].output_tokens, 3);
  got = extract_stream(Endpoint::kMessages, {"event: message_start\ndata: {nope\n\n"});
  EXPECT_TRUE(got.failed);
  got = extract_body(Endpoint::kMessages, "not json");
  EXPECT_TRUE(got.failed);
  got = extract_body(Endpoint::kMessages, R"({"type":"error","error":{"type":"x","message":"m"}})");
  EXPECT_TRUE(got.failed);
  EXPECT_EQ(got.error, "m");
}

TEST(ChatExtractor, InterleavedParallelCallsAreReassembledByIndex) {
  const Extraction got =
      extract_stream(Endpoint::kChatCompletions, {stream_of("openai/chat/parallel_tools")});
  EXPECT_TRUE(got.finished);
  ASSERT_EQ(got.tool_usages.size(), 2U);
  EXPECT_EQ(got.tool_usages[0].tool_call_id, "call_own_oslo");
  EXPECT_EQ(got.tool_usages[0].input, R"({"city":"Oslo"})");
  EXPECT_EQ(got.tool_usages[1].input, R"({"city":"Rome"})");
  ASSERT_EQ(got.token_usages.size(), 1U);
  EXPECT_EQ(got.token_usages[0].input_tokens, 1200 - 1024);  // cached tokens are not input
  EXPECT_EQ(got.token_usages[0].cache_read_input_tokens, 1024);
  EXPECT_EQ(got.token_usages[0].metadata,
            R"({"reasoning_tokens":0,"audio_input_tokens":0,"total_tokens":1244})");
}

TEST(ChatExtractor, EmptyArgumentsStayEmpty) {
  const Extraction got = extract_stream(
      Endpoint::kChatCompletions,
      {"data: {\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":1,"
       "\"id\":\"t1\",\"function\":{\"name\":\"f\"}}]}}]}\n\n"
       "data: {\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":1,"
       "\"function\":{\"arguments\":\"\"}}]}}]}\n\ndata: [DONE]\n\n"});
  ASSERT_EQ(got.tool_usages.size(), 1U);
  EXPECT_EQ(got.tool_usages[0].input, "");
  EXPECT_TRUE(got.token_usages.empty());  // no usage chunk, no invented numbers
}

TEST(ResponsesExtractor, ItemsSeenTwiceAreRecordedOnce) {
  const Extraction got =
      extract_stream(Endpoint::kResponses, {stream_of("openai/responses/reasoning_tools")});
  EXPECT_TRUE(got.finished);
  EXPECT_EQ(got.tool_usages.size(), 2U);  // from output_item.done, not again from completed
  EXPECT_EQ(got.model_thoughts.size(), 3U);
  ASSERT_EQ(got.token_usages.size(), 1U);
  EXPECT_EQ(got.token_usages[0].input_tokens, 900 - 512);
  EXPECT_EQ(got.token_usages[0].metadata, R"({"reasoning_tokens":64,"total_tokens":1020})");
  EXPECT_EQ(got.tool_usages[1].input, "print(2 + 40)");  // custom tool input is free text
}

TEST(ResponsesExtractor, FailuresAreReported) {
  Extraction got =
      extract_stream(Endpoint::kResponses, {stream_of("openai/responses/tool_output_failed")});
  EXPECT_TRUE(got.failed);
  EXPECT_EQ(got.error, "model crashed");
  EXPECT_EQ(got.response_id, "resp_own_fail");
  got = extract_stream(
      Endpoint::kResponses,
      {"event: error\ndata: {\"type\":\"error\",\"code\":\"x\",\"message\":\"bad\"}\n\n"});
  EXPECT_TRUE(got.failed);
  EXPECT_EQ(got.error, "bad");
  got = extract_body(Endpoint::kResponses, R"({"id":"r","status":"failed","output":[]})");
  EXPECT_TRUE(got.failed);
}

}  // namespace
}  // namespace aibridge::proxy
