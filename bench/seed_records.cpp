// Seeds a database with interceptions for the list-API benchmark, through the store's own writer
// (the rows, facets and rollups the gateway makes), on skewed data: one user with 90% of the
// rows, a rare user with 0.01%, a rare model with 0.005%, the rest spread over 50 users; half
// the rows within two minutes (as a burst through the gateway makes them), half over 30 days.
//
//   seed_records --db PATH [--rows 1000000] [--days 30]
//
// Prints one JSON object: the users it made (name → id), the dense window, the models.
#include <chrono>
#include <iostream>
#include <map>
#include <random>

#include <CLI/CLI.hpp>
#include <boost/json.hpp>

#include "core/ids.hpp"
#include "core/time.hpp"
#include "recorder/store.hpp"

namespace aibridge::bench {
namespace {

recorder::User make_user(recorder::IdentityStore& store, const std::string& name,
                         recorder::Role role = recorder::Role::kMember) {
  if (auto existing = store.find_user_by_username(name)) {
    return *existing;
  }
  recorder::User user;
  user.id = core::new_uuid();
  user.username = name;
  user.role = role;
  user.created_at = core::now_micros();
  store.insert_user(user);
  return user;
}

recorder::Interception interception(core::UnixMicros started_at, const std::string& initiator,
                                    const std::string& model, std::mt19937_64& random) {
  recorder::Interception record;
  record.started_at = started_at;
  record.id = core::new_uuid_at(started_at);
  record.initiator_id = initiator;
  record.api_key_id = "benchkey01";
  record.provider = model.starts_with("gpt") ? "openai" : "anthropic";
  record.model = model;
  const int pick = static_cast<int>(random() % 100);
  record.client = pick < 60 ? "Claude Code" : pick < 90 ? "Codex" : "Unknown";
  record.status = pick % 17 == 0 ? recorder::Status::kFailed
                  : pick % 23 == 0 ? recorder::Status::kCancelled
                                   : recorder::Status::kCompleted;
  record.ended_at = started_at + 1'500'000;
  record.metadata = R"({"user_agent":"bench","client":")" + record.client +
                    R"(","streaming":true,"status":")" +
                    std::string(recorder::status_name(record.status)) + R"("})";
  using recorder::ChildKind;
  record.user_prompts.push_back({recorder::child_id(record.id, ChildKind::kPrompt, 0),
                                 "resp_bench", "a benchmark prompt", "{}", started_at + 10});
  record.token_usages.push_back({recorder::child_id(record.id, ChildKind::kTokenUsage, 0),
                                 "resp_bench", 100, 50, 20, 0, R"({"total_tokens":170})",
                                 started_at + 20});
  recorder::ToolUsage tool;
  tool.id = recorder::child_id(record.id, ChildKind::kToolUsage, 0);
  tool.provider_response_id = "resp_bench";
  tool.tool_call_id = "call_bench";
  tool.tool = "Bash";
  tool.input = R"({"command":"ls"})";
  tool.created_at = started_at + 30;
  record.tool_usages.push_back(std::move(tool));
  return record;
}

int run(int argc, char** argv) {
  std::string path;
  long rows = 1'000'000;
  int days = 30;
  CLI::App app{"seed a benchmark database"};
  app.add_option("--db", path)->required();
  app.add_option("--rows", rows);
  app.add_option("--days", days);
  CLI11_PARSE(app, argc, argv);

  auto store = recorder::open_store(path, {}, /*migrate=*/true);
  const recorder::User heavy = make_user(*store, "heavy");
  const recorder::User rare = make_user(*store, "rare");
  std::vector<recorder::User> others;
  for (int i = 0; i < 50; ++i) {
    others.push_back(make_user(*store, "user-" + std::to_string(i)));
  }
  const std::vector<std::string> models = {"gpt-5", "claude-sonnet-4-5", "gpt-4.1",
                                           "claude-opus-4-1"};
  const core::UnixMicros now = core::now_micros();
  const core::UnixMicros spread_from = now - static_cast<core::UnixMicros>(days) * 86'400'000'000;
  const core::UnixMicros dense_from = now - 180'000'000;  // two minutes, ending a minute ago
  const core::UnixMicros dense_to = now - 60'000'000;
  auto sink = recorder::open_record_sink(path, {});
  std::mt19937_64 random(42);
  std::vector<recorder::Interception> batch;
  constexpr long kTurnsPerSession = 20;
  std::map<std::pair<std::string, bool>, long> turns;  // per user and stream of starts
  const long rare_every = std::max<long>(1, rows / 100);        // 0.01%
  const long rare_model_every = std::max<long>(1, rows / 50);   // 0.005%, offset from the above
  for (long i = 0; i < rows; ++i) {
    const bool dense = i % 2 == 0;
    const core::UnixMicros started_at =
        dense ? dense_from + (dense_to - dense_from) * (i / 2) / std::max<long>(1, rows / 2)
              : spread_from + (now - spread_from) * (i / 2) / std::max<long>(1, rows / 2);
    // The rare ones alternate between an odd and an even row: half dense, half spread.
    const bool rare_user = i % rare_every == 7 + (i / rare_every) % 2;
    const bool rare_model = i % rare_model_every == 3 + (i / rare_model_every) % 2;
    const std::string& initiator = rare_user ? rare.id
                                   : random() % 10 != 0 ? heavy.id
                                                        : others[random() % others.size()].id;
    const std::string& model = rare_model ? std::string("rare-model")
                                          : models[random() % models.size()];
    recorder::Interception record = interception(
        started_at + static_cast<core::UnixMicros>(random() % 1000), initiator, model, random);
    // Sessions as clients make them: a user's consecutive turns (twenty, in each of the two
    // streams of starts), but for the clients that send no session id.
    if (record.client != "Unknown") {
      const long turn = turns[{initiator, dense}]++;
      record.session_id = initiator + (dense ? "-d-" : "-s-") +
                          std::to_string(turn / kTurnsPerSession);
    }
    batch.push_back(std::move(record));
    if (batch.size() == 8192 || i + 1 == rows) {
      sink->write_interceptions(batch);
      batch.clear();
    }
  }
  std::cout << boost::json::serialize(boost::json::object{
                   {"rows", rows},
                   {"heavy", heavy.id},
                   {"rare", rare.id},
                   {"dense_from", core::format_rfc3339(dense_from)},
                   {"dense_to", core::format_rfc3339(dense_to)},
                   {"spread_from", core::format_rfc3339(spread_from)},
                   {"spread_to", core::format_rfc3339(now)}})
            << std::endl;
  return 0;
}

}  // namespace
}  // namespace aibridge::bench

int main(int argc, char** argv) {
  return aibridge::bench::run(argc, argv);
}
