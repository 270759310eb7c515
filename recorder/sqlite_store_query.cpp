// SqliteStore: the admin listing. Filters and the cursor are bound parameters in SQL that the
// indexes of schema.sql serve; only the filters present appear in the statement.
#include <limits>
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

std::int64_t SqliteStore::count_interceptions(const InterceptionFilter& filter) {
  // Equality filters on the summary tables the schema's triggers keep exact.
  Where equal;
  equal.sql = " WHERE 1";
  for (const auto* value : {&filter.visible_to, &filter.initiator_id}) {
    if (*value) {
      equal.add(" AND initiator_id = ?", **value);
    }
  }
  if (filter.provider) {
    equal.add(" AND provider = ?", *filter.provider);
  }
  if (filter.model) {
    equal.add(" AND model = ?", *filter.model);
  }
  const auto sum = [&](const std::string& table, const std::string& extra,
                       std::vector<std::int64_t> values) {
    Where where = equal;
    where.sql += extra;
    for (std::int64_t value : values) {
      where.values.emplace_back(value);
    }
    auto statement =
        db_.prepare("SELECT COALESCE(SUM(interceptions), 0) FROM " + table + where.sql);
    where.bind(statement);
    statement.step();
    return statement.int64(0);
  };
  // Exact count of a started_at range straight from the interceptions (their indexes).
  const auto exact = [&](UnixMicros from, UnixMicros to) {
    InterceptionFilter range = filter;
    range.started_after = from;
    range.started_before = to;
    const Where where = where_clause(range);
    auto statement = db_.prepare("SELECT count(*) FROM aibridge_interceptions i" + where.sql);
    where.bind(statement);
    statement.step();
    return statement.int64(0);
  };
  if (!filter.started_after && !filter.started_before) {
    return sum("aibridge_interception_counts", "", {});
  }
  // Whole hours inside the range come from the hourly counts; the partial hours at its ends
  // (at most two) are counted exactly.
  constexpr UnixMicros kHour = 3'600'000'000;
  const UnixMicros from = filter.started_after.value_or(0);
  const UnixMicros to =
      filter.started_before.value_or(std::numeric_limits<UnixMicros>::max() - kHour);
  if (to < from) {
    return 0;
  }
  const UnixMicros first_hour = (from + kHour - 1) / kHour;
  const UnixMicros last_hour = (to + 1) / kHour - 1;
  if (first_hour > last_hour) {
    return exact(from, to);
  }
  std::int64_t total = sum("aibridge_interception_hourly_counts", " AND hour >= ? AND hour <= ?",
                           {first_hour, last_hour});
  if (from < first_hour * kHour) {
    total += exact(from, first_hour * kHour - 1);
  }
  if (to >= (last_hour + 1) * kHour) {
    total += exact((last_hour + 1) * kHour, to);
  }
  return total;
}

InterceptionPage SqliteStore::list_interceptions(const InterceptionQuery& query) {
  InterceptionPage page;
  page.count = count_interceptions(query.filter);
  Where where = where_clause(query.filter);
  if (query.after) {
    // A row value, so that SQLite searches the (started_at, id) index range instead of scanning
    // it (the OR form is planned as a scan once its values are bound parameters).
    where.add(" AND (i.started_at, i.id) < (?", query.after->started_at);
    where.add(", ?)", query.after->id);
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
