#pragma once
// The MCP integration tests' setting (SPEC §11): a mock MCP server ("tools", deny: delete), a
// provider scripted to call its tools round by round (X-Mock-Section: round), and the gateway on
// both; the requests the provider saw and the records, for checking.
#include <fstream>
#include <memory>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "recorder/store.hpp"
#include "tests/support/gateway.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/mock.hpp"
#include "tests/support/records.hpp"

namespace aibridge::testing {

namespace json = boost::json;
using namespace std::chrono_literals;

// A provider script: one answer per round of the loop.
inline std::string rounds(const std::vector<std::string>& answers) {
  std::string archive;
  for (std::size_t i = 0; i < answers.size(); ++i) {
    archive += "-- round-" + std::to_string(i) + " --\n" + answers[i] + "\n";
  }
  return archive;
}

inline std::string anthropic_answer(const std::string& id, const std::string& content,
                                    const std::string& stop, int output_tokens) {
  return R"({"id":")" + id +
         R"(","type":"message","role":"assistant","model":"claude-t","content":)" + content +
         R"(,"stop_reason":")" + stop + R"(","usage":{"input_tokens":10,"output_tokens":)" +
         std::to_string(output_tokens) + "}}";
}

inline const std::string kEchoCall =
    R"([{"type":"text","text":"Let me ask."},{"type":"tool_use","id":"toolu_1","name":"bmcp_tools_echo","input":{"text":"hi"}}])";
inline const std::string kFinalText = R"([{"type":"text","text":"The tool said: echo: hi"}])";

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
    std::optional<recorder::Interception> found = await_recorded(dir_.path(), id);
    if (!found) {
      ADD_FAILURE() << "interception " << id << " was not recorded";
    }
    return found.value_or(recorder::Interception{});
  }

  TempDir dir_;
  MockUpstream mock_;
  std::unique_ptr<MockMcp> mcp_;
  std::unique_ptr<Gateway> gateway_;
  std::string token_;
  int scripts_ = 0;
};

// The record of a loop of one round that called `tool`.
inline void expect_one_round(const recorder::Interception& record, const std::string& tool) {
  EXPECT_EQ(record.status, recorder::Status::kCompleted) << record.metadata;
  EXPECT_EQ(record.token_usages.size(), 2U);  // one per provider answer
  ASSERT_EQ(record.tool_usages.size(), 1U);
  EXPECT_TRUE(record.tool_usages[0].injected);
  EXPECT_EQ(record.tool_usages[0].tool, tool);
}

}  // namespace aibridge::testing
