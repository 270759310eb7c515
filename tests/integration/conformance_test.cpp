// Conformance: replays recorded provider traffic through the real binary and the mock provider,
// then compares what was recorded with the corpus' EXPECTED.json (SPEC §5.1). Runs over the
// project's own fixtures (tests/fixtures/conformance) and over ../shared/conformance when that
// folder exists.
#include <filesystem>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "tests/mock/responses.hpp"
#include "tests/support/gateway.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/mock.hpp"
#include "tests/support/records.hpp"

namespace aibridge::testing {
namespace {

namespace json = boost::json;
namespace fs = std::filesystem;

// One fixture mode's mismatches, or none.
struct Outcome {
  std::string name;
  std::vector<std::string> problems;
};

std::string text(const json::value& value) {
  return value.is_string() ? std::string(value.as_string()) : json::serialize(value);
}

class Corpus {
 public:
  explicit Corpus(fs::path root)
      : root_(std::move(root)),
        expected_(json::parse(read_file((root_ / "EXPECTED.json").string())).as_object()),
        gateway_(dir_.path(), {"--openai-base-url", mock_.url("/v1"), "--anthropic-base-url",
                               mock_.url(), "--recorder-flush-interval", "10ms"}),
        token_(gateway_.admin_token()) {}

  ~Corpus() { EXPECT_EQ(gateway_.stop(), 0); }

  std::vector<Outcome> run() {
    std::vector<Outcome> outcomes;
    const std::string fixtures_dir = text(expected_.at("fixtures_dir"));
    for (const auto& [name, modes] : expected_.at("fixtures").as_object()) {
      fs::path file = root_ / fixtures_dir / (std::string(name) + ".txtar");
      if (!fs::exists(file)) {
        file.replace_extension(".fixture");
      }
      for (const auto& [mode, expected] : modes.as_object()) {
        if (mode == "comment") {
          continue;
        }
        Outcome outcome{std::string(name) + " [" + std::string(mode) + "]", {}};
        replay(file, std::string(mode), expected.as_object(), outcome.problems);
        outcomes.push_back(std::move(outcome));
      }
    }
    return outcomes;
  }

 private:
  void replay(const fs::path& file, const std::string& mode, const json::object& expected,
              std::vector<std::string>& problems) {
    const std::string archive = read_file(file.string());
    const auto check = [&problems](bool ok, const std::string& what) {
      if (!ok) {
        problems.push_back(what);
      }
    };
    const std::string section_name = text(expected.at("upstream_section"));
    const std::string section = mock::txtar_section(archive, section_name).value_or("");
    Headers headers = {{"Authorization", "Bearer " + token_},
                       {"X-Mock-Scenario", "txtar"},
                       {"X-Mock-Txtar", file.string()},
                       {"X-Mock-Section", section_name},
                       {"User-Agent", "claude-cli/2.0.67 (external, cli)"}};
    if (mode == "passthrough") {
      const Response response =
          request(gateway_.port(), http::verb::get, text(expected.at("route")), headers);
      check(response.result_int() == expected.at("client_status").as_int64(), "client status");
      check(response.body() == section, "client body differs from the upstream body");
      check(response["X-AIBridge-Interception-Id"].empty(), "passthrough got an interception id");
      return;
    }
    json::object body =
        json::parse(mock::txtar_section(archive, "request").value_or("{}")).as_object();
    if (mode == "streaming") {
      body["stream"] = true;
    } else {
      body.erase("stream");
    }
    if (expected.at("upstream_kind") == "sse") {
      headers.emplace_back("X-Mock-Chunk", "random:" + std::to_string(++seed_));
    }
    const Response response = request(gateway_.port(), http::verb::post, text(expected.at("route")),
                                      headers, json::serialize(body));
    check(response.result_int() == expected.at("client_status").as_int64(),
          "client status " + std::to_string(response.result_int()));
    const auto raw = mock::parse_raw_response(section);
    check(response.body() == (raw ? raw->body : section),
          "client body differs from the upstream body");
    const std::string id(response["X-AIBridge-Interception-Id"]);
    if (id.size() != 36) {
      problems.push_back("no interception id");
      return;
    }
    compare_records(id, expected, check);
  }

  template <class Check>
  void compare_records(const std::string& id, const json::object& expected, Check& check) {
    // Read back through the store, as the admin API does (once the writer has flushed).
    const std::optional<recorder::Interception> found = await_recorded(dir_.path(), id);
    if (!found) {
      check(false, "interception not recorded");
      return;
    }
    const recorder::Interception& record = *found;
    check(record.model == text(expected.at("model")), "model " + record.model);
    const json::object metadata = json::parse(record.metadata).as_object();
    check(metadata.at("status") == expected.at("interception_status"),
          "status " + text(metadata.at("status")) + " (" +
              text(metadata.contains("error") ? metadata.at("error") : "") + ")");
    check(recorder::status_name(record.status) == text(expected.at("interception_status")),
          "status column " + std::string(recorder::status_name(record.status)));
    check(metadata.at("streaming") == expected.at("streaming"), "streaming flag");

    if (expected.at("prompt").is_null()) {
      check(record.user_prompts.empty(), "unexpected prompt row");
    } else if (record.user_prompts.empty()) {
      check(false, "missing prompt row");
    } else {
      const recorder::UserPrompt& prompt = record.user_prompts.front();
      check(prompt.prompt == text(expected.at("prompt")), "prompt text '" + prompt.prompt + "'");
      check(prompt.provider_response_id == text(expected.at("prompt_provider_response_id")),
            "prompt provider_response_id '" + prompt.provider_response_id + "'");
      check(record.user_prompts.size() == 1, "more than one prompt row");
    }

    const json::array& expected_tokens = expected.at("token_usages").as_array();
    check(record.token_usages.size() == expected_tokens.size(),
          "token rows: " + std::to_string(record.token_usages.size()));
    for (std::size_t i = 0; i < std::min(record.token_usages.size(), expected_tokens.size()); ++i) {
      const recorder::TokenUsage& usage = record.token_usages[i];
      const json::object& row = expected_tokens[i].as_object();
      const std::string got = usage.provider_response_id + " " +
                              std::to_string(usage.input_tokens) + "/" +
                              std::to_string(usage.output_tokens) + " cr" +
                              std::to_string(usage.cache_read_input_tokens) + " cw" +
                              std::to_string(usage.cache_write_input_tokens);
      const std::string want = text(row.at("provider_response_id")) + " " +
                               std::to_string(row.at("input_tokens").as_int64()) + "/" +
                               std::to_string(row.at("output_tokens").as_int64()) + " cr" +
                               std::to_string(row.at("cache_read_input_tokens").as_int64()) +
                               " cw" +
                               std::to_string(row.at("cache_write_input_tokens").as_int64());
      check(got == want, "token row " + got + " != " + want);
    }

    const json::array& expected_tools = expected.at("tool_usages").as_array();
    check(record.tool_usages.size() == expected_tools.size(),
          "tool rows: " + std::to_string(record.tool_usages.size()));
    for (std::size_t i = 0; i < std::min(record.tool_usages.size(), expected_tools.size()); ++i) {
      const recorder::ToolUsage& tool = record.tool_usages[i];
      const json::object& row = expected_tools[i].as_object();
      check(tool.provider_response_id == text(row.at("provider_response_id")),
            "tool provider_response_id");
      check(tool.tool == text(row.at("tool")), "tool name " + tool.tool);
      check(tool.tool_call_id == text(row.at("tool_call_id")), "tool_call_id " + tool.tool_call_id);
      check(tool.injected == row.at("injected").as_bool(), "tool injected flag");
      if (row.at("input_valid_json").as_bool()) {
        boost::system::error_code error;
        const json::value parsed = json::parse(tool.input, error);
        check(!error && parsed == row.at("input_parsed"), "tool input " + tool.input);
      } else {
        check(tool.input == text(row.at("input")), "tool input text '" + tool.input + "'");
      }
    }

    const json::array& expected_thoughts = expected.at("model_thoughts").as_array();
    check(record.model_thoughts.size() == expected_thoughts.size(),
          "thought rows: " + std::to_string(record.model_thoughts.size()));
    for (std::size_t i = 0; i < std::min(record.model_thoughts.size(), expected_thoughts.size());
         ++i) {
      const recorder::ModelThought& thought = record.model_thoughts[i];
      const json::object& row = expected_thoughts[i].as_object();
      check(thought.provider_response_id == text(row.at("provider_response_id")),
            "thought provider_response_id");
      check(thought.content == text(row.at("content")), "thought content");
      check(json::parse(thought.metadata).at("source") == row.at("source"), "thought source");
    }
  }

  fs::path root_;
  json::object expected_;
  MockUpstream mock_;
  TempDir dir_;
  Gateway gateway_;
  std::string token_;
  unsigned seed_ = 0;
};

void run_corpus(const fs::path& root) {
  Corpus corpus(root);
  const std::vector<Outcome> outcomes = corpus.run();
  std::size_t matched = 0;
  for (const Outcome& outcome : outcomes) {
    if (outcome.problems.empty()) {
      ++matched;
      continue;
    }
    std::string report;
    for (const std::string& problem : outcome.problems) {
      report += "\n    " + problem;
    }
    ADD_FAILURE() << outcome.name << report;
  }
  std::cout << "conformance " << root.string() << ": " << matched << "/" << outcomes.size()
            << " fixture modes match\n";
  EXPECT_GT(outcomes.size(), 0U);
}

TEST(Conformance, OwnFixtures) {
  run_corpus(fs::path(AIBRIDGE_SOURCE_DIR) / "tests/fixtures/conformance");
}

TEST(Conformance, SharedCorpus) {
  const char* override_dir = std::getenv("CONFORMANCE_DIR");
  const fs::path root = override_dir != nullptr
                            ? fs::path(override_dir)
                            : fs::path(AIBRIDGE_SOURCE_DIR) / "../shared/conformance";
  if (!fs::exists(root / "EXPECTED.json")) {
    GTEST_SKIP() << "no conformance corpus at " << root.string()
                 << " (set CONFORMANCE_DIR to run it)";
  }
  run_corpus(root);
}

}  // namespace
}  // namespace aibridge::testing
