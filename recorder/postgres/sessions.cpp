// PostgresStore: sessions (recorder/query.hpp). They are listed as the interceptions that start
// one (recorder/postgres/session_starts.hpp), counted and paged as the interceptions listing is;
// a session's interceptions are a range of aibridge_interceptions_session.
#include "recorder/postgres/listed_rows.hpp"
#include "recorder/postgres/postgres_store.hpp"

namespace aibridge::recorder::postgres {
namespace {

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

// The sessions that start at `firsts`, in their order: one statement for all of them.
std::vector<ListedSession> load_all(Connection& db, std::vector<ListedInterception>& firsts) {
  std::vector<ListedSession> sessions(firsts.size());
  std::vector<std::string> session_ids, initiators;
  std::vector<std::size_t> with_id;  // the sessions of session_ids, by their place in `sessions`
  for (std::size_t i = 0; i < firsts.size(); ++i) {
    const Interception& first = firsts[i].interception;
    sessions[i].id = first.session_id.empty() ? first.id : first.session_id;
    if (first.session_id.empty()) {  // a session of its own: it is all there is
      sessions[i].interceptions.push_back(std::move(firsts[i]));
      continue;
    }
    session_ids.push_back(first.session_id);
    initiators.push_back(first.initiator_id);
    with_id.push_back(i);
  }
  if (session_ids.empty()) {
    return sessions;
  }
  const Result rows = db.prepared(
      "SELECT " + std::string(kListedColumns) +
          ", k.n FROM unnest($1::text[], $2::uuid[]) WITH ORDINALITY AS k (session_id, "
          "initiator_id, n) JOIN aibridge_interceptions i ON i.session_id = k.session_id AND "
          "i.initiator_id = k.initiator_id" +
          std::string(kInitiatorJoin) +
          " WHERE i.session_id IS NOT NULL ORDER BY k.n, i.started_at, i.id",
      Params().add(array_literal(session_ids)).add(array_literal(initiators)));
  const int n_column = static_cast<int>(kListedColumnCount);
  for (int row = 0; row < rows.rows(); ++row) {
    const auto n = static_cast<std::size_t>(rows.int64(row, n_column));
    sessions[with_id.at(n - 1)].interceptions.push_back(read_listed(rows, row));
  }
  return sessions;
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
    InterceptionQuery starts{filter, std::nullopt, query.offset, query.limit};
    if (query.after) {
      const auto cursor = first_of(db, *query.after, filter.visible_to);
      if (!cursor) {
        page.cursor_found = false;
        return page;
      }
      starts.after = ListPosition{cursor->started_at, cursor->id};
    }
    InterceptionPage firsts = list_in_snapshot(db, starts, Counted::kSessionStarts);
    page.count = firsts.count;
    page.rows = load_all(db, firsts.rows);
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
