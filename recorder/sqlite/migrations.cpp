#include "recorder/sqlite/migrations.hpp"

#include <map>
#include <string>
#include <vector>

#include "recorder/schema_sql.hpp"  // generated from schema.sql
#include "recorder/sqlite/record_writer.hpp"

namespace aibridge::recorder::sqlite {
namespace {

constexpr std::string_view kMarker = "\n-- @version ";  // at the start of a line

// schema.sql split at its "-- @version N" lines: sections[N - 1] turns version N-1 into N.
std::vector<std::string_view> schema_sections() {
  std::vector<std::string_view> sections;
  std::size_t start = kSchemaSql.find(kMarker);
  while (start != std::string_view::npos) {
    const std::size_t next = kSchemaSql.find(kMarker, start + kMarker.size());
    sections.push_back(
        kSchemaSql.substr(start, next == std::string_view::npos ? next : next - start));
    start = next;
  }
  return sections;
}

// Version 4: version 3's interceptions and children, rewritten into the new tables in batches
// (through the writer, so their facets and rollups are made the same way).
void copy_version_3_records(Database& db) {
  constexpr int kBatch = 2048;
  RecordWriter writer(db, RecordWriter::SessionCounts::kNotYet);
  auto interceptions = db.prepare(
      "SELECT rowid, id, initiator_id, coalesce(api_key_id, ''), provider, model, started_at, "
      "ended_at, metadata, coalesce(json_extract(metadata, '$.client'), 'Unknown'), "
      "coalesce(json_extract(metadata, '$.status'), 'completed'), "
      "coalesce(json_extract(metadata, '$.client_session_id'), '') "
      "FROM aibridge_interceptions WHERE ended_at IS NOT NULL AND rowid > ?1 "
      "ORDER BY rowid LIMIT ?2");
  std::int64_t after = 0;
  for (;;) {
    const std::int64_t batch_after = after;
    std::vector<Interception> batch;
    std::map<std::string, std::size_t, std::less<>> by_id;
    interceptions.reset().bind(1, after).bind(2, std::int64_t{kBatch});
    while (interceptions.step()) {
      after = interceptions.int64(0);
      Interception& record = batch.emplace_back();
      record.id = interceptions.text(1);
      record.initiator_id = interceptions.text(2);
      record.api_key_id = interceptions.text(3);
      record.provider = interceptions.text(4);
      record.model = interceptions.text(5);
      record.started_at = interceptions.int64(6);
      record.ended_at = interceptions.int64(7);
      record.metadata = interceptions.text(8);
      record.client = interceptions.text(9);
      record.status = parse_status(interceptions.text(10)).value_or(Status::kCompleted);
      record.session_id = interceptions.text(11);
      by_id[record.id] = batch.size() - 1;
    }
    interceptions.reset();
    if (batch.empty()) {
      return;
    }
    const auto load = [&](std::string_view columns, std::string_view table, auto&& add) {
      auto rows = db.prepare("SELECT c.interception_id, " + std::string(columns) + " FROM " +
                             std::string(table) +
                             " c JOIN aibridge_interceptions i ON i.id = c.interception_id "
                             "WHERE i.ended_at IS NOT NULL AND i.rowid > ?1 AND i.rowid <= ?2 "
                             "ORDER BY c.interception_id, c.created_at, c.id");
      rows.bind(1, batch_after).bind(2, after);
      while (rows.step()) {
        if (const auto owner = by_id.find(rows.text(0)); owner != by_id.end()) {
          add(batch[owner->second], rows);
        }
      }
    };
    load("c.id, c.provider_response_id, c.prompt, c.metadata, c.created_at",
         "aibridge_user_prompts", [](Interception& record, const Statement& row) {
           record.user_prompts.push_back(
               {row.text(1), row.text(2), row.text(3), row.text(4), row.int64(5)});
         });
    load("c.id, c.provider_response_id, c.input_tokens, c.output_tokens, "
         "c.cache_read_input_tokens, c.cache_write_input_tokens, c.metadata, c.created_at",
         "aibridge_token_usages", [](Interception& record, const Statement& row) {
           record.token_usages.push_back({row.text(1), row.text(2), row.int64(3), row.int64(4),
                                          row.int64(5), row.int64(6), row.text(7),
                                          row.int64(8)});
         });
    load("c.id, c.provider_response_id, c.tool_call_id, c.server_url, c.tool, c.input, "
         "c.injected, c.invocation_error, c.metadata, c.created_at",
         "aibridge_tool_usages", [](Interception& record, const Statement& row) {
           ToolUsage& tool = record.tool_usages.emplace_back();
           tool.id = row.text(1);
           tool.provider_response_id = row.text(2);
           tool.tool_call_id = row.text(3);
           tool.server_url = row.optional_text(4);
           tool.tool = row.text(5);
           tool.input = row.text(6);
           tool.injected = row.int64(7) != 0;
           tool.invocation_error = row.optional_text(8);
           tool.metadata = row.text(9);
           tool.created_at = row.int64(10);
         });
    load("c.id, c.provider_response_id, c.content, c.metadata, c.created_at",
         "aibridge_model_thoughts", [](Interception& record, const Statement& row) {
           record.model_thoughts.push_back(
               {row.text(1), row.text(2), row.text(3), row.text(4), row.int64(5)});
         });
    writer.write_rows(batch);
  }
}

}  // namespace

int schema_version(Database& db) {
  auto statement = db.prepare("PRAGMA user_version");
  statement.step();
  return static_cast<int>(statement.int64(0));
}

void migrate(Database& db) {
  const std::vector<std::string_view> sections = schema_sections();
  if (sections.size() != static_cast<std::size_t>(kSchemaVersion)) {
    throw std::runtime_error("schema.sql has " + std::to_string(sections.size()) +
                             " version sections; this binary expects " +
                             std::to_string(kSchemaVersion));
  }
  Transaction transaction(db);  // BEGIN IMMEDIATE: concurrent starters queue up here
  const int version = schema_version(db);
  if (version > kSchemaVersion) {
    throw std::runtime_error("database schema version " + std::to_string(version) +
                             " is newer than this binary's " + std::to_string(kSchemaVersion) +
                             "; upgrade aibridge");
  }
  for (int next = version + 1; next <= kSchemaVersion; ++next) {
    db.exec(std::string(sections[static_cast<std::size_t>(next - 1)]));
    if (next == 4 && version >= 1) {
      copy_version_3_records(db);
    }
    if (next == 6) {
      RecordWriter(db).count_recorded_sessions();
    }
  }
  db.exec("PRAGMA user_version = " + std::to_string(kSchemaVersion));
  transaction.commit();
}

}  // namespace aibridge::recorder::sqlite
