// The status an interception is recorded with, when the client leaves at a chosen byte: what
// the provider sent decides (proxy/status.hpp). These races were real: Codex closes as soon as
// it has read response.completed, and the OpenAI SDK raises and closes after an error chunk.

#include <gtest/gtest.h>

#include "tests/support/gateway.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/mock.hpp"
#include "tests/support/records.hpp"

namespace aibridge::testing {
namespace {


const std::string kFixtures = AIBRIDGE_SOURCE_DIR "/tests/fixtures/conformance/fixtures/";

class StatusRaces : public ::testing::Test {
 protected:
  StatusRaces()
      : gateway_(dir_.path(), {"--openai-base-url", mock_.url("/v1"), "--anthropic-base-url",
                               mock_.url(), "--recorder-flush-interval", "10ms"}),
        token_(gateway_.admin_token()) {}
  ~StatusRaces() override { EXPECT_EQ(gateway_.stop(), 0); }

  // The interception of the response that `seen` (headers included) belongs to.
  recorder::Interception recorded(const std::string& seen) {
    const std::string header = "X-AIBridge-Interception-Id: ";
    const std::size_t at = seen.find(header);
    EXPECT_NE(at, std::string::npos) << seen;
    const std::string id = seen.substr(at + header.size(), 36);
    std::optional<recorder::Interception> found = await_recorded(dir_.path(), id);
    if (!found) {
      ADD_FAILURE() << "interception " << id << " was not recorded";
    }
    return found.value_or(recorder::Interception{});
  }

  Headers headers(const std::string& fixture, int hold_end_ms) const {
    return {{"Authorization", "Bearer " + token_},
            {"X-Mock-Scenario", "txtar"},
            {"X-Mock-Txtar", kFixtures + fixture},
            {"X-Mock-Section", "streaming"},
            {"X-Mock-Hold-End-Ms", std::to_string(hold_end_ms)}};
  }

  TempDir dir_;
  MockUpstream mock_;
  Gateway gateway_;
  std::string token_;
};

TEST_F(StatusRaces, AClientThatLeavesRightAfterResponseCompletedLeavesItCompleted) {
  // The provider holds the stream's terminating chunk back for a second; the client has long
  // gone by then.
  const std::string seen =
      read_until_then_close(gateway_.port(), "/openai/v1/responses",
                            headers("openai/responses/reasoning_tools.fixture", 1000),
                            R"({"model":"gpt-5","stream":true,"input":"hi"})",
                            // The whole event: only then has the gateway relayed (and parsed) it.
                            R"("total_tokens":1020}}})"
                            "\n\n");
  const recorder::Interception record = recorded(seen);
  EXPECT_EQ(record.status, recorder::Status::kCompleted) << record.metadata;
  ASSERT_EQ(record.token_usages.size(), 1U);  // usage from response.completed was kept
  EXPECT_EQ(record.token_usages[0].output_tokens, 120);
}

TEST_F(StatusRaces, AClientThatLeavesAfterAnErrorChunkLeavesItFailed) {
  const std::string seen = read_until_then_close(
      gateway_.port(), "/openai/v1/chat/completions",
      headers("openai/chat/error_chunk.fixture", 1000),
      R"({"model":"gpt-4o","stream":true,"messages":[{"role":"user","content":"hi"}]})",
      // The whole event, its blank line included: only then has the gateway relayed (and so
      // parsed) all of it; "boom" alone can arrive in a read before the event's end.
      R"("error":{"message":"boom","type":"server_error"}})"
      "\n\n");
  const recorder::Interception record = recorded(seen);
  EXPECT_EQ(record.status, recorder::Status::kFailed) << record.metadata;
  EXPECT_NE(record.metadata.find("boom"), std::string::npos) << record.metadata;
}

TEST_F(StatusRaces, AClientThatLeavesBeforeTheEndLeavesItCancelled) {
  Headers slow = headers("openai/responses/reasoning_tools.fixture", 0);
  slow.emplace_back("X-Mock-Interval-Ms", "20");  // the stream takes most of a second
  const std::string seen = read_until_then_close(
      gateway_.port(), "/openai/v1/responses", slow,
      R"({"model":"gpt-5","stream":true,"input":"hi"})", "response.output_item.added");
  const recorder::Interception record = recorded(seen);
  EXPECT_EQ(record.status, recorder::Status::kCancelled) << record.metadata;
  EXPECT_NE(record.metadata.find("client went away"), std::string::npos) << record.metadata;
}

}  // namespace
}  // namespace aibridge::testing
