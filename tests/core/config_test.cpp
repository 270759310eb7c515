#include "core/config.hpp"

#include <algorithm>
#include <fstream>

#include <gtest/gtest.h>

#include "tests/support/process.hpp"

namespace aibridge::core {
namespace {

using namespace std::chrono_literals;

class ConfigTest : public ::testing::Test {
 protected:
  std::string write_file(const std::string& text) {
    const std::string path = dir_.path() + "/aibridge.toml";
    std::ofstream(path) << text;
    return path;
  }
  aibridge::testing::TempDir dir_;
};

TEST_F(ConfigTest, DefaultsWithoutAnySource) {
  const ConfigResult result = load_config({});
  ASSERT_TRUE(result.errors.empty());
  const Config& config = result.config;
  EXPECT_EQ(config.listen, "127.0.0.1:8080");
  EXPECT_EQ(config.database, "./data/aibridge.db");
  EXPECT_EQ(config.request_log_dir, "./data/request-logs");
  EXPECT_GE(config.threads, 1U);
  EXPECT_EQ(config.retention, std::chrono::hours(24 * 60));
  EXPECT_EQ(config.max_request_body, 32U << 20);
  EXPECT_EQ(config.max_header_bytes, 64U << 10);
  EXPECT_EQ(config.timeouts.upstream_connect, 10s);
  EXPECT_EQ(config.timeouts.blocking_response, 600s);
  EXPECT_EQ(config.timeouts.stream_idle, 300s);
  EXPECT_EQ(config.timeouts.client_idle, 60s);
  EXPECT_EQ(config.timeouts.client_request, 30s);
  EXPECT_EQ(config.openai.base_url, "https://api.openai.com/v1");
  EXPECT_EQ(config.anthropic.base_url, "https://api.anthropic.com");
}

TEST_F(ConfigTest, ShippedConfigFileStatesTheDefaults) {
  ConfigSources sources;
  sources.file = std::string(AIBRIDGE_SOURCE_DIR) + "/configs/aibridge.toml";
  const ConfigResult from_file = load_config(sources);
  ASSERT_TRUE(from_file.errors.empty()) << from_file.errors.front();
  const Config defaults = load_config({}).config;
  const Config& config = from_file.config;
  EXPECT_EQ(config.listen, defaults.listen);
  EXPECT_EQ(config.data_dir, defaults.data_dir);
  EXPECT_EQ(config.database, defaults.database);
  EXPECT_EQ(config.retention, defaults.retention);
  EXPECT_EQ(config.shutdown_grace, defaults.shutdown_grace);
  EXPECT_EQ(config.max_request_body, defaults.max_request_body);
  EXPECT_EQ(config.max_header_bytes, defaults.max_header_bytes);
  EXPECT_EQ(config.timeouts.stream_idle, defaults.timeouts.stream_idle);
  EXPECT_EQ(config.timeouts.blocking_response, defaults.timeouts.blocking_response);
  EXPECT_EQ(config.recorder.queue_capacity, defaults.recorder.queue_capacity);
  EXPECT_EQ(config.recorder.flush_interval, defaults.recorder.flush_interval);
  EXPECT_EQ(config.recorder.max_sse_event_bytes, defaults.recorder.max_sse_event_bytes);
  EXPECT_EQ(config.openai.base_url, defaults.openai.base_url);
  EXPECT_EQ(config.anthropic.base_url, defaults.anthropic.base_url);
  EXPECT_EQ(config.mcp.max_iterations, defaults.mcp.max_iterations);
  EXPECT_EQ(config.mcp.call_timeout, defaults.mcp.call_timeout);
}

TEST_F(ConfigTest, FileThenEnvironmentThenFlags) {
  ConfigSources sources;
  sources.file = write_file(R"(
listen = "127.0.0.1:1000"
log_level = "debug"
threads = 3
[timeouts]
stream_idle = "10s"
)");
  sources.environment = {{"AIBRIDGE_LISTEN", "127.0.0.1:2000"}, {"AIBRIDGE_THREADS", "5"}};
  sources.flags = {{"listen", "127.0.0.1:3000"}};
  const ConfigResult result = load_config(sources);
  ASSERT_TRUE(result.errors.empty()) << result.errors.front();
  EXPECT_EQ(result.config.listen, "127.0.0.1:3000");  // flag beats env and file
  EXPECT_EQ(result.config.threads, 5U);               // env beats file
  EXPECT_EQ(result.config.log_level, "debug");        // file beats default
  EXPECT_EQ(result.config.timeouts.stream_idle, 10s);
}

TEST_F(ConfigTest, ProviderKeysFallBackToTheProviderVariables) {
  ConfigSources sources;
  sources.environment = {{"OPENAI_API_KEY", "sk-fallback"},
                         {"ANTHROPIC_API_KEY", "ant-fallback"},
                         {"AIBRIDGE_ANTHROPIC_API_KEY", "ant-preferred"}};
  const ConfigResult result = load_config(sources);
  ASSERT_TRUE(result.errors.empty());
  EXPECT_EQ(result.config.openai.api_key, "sk-fallback");
  EXPECT_EQ(result.config.anthropic.api_key, "ant-preferred");
}

TEST_F(ConfigTest, EveryErrorIsListedWithItsSource) {
  ConfigSources sources;
  sources.file = write_file(R"(
listen = "nope"
unknown_key = 1
threads = "many"
[timeouts]
stream_idle = "5x"
client_idle = "0"
[providers.openai]
base_url = "ftp://example.com"
[recorder]
flush_interval = "1s"
)");
  sources.environment = {{"AIBRIDGE_RETENTION", "forever"}, {"AIBRIDGE_TYPO", "1"}};
  sources.flags = {{"log-level", "loud"}, {"no-such-flag", "x"}};
  const ConfigResult result = load_config(sources);
  const std::vector<std::string> expected_fragments = {
      "aibridge.toml:2: listen:",
      "aibridge.toml:3: unknown_key: unknown key",
      "aibridge.toml:4: threads:",
      "aibridge.toml:6: timeouts.stream_idle: invalid duration \"5x\"",
      "aibridge.toml:7: timeouts.client_idle: must be greater than zero",
      "aibridge.toml:9: providers.openai.base_url:",
      "aibridge.toml:11: recorder.flush_interval: must be at most 200ms",
      "environment AIBRIDGE_RETENTION: retention:",
      "flag --log-level: log_level: \"loud\" is not one of",
      "flag --no-such-flag: unknown flag",
      "environment AIBRIDGE_TYPO: not a configuration variable",
  };
  ASSERT_EQ(result.errors.size(), expected_fragments.size());
  for (const std::string& fragment : expected_fragments) {
    bool found = false;
    for (const std::string& error : result.errors) {
      found = found || error.find(fragment) != std::string::npos;
    }
    EXPECT_TRUE(found) << "missing error: " << fragment;
  }
}

TEST_F(ConfigTest, McpServersAreTablesCheckedOneByOne) {
  ConfigSources sources;
  sources.file = write_file(R"(
[mcp]
max_iterations = 4
call_timeout = "5s"

[[mcp.servers]]
name = "github"
url = "https://mcp.example/github"
headers = { Authorization = "Bearer t" }
allow = "^issue_"
deny = "delete"

[[mcp.servers]]
name = "bad_name"
url = "ftp://x"
deny = "(["
colour = "red"
headers = "Bearer t"

[[mcp.servers]]
name = "github"
url = "http://other"
)");
  const ConfigResult result = load_config(sources);
  const McpSettings& mcp = result.config.mcp;
  EXPECT_EQ(mcp.max_iterations, 4U);
  EXPECT_EQ(mcp.call_timeout, 5s);
  ASSERT_EQ(mcp.servers.size(), 1U);
  EXPECT_EQ(mcp.servers[0].name, "github");
  EXPECT_EQ(mcp.servers[0].headers,
            (std::vector<std::pair<std::string, std::string>>{{"Authorization", "Bearer t"}}));
  EXPECT_EQ(mcp.servers[0].allow, "^issue_");
  ASSERT_EQ(result.errors.size(), 6U);
  const std::string file = *sources.file;
  EXPECT_EQ(result.errors[0], file + ":13: mcp.servers: colour: unknown key (name, url, headers, allow, deny)");
  EXPECT_NE(result.errors[1].find("headers: expected a table of strings"), std::string::npos);
  EXPECT_NE(result.errors[2].find("name: \"bad_name\" must be 1 to 32 letters"), std::string::npos);
  EXPECT_NE(result.errors[3].find("url: \"ftp://x\" is not an http"), std::string::npos);
  EXPECT_NE(result.errors[4].find("\"([\" is not a regular expression"), std::string::npos);
  EXPECT_EQ(result.errors[5], file + ":20: mcp.servers: a second server named \"github\"");
}

TEST_F(ConfigTest, TomlSyntaxErrorNamesTheLine) {
  ConfigSources sources;
  sources.file = write_file("listen = \n");
  const ConfigResult result = load_config(sources);
  ASSERT_EQ(result.errors.size(), 1U);
  EXPECT_NE(result.errors[0].find("aibridge.toml:1:"), std::string::npos) << result.errors[0];
}

TEST_F(ConfigTest, MissingFileIsAnError) {
  ConfigSources sources;
  sources.file = dir_.path() + "/absent.toml";
  EXPECT_EQ(load_config(sources).errors.size(), 1U);
}

TEST_F(ConfigTest, DerivedPathsFollowTheDataDirectory) {
  ConfigSources sources;
  sources.flags = {{"data-dir", "/var/lib/aibridge"}};
  const Config config = load_config(sources).config;
  EXPECT_EQ(config.database, "/var/lib/aibridge/aibridge.db");
  EXPECT_EQ(config.request_log_dir, "/var/lib/aibridge/request-logs");
}

TEST_F(ConfigTest, EveryKeyHasTheDocumentedFlagAndVariable) {
  const auto flags = config_flag_names();
  EXPECT_GE(flags.size(), 20U);
  for (const char* flag : {"data-dir", "timeouts-stream-idle", "providers-openai-base-url",
                           "openai-base-url", "providers-anthropic-api-key", "anthropic-api-key"}) {
    EXPECT_TRUE(std::any_of(flags.begin(), flags.end(),
                            [&](const auto& entry) { return entry.first == flag; }))
        << flag;
  }
  // Key a.b_c: variable AIBRIDGE_A_B_C and flag --a-b-c; the short provider names too.
  ConfigSources sources;
  sources.environment = {{"AIBRIDGE_PROVIDERS_OPENAI_BASE_URL", "http://documented:1"},
                         {"AIBRIDGE_ANTHROPIC_BASE_URL", "http://short:2"},
                         {"AIBRIDGE_RECORDER_BATCH_SIZE", "7"}};
  sources.flags = {{"providers-openai-api-key", "sk-1"}, {"anthropic-api-key", "sk-2"}};
  const ConfigResult result = load_config(sources);
  ASSERT_TRUE(result.errors.empty()) << result.errors[0];
  EXPECT_EQ(result.config.openai.base_url, "http://documented:1");
  EXPECT_EQ(result.config.anthropic.base_url, "http://short:2");
  EXPECT_EQ(result.config.recorder.batch_size, 7U);
  EXPECT_EQ(result.config.openai.api_key, "sk-1");
  EXPECT_EQ(result.config.anthropic.api_key, "sk-2");
}

TEST_F(ConfigTest, UnknownVariablesAreErrorsButKubernetesServiceLinksAreNot) {
  ConfigSources sources;
  sources.environment = {{"AIBRIDGE_SERVICE_HOST", "10.0.0.7"},
                         {"AIBRIDGE_SERVICE_PORT", "8080"},
                         {"AIBRIDGE_SERVICE_PORT_HTTP", "8080"},
                         {"AIBRIDGE_PORT", "tcp://10.0.0.7:8080"},
                         {"AIBRIDGE_PORT_8080_TCP", "tcp://10.0.0.7:8080"},
                         {"AIBRIDGE_PORT_8080_TCP_PROTO", "tcp"},
                         {"AIBRIDGE_PORT_8080_TCP_ADDR", "10.0.0.7"},
                         {"AIBRIDGE_CONFIG", "ignored here"}};
  EXPECT_TRUE(load_config(sources).errors.empty());
  for (const char* typo : {"AIBRIDGE_PROVIDER_OPENAI_BASE_URL", "AIBRIDGE_PORTS",
                           "AIBRIDGE_PORT_X_TCP", "AIBRIDGE_PORT_8080_TCP_HOST"}) {
    sources.environment = {{typo, "http://x"}};
    const ConfigResult result = load_config(sources);
    ASSERT_EQ(result.errors.size(), 1U) << typo;
    EXPECT_EQ(result.errors[0],
              "environment " + std::string(typo) + ": not a configuration variable");
  }
}

}  // namespace
}  // namespace aibridge::core
