// MCP tool injection through the real binary, blocking requests and start-up (SPEC §11): what the
// client got (no trace of an injected call), every request the provider saw, the MCP calls and
// the records; faults of the MCP server, of the model and of the client.
#include "tests/integration/mcp_fixture.hpp"

namespace aibridge::testing {
namespace {

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

TEST_F(McpInjection, AServerThatForgetsItsSessionGetsANewOneAndTheCallGoesThrough) {
  start("", {"--session-calls", "1"});  // as if the server restarted after each call
  const std::string final_answer = anthropic_answer("msg_2", kFinalText, "end_turn", 7);
  for (int turn = 0; turn < 2; ++turn) {
    const Response response = post_echo_loop(final_answer);
    ASSERT_EQ(response.result_int(), 200) << response.body();
    const recorder::Interception record = recorded(response);
    ASSERT_EQ(record.tool_usages.size(), 1U) << turn;
    EXPECT_FALSE(record.tool_usages[0].invocation_error.has_value())
        << turn << ": " << *record.tool_usages[0].invocation_error;
  }
  // Both calls were served; the second was refused once (404) and sent again in a new session.
  const json::object mcp = mcp_->stats();
  EXPECT_EQ(mcp.at("calls").as_array().size(), 2U);
  std::vector<std::string> methods;
  for (const json::value& method : mcp.at("methods").as_array()) {
    if (method.as_string() != "tools/list") {
      methods.emplace_back(method.as_string());
    }
  }
  EXPECT_EQ(methods, (std::vector<std::string>{"initialize", "notifications/initialized",
                                               "tools/call", "tools/call", "initialize",
                                               "notifications/initialized", "tools/call"}));
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
