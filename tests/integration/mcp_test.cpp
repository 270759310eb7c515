// MCP tool injection through the real binary (SPEC §11): a mock MCP server, a provider scripted
// to call its tools round by round (X-Mock-Section: round), and checks of what the client got
// (no trace of an injected call), every request the provider saw, the MCP calls and the records.
#include <fstream>
#include <thread>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "recorder/store.hpp"
#include "tests/support/gateway.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/mock.hpp"

namespace aibridge::testing {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

// A provider script: one answer per round of the loop.
std::string rounds(const std::vector<std::string>& answers) {
  std::string archive;
  for (std::size_t i = 0; i < answers.size(); ++i) {
    archive += "-- round-" + std::to_string(i) + " --\n" + answers[i] + "\n";
  }
  return archive;
}

std::string anthropic_answer(const std::string& id, const std::string& content,
                             const std::string& stop, int output_tokens) {
  return R"({"id":")" + id +
         R"(","type":"message","role":"assistant","model":"claude-t","content":)" + content +
         R"(,"stop_reason":")" + stop + R"(","usage":{"input_tokens":10,"output_tokens":)" +
         std::to_string(output_tokens) + "}}";
}

const std::string kEchoCall =
    R"([{"type":"text","text":"Let me ask."},{"type":"tool_use","id":"toolu_1","name":"bmcp_tools_echo","input":{"text":"hi"}}])";
const std::string kFinalText = R"([{"type":"text","text":"The tool said: echo: hi"}])";

class McpInjection : public ::testing::Test {
 protected:
  // A gateway with the mock server as "tools" (deny: delete) and whatever `extra` adds.
  void start(const std::string& extra = "", const std::vector<std::string>& mcp_args = {}) {
    mcp_ = std::make_unique<MockMcp>(mcp_args);
    const std::string config = dir_.path() + "/aibridge.toml";
    std::ofstream(config) << "[mcp]\n"
                          << (extra.find("call_timeout") == std::string::npos
                                  ? "call_timeout = \"2s\"\n"
                                  : "")
                          << extra << "[[mcp.servers]]\nname = \"tools\"\nurl = \"" << mcp_->url()
                          << "\"\ndeny = \"delete\"\n";
    gateway_ = std::make_unique<Gateway>(
        dir_.path(), std::vector<std::string>{"--config", config, "--openai-base-url",
                                              mock_.url("/v1"), "--anthropic-base-url", mock_.url(),
                                              "--recorder-flush-interval", "10ms"});
    token_ = gateway_->admin_token();
  }
  void TearDown() override {
    if (gateway_) {
      EXPECT_EQ(gateway_->stop(), 0);
    }
  }

  Response post(const std::string& path, const std::string& script, const std::string& body) {
    const std::string file = dir_.path() + "/script-" + std::to_string(++scripts_) + ".txtar";
    std::ofstream(file) << script;
    return request(gateway_->port(), http::verb::post, path,
                   {{"Authorization", "Bearer " + token_},
                    {"X-Mock-Scenario", "txtar"},
                    {"X-Mock-Txtar", file},
                    {"X-Mock-Section", "round"}},
                   body);
  }

  // The loop most tests run: the model calls echo once, then answers `final_answer`.
  Response post_echo_loop(const std::string& final_answer) {
    return post(
        "/anthropic/v1/messages",
        rounds({anthropic_answer("msg_1", kEchoCall, "tool_use", 5), final_answer}),
        R"({"model":"claude-t","max_tokens":100,"messages":[{"role":"user","content":"say hi"}]})");
  }

  // What the provider was sent, oldest first.
  std::vector<json::object> provider_requests() const {
    std::vector<json::object> out;
    const json::object stats = mock_.stats();
    for (const json::value& body : stats.at("recent_bodies").as_array()) {
      json::error_code error;
      json::value parsed = json::parse(body.as_string(), error);
      EXPECT_FALSE(error) << "the provider was sent: " << body.as_string();
      out.push_back(error ? json::object{} : parsed.as_object());
    }
    return out;
  }

  recorder::Interception recorded(const Response& response) {
    const std::string id(response["X-AIBridge-Interception-Id"]);
    auto store = recorder::open_store(database_location(dir_.path()), {}, false);
    for (int i = 0; i < 500; ++i) {
      if (auto found = store->find_interception(id, std::nullopt)) {
        return found->interception;
      }
      std::this_thread::sleep_for(10ms);
    }
    ADD_FAILURE() << "interception " << id << " was not recorded";
    return {};
  }

  TempDir dir_;
  MockUpstream mock_;
  std::unique_ptr<MockMcp> mcp_;
  std::unique_ptr<Gateway> gateway_;
  std::string token_;
  int scripts_ = 0;
};

TEST_F(McpInjection, AnthropicCallsAnInjectedToolAndTheClientSeesOnlyTheAnswer) {
  start();
  const std::string final_answer = anthropic_answer("msg_2", kFinalText, "end_turn", 7);
  const Response response = post_echo_loop(final_answer);
  ASSERT_EQ(response.result_int(), 200) << response.body();
  EXPECT_EQ(
      response.body(),
      final_answer + "\n");  // as the mock sent it  // the provider's last answer, byte for byte

  const std::vector<json::object> sent = provider_requests();
  ASSERT_EQ(sent.size(), 2U);
  // Tools first, sorted, without the denied one; parallel tool use off.
  std::vector<std::string> names;
  for (const json::value& tool : sent[0].at("tools").as_array()) {
    names.emplace_back(tool.at("name").as_string());
  }
  EXPECT_EQ(names,
            (std::vector<std::string>{"bmcp_tools_add", "bmcp_tools_echo", "bmcp_tools_fail",
                                      "bmcp_tools_hangup", "bmcp_tools_slow", "bmcp_tools_sorry"}));
  EXPECT_EQ(sent[0].at("tool_choice"),
            json::parse(R"({"type":"auto","disable_parallel_tool_use":true})"));
  EXPECT_EQ(sent[0].at("tools").as_array()[1].at("input_schema").at("required"),
            json::parse(R"(["text"])"));
  // The second call continues the conversation: the model's turn, then the tool's result.
  const json::array& messages = sent[1].at("messages").as_array();
  ASSERT_EQ(messages.size(), 3U);
  EXPECT_EQ(messages[1].at("role"), "assistant");
  EXPECT_EQ(messages[1].at("content"), json::parse(kEchoCall));
  EXPECT_EQ(messages[2], json::parse(R"({"role":"user","content":[{"type":"tool_result",
      "tool_use_id":"toolu_1","is_error":false,"content":[{"type":"text","text":"echo: hi"}]}]})"));
  EXPECT_EQ(sent[1].at("tools"), sent[0].at("tools"));  // the same bytes each call

  const json::object mcp = mcp_->stats();
  EXPECT_TRUE(mcp.at("initialized").as_bool());
  EXPECT_EQ(mcp.at("calls"), json::parse(R"([{"name":"echo","arguments":{"text":"hi"}}])"));

  const recorder::Interception record = recorded(response);
  EXPECT_EQ(record.status, recorder::Status::kCompleted) << record.metadata;
  ASSERT_EQ(record.user_prompts.size(), 1U);
  EXPECT_EQ(record.user_prompts[0].prompt, "say hi");
  ASSERT_EQ(record.token_usages.size(), 2U);  // one per provider answer
  EXPECT_EQ(record.token_usages[0].output_tokens, 5);
  EXPECT_EQ(record.token_usages[1].output_tokens, 7);
  ASSERT_EQ(record.tool_usages.size(), 1U);
  const recorder::ToolUsage& tool = record.tool_usages[0];
  EXPECT_TRUE(tool.injected);
  EXPECT_EQ(tool.tool, "echo");
  EXPECT_EQ(tool.server_url, mcp_->url());
  EXPECT_EQ(tool.tool_call_id, "toolu_1");
  EXPECT_EQ(tool.provider_response_id, "msg_1");
  EXPECT_EQ(json::parse(tool.input), json::parse(R"({"text":"hi"})"));
  EXPECT_FALSE(tool.invocation_error.has_value());

  const std::string metrics = request(gateway_->port(), http::verb::get, "/metrics").body();
  EXPECT_NE(metrics.find(R"(mcp_calls_total{outcome="ok",server="tools"} 1)"), std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find(R"(injected="true",model="claude-t",provider="anthropic"} 1)"),
            std::string::npos);
}

TEST_F(McpInjection, ChatCompletionsFeedsTheResultBackAsAToolMessage) {
  start();
  const std::string call =
      R"({"id":"chatcmpl-1","object":"chat.completion","model":"gpt-t","choices":[{"index":0,"message":{"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"bmcp_tools_add","arguments":"{\"a\":2,\"b\":3}"}}]},"finish_reason":"tool_calls"}],"usage":{"prompt_tokens":10,"completion_tokens":4,"total_tokens":14}})";
  const std::string final_answer =
      R"({"id":"chatcmpl-2","object":"chat.completion","model":"gpt-t","choices":[{"index":0,"message":{"role":"assistant","content":"5"},"finish_reason":"stop"}],"usage":{"prompt_tokens":20,"completion_tokens":1,"total_tokens":21}})";
  const Response response = post(
      "/openai/v1/chat/completions", rounds({call, final_answer}),
      R"({"model":"gpt-t","parallel_tool_calls":true,"tools":[{"type":"function","function":{"name":"client_tool"}}],"messages":[{"role":"user","content":"2+3?"}]})");
  ASSERT_EQ(response.result_int(), 200) << response.body();
  EXPECT_EQ(response.body(), final_answer + "\n");  // as the mock sent it

  const std::vector<json::object> sent = provider_requests();
  ASSERT_EQ(sent.size(), 2U);
  EXPECT_EQ(sent[0].at("parallel_tool_calls"), false);
  const json::array& tools = sent[0].at("tools").as_array();
  ASSERT_EQ(tools.size(), 7U);  // the client's own tool first, then the six injected
  EXPECT_EQ(tools[0].at("function").at("name"), "client_tool");
  EXPECT_EQ(tools[1].at("function").at("name"), "bmcp_tools_add");
  const json::array& messages = sent[1].at("messages").as_array();
  ASSERT_EQ(messages.size(), 3U);
  EXPECT_EQ(messages[1],
            json::parse(R"({"role":"assistant","content":null,"tool_calls":[{"id":"call_1",
      "type":"function","function":{"name":"bmcp_tools_add","arguments":"{\"a\":2,\"b\":3}"}}]})"));
  EXPECT_EQ(messages[2].at("role"), "tool");
  EXPECT_EQ(messages[2].at("tool_call_id"), "call_1");
  EXPECT_EQ(json::parse(messages[2].at("content").as_string()),
            json::parse(R"({"content":[{"type":"text","text":"5"}]})"));

  const recorder::Interception record = recorded(response);
  ASSERT_EQ(record.tool_usages.size(), 1U);
  EXPECT_EQ(record.tool_usages[0].tool, "add");
  EXPECT_EQ(json::parse(record.tool_usages[0].input), json::parse(R"({"a":2,"b":3})"));
  EXPECT_EQ(record.token_usages.size(), 2U);
}

TEST_F(McpInjection, ResponsesRecordsAFailedCallAndTellsTheModel) {
  start();
  const std::string call =
      R"({"id":"resp_1","object":"response","status":"completed","model":"gpt-t","output":[{"type":"function_call","id":"fc_1","call_id":"call_9","name":"bmcp_tools_fail","arguments":"{}"}],"usage":{"input_tokens":10,"output_tokens":3,"total_tokens":13}})";
  const std::string final_answer =
      R"({"id":"resp_2","object":"response","status":"completed","model":"gpt-t","output":[{"type":"message","id":"msg_1","role":"assistant","content":[{"type":"output_text","text":"It broke."}]}],"usage":{"input_tokens":20,"output_tokens":3,"total_tokens":23}})";
  const Response response = post("/openai/v1/responses", rounds({call, final_answer}),
                                 R"({"model":"gpt-t","input":"break it"})");
  ASSERT_EQ(response.result_int(), 200) << response.body();
  EXPECT_EQ(response.body(), final_answer + "\n");  // as the mock sent it

  const std::vector<json::object> sent = provider_requests();
  ASSERT_EQ(sent.size(), 2U);
  // A string input became a user message, followed by the model's call and its output.
  const json::array& input = sent[1].at("input").as_array();
  ASSERT_EQ(input.size(), 3U);
  EXPECT_EQ(input[0], json::parse(R"({"role":"user","content":"break it"})"));
  EXPECT_EQ(input[1].at("type"), "function_call");
  EXPECT_EQ(input[2].at("type"), "function_call_output");
  EXPECT_EQ(input[2].at("call_id"), "call_9");
  EXPECT_EQ(json::parse(input[2].at("output").as_string()),
            json::parse(R"({"error":true,"message":"JSON-RPC error -32000: the tool broke"})"));

  const recorder::Interception record = recorded(response);
  ASSERT_EQ(record.tool_usages.size(), 1U);
  EXPECT_EQ(record.tool_usages[0].tool, "fail");
  EXPECT_EQ(record.tool_usages[0].invocation_error, "JSON-RPC error -32000: the tool broke");
  EXPECT_EQ(record.status, recorder::Status::kCompleted);
}

TEST_F(McpInjection, AModelThatKeepsCallingStopsAtMaxIterations) {
  start("max_iterations = 1\n");
  const std::string again = anthropic_answer("msg_2", kEchoCall, "tool_use", 5);
  const Response response = post(
      "/anthropic/v1/messages",
      rounds({anthropic_answer("msg_1", kEchoCall, "tool_use", 5), again, again}),
      R"({"model":"claude-t","max_tokens":100,"messages":[{"role":"user","content":"loop"}]})");
  ASSERT_EQ(response.result_int(), 200) << response.body();
  EXPECT_EQ(provider_requests().size(), 2U);  // the first call and one more
  const json::value answer = json::parse(response.body());
  EXPECT_EQ(answer.at("content"), json::parse(R"([{"type":"text","text":"Let me ask."}])"));
  EXPECT_EQ(answer.at("stop_reason"), "end_turn");

  const recorder::Interception record = recorded(response);
  ASSERT_EQ(record.tool_usages.size(), 2U);
  EXPECT_FALSE(record.tool_usages[0].invocation_error.has_value());
  EXPECT_EQ(record.tool_usages[1].invocation_error, "not called: mcp.max_iterations (1) reached");
}

TEST_F(McpInjection, SlowAndVanishingServersBecomeToolErrors) {
  start("call_timeout = \"300ms\"\n");
  const auto call_of = [](const std::string& tool, const std::string& input) {
    return anthropic_answer("msg_1",
                            R"([{"type":"tool_use","id":"toolu_1","name":"bmcp_tools_)" + tool +
                                R"(","input":)" + input + "}]",
                            "tool_use", 5);
  };
  const std::string final_answer = anthropic_answer("msg_2", kFinalText, "end_turn", 7);
  for (const auto& [tool, input, error] :
       std::vector<std::tuple<std::string, std::string, std::string>>{
           {"slow", R"({"ms":3000})", "no answer within mcp.call_timeout"},
           {"hangup", "{}", "the connection failed"}}) {
    const Response response = post(
        "/anthropic/v1/messages", rounds({call_of(tool, input), final_answer}),
        R"({"model":"claude-t","max_tokens":100,"messages":[{"role":"user","content":"go"}]})");
    ASSERT_EQ(response.result_int(), 200) << response.body();
    EXPECT_EQ(response.body(), final_answer + "\n");  // as the mock sent it
    const json::value result = provider_requests().back().at("messages").as_array().back();
    EXPECT_EQ(result.at("content").as_array()[0].at("is_error"), true) << tool;
    const recorder::Interception record = recorded(response);
    ASSERT_EQ(record.tool_usages.size(), 1U);
    EXPECT_NE(record.tool_usages[0].invocation_error.value_or("").find(error), std::string::npos)
        << tool << ": " << record.tool_usages[0].invocation_error.value_or("(none)");
  }
}

TEST_F(McpInjection, AServerAnsweringWithEventStreamsWorksToo) {
  start("", {"--sse", "--page-size", "3"});
  const std::string final_answer = anthropic_answer("msg_2", kFinalText, "end_turn", 7);
  const Response response = post_echo_loop(final_answer);
  ASSERT_EQ(response.result_int(), 200) << response.body();
  EXPECT_EQ(response.body(), final_answer + "\n");                      // as the mock sent it
  EXPECT_EQ(provider_requests()[0].at("tools").as_array().size(), 6U);  // from three pages
  EXPECT_EQ(mcp_->stats().at("calls").as_array().size(), 1U);
}

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

// The record of a loop of one round that called `tool`.
void expect_one_round(const recorder::Interception& record, const std::string& tool) {
  EXPECT_EQ(record.status, recorder::Status::kCompleted) << record.metadata;
  EXPECT_EQ(record.token_usages.size(), 2U);  // one per provider answer
  ASSERT_EQ(record.tool_usages.size(), 1U);
  EXPECT_TRUE(record.tool_usages[0].injected);
  EXPECT_EQ(record.tool_usages[0].tool, tool);
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

TEST_F(McpInjection, AClientThatLeavesDuringACallStopsTheLoopAndIsRecordedCancelled) {
  start("call_timeout = \"10s\"\n");
  const std::string file = dir_.path() + "/leave.txtar";
  std::ofstream(file) << rounds(
      {anthropic_answer(
           "msg_1",
           R"([{"type":"tool_use","id":"toolu_1","name":"bmcp_tools_slow","input":{"ms":8000}}])",
           "tool_use", 5),
       anthropic_answer("msg_2", kFinalText, "end_turn", 7)});
  const std::string body =
      R"({"model":"claude-t","max_tokens":100,"messages":[{"role":"user","content":"wait"}]})";
  {
    net::io_context io;
    tcp::socket socket(io);
    socket.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), gateway_->port()));
    const std::string text =
        "POST /anthropic/v1/messages HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token_ +
        "\r\nX-Mock-Scenario: txtar\r\nX-Mock-Txtar: " + file +
        "\r\nX-Mock-Section: round\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" +
        body;
    net::write(socket, net::buffer(text));
    // Gone once the tool is being called.
    const auto give_up = std::chrono::steady_clock::now() + 10s;
    while (mcp_->stats().at("calls").as_array().empty() &&
           std::chrono::steady_clock::now() < give_up) {
      std::this_thread::sleep_for(10ms);
    }
    ASSERT_EQ(mcp_->stats().at("calls").as_array().size(), 1U);
  }
  auto store = recorder::open_store(database_location(dir_.path()), {}, false);
  recorder::InterceptionPage page;
  const auto give_up = std::chrono::steady_clock::now() + 5s;  // far less than the tool's 8 s
  do {
    std::this_thread::sleep_for(10ms);
    page = store->list_interceptions({});
  } while (page.rows.empty() && std::chrono::steady_clock::now() < give_up);
  ASSERT_EQ(page.rows.size(), 1U) << "the loop did not stop when the client left";
  const recorder::Interception& record = page.rows[0].interception;
  EXPECT_EQ(record.status, recorder::Status::kCancelled) << record.metadata;
  EXPECT_EQ(provider_requests().size(), 1U);  // no second provider call
  ASSERT_EQ(record.tool_usages.size(), 1U);   // what happened so far
  EXPECT_TRUE(record.tool_usages[0].invocation_error.has_value());
  EXPECT_EQ(record.token_usages.size(), 1U);
}

TEST(McpStart, AServerThatIsDownIsLeftOutAndRequestsAreRelayedUnchanged) {
  TempDir dir;
  MockUpstream mock;
  const RefusingPort refusing;
  const std::string config = dir.path() + "/aibridge.toml";
  std::ofstream(config) << "[[mcp.servers]]\nname = \"down\"\nurl = \"" << refusing.url("/mcp")
                        << "\"\n";
  Gateway gateway(dir.path(), {"--config", config, "--anthropic-base-url", mock.url()});
  EXPECT_TRUE(gateway.process().wait_for_stderr("mcp server down: left out", 5s));
  const std::string body =
      R"({"model":"claude-t","max_tokens":10,"messages":[{"role":"user","content":"hi"}]})";
  const Response response = request(gateway.port(), http::verb::post, "/anthropic/v1/messages",
                                    {{"Authorization", "Bearer " + gateway.admin_token()}}, body);
  EXPECT_EQ(response.result_int(), 200);
  EXPECT_EQ(mock.stats().at("last_request").at("body").as_string(), body);  // no tools added
  EXPECT_EQ(gateway.stop(), 0);
}

TEST(McpStart, ServersThatCannotBeUsedAreLeftOutWithoutTheirUrlsInTheLog) {
  TempDir dir;
  const RefusingPort refusing;
  const std::string config = dir.path() + "/aibridge.toml";
  std::ofstream(config)
      << "[[mcp.servers]]\nname = \"nohost\"\nurl = \"http://:80/mcp?token=s3cret\"\n"
      << "[[mcp.servers]]\nname = \"refusing\"\nurl = \"" << refusing.url("/mcp?token=s3cret")
      << "\"\n";
  Gateway gateway(dir.path(), {"--config", config});
  EXPECT_TRUE(gateway.process().wait_for_stderr("mcp server refusing: left out", 5s));
  EXPECT_TRUE(gateway.process().wait_for_stderr(
      "mcp server nohost: left out: its url is not an http(s) URL with a host", 5s));
  EXPECT_EQ(gateway.stop(), 0);
  EXPECT_EQ(gateway.process().err().find("s3cret"), std::string::npos) << gateway.process().err();
}

}  // namespace
}  // namespace aibridge::testing
