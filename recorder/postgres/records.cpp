// PostgresStore: the writer's batches (one COPY each), retention, and the admin API's reads.
#include <algorithm>

#include "core/ids.hpp"
#include "recorder/postgres/postgres_store.hpp"
#include "recorder/record_codec.hpp"

namespace aibridge::recorder::postgres {
namespace {

// The key of the advisory lock a replica holds while it deletes old interceptions.
constexpr std::int64_t kRetentionLock = 0x4169427265746e;  // "AiBretn"

bool is_uuid(std::string_view id) {
  return !core::uuid_to_bytes(id).empty();
}

// "$n" (built in two steps: GCC 12 warns falsely on a literal + std::to_string).
std::string placeholder(std::size_t number) {
  std::string text = "$";
  text += std::to_string(number);
  return text;
}

// COPY's text format: fields separated by tabs, \N for NULL, one line per row.
void append_field(std::string& out, std::string_view value) {
  append_copy_field(out, value);
  out += '\t';
}

constexpr std::string_view kRowColumns =
    "i.id::text, aibridge_micros(i.started_at), aibridge_micros(i.ended_at), i.api_key_id, "
    "i.session_id, i.metadata, i.children, i.initiator_id::text, i.provider, i.model, i.client, "
    "i.status, u.id::text, u.username, u.name, u.email, u.avatar_url, u.role, "
    "aibridge_micros(u.created_at)";
constexpr std::string_view kRowSource =
    " FROM aibridge_interceptions i LEFT JOIN users u ON u.id = i.initiator_id";

ListedInterception read_row(const Result& rows, int row) {
  ListedInterception listed;
  Interception& record = listed.interception;
  record.id = rows.text(row, 0);
  record.started_at = rows.int64(row, 1);
  record.ended_at = rows.int64(row, 2);
  record.api_key_id = rows.text(row, 3);
  record.session_id = rows.text(row, 4);  // "" for NULL
  record.metadata = rows.text(row, 5);
  decode_children(rows.view(row, 6), record);
  record.initiator_id = rows.text(row, 7);
  record.provider = rows.text(row, 8);
  record.model = rows.text(row, 9);
  record.client = rows.text(row, 10);
  record.status = parse_status(rows.view(row, 11)).value_or(Status::kFailed);
  listed.initiator.id = record.initiator_id;
  if (!rows.is_null(row, 12)) {  // the user still exists
    listed.initiator.username = rows.text(row, 13);
    listed.initiator.name = rows.text(row, 14);
    listed.initiator.email = rows.text(row, 15);
    listed.initiator.avatar_url = rows.text(row, 16);
    listed.initiator.role = parse_role(rows.view(row, 17)).value_or(Role::kMember);
    listed.initiator.created_at = rows.int64(row, 18);
  }
  return listed;
}

// A filter's WHERE clause with its parameters, numbered from $1.
struct Where {
  std::string sql;
  Params params;
  bool matches_nothing = false;  // a term no row can satisfy (a user id that is no UUID)

  void term(std::string_view column_test, std::string_view value) {
    sql += sql.empty() ? " WHERE " : " AND ";
    sql += column_test;
    sql += placeholder(params.size() + 1);
    params.add(value);
  }
  void user_term(std::string_view value) {
    if (!is_uuid(value)) {
      matches_nothing = true;
      return;
    }
    term("i.initiator_id = ", value);
  }
};

Where where_of(const InterceptionFilter& filter) {
  Where where;
  if (filter.initiator_id) {
    where.user_term(*filter.initiator_id);
  }
  if (filter.visible_to) {
    where.user_term(*filter.visible_to);
  }
  if (filter.provider) {
    where.term("i.provider = ", *filter.provider);
  }
  if (filter.model) {
    where.term("i.model = ", *filter.model);
  }
  if (filter.client) {
    where.term("i.client = ", *filter.client);
  }
  if (filter.status) {
    where.term("i.status = ", status_name(*filter.status));
  }
  if (filter.started_after) {
    where.term("i.started_at >= aibridge_at(", std::to_string(*filter.started_after));
    where.sql += "::bigint)";
  }
  if (filter.started_before) {
    where.term("i.started_at <= aibridge_at(", std::to_string(*filter.started_before));
    where.sql += "::bigint)";
  }
  return where;
}

}  // namespace

void PostgresStore::write_interceptions(std::span<const Interception> batch) {
  return guarded([&](Connection& db) -> void {
    copy_rows_.clear();
    for (const Interception& record : batch) {
      if (!is_uuid(record.id)) {
        throw std::runtime_error("interception id \"" + record.id + "\" is not a canonical UUID");
      }
      if (!is_uuid(record.initiator_id)) {
        throw std::runtime_error("interception " + record.id + " has an initiator that is no UUID");
      }
      if (!record.ended_at) {
        throw std::runtime_error("interception " + record.id + " has not ended");  // never listed
      }
      encode_children(record, children_);
      append_field(copy_rows_, record.id);
      append_field(copy_rows_, record.initiator_id);
      append_field(copy_rows_, record.api_key_id);
      append_field(copy_rows_, record.provider);
      append_field(copy_rows_, record.model);
      append_field(copy_rows_, record.client);
      append_field(copy_rows_, status_name(record.status));
      if (record.session_id.empty()) {
        copy_rows_ += "\\N\t";
      } else {
        append_field(copy_rows_, record.session_id);
      }
      core::append_rfc3339(copy_rows_, record.started_at);
      copy_rows_ += '\t';
      core::append_rfc3339(copy_rows_, *record.ended_at);
      copy_rows_ += '\t';
      append_field(copy_rows_, record.metadata);
      append_copy_field(copy_rows_, children_);
      copy_rows_ += '\n';
    }
    // One COPY is one statement, and so one transaction: the batch is written whole or not at all.
    db.copy_in(
        "COPY aibridge_interceptions (id, initiator_id, api_key_id, provider, model, client, "
        "status, session_id, started_at, ended_at, metadata, children) FROM STDIN",
        copy_rows_);
  });
}

std::size_t PostgresStore::delete_interceptions_before(UnixMicros cutoff, std::size_t limit) {
  return guarded([&](Connection& db) -> std::size_t {
    // One replica at a time: the others find the lock taken and leave the work to it.
    Transaction transaction(db);
    if (db.prepared("SELECT pg_try_advisory_xact_lock($1)", Params().add(kRetentionLock))
            .view(0, 0) != "t") {
      return 0;
    }
    const std::int64_t deleted =
        db.prepared("DELETE FROM aibridge_interceptions WHERE id IN (SELECT id FROM "
                    "aibridge_interceptions WHERE started_at < aibridge_at($1) "
                    "ORDER BY started_at, id LIMIT $2)",
                    Params().add(cutoff).add(static_cast<std::int64_t>(limit)))
            .affected();
    transaction.commit();
    return static_cast<std::size_t>(deleted);
  });
}

std::optional<ListPosition> PostgresStore::interception_position(
    std::string_view id, const std::optional<std::string>& visible_to) {
  return guarded([&](Connection& db) -> std::optional<ListPosition> {
    if (!is_uuid(id) || (visible_to && !is_uuid(*visible_to))) {
      return std::nullopt;
    }
    const Result rows = db.prepared(
        "SELECT aibridge_micros(started_at), id::text FROM aibridge_interceptions "
        "WHERE id = $1 AND ($2::uuid IS NULL OR initiator_id = $2::uuid)",
        Params().add(id).add(visible_to));
    if (rows.rows() == 0) {
      return std::nullopt;
    }
    return ListPosition{rows.int64(0, 0), rows.text(0, 1)};
  });
}

InterceptionPage PostgresStore::list_interceptions(const InterceptionQuery& query) {
  return guarded([&](Connection& db) -> InterceptionPage {
    InterceptionPage page;
    Where where = where_of(query.filter);
    if (where.matches_nothing) {
      return page;
    }
    // The count and the page from one snapshot.
    Transaction snapshot(db, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    page.count =
        db.prepared("SELECT count(*) FROM aibridge_interceptions i" + where.sql, where.params)
            .int64(0, 0);
    if (page.count > 0) {
      if (query.after) {
        where.term("(i.started_at, i.id) < (aibridge_at(", std::to_string(query.after->started_at));
        where.sql += "::bigint), " + placeholder(where.params.size() + 1) + "::uuid)";
        where.params.add(query.after->id);
      }
      const std::string offset = placeholder(where.params.size() + 1);
      const std::string limit = placeholder(where.params.size() + 2);
      where.params.add(query.offset).add(query.limit);
      const Result rows = db.prepared("SELECT " + std::string(kRowColumns) +
                                           std::string(kRowSource) + where.sql +
                                           " ORDER BY i.started_at DESC, i.id DESC OFFSET " +
                                           offset + " LIMIT " + limit,
                                       where.params);
      page.rows.reserve(static_cast<std::size_t>(rows.rows()));
      for (int row = 0; row < rows.rows(); ++row) {
        page.rows.push_back(read_row(rows, row));
      }
    }
    snapshot.commit();
    return page;
  });
}

std::optional<ListedInterception> PostgresStore::find_interception(
    std::string_view id, const std::optional<std::string>& visible_to) {
  return guarded([&](Connection& db) -> std::optional<ListedInterception> {
    if (!is_uuid(id) || (visible_to && !is_uuid(*visible_to))) {
      return std::nullopt;
    }
    const Result rows =
        db.prepared("SELECT " + std::string(kRowColumns) + std::string(kRowSource) +
                         " WHERE i.id = $1 AND ($2::uuid IS NULL OR i.initiator_id = $2::uuid)",
                     Params().add(id).add(visible_to));
    if (rows.rows() == 0) {
      return std::nullopt;
    }
    return read_row(rows, 0);
  });
}

}  // namespace aibridge::recorder::postgres
