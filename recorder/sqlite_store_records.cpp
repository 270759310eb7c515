// SqliteStore: writing interceptions and deleting expired ones.
#include <map>
#include <tuple>

#include "recorder/sqlite_store.hpp"

namespace aibridge::recorder {
namespace {

constexpr std::int64_t kMicrosPerHour = 3'600'000'000;

// How many ended interceptions a batch adds per (hour, initiator, provider, model).
using CountKey = std::tuple<std::int64_t, std::string_view, std::string_view, std::string_view>;

std::map<CountKey, std::int64_t> count_batch(std::span<const Interception> batch) {
  std::map<CountKey, std::int64_t> counts;
  for (const Interception& record : batch) {
    if (record.ended_at) {
      ++counts[{record.started_at / kMicrosPerHour, record.initiator_id, record.provider,
                record.model}];
    }
  }
  return counts;
}

}  // namespace

void SqliteStore::write_interceptions(std::span<const Interception> batch) {
  sqlite::Transaction transaction(db_);
  for (const Interception& record : batch) {
    auto& interception =
        cached(insert_interception_,
               "INSERT INTO aibridge_interceptions (id, initiator_id, api_key_id, provider, model, "
               "started_at, ended_at, metadata) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    interception.bind(1, record.id)
        .bind(2, record.initiator_id)
        .bind(3, record.api_key_id)
        .bind(4, record.provider)
        .bind(5, record.model)
        .bind(6, record.started_at)
        .bind(7, record.ended_at)
        .bind(8, record.metadata);
    interception.run();

    for (const UserPrompt& prompt : record.user_prompts) {
      auto& statement = cached(insert_user_prompt_,
                               "INSERT INTO aibridge_user_prompts (id, interception_id, "
                               "provider_response_id, prompt, metadata, created_at) "
                               "VALUES (?, ?, ?, ?, ?, ?)");
      statement.bind(1, prompt.id)
          .bind(2, record.id)
          .bind(3, prompt.provider_response_id)
          .bind(4, prompt.prompt)
          .bind(5, prompt.metadata)
          .bind(6, prompt.created_at);
      statement.run();
    }
    for (const TokenUsage& usage : record.token_usages) {
      auto& statement =
          cached(insert_token_usage_,
                 "INSERT INTO aibridge_token_usages (id, interception_id, provider_response_id, "
                 "input_tokens, output_tokens, cache_read_input_tokens, "
                 "cache_write_input_tokens, metadata, created_at) "
                 "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
      statement.bind(1, usage.id)
          .bind(2, record.id)
          .bind(3, usage.provider_response_id)
          .bind(4, usage.input_tokens)
          .bind(5, usage.output_tokens)
          .bind(6, usage.cache_read_input_tokens)
          .bind(7, usage.cache_write_input_tokens)
          .bind(8, usage.metadata)
          .bind(9, usage.created_at);
      statement.run();
    }
    for (const ToolUsage& tool : record.tool_usages) {
      auto& statement =
          cached(insert_tool_usage_,
                 "INSERT INTO aibridge_tool_usages (id, interception_id, provider_response_id, "
                 "tool_call_id, server_url, tool, input, injected, invocation_error, metadata, "
                 "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
      statement.bind(1, tool.id)
          .bind(2, record.id)
          .bind(3, tool.provider_response_id)
          .bind(4, tool.tool_call_id)
          .bind(5, tool.server_url)
          .bind(6, tool.tool)
          .bind(7, tool.input)
          .bind(8, std::int64_t{tool.injected ? 1 : 0})
          .bind(9, tool.invocation_error)
          .bind(10, tool.metadata)
          .bind(11, tool.created_at);
      statement.run();
    }
    for (const ModelThought& thought : record.model_thoughts) {
      auto& statement = cached(insert_model_thought_,
                               "INSERT INTO aibridge_model_thoughts (id, interception_id, "
                               "provider_response_id, content, metadata, created_at) "
                               "VALUES (?, ?, ?, ?, ?, ?)");
      statement.bind(1, thought.id)
          .bind(2, record.id)
          .bind(3, thought.provider_response_id)
          .bind(4, thought.content)
          .bind(5, thought.metadata)
          .bind(6, thought.created_at);
      statement.run();
    }
  }
  add_to_counts(batch);
  transaction.commit();
}

void SqliteStore::add_to_counts(std::span<const Interception> batch) {
  auto& hourly =
      cached(add_hourly_count_,
             "INSERT INTO aibridge_interception_hourly_counts VALUES (?, ?, ?, ?, ?) "
             "ON CONFLICT DO UPDATE SET interceptions = interceptions + excluded.interceptions");
  auto& total =
      cached(add_count_,
             "INSERT INTO aibridge_interception_counts VALUES (?, ?, ?, ?) "
             "ON CONFLICT DO UPDATE SET interceptions = interceptions + excluded.interceptions");
  for (const auto& [key, count] : count_batch(batch)) {
    const auto& [hour, initiator, provider, model] = key;
    hourly.reset().bind(1, hour).bind(2, initiator).bind(3, provider).bind(4, model).bind(5, count);
    hourly.run();
    total.reset().bind(1, initiator).bind(2, provider).bind(3, model).bind(4, count);
    total.run();
  }
}

std::size_t SqliteStore::delete_interceptions_before(UnixMicros cutoff, std::size_t limit) {
  // Children go through ON DELETE CASCADE (their interception_id indexes keep it cheap).
  auto statement = db_.prepare(
      "DELETE FROM aibridge_interceptions WHERE id IN (SELECT id FROM aibridge_interceptions "
      "WHERE ended_at IS NOT NULL AND started_at < ?1 ORDER BY started_at LIMIT ?2)");
  statement.bind(1, cutoff).bind(2, static_cast<std::int64_t>(limit));
  statement.run();
  return static_cast<std::size_t>(db_.changes());
}

}  // namespace aibridge::recorder
