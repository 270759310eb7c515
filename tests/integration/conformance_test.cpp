// Conformance: replays recorded provider traffic through the real binary and the mock provider,
// then compares what was recorded with the corpus' EXPECTED.json (SPEC §5.1). Runs over the
// project's own fixtures (tests/fixtures/conformance) and over ../shared/conformance when that
// folder exists.
#include <filesystem>
#include <thread>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "recorder/sqlite.hpp"
#include "tests/mock/responses.hpp"
#include "tests/support/gateway.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/mock.hpp"

namespace aibridge::testing {
namespace {

namespace json = boost::json;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

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
    recorder::sqlite::Database db(dir_.path() + "/aibridge.db", false);
    auto interception =
        db.prepare("SELECT model, metadata FROM aibridge_interceptions WHERE id = ?1");
    interception.bind(1, id);
    const auto deadline = std::chrono::steady_clock::now() + 3s;
    bool found = interception.step();
    while (!found && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(10ms);
      interception.reset().bind(1, id);
      found = interception.step();
    }
    if (!found) {
      check(false, "interception not recorded");
      return;
    }
    check(interception.text(0) == text(expected.at("model")), "model " + interception.text(0));
    const json::object metadata = json::parse(interception.text(1)).as_object();
    check(metadata.at("status") == expected.at("interception_status"),
          "status " + text(metadata.at("status")) + " (" +
              text(metadata.contains("error") ? metadata.at("error") : "") + ")");
    check(metadata.at("streaming") == expected.at("streaming"), "streaming flag");

    auto prompts = db.prepare(
        "SELECT prompt, provider_response_id FROM aibridge_user_prompts "
        "WHERE interception_id = ?1 ORDER BY created_at, id");
    prompts.bind(1, id);
    if (expected.at("prompt").is_null()) {
      check(!prompts.step(), "unexpected prompt row");
    } else if (!prompts.step()) {
      check(false, "missing prompt row");
    } else {
      check(prompts.text(0) == text(expected.at("prompt")),
            "prompt text '" + prompts.text(0) + "'");
      check(prompts.text(1) == text(expected.at("prompt_provider_response_id")),
            "prompt provider_response_id '" + prompts.text(1) + "'");
      check(!prompts.step(), "more than one prompt row");
    }

    auto tokens = db.prepare(
        "SELECT provider_response_id, input_tokens, output_tokens, cache_read_input_tokens, "
        "cache_write_input_tokens FROM aibridge_token_usages WHERE interception_id = ?1 "
        "ORDER BY created_at, id");
    tokens.bind(1, id);
    std::size_t index = 0;
    const json::array& expected_tokens = expected.at("token_usages").as_array();
    while (tokens.step()) {
      if (index >= expected_tokens.size()) {
        check(false, "extra token row");
        break;
      }
      const json::object& row = expected_tokens[index++].as_object();
      const std::string got = tokens.text(0) + " " + std::to_string(tokens.int64(1)) + "/" +
                              std::to_string(tokens.int64(2)) + " cr" +
                              std::to_string(tokens.int64(3)) + " cw" +
                              std::to_string(tokens.int64(4));
      const std::string want = text(row.at("provider_response_id")) + " " +
                               std::to_string(row.at("input_tokens").as_int64()) + "/" +
                               std::to_string(row.at("output_tokens").as_int64()) + " cr" +
                               std::to_string(row.at("cache_read_input_tokens").as_int64()) +
                               " cw" +
                               std::to_string(row.at("cache_write_input_tokens").as_int64());
      check(got == want, "token row " + got + " != " + want);
    }
    check(index == expected_tokens.size(), "token rows: " + std::to_string(index));

    auto tools = db.prepare(
        "SELECT provider_response_id, tool, tool_call_id, input, injected FROM "
        "aibridge_tool_usages "
        "WHERE interception_id = ?1 ORDER BY created_at, id");
    tools.bind(1, id);
    index = 0;
    const json::array& expected_tools = expected.at("tool_usages").as_array();
    while (tools.step()) {
      if (index >= expected_tools.size()) {
        check(false, "extra tool row " + tools.text(1));
        break;
      }
      const json::object& row = expected_tools[index++].as_object();
      check(tools.text(0) == text(row.at("provider_response_id")), "tool provider_response_id");
      check(tools.text(1) == text(row.at("tool")), "tool name " + tools.text(1));
      check(tools.text(2) == text(row.at("tool_call_id")), "tool_call_id " + tools.text(2));
      check((tools.int64(4) != 0) == row.at("injected").as_bool(), "tool injected flag");
      if (row.at("input_valid_json").as_bool()) {
        boost::system::error_code error;
        const json::value parsed = json::parse(tools.text(3), error);
        check(!error && parsed == row.at("input_parsed"), "tool input " + tools.text(3));
      } else {
        check(tools.text(3) == text(row.at("input")), "tool input text '" + tools.text(3) + "'");
      }
    }
    check(index == expected_tools.size(), "tool rows: " + std::to_string(index));

    auto thoughts = db.prepare(
        "SELECT provider_response_id, content, metadata FROM aibridge_model_thoughts "
        "WHERE interception_id = ?1 ORDER BY created_at, id");
    thoughts.bind(1, id);
    index = 0;
    const json::array& expected_thoughts = expected.at("model_thoughts").as_array();
    while (thoughts.step()) {
      if (index >= expected_thoughts.size()) {
        check(false, "extra thought row");
        break;
      }
      const json::object& row = expected_thoughts[index++].as_object();
      check(thoughts.text(0) == text(row.at("provider_response_id")),
            "thought provider_response_id");
      check(thoughts.text(1) == text(row.at("content")), "thought content");
      check(json::parse(thoughts.text(2)).at("source") == row.at("source"), "thought source");
    }
    check(index == expected_thoughts.size(), "thought rows: " + std::to_string(index));
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
  const char* override_dir = std::getenv("AIBRIDGE_CONFORMANCE_DIR");
  const fs::path root = override_dir != nullptr
                            ? fs::path(override_dir)
                            : fs::path(AIBRIDGE_SOURCE_DIR) / "../shared/conformance";
  if (!fs::exists(root / "EXPECTED.json")) {
    GTEST_SKIP() << "no conformance corpus at " << root.string()
                 << " (set AIBRIDGE_CONFORMANCE_DIR to run it)";
  }
  run_corpus(root);
}

}  // namespace
}  // namespace aibridge::testing
