// MCP's pure parts: JSON-RPC answers in JSON and SSE bodies, the tool catalogue and its filters,
// and how each API carries injected tools.
#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "proxy/json_edit.hpp"
#include "proxy/mcp/anthropic_stream.hpp"
#include "proxy/mcp/api_tools.hpp"
#include "proxy/mcp/catalogue.hpp"
#include "proxy/mcp/jsonrpc.hpp"

namespace aibridge::proxy::mcp {
namespace {

namespace json = boost::json;

TEST(JsonRpc, FindsTheAnswerInAJsonBodyOrABatch) {
  EXPECT_EQ(
      *read_answer("application/json", R"({"jsonrpc":"2.0","id":7,"result":{"x":1}})", 7).result,
      json::parse(R"({"x":1})"));
  const std::string batch =
      R"([{"jsonrpc":"2.0","method":"notifications/progress"},{"jsonrpc":"2.0","id":3,"result":[]},{"jsonrpc":"2.0","id":7,"result":"mine"}])";
  EXPECT_EQ(*read_answer("application/json; charset=utf-8", batch, 7).result, "mine");
  EXPECT_EQ(read_answer("application/json", R"({"jsonrpc":"2.0","id":8,"result":1})", 7).error,
            "the JSON body is not the answer to the request");
  EXPECT_EQ(
      read_answer("application/json",
                  R"({"jsonrpc":"2.0","id":7,"error":{"code":-32602,"message":"bad params"}})", 7)
          .error,
      "JSON-RPC error -32602: bad params");
  EXPECT_EQ(read_answer("text/html", "<html>", 7).error, "unexpected Content-Type \"text/html\"");
  EXPECT_FALSE(read_answer("application/json", "{not json", 7).result);
}

TEST(JsonRpc, FindsTheAnswerInAnEventStreamOnlyOnceItIsWhole) {
  const std::string stream =
      "event: message\ndata: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/message\"}\n\n"
      "event: message\r\ndata: {\"jsonrpc\":\"2.0\",\"id\":5,\r\ndata: "
      "\"result\":{\"ok\":true}}\r\n\r\n";
  EXPECT_EQ(*read_answer("text/event-stream", stream, 5).result, json::parse(R"({"ok":true})"));
  // Every prefix that cuts the answer's data short has no answer yet (the reader stops at the
  // first prefix that does).
  const std::size_t whole = stream.find("}}") + 2;
  for (std::size_t cut = 0; cut < whole; ++cut) {
    EXPECT_FALSE(read_answer("text/event-stream", stream.substr(0, cut), 5).result) << cut;
  }
  EXPECT_EQ(read_answer("text/event-stream", "data: {}\n\n", 5).error,
            "the event stream ended without the answer");
}

TEST(JsonRpc, MessagesAreJsonRpc) {
  EXPECT_EQ(
      json::parse(request_body(4, "tools/list", json::object{{"cursor", "c"}})),
      json::parse(R"({"jsonrpc":"2.0","id":4,"method":"tools/list","params":{"cursor":"c"}})"));
  EXPECT_EQ(json::parse(notification_body("notifications/initialized")),
            json::parse(R"({"jsonrpc":"2.0","method":"notifications/initialized"})"));
  EXPECT_EQ(initialize_params().at("protocolVersion").as_string(), kProtocolVersion);
  EXPECT_TRUE(supported_protocol_version("2025-03-26"));
  EXPECT_FALSE(supported_protocol_version("2023-01-01"));
}

core::McpServerSettings server_named(const std::string& name) {
  core::McpServerSettings server;
  server.name = name;
  server.url = "http://mcp.example/mcp";
  return server;
}

TEST(Catalogue, ReadsAPageAndSkipsNamesNoProviderTakes) {
  const json::value result = json::parse(R"({"tools":[
      {"name":"read_file","description":"Reads","inputSchema":{"type":"object","properties":{"path":{"type":"string"}},"required":["path"]}},
      {"name":"has space"},{"name":""},{"description":"nameless"},
      {"name":"bare"}],"nextCursor":"n2"})");
  const ToolPage page = read_tool_page(result, server_named("fs"));
  ASSERT_EQ(page.tools.size(), 2U);
  EXPECT_EQ(page.tools[0].id, "bmcp_fs_read_file");
  EXPECT_EQ(page.tools[0].name, "read_file");
  EXPECT_EQ(page.tools[0].server_url, "http://mcp.example/mcp");
  EXPECT_EQ(page.tools[0].required, json::parse(R"(["path"])"));
  EXPECT_TRUE(page.tools[1].properties.is_null());
  EXPECT_EQ(page.skipped, (std::vector<std::string>{"has space", "", ""}));
  EXPECT_EQ(page.next_cursor, "n2");
  EXPECT_FALSE(read_tool_page(json::parse("[]"), server_named("fs")).error.empty());
}

std::vector<std::string> admitted(const std::string& allow, const std::string& deny,
                                  const std::vector<std::string>& names) {
  const ToolFilter filter(allow, deny);
  std::vector<std::string> out;
  for (const std::string& name : names) {
    if (filter.admits(name)) {
      out.push_back(name);
    }
  }
  return out;
}

TEST(Catalogue, AllowAndDenySearchTheToolsOwnNameAndDenyWins) {
  const std::vector<std::string> numbered{"tool1", "tool2", "tool3"};
  EXPECT_EQ(admitted("tool[12]", "", numbered), (std::vector<std::string>{"tool1", "tool2"}));
  EXPECT_EQ(admitted("", "tool2", numbered), (std::vector<std::string>{"tool1", "tool3"}));
  EXPECT_TRUE(admitted(".*", ".*", numbered).empty());
  EXPECT_EQ(admitted(".*_file", "delete.*",
                     {"read_file", "write_file", "list_files", "delete_file", "stat"}),
            (std::vector<std::string>{"read_file", "write_file", "list_files"}));
  EXPECT_EQ(admitted("^test$", "", {"test", "testing", "a_test"}),
            (std::vector<std::string>{"test"}));
}

Tool tool(const std::string& server, const std::string& name) {
  Tool out;
  out.server = server;
  out.name = name;
  out.id = tool_id(server, name);
  out.description = name + " it";
  out.properties = json::object{{"x", json::object{{"type", "string"}}}};
  return out;
}

TEST(Catalogue, IsSortedByExposedNameAndFindsById) {
  const Catalogue catalogue({tool("zeta", "a"), tool("alpha", "b"), tool("alpha", "a")});
  std::vector<std::string> ids;
  for (const Tool& each : catalogue.tools()) {
    ids.push_back(each.id);
  }
  EXPECT_EQ(ids, (std::vector<std::string>{"bmcp_alpha_a", "bmcp_alpha_b", "bmcp_zeta_a"}));
  ASSERT_NE(catalogue.find("bmcp_zeta_a"), nullptr);
  EXPECT_EQ(catalogue.find("bmcp_zeta_a")->server, "zeta");
  EXPECT_EQ(catalogue.find("bmcp_zeta"), nullptr);
}

TEST(JsonEdit, SetsMembersAndAddsArrayElementsLeavingTheRestAlone) {
  EXPECT_EQ(with_member(R"({"a":1, "b" : [2]})", "b", "false"), R"({"a":1, "b" : false})");
  EXPECT_EQ(with_member(R"({ "a":1})", "c", "true"), R"({"c":true, "a":1})");
  EXPECT_EQ(with_member("{ }", "c", "1"), R"({"c":1})");
  EXPECT_EQ(with_array_elements(R"({"t":[1, 2],"u":3})", "t", "0", true),
            R"({"t":[0,1, 2],"u":3})");
  EXPECT_EQ(with_array_elements(R"({"t":[1, 2],"u":3})", "t", "9", false),
            R"({"t":[1, 2,9],"u":3})");
  EXPECT_EQ(with_array_elements(R"({"t":[ ]})", "t", "9", false), R"({"t":[9]})");
  EXPECT_EQ(with_array_elements(R"({"t":null})", "t", "9", false), R"({"t":[9]})");
  EXPECT_EQ(with_array_elements(R"({"u":1})", "t", "9,8", false), R"({"t":[9,8],"u":1})");
}

const Catalogue& two_tools() {
  static const Catalogue catalogue({tool("s", "echo"), tool("s", "add")});
  return catalogue;
}

json::value injected(Endpoint endpoint, const std::string& body) {
  return json::parse(api_tools(endpoint).inject(body, two_tools()));
}

TEST(AnthropicTools, PrependsToolsAndDisablesParallelUseThroughToolChoice) {
  const json::value body =
      injected(Endpoint::kMessages,
               R"({"model":"m","tools":[{"name":"mine","cache_control":{"type":"ephemeral"}}]})");
  const json::array& tools = body.at("tools").as_array();
  ASSERT_EQ(tools.size(), 3U);
  EXPECT_EQ(tools[0], json::parse(R"({"name":"bmcp_s_add","description":"add it",
      "input_schema":{"type":"object","properties":{"x":{"type":"string"}}}})"));
  EXPECT_EQ(tools[2].at("name"), "mine");  // the client's breakpoint still ends the tool list
  EXPECT_EQ(body.at("tool_choice"),
            json::parse(R"({"type":"auto","disable_parallel_tool_use":true})"));
  for (const auto& [given, expected] : std::vector<std::pair<std::string, std::string>>{
           {R"({"type":"any","disable_parallel_tool_use":false})",
            R"({"type":"any","disable_parallel_tool_use":true})"},
           {R"({"type":"tool","name":"x"})",
            R"({"type":"tool","name":"x","disable_parallel_tool_use":true})"},
           {R"({"type":"none"})", R"({"type":"none"})"},
           {"null", R"({"type":"auto","disable_parallel_tool_use":true})"}}) {
    EXPECT_EQ(injected(Endpoint::kMessages, R"({"tool_choice":)" + given + "}").at("tool_choice"),
              json::parse(expected))
        << given;
  }
  // The same request gives the same bytes.
  EXPECT_EQ(api_tools(Endpoint::kMessages).inject(R"({"model":"m"})", two_tools()),
            api_tools(Endpoint::kMessages).inject(R"({"model":"m"})", two_tools()));
}

TEST(AnthropicTools, FindsContinuesAndHidesInjectedCalls) {
  const json::object response = json::parse(R"({"id":"msg_1","content":[
      {"type":"text","text":"hm"},
      {"type":"tool_use","id":"t1","name":"bmcp_s_echo","input":{"x":"y"}},
      {"type":"tool_use","id":"t2","name":"client_tool","input":{}}],"stop_reason":"tool_use"})")
                                    .as_object();
  const ApiTools& api = api_tools(Endpoint::kMessages);
  const std::vector<InjectedCall> calls = api.injected_calls(response, two_tools());
  ASSERT_EQ(calls.size(), 1U);
  EXPECT_EQ(calls[0].call_id, "t1");
  EXPECT_EQ(calls[0].tool->name, "echo");
  EXPECT_EQ(calls[0].raw_arguments, R"({"x":"y"})");

  const std::vector<Outcome> outcomes{
      {json::parse(
           R"({"content":[{"type":"text","text":"a"},{"type":"image","data":"AAA","mimeType":"image/png"},{"type":"resource","resource":{"uri":"u"}}],"isError":true})"),
       {}}};
  const json::value next = json::parse(
      api.continued(R"({"messages":[{"role":"user","content":"q"}]})", response, calls, outcomes));
  EXPECT_EQ(next.at("messages").as_array()[2],
            json::parse(R"({"role":"user","content":[{"type":"tool_result",
      "tool_use_id":"t1","is_error":true,"content":[{"type":"text","text":"a"},
      {"type":"image","source":{"type":"base64","media_type":"image/png","data":"AAA"}},
      {"type":"text","text":"{\"type\":\"resource\",\"resource\":{\"uri\":\"u\"}}"}]}]})"));
  const std::vector<Outcome> failed{{std::nullopt, "boom"}};
  const json::value after_error =
      json::parse(api.continued(R"({"messages":[]})", response, calls, failed));
  EXPECT_EQ(after_error.at("messages").as_array()[1].at("content").as_array()[0].at("content"),
            json::parse(R"([{"type":"text","text":"Error calling tool: boom"}])"));

  // Hidden: the injected block goes; a client call left keeps the stop reason.
  const json::value hidden = json::parse(api.without_injected(response, two_tools()));
  EXPECT_EQ(hidden.at("content").as_array().size(), 2U);
  EXPECT_EQ(hidden.at("stop_reason"), "tool_use");
}

TEST(ChatTools, AppendsFunctionsAndContinuesWithAToolMessage) {
  const json::value body =
      injected(Endpoint::kChatCompletions,
               R"({"parallel_tool_calls":true,"messages":[{"role":"user","content":"q"}]})");
  EXPECT_EQ(body.at("parallel_tool_calls"), false);
  EXPECT_EQ(
      body.at("tools").as_array()[1],
      json::parse(R"({"type":"function","function":{"name":"bmcp_s_echo","description":"echo it",
                "parameters":{"type":"object","properties":{"x":{"type":"string"}}}}})"));
  const json::object response =
      json::parse(R"({"id":"c1","choices":[{"index":0,"message":{"role":"assistant",
      "content":"","refusal":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"bmcp_s_add","arguments":"{\"x\":\"1\"}"}}]},
      "finish_reason":"tool_calls"}]})")
          .as_object();
  const ApiTools& api = api_tools(Endpoint::kChatCompletions);
  const std::vector<InjectedCall> calls = api.injected_calls(response, two_tools());
  ASSERT_EQ(calls.size(), 1U);
  EXPECT_EQ(calls[0].arguments, json::parse(R"({"x":"1"})"));
  const std::vector<Outcome> outcomes{{json::parse(R"({"content":[]})"), {}}};
  const json::array messages =
      json::parse(api.continued(R"({"messages":[]})", response, calls, outcomes))
          .at("messages")
          .as_array();
  ASSERT_EQ(messages.size(), 2U);
  EXPECT_FALSE(messages[0].as_object().contains("refusal"));
  EXPECT_EQ(messages[1],
            json::parse(R"({"role":"tool","tool_call_id":"call_1","content":"{\"content\":[]}"})"));
  const json::value hidden = json::parse(api.without_injected(response, two_tools()));
  EXPECT_FALSE(hidden.at("choices").as_array()[0].at("message").as_object().contains("tool_calls"));
  EXPECT_EQ(hidden.at("choices").as_array()[0].at("finish_reason"), "stop");
}

TEST(ResponsesTools, AppendsFunctionsAndContinuesWithOutputItems) {
  const json::value body = injected(Endpoint::kResponses, R"({"input":"q"})");
  EXPECT_EQ(body.at("parallel_tool_calls"), false);
  EXPECT_EQ(body.at("tools").as_array()[0].at("name"), "bmcp_s_add");
  EXPECT_EQ(body.at("tools").as_array()[0].at("strict"), false);
  const json::object response = json::parse(R"({"id":"r1","output":[
      {"type":"reasoning","id":"rs_1","summary":[]},
      {"type":"function_call","id":"fc_1","call_id":"call_1","name":"bmcp_s_echo","arguments":"not json"}]})")
                                    .as_object();
  const ApiTools& api = api_tools(Endpoint::kResponses);
  const std::vector<InjectedCall> calls = api.injected_calls(response, two_tools());
  ASSERT_EQ(calls.size(), 1U);
  EXPECT_TRUE(calls[0].arguments.is_null());
  EXPECT_EQ(calls[0].raw_arguments, "not json");
  const std::vector<Outcome> outcomes{{std::nullopt, "down"}};
  for (const std::string& input : {std::string(R"({"input":"q"})"),
                                   std::string(R"({"input":[{"role":"user","content":"q"}]})")}) {
    const json::array items =
        json::parse(api.continued(input, response, calls, outcomes)).at("input").as_array();
    ASSERT_EQ(items.size(), 4U) << input;
    EXPECT_EQ(items[0], json::parse(R"({"role":"user","content":"q"})"));
    EXPECT_EQ(items[1].at("id"), "rs_1");
    EXPECT_EQ(
        items[3],
        json::parse(
            R"({"type":"function_call_output","call_id":"call_1","output":"{\"error\":true,\"message\":\"down\"}"})"));
  }
  EXPECT_EQ(json::parse(api.without_injected(response, two_tools())).at("output").as_array().size(),
            1U);
}

std::string feed(StreamRound& round, std::string_view type, const std::string& data) {
  std::string padded = data + std::string(kSsePadding, ' ');
  return round.on_event(SseEvent{type, std::string_view(padded.data(), data.size())});
}

TEST(AnthropicStreamRound, RelaysEachClientEventAtOnceAndHoldsBackInjectedOnes) {
  AnthropicStreamRound round(two_tools(), /*first=*/false, /*index_offset=*/2);
  // A continuation stream: its message_start is not the client's.
  EXPECT_EQ(feed(round, "message_start",
                 R"({"type":"message_start","message":{"id":"m2","usage":{"input_tokens":3}}})"),
            "");
  EXPECT_EQ(
      feed(
          round, "content_block_start",
          R"({"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":""}})"),
      "event: content_block_start\ndata: "
      "{\"type\":\"content_block_start\",\"index\":2,\"content_block\":{\"type\":\"thinking\","
      "\"thinking\":\"\"}}\n\n");
  EXPECT_NE(
      feed(
          round, "content_block_delta",
          R"({"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"hm"}})"),
      "");
  EXPECT_NE(
      feed(
          round, "content_block_delta",
          R"({"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"sig"}})"),
      "");
  EXPECT_NE(feed(round, "content_block_stop", R"({"type":"content_block_stop","index":0})"), "");
  EXPECT_EQ(
      feed(
          round, "content_block_start",
          R"({"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"t","name":"bmcp_s_add","input":{}}})"),
      "");
  EXPECT_EQ(
      feed(
          round, "content_block_delta",
          R"({"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\"x\":1}"}})"),
      "");
  EXPECT_EQ(feed(round, "content_block_stop", R"({"type":"content_block_stop","index":1})"), "");
  EXPECT_EQ(
      feed(
          round, "message_delta",
          R"({"type":"message_delta","delta":{"stop_reason":"tool_use"},"usage":{"output_tokens":9}})"),
      "");
  EXPECT_EQ(feed(round, "message_stop", R"({"type":"message_stop"})"), "");
  EXPECT_NE(feed(round, "ping", R"({"type":"ping"})"), "");
  EXPECT_TRUE(round.ended());
  EXPECT_TRUE(round.calls_injected_tools());
  EXPECT_EQ(round.carry().client_items, 3);
  EXPECT_EQ(round.answer(), json::parse(R"({"id":"m2","usage":{"input_tokens":3,"output_tokens":9},
      "stop_reason":"tool_use","content":[{"type":"thinking","thinking":"hm","signature":"sig"},
      {"type":"tool_use","id":"t","name":"bmcp_s_add","input":{"x":1}}]})"));
  EXPECT_EQ(round.ending(false), "");
  const std::string ending = round.ending(true);
  EXPECT_NE(ending.find(R"("stop_reason":"end_turn")"), std::string::npos) << ending;
  EXPECT_NE(ending.find("event: message_stop"), std::string::npos);
  // What is not JSON goes on as it came.
  EXPECT_EQ(feed(round, "weird", "not json"), "event: weird\ndata: not json\n\n");
}

TEST(OpenAiStreamRounds, AStreamThatEndsTheLoopWithCallsLeftEndsCleanly) {
  // Chat: the injected call's deltas and the held finish give way to a "stop" and one [DONE].
  const std::unique_ptr<StreamRound> chat =
      make_stream_round(Endpoint::kChatCompletions, two_tools(), true, {});
  EXPECT_NE(
      feed(*chat, "message", R"({"id":"c","choices":[{"index":0,"delta":{"content":"hi"}}]})"), "");
  EXPECT_EQ(
      feed(
          *chat, "message",
          R"({"id":"c","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"k","function":{"name":"bmcp_s_add","arguments":"{}"}}]}}]})"),
      "");
  EXPECT_EQ(feed(*chat, "message",
                 R"({"id":"c","choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]})"),
            "");
  EXPECT_EQ(feed(*chat, "message", "[DONE]"), "");
  EXPECT_TRUE(chat->ended());
  const json::value answer = chat->answer();
  EXPECT_EQ(answer.at("choices")
                .as_array()
                .at(0)
                .at("message")
                .at("tool_calls")
                .as_array()
                .at(0)
                .at("function")
                .at("name"),
            "bmcp_s_add");
  const std::string ending = chat->ending(true);
  EXPECT_NE(ending.find(R"("finish_reason":"stop")"), std::string::npos) << ending;
  EXPECT_TRUE(ending.ends_with("data: [DONE]\n\n"));
  EXPECT_EQ(chat->ending(false), "data: [DONE]\n\n");

  // Responses: a response.completed without the injected item, numbered on.
  const std::unique_ptr<StreamRound> responses =
      make_stream_round(Endpoint::kResponses, two_tools(), false,
                        {1, 7, json::array{json::object{{"type", "reasoning"}}}});
  EXPECT_EQ(
      feed(*responses, "response.created", R"({"type":"response.created","sequence_number":0})"),
      "");
  EXPECT_EQ(
      feed(
          *responses, "response.output_item.added",
          R"({"type":"response.output_item.added","sequence_number":1,"output_index":0,"item":{"type":"function_call","name":"bmcp_s_echo"}})"),
      "");
  EXPECT_EQ(
      feed(
          *responses, "response.completed",
          R"({"type":"response.completed","sequence_number":2,"response":{"id":"r","output":[{"type":"function_call","name":"bmcp_s_echo"}]}})"),
      "");
  const json::value completed =
      json::parse(responses->ending(true).substr(responses->ending(true).find("data: ") + 6));
  EXPECT_EQ(completed.at("response").at("output"), json::parse(R"([{"type":"reasoning"}])"));
  EXPECT_GE(completed.at("sequence_number").as_int64(), 7);
}

}  // namespace
}  // namespace aibridge::proxy::mcp
