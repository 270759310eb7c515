#include "tests/recorder/store_data.hpp"

#include <gtest/gtest.h>

namespace aibridge::recorder {

User user(const std::string& username, Role role) {
  User result;
  result.id = core::new_uuid();
  result.username = username;
  result.role = role;
  result.created_at = core::now_micros();
  return result;
}

Interception interception(UnixMicros started_at) {
  Interception record;
  record.started_at = started_at;
  record.id = core::new_uuid_at(started_at);
  record.initiator_id = core::new_uuid();
  record.api_key_id = "abcdefghij";
  record.provider = "anthropic";
  record.model = "claude-sonnet-4-0";
  record.ended_at = started_at + 5;
  record.user_prompts.push_back(
      {child_id(record.id, ChildKind::kPrompt, 0), "msg_1", "hello", "{}", started_at + 1});
  record.token_usages.push_back({child_id(record.id, ChildKind::kTokenUsage, 0), "msg_1", 10, 20, 3,
                                 4, "{}", started_at + 2});
  ToolUsage tool;
  tool.id = child_id(record.id, ChildKind::kToolUsage, 0);
  tool.tool = "Read";
  tool.input = R"({"file_path":"/tmp/x"})";
  tool.created_at = started_at + 3;
  record.tool_usages.push_back(tool);
  record.model_thoughts.push_back({child_id(record.id, ChildKind::kModelThought, 0), "msg_1",
                                   "thinking", R"({"source":"thinking"})", started_at + 4});
  return record;
}

std::vector<Interception> old_and_new() {
  std::vector<Interception> batch;
  for (int i = 0; i < 5; ++i) {
    batch.push_back(interception(1000 + i));
  }
  batch.push_back(interception(5000));
  return batch;
}

void write_random_records(Store& store, std::mt19937& random, const Vocabulary& words) {
  std::vector<Interception> records;
  for (int i = 0; i < 4000; ++i) {
    Interception record;
    record.started_at = kBase + (i % 3 == 0 ? static_cast<UnixMicros>(random() % 2'000'000)
                                            : static_cast<UnixMicros>(random() % (48 * kHour)));
    record.id = i % 5 == 0 ? core::new_uuid() : core::new_uuid_at(record.started_at);
    record.initiator_id = words.users[random() % words.users.size()];
    record.provider = words.providers[random() % words.providers.size()];
    record.model = words.models[random() % words.models.size()];
    record.client = words.clients[random() % words.clients.size()];
    if (i % 7 == 0) {
      // Its own provider and model: each implies the other, so filters on both read one group.
      record.provider = "gemini";
      record.model = "g1";
    }
    record.status = random() % 4 == 0 ? Status::kCancelled : Status::kCompleted;
    record.ended_at = record.started_at + 5;
    record.token_usages.push_back({child_id(record.id, ChildKind::kTokenUsage, 0), "msg_1",
                                   i % 13 + 1, i % 7, i % 5, i % 3, "{}", record.started_at + 1});
    if (i % 4 == 0) {
      ToolUsage tool;
      tool.id = child_id(record.id, ChildKind::kToolUsage, 0);
      tool.tool = "Bash";
      tool.input = "{}";
      tool.created_at = record.started_at + 2;
      record.tool_usages.push_back(tool);
    }
    records.push_back(record);
  }
  for (std::size_t start = 0; start < records.size(); start += 700) {
    const std::size_t size = std::min<std::size_t>(700, records.size() - start);
    store.write_interceptions(std::span(records).subspan(start, size));
  }
  EXPECT_GT(store.delete_interceptions_before(kBase + kHour, 300), 0U);
}

// One invalid record fails its whole batch; the next batch is written as if nothing happened.
void write_a_failing_batch(Store& store) {
  Interception good = interception(1);
  Interception bad = interception(2);
  bad.id = "not-a-uuid";
  Interception open = interception(3);
  open.ended_at.reset();  // only ended interceptions are recorded (and listed)
  const Interception batch[] = {good, bad};
  EXPECT_THROW(store.write_interceptions(batch), std::exception);
  const Interception unended[] = {good, open};
  EXPECT_THROW(store.write_interceptions(unended), std::exception);
}

}  // namespace aibridge::recorder
