// SqliteStore: the admin listing. Filters and the cursor are bound parameters in SQL that the
// indexes of schema.sql serve; only the filters present appear in the statement.
#include <unordered_map>
#include <variant>

#include "recorder/sqlite_store.hpp"

namespace aibridge::recorder {
namespace {

// The WHERE clause of a filter and the values it binds, in order.
struct Where {
  std::string sql = " WHERE i.ended_at IS NOT NULL";
  std::vector<std::variant<std::string, std::int64_t>> values;

  void add(const char* condition, std::variant<std::string, std::int64_t> value) {
    sql += condition;
    values.push_back(std::move(value));
  }
  /// Binds the values from parameter 1; returns the next free parameter index.
  int bind(sqlite::Statement& statement) const {
    int index = 1;
    for (const auto& value : values) {
      std::visit([&](const auto& bound) { statement.bind(index, bound); }, value);
      ++index;
    }
    return index;
  }
};

Where where_clause(const InterceptionFilter& filter) {
  Where where;
  if (filter.visible_to) {
    where.add(" AND i.initiator_id = ?", *filter.visible_to);
  }
  if (filter.initiator_id) {
    where.add(" AND i.initiator_id = ?", *filter.initiator_id);
  }
  if (filter.provider) {
    where.add(" AND i.provider = ?", *filter.provider);
  }
  if (filter.model) {
    where.add(" AND i.model = ?", *filter.model);
  }
  if (filter.started_after) {
    where.add(" AND i.started_at >= ?", *filter.started_after);
  }
  if (filter.started_before) {
    where.add(" AND i.started_at <= ?", *filter.started_before);
  }
  return where;
}

std::string placeholders(std::size_t count) {
  std::string out;
  for (std::size_t i = 0; i < count; ++i) {
    out += i == 0 ? "?" : ",?";
  }
  return out;
}

}  // namespace

std::optional<ListPosition> SqliteStore::interception_position(
    std::string_view id, const std::optional<std::string>& visible_to) {
  auto statement = db_.prepare(
      "SELECT started_at, id FROM aibridge_interceptions WHERE id = ?1 AND ended_at IS NOT NULL "
      "AND (?2 IS NULL OR initiator_id = ?2)");
  statement.bind(1, id).bind(2, visible_to);
  if (!statement.step()) {
    return std::nullopt;
  }
  return ListPosition{statement.int64(0), statement.text(1)};
}

InterceptionPage SqliteStore::list_interceptions(const InterceptionQuery& query) {
  InterceptionPage page;
  Where where = where_clause(query.filter);
  {
    auto count = db_.prepare("SELECT count(*) FROM aibridge_interceptions i" + where.sql);
    where.bind(count);
    count.step();
    page.count = count.int64(0);
  }
  if (query.after) {
    // The row comparison (started_at, id) < (cursor) written so the index range applies.
    where.add(" AND (i.started_at < ?", query.after->started_at);
    where.add(" OR (i.started_at = ?", query.after->started_at);
    where.add(" AND i.id < ?))", query.after->id);
  }
  auto list = db_.prepare(
      "SELECT i.id, i.api_key_id, i.initiator_id, u.username, u.name, u.avatar_url, u.email, "
      "u.role, u.created_at, i.provider, i.model, i.metadata, i.started_at, i.ended_at "
      "FROM aibridge_interceptions i LEFT JOIN users u ON u.id = i.initiator_id" +
      where.sql + " ORDER BY i.started_at DESC, i.id DESC LIMIT ? OFFSET ?");
  const int next = where.bind(list);
  list.bind(next, query.limit).bind(next + 1, query.offset);
  while (list.step()) {
    ListedInterception row;
    Interception& interception = row.interception;
    interception.id = list.text(0);
    interception.api_key_id = list.text(1);
    interception.initiator_id = list.text(2);
    row.initiator.id = interception.initiator_id;
    row.initiator.username = list.text(3);
    row.initiator.name = list.text(4);
    row.initiator.avatar_url = list.text(5);
    row.initiator.email = list.text(6);
    row.initiator.role = parse_role(list.text(7)).value_or(Role::kMember);
    row.initiator.created_at = list.int64(8);
    interception.provider = list.text(9);
    interception.model = list.text(10);
    interception.metadata = list.text(11);
    interception.started_at = list.int64(12);
    interception.ended_at = list.optional_int64(13);
    page.rows.push_back(std::move(row));
  }
  load_children(page.rows);
  return page;
}

void SqliteStore::load_children(std::vector<ListedInterception>& rows) {
  if (rows.empty()) {
    return;
  }
  std::unordered_map<std::string, Interception*> by_id;
  for (ListedInterception& row : rows) {
    by_id[row.interception.id] = &row.interception;
  }
  const std::string in = " WHERE interception_id IN (" + placeholders(rows.size()) +
                         ") ORDER BY interception_id, created_at, id";
  const auto run = [&](const std::string& sql, auto&& add) {
    auto statement = db_.prepare(sql + in);
    int index = 1;
    for (const ListedInterception& row : rows) {
      statement.bind(index++, row.interception.id);
    }
    while (statement.step()) {
      add(*by_id.at(statement.text(0)), statement);
    }
  };
  run("SELECT interception_id, id, provider_response_id, input_tokens, output_tokens, "
      "cache_read_input_tokens, cache_write_input_tokens, metadata, created_at "
      "FROM aibridge_token_usages",
      [](Interception& owner, const sqlite::Statement& row) {
        owner.token_usages.push_back({row.text(1), row.text(2), row.int64(3), row.int64(4),
                                      row.int64(5), row.int64(6), row.text(7), row.int64(8)});
      });
  run("SELECT interception_id, id, provider_response_id, prompt, metadata, created_at "
      "FROM aibridge_user_prompts",
      [](Interception& owner, const sqlite::Statement& row) {
        owner.user_prompts.push_back(
            {row.text(1), row.text(2), row.text(3), row.text(4), row.int64(5)});
      });
  run("SELECT interception_id, id, provider_response_id, tool_call_id, server_url, tool, input, "
      "injected, invocation_error, metadata, created_at FROM aibridge_tool_usages",
      [](Interception& owner, const sqlite::Statement& row) {
        ToolUsage tool;
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
        owner.tool_usages.push_back(std::move(tool));
      });
  run("SELECT interception_id, id, provider_response_id, content, metadata, created_at "
      "FROM aibridge_model_thoughts",
      [](Interception& owner, const sqlite::Statement& row) {
        owner.model_thoughts.push_back(
            {row.text(1), row.text(2), row.text(3), row.text(4), row.int64(5)});
      });
}

}  // namespace aibridge::recorder
