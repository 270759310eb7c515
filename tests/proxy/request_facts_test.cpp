#include "proxy/providers/request_facts.hpp"

#include <gtest/gtest.h>

namespace aibridge::proxy {
namespace {

std::optional<std::string> prompt(Endpoint endpoint, const std::string& body) {
  return read_request_facts(endpoint, body)->prompt;
}

TEST(RequestFacts, ModelAndStreamFlag) {
  auto facts = read_request_facts(Endpoint::kMessages, R"({"model":"claude","stream":true})");
  ASSERT_TRUE(facts);
  EXPECT_EQ(facts->model, "claude");
  EXPECT_TRUE(facts->streaming);
  facts = read_request_facts(Endpoint::kMessages, R"({"model":5,"stream":"true"})");
  EXPECT_EQ(facts->model, "");
  EXPECT_FALSE(facts->streaming);  // only the JSON boolean counts
  EXPECT_FALSE(read_request_facts(Endpoint::kMessages, "[]"));
  EXPECT_FALSE(read_request_facts(Endpoint::kMessages, R"({"a":1} x)"));
}

TEST(Prompt, AnthropicAndChatTakeTheLastTextOfTheLastUserMessage) {
  for (Endpoint endpoint : {Endpoint::kMessages, Endpoint::kChatCompletions}) {
    EXPECT_EQ(prompt(endpoint, R"({"messages":[{"role":"user","content":"hi"}]})"), "hi");
    EXPECT_EQ(
        prompt(
            endpoint,
            R"({"messages":[{"role":"user","content":[{"type":"text","text":"a"},{"type":"image"},{"type":"text","text":"b"}]}]})"),
        "b");
    EXPECT_EQ(
        prompt(
            endpoint,
            R"({"messages":[{"role":"user","content":"q"},{"role":"system","content":"s"},{"role":"developer","content":"d"}]})"),
        "q");
    EXPECT_EQ(
        prompt(
            endpoint,
            R"({"messages":[{"role":"user","content":"q"},{"role":"assistant","content":"a"}]})"),
        std::nullopt);
    EXPECT_EQ(
        prompt(
            endpoint,
            R"({"messages":[{"role":"user","content":[{"type":"tool_result","content":"x"}]}]})"),
        std::nullopt);
    EXPECT_EQ(prompt(endpoint, R"({"messages":[]})"), std::nullopt);
    EXPECT_EQ(prompt(endpoint, R"({"messages":"nope"})"), std::nullopt);
    EXPECT_EQ(prompt(endpoint, R"({})"), std::nullopt);
  }
}

TEST(Prompt, ResponsesJoinsInputTextParts) {
  const Endpoint r = Endpoint::kResponses;
  EXPECT_EQ(prompt(r, R"({"input":"tell me a joke"})"), "tell me a joke");
  EXPECT_EQ(
      prompt(
          r,
          R"({"input":[{"role":"user","content":[{"type":"input_text","text":"a"},{"type":"input_text","text":"b"}]}]})"),
      "a\nb");
  EXPECT_EQ(
      prompt(
          r,
          R"({"input":[{"type":"message","role":"user","content":"x"},{"role":"developer","content":"d"}]})"),
      "x");
  EXPECT_EQ(
      prompt(
          r,
          R"({"input":[{"role":"user","content":"x"},{"type":"function_call_output","call_id":"c","output":"1"}]})"),
      std::nullopt);
  EXPECT_EQ(prompt(r, R"({"input":[]})"), std::nullopt);
  EXPECT_EQ(prompt(r, R"({"input":42})"), std::nullopt);
}

TEST(ClientDetection, FromHeaders) {
  const auto detect = [](std::initializer_list<std::pair<const char*, const char*>> list,
                         std::string_view claude_session = "") {
    boost::beast::http::fields headers;
    for (const auto& [name, value] : list) {
      headers.insert(name, value);
    }
    return detect_client(headers, claude_session);
  };
  EXPECT_EQ(detect({{"User-Agent", "claude-cli/2.0.67 (external, cli)"}}).client, "Claude Code");
  EXPECT_EQ(detect({{"User-Agent", "codex_cli_rs/0.87.0"}, {"session_id", " s-1 "}}).session_id,
            "s-1");
  // Codex 0.171 names it with a hyphen, beside its thread's id.
  EXPECT_EQ(
      detect({{"User-Agent", "codex_cli_rs/0.171.0"}, {"session-id", "s-2"}, {"thread-id", "t-2"}})
          .session_id,
      "s-2");
  EXPECT_EQ(detect({{"User-Agent", "Zed/0.1"}}).client, "Zed");
  EXPECT_EQ(detect({{"User-Agent", "GitHubCopilotChat/0.30.0"}}).client,
            "GitHub Copilot (VS Code)");
  EXPECT_EQ(detect({{"User-Agent", "copilot/1.0"}}).client, "GitHub Copilot (CLI)");
  EXPECT_EQ(detect({{"User-Agent", "x"}, {"originator", "roo-code"}}).client, "Roo Code");
  EXPECT_EQ(detect({{"User-Agent", "x"}, {"x-cursor-client-version", "1.2"}}).client, "Cursor");
  EXPECT_EQ(detect({{"User-Agent", "curl/8"}}).client, "Unknown");
  EXPECT_EQ(detect({}).client, "Unknown");
  const ClientFacts claude = detect({{"User-Agent", "claude-cli/2"}}, "sess-9");
  EXPECT_EQ(claude.session_id, "sess-9");
  EXPECT_EQ(
      detect({{"User-Agent", "claude-cli/2"}, {"X-Claude-Code-Session-Id", "h"}}, "b").session_id,
      "h");
}

TEST(ClaudeSession, FromMetadataUserId) {
  auto facts = read_request_facts(
      Endpoint::kMessages, R"({"metadata":{"user_id":"{\"session_id\":\"abc\"}"},"messages":[]})");
  EXPECT_EQ(facts->claude_session_id, "abc");
  facts = read_request_facts(Endpoint::kMessages,
                             R"({"metadata":{"user_id":"user_1_account_2_session_f47ac10b"}})");
  EXPECT_EQ(facts->claude_session_id, "f47ac10b");
}

}  // namespace
}  // namespace aibridge::proxy
