// PostgresStore: sessions (recorder/query.hpp). A row is its session's first interception when it
// has no session id, or when no row of the same session id and initiator starts before it (one
// probe of aibridge_interceptions_session); a session's interceptions are that index's range.
#include "recorder/buckets.hpp"
#include "recorder/postgres/listed_rows.hpp"
#include "recorder/postgres/postgres_store.hpp"
#include "recorder/postgres/terms.hpp"

namespace aibridge::recorder::postgres {
namespace {

// Whether the row i is its session's first interception.
constexpr std::string_view kFirstOfSession =
    " AND (i.session_id IS NULL OR NOT EXISTS (SELECT 1 FROM aibridge_interceptions p "
    "WHERE p.session_id = i.session_id AND p.initiator_id = i.initiator_id "
    "AND (p.started_at, p.id) < (i.started_at, i.id)))";

// A session's first interception.
struct SessionHead {
  UnixMicros started_at = 0;
  std::string id;                         // the interception's
  std::optional<std::string> session_id;  // none: the session is this interception alone
  std::string initiator_id;
};

SessionHead read_head(const Result& rows, int row) {
  return {rows.int64(row, 0), rows.text(row, 1), rows.optional_text(row, 2), rows.text(row, 3)};
}

constexpr std::string_view kHeadColumns =
    "aibridge_micros(i.started_at), i.id::text, i.session_id, i.initiator_id::text";

// The first interception of session `id` that `visible_to` (when set, a UUID) can see.
std::optional<SessionHead> first_of(Connection& db, std::string_view id,
                                    const std::optional<std::string>& visible_to) {
  const Result named = db.prepared(
      "SELECT " + std::string(kHeadColumns) +
          " FROM aibridge_interceptions i WHERE i.session_id = $1 AND ($2::uuid IS NULL OR "
          "i.initiator_id = $2::uuid) ORDER BY i.started_at, i.id LIMIT 1",
      Params().add(valid_text(id)).add(visible_to));
  if (named.rows() > 0) {
    return read_head(named, 0);
  }
  if (!is_uuid(id)) {
    return std::nullopt;
  }
  // An interception without a session id is a session of its own, named by the interception.
  const Result alone = db.prepared(
      "SELECT " + std::string(kHeadColumns) +
          " FROM aibridge_interceptions i WHERE i.id = $1::uuid AND i.session_id IS NULL AND "
          "($2::uuid IS NULL OR i.initiator_id = $2::uuid)",
      Params().add(id).add(visible_to));
  if (alone.rows() == 0) {
    return std::nullopt;
  }
  return read_head(alone, 0);
}

ListedSession load(Connection& db, const SessionHead& head) {
  ListedSession session;
  session.id = head.session_id.value_or(head.id);
  const Result rows =
      head.session_id
          ? db.prepared("SELECT " + std::string(kListedColumns) + " FROM aibridge_interceptions i" +
                            std::string(kInitiatorJoin) +
                            " WHERE i.session_id = $1 AND i.initiator_id = $2::uuid "
                            "ORDER BY i.started_at, i.id",
                        Params().add(*head.session_id).add(head.initiator_id))
          : db.prepared("SELECT " + std::string(kListedColumns) + " FROM aibridge_interceptions i" +
                            std::string(kInitiatorJoin) + " WHERE i.id = $1::uuid",
                        Params().add(head.id));
  session.interceptions.reserve(static_cast<std::size_t>(rows.rows()));
  for (int row = 0; row < rows.rows(); ++row) {
    session.interceptions.push_back(read_listed(rows, row));
  }
  return session;
}

}  // namespace

SessionPage PostgresStore::list_sessions(const SessionQuery& query) {
  return guarded([&](Connection& db) -> SessionPage {
    SessionPage page;
    const InterceptionFilter& filter = query.filter;
    for (const auto* user : {&filter.initiator_id, &filter.visible_to}) {
      if (*user && !is_uuid(**user)) {
        return page;  // no such user has interceptions
      }
    }
    ReadSnapshot snapshot(db);
    const Terms terms = terms_of(filter);
    const std::string where = "i.started_at BETWEEN aibridge_at(" +
                              placeholder(terms.params.size() + 1) + "::bigint) AND aibridge_at(" +
                              placeholder(terms.params.size() + 2) + "::bigint)" + terms.sql +
                              std::string(kFirstOfSession);
    Params params = terms.params;
    params.add(filter.started_after.value_or(kEarliest))
        .add(filter.started_before.value_or(kLatest));
    page.count = db.prepared("SELECT count(*) FROM aibridge_interceptions i WHERE " + where, params)
                     .int64(0, 0);
    std::string firsts =
        "SELECT " + std::string(kHeadColumns) + " FROM aibridge_interceptions i WHERE " + where;
    if (query.after) {
      const auto cursor = first_of(db, *query.after, filter.visible_to);
      if (!cursor) {
        page.cursor_found = false;
        page.count = 0;
        return page;
      }
      firsts += " AND (i.started_at, i.id) < (aibridge_at(" + placeholder(params.size() + 1) +
                "::bigint), " + placeholder(params.size() + 2) + "::uuid)";
      params.add(cursor->started_at).add(cursor->id);
    }
    firsts += " ORDER BY i.started_at DESC, i.id DESC OFFSET " + placeholder(params.size() + 1) +
              " LIMIT " + placeholder(params.size() + 2);
    params.add(query.offset).add(query.limit);
    const Result heads = db.prepared(firsts, params);
    page.rows.reserve(static_cast<std::size_t>(heads.rows()));
    for (int row = 0; row < heads.rows(); ++row) {
      page.rows.push_back(load(db, read_head(heads, row)));
    }
    snapshot.end();
    return page;
  });
}

std::optional<ListedSession> PostgresStore::find_session(
    std::string_view id, const std::optional<std::string>& visible_to) {
  return guarded([&](Connection& db) -> std::optional<ListedSession> {
    if (visible_to && !is_uuid(*visible_to)) {
      return std::nullopt;
    }
    ReadSnapshot snapshot(db);
    const auto head = first_of(db, id, visible_to);
    if (!head) {
      return std::nullopt;
    }
    ListedSession session = load(db, *head);
    snapshot.end();
    return session;
  });
}

}  // namespace aibridge::recorder::postgres
