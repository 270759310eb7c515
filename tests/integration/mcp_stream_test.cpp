// MCP tool injection through the real binary, streaming requests (SPEC §11): each API's stream
// relayed as it arrives, the client seeing one answer without the injected calls.
#include "tests/integration/mcp_fixture.hpp"

namespace aibridge::testing {
namespace {

// An SSE event of the script.
std::string event(const std::string& type, const std::string& data) {
  return "event: " + type + "\ndata: " + data + "\n\n";
}

std::string message_start(const std::string& id, int input_tokens) {
  return event(
      "message_start",
      R"({"type":"message_start","message":{"id":")" + id +
          R"(","type":"message","role":"assistant","model":"claude-t","content":[],"usage":{"input_tokens":)" +
          std::to_string(input_tokens) + R"(,"output_tokens":1}}})");
}

// A text block's start and its one delta (and, unless cut, its stop).
std::string text_block(int index, const std::string& text, bool cut = false) {
  const std::string at = std::to_string(index);
  return event("content_block_start", R"({"type":"content_block_start","index":)" + at +
                                          R"(,"content_block":{"type":"text","text":""}})") +
         event("content_block_delta", R"({"type":"content_block_delta","index":)" + at +
                                          R"(,"delta":{"type":"text_delta","text":")" + text +
                                          "\"}}") +
         (cut ? ""
              : event("content_block_stop", R"({"type":"content_block_stop","index":)" + at + "}"));
}

TEST_F(McpInjection, AnthropicStreamsRelayWhatTheClientMaySeeAsItArrives) {
  start();
  const std::string first =
      message_start("msg_1", 10) + text_block(0, "Let me ask.") +
      event(
          "content_block_start",
          R"({"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_1","name":"bmcp_tools_echo","input":{}}})") +
      event(
          "content_block_delta",
          R"({"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\"text\":"}})") +
      event(
          "content_block_delta",
          R"({"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"\"hi\"}"}})") +
      event("content_block_stop", R"({"type":"content_block_stop","index":1})") +
      event(
          "message_delta",
          R"({"type":"message_delta","delta":{"stop_reason":"tool_use"},"usage":{"output_tokens":5}})") +
      event("message_stop", R"({"type":"message_stop"})");
  const std::string second =
      message_start("msg_2", 20) + text_block(0, "echo: hi") +
      event(
          "message_delta",
          R"({"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":7}})") +
      event("message_stop", R"({"type":"message_stop"})");
  const Response response = post(
      "/anthropic/v1/messages",
      "-- streaming-round-0 --\n" + first + "-- streaming-round-1 --\n" + second,
      R"({"model":"claude-t","max_tokens":100,"stream":true,"messages":[{"role":"user","content":"say hi"}]})");
  ASSERT_EQ(response.result_int(), 200) << response.body();
  EXPECT_EQ(response[http::field::content_type], "text/event-stream");
  const std::string& seen = response.body();
  EXPECT_EQ(seen.find("tool_use"), std::string::npos) << seen;
  EXPECT_EQ(seen.find("bmcp_"), std::string::npos) << seen;
  // One message: its start, the preamble at index 0, the answer at index 1, one ending.
  std::vector<std::string> types;
  std::vector<std::int64_t> indexes;
  for (std::size_t at = seen.find("data: "); at != std::string::npos;
       at = seen.find("data: ", at + 1)) {
    const json::object data =
        json::parse(seen.substr(at + 6, seen.find('\n', at) - at - 6)).as_object();
    types.emplace_back(data.at("type").as_string());
    if (data.contains("index")) {
      indexes.push_back(data.at("index").as_int64());
    }
  }
  EXPECT_EQ(types, (std::vector<std::string>{
                       "message_start", "content_block_start", "content_block_delta",
                       "content_block_stop", "content_block_start", "content_block_delta",
                       "content_block_stop", "message_delta", "message_stop"}));
  EXPECT_EQ(indexes, (std::vector<std::int64_t>{0, 0, 0, 1, 1, 1}));
  EXPECT_NE(seen.find(R"("stop_reason":"end_turn")"), std::string::npos);

  const std::vector<json::object> sent = provider_requests();
  ASSERT_EQ(sent.size(), 2U);
  EXPECT_EQ(sent[1].at("messages").as_array()[1],
            json::parse(R"({"role":"assistant","content":[{"type":"text","text":"Let me ask."},
                {"type":"tool_use","id":"toolu_1","name":"bmcp_tools_echo","input":{"text":"hi"}}]})"));
  EXPECT_EQ(sent[1].at("messages").as_array()[2].at("content").as_array()[0].at("tool_use_id"),
            "toolu_1");

  const recorder::Interception record = recorded(response);
  EXPECT_EQ(record.status, recorder::Status::kCompleted) << record.metadata;
  ASSERT_EQ(record.token_usages.size(), 2U);
  EXPECT_EQ(record.token_usages[1].output_tokens, 7);
  ASSERT_EQ(record.tool_usages.size(), 1U);
  EXPECT_TRUE(record.tool_usages[0].injected);
  EXPECT_EQ(record.tool_usages[0].tool, "echo");
}

// The JSON data of every event of a stream, in order ([DONE] as the string "[DONE]").
std::vector<json::value> stream_data(const std::string& seen) {
  std::vector<json::value> out;
  for (std::size_t at = seen.find("data: "); at != std::string::npos;
       at = seen.find("data: ", at + 1)) {
    const std::string data = seen.substr(at + 6, seen.find('\n', at) - at - 6);
    out.push_back(data == "[DONE]" ? json::value("[DONE]") : json::parse(data));
  }
  return out;
}

TEST_F(McpInjection, ChatStreamsHideTheInjectedCallAndEndOnce) {
  start();
  const auto chunk = [](const std::string& id, const std::string& choice) {
    return "data: {\"id\":\"" + id +
           R"(","object":"chat.completion.chunk","model":"gpt-t","choices":[)" + choice + "]}\n\n";
  };
  const std::string usage_tail =
      R"(,"choices":[],"usage":{"prompt_tokens":10,"completion_tokens":4,"total_tokens":14}})";
  const std::string first =
      chunk(
          "c1",
          R"({"index":0,"delta":{"role":"assistant","content":"Let me add. "},"finish_reason":null})") +
      chunk(
          "c1",
          R"({"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"bmcp_tools_add","arguments":""}}]},"finish_reason":null})") +
      chunk(
          "c1",
          R"({"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"a\":2,\"b\":3}"}}]},"finish_reason":null})") +
      chunk("c1", R"({"index":0,"delta":{},"finish_reason":"tool_calls"})") +
      R"(data: {"id":"c1","object":"chat.completion.chunk","model":"gpt-t")" + usage_tail +
      "\n\ndata: [DONE]\n\n";
  const std::string second =
      chunk("c2",
            R"({"index":0,"delta":{"role":"assistant","content":"5"},"finish_reason":null})") +
      chunk("c2", R"({"index":0,"delta":{},"finish_reason":"stop"})") +
      R"(data: {"id":"c2","object":"chat.completion.chunk","model":"gpt-t")" + usage_tail +
      "\n\ndata: [DONE]\n\n";
  const Response response =
      post("/openai/v1/chat/completions",
           "-- streaming-round-0 --\n" + first + "-- streaming-round-1 --\n" + second,
           R"({"model":"gpt-t","stream":true,"messages":[{"role":"user","content":"2+3?"}]})");
  ASSERT_EQ(response.result_int(), 200) << response.body();
  const std::string& seen = response.body();
  EXPECT_EQ(seen.find("tool_calls\":["), std::string::npos) << seen;
  EXPECT_EQ(seen.find("bmcp_"), std::string::npos) << seen;
  const std::vector<json::value> data = stream_data(seen);
  ASSERT_EQ(data.size(), 5U) << seen;  // text, text, finish, usage, [DONE]
  EXPECT_EQ(data[0].at("choices").at(0).at("delta").at("content"), "Let me add. ");
  EXPECT_EQ(data[1].at("choices").at(0).at("delta").at("content"), "5");
  EXPECT_EQ(data[2].at("choices").at(0).at("finish_reason"), "stop");
  EXPECT_EQ(data[3].at("usage").at("completion_tokens"), 4);
  EXPECT_EQ(data[4], "[DONE]");

  const std::vector<json::object> sent = provider_requests();
  ASSERT_EQ(sent.size(), 2U);
  const json::array& messages = sent[1].at("messages").as_array();
  ASSERT_EQ(messages.size(), 3U);
  EXPECT_EQ(
      messages[1],
      json::parse(R"({"role":"assistant","content":"Let me add. ","tool_calls":[{"id":"call_1",
      "type":"function","function":{"name":"bmcp_tools_add","arguments":"{\"a\":2,\"b\":3}"}}]})"));
  EXPECT_EQ(messages[2].at("tool_call_id"), "call_1");
  expect_one_round(recorded(response), "add");
}

TEST_F(McpInjection, ResponsesStreamsNumberTheClientsEventsOnAcrossStreams) {
  start();
  const auto ev = [](const std::string& type, const std::string& fields) {
    return "event: " + type + "\ndata: {\"type\":\"" + type + "\"," + fields + "}\n\n";
  };
  const std::string call =
      R"({"type":"function_call","id":"fc_1","call_id":"call_1","name":"bmcp_tools_echo","arguments":"{\"text\":\"hi\"}"})";
  const std::string text =
      R"({"type":"message","id":"msg_1","role":"assistant","content":[{"type":"output_text","text":"echo: hi"}]})";
  const std::string first =
      ev("response.created",
         R"("sequence_number":0,"response":{"id":"resp_1","status":"in_progress","output":[]})") +
      ev("response.output_item.added", R"("sequence_number":1,"output_index":0,"item":)" + call) +
      ev("response.function_call_arguments.delta",
         R"("sequence_number":2,"output_index":0,"item_id":"fc_1","delta":"x")") +
      ev("response.output_item.done", R"("sequence_number":3,"output_index":0,"item":)" + call) +
      ev("response.completed",
         R"("sequence_number":4,"response":{"id":"resp_1","status":"completed","output":[)" + call +
             R"(],"usage":{"input_tokens":10,"output_tokens":3,"total_tokens":13}})");
  const std::string second =
      ev("response.created",
         R"("sequence_number":0,"response":{"id":"resp_2","status":"in_progress","output":[]})") +
      ev("response.output_item.added", R"("sequence_number":1,"output_index":0,"item":)" + text) +
      ev("response.output_text.delta",
         R"("sequence_number":2,"output_index":0,"content_index":0,"delta":"echo: hi")") +
      ev("response.output_item.done", R"("sequence_number":3,"output_index":0,"item":)" + text) +
      ev("response.completed",
         R"("sequence_number":4,"response":{"id":"resp_2","status":"completed","output":[)" + text +
             R"(],"usage":{"input_tokens":20,"output_tokens":3,"total_tokens":23}})");
  const Response response =
      post("/openai/v1/responses",
           "-- streaming-round-0 --\n" + first + "-- streaming-round-1 --\n" + second,
           R"({"model":"gpt-t","stream":true,"input":"say hi"})");
  ASSERT_EQ(response.result_int(), 200) << response.body();
  EXPECT_EQ(response.body().find("bmcp_"), std::string::npos) << response.body();
  const std::vector<json::value> data = stream_data(response.body());
  std::vector<std::string> types;
  for (std::size_t i = 0; i < data.size(); ++i) {
    types.emplace_back(data[i].at("type").as_string());
    EXPECT_EQ(data[i].at("sequence_number"), static_cast<std::int64_t>(i)) << i;
  }
  EXPECT_EQ(types, (std::vector<std::string>{"response.created", "response.output_item.added",
                                             "response.output_text.delta",
                                             "response.output_item.done", "response.completed"}));
  EXPECT_EQ(data[0].at("response").at("id"), "resp_1");
  EXPECT_EQ(data[4].at("response").at("output"), json::parse("[" + text + "]"));
  const std::vector<json::object> sent = provider_requests();
  ASSERT_EQ(sent.size(), 2U);
  EXPECT_EQ(sent[1].at("input").as_array().back().at("type"), "function_call_output");
  expect_one_round(recorded(response), "echo");
}

TEST_F(McpInjection, AStreamCutShortEndsWithAnErrorEventAndIsRecordedFailed) {
  start();
  const std::string cut = message_start("msg_1", 10) + text_block(0, "Half", /*cut=*/true);
  const Response response = post(
      "/anthropic/v1/messages", "-- streaming-round-0 --\n" + cut,
      R"({"model":"claude-t","max_tokens":100,"stream":true,"messages":[{"role":"user","content":"go"}]})");
  ASSERT_EQ(response.result_int(), 200);
  EXPECT_NE(response.body().find("Half"), std::string::npos);  // relayed as it came
  EXPECT_NE(response.body().find("event: error"), std::string::npos) << response.body();
  const recorder::Interception record = recorded(response);
  EXPECT_EQ(record.status, recorder::Status::kFailed) << record.metadata;
  EXPECT_NE(record.metadata.find("the provider's stream ended early"), std::string::npos)
      << record.metadata;
  EXPECT_EQ(record.token_usages.size(), 1U);  // what the stream delivered is kept
}

}  // namespace
}  // namespace aibridge::testing
