// How many interceptions per second the recorder's writer commits (SQLite, WAL, batches),
// with the child rows a typical exchange produces: one prompt, one token row, one tool call.
//   recorder_throughput [--records N] [--db PATH] [--batch N]
// --batch caps the records per transaction (the gateway's recorder.batch_size), to see what a
// transaction costs when the load is light and batches are small.
#include <chrono>
#include <filesystem>
#include <iostream>

#include <CLI/CLI.hpp>
#include <boost/json.hpp>

#include "core/ids.hpp"
#include "core/metrics.hpp"
#include "core/time.hpp"
#include "recorder/recorder.hpp"

namespace aibridge::bench {
namespace {

recorder::Interception interception(long i) {
  using recorder::ChildKind;
  recorder::Interception record;
  record.started_at = core::now_micros();
  record.id = core::new_uuid_at(record.started_at);  // as the gateway makes them
  static const std::vector<std::string> users = [] {
    std::vector<std::string> ids;
    for (int user = 0; user < 50; ++user) {
      ids.push_back(core::new_uuid());  // user ids are UUIDs (the PostgreSQL store insists)
    }
    return ids;
  }();
  record.initiator_id = users[static_cast<std::size_t>(i % 50)];
  record.api_key_id = "abcdefghij";
  record.provider = i % 2 ? "openai" : "anthropic";
  record.model = i % 3 ? "claude-sonnet-4-5" : "gpt-5";
  record.client = "Claude Code";
  record.ended_at = record.started_at + 1000;
  record.metadata =
      R"({"user_agent":"claude-cli/2.0","client":"Claude Code","streaming":true,)"
      R"("status":"completed","upstream_status":200})";
  // Children stamped as the gateway stamps them: one microsecond apart, the last at ended_at.
  record.user_prompts.push_back({recorder::child_id(record.id, ChildKind::kPrompt, 0), "msg_1",
                                 "list the files in the repository", "{}", *record.ended_at - 2});
  record.token_usages.push_back({recorder::child_id(record.id, ChildKind::kTokenUsage, 0),
                                 "msg_1", 1200, 340, 20000, 120, R"({"web_search_requests":0})",
                                 *record.ended_at - 1});
  recorder::ToolUsage tool;
  tool.id = recorder::child_id(record.id, ChildKind::kToolUsage, 0);
  tool.provider_response_id = "msg_1";
  tool.tool_call_id = "toolu_01";
  tool.tool = "Bash";
  tool.input = R"({"command":"ls -la"})";
  tool.created_at = *record.ended_at;
  record.tool_usages.push_back(std::move(tool));
  return record;
}

int run(int argc, char** argv) {
  long records = 200000;
  std::string path = "/tmp/aibridge-recorder-bench.db";
  core::RecorderSettings settings;
  CLI::App app{"the recorder's writer alone"};
  app.add_option("--records", records);
  app.add_option("--db", path);
  app.add_option("--batch", settings.batch_size, "most records per transaction");
  CLI11_PARSE(app, argc, argv);
  for (const char* suffix : {"", "-wal", "-shm"}) {
    std::filesystem::remove(path + suffix);
  }
  core::Metrics metrics;
  settings.queue_capacity = static_cast<std::uint64_t>(records);
  recorder::open_store(path, {}, true);  // creates the schema
  recorder::Recorder recorder(recorder::open_record_sink(path, {}), settings, metrics);
  const auto started = std::chrono::steady_clock::now();
  for (long i = 0; i < records; ++i) {
    recorder.submit(interception(i));
  }
  const auto submitted = std::chrono::steady_clock::now();
  recorder.flush();
  const auto written = std::chrono::steady_clock::now();
  const double seconds = std::chrono::duration<double>(written - started).count();
  const auto batches = metrics.recorder_batch_seconds.Collect().histogram;
  std::cout << boost::json::serialize(boost::json::object{
                   {"records", records},
                   {"seconds", seconds},
                   {"records_per_second", static_cast<double>(records) / seconds},
                   {"submit_seconds", std::chrono::duration<double>(submitted - started).count()},
                   {"writing_seconds", batches.sample_sum},
                   {"batches", batches.sample_count},
                   {"dropped", metrics.recorder_dropped_total.Value()}})
            << std::endl;
  return 0;
}

}  // namespace
}  // namespace aibridge::bench

int main(int argc, char** argv) {
  return aibridge::bench::run(argc, argv);
}
