#include "recorder/postgres/session_starts.hpp"

#include <map>
#include <string>
#include <tuple>

namespace aibridge::recorder::postgres {
namespace {

constexpr std::string_view kFlaggedColumns =
    "aibridge_micros(i.started_at), i.initiator_id::text, i.provider, i.model, i.client, "
    "i.status";

std::vector<FlaggedRow> read_flagged(const Result& rows) {
  std::vector<FlaggedRow> out;
  out.reserve(static_cast<std::size_t>(rows.rows()));
  for (int row = 0; row < rows.rows(); ++row) {
    out.push_back({rows.int64(row, 0),
                   {rows.text(row, 1), rows.text(row, 2), rows.text(row, 3), rows.text(row, 4),
                    parse_status(rows.view(row, 5)).value_or(Status::kFailed)}});
  }
  return out;
}

// The sessions of `rows` as a relation c (session_id, initiator_id, row_id) of parameters $1..$3.
constexpr std::string_view kSessionsOf =
    "unnest($1::text[], $2::uuid[], $3::uuid[]) AS c (session_id, initiator_id, row_id)";

Params session_params(const SessionRows& rows) {
  return Params()
      .add(array_literal(rows.session_ids))
      .add(array_literal(rows.initiators))
      .add(array_literal(rows.row_ids));
}

}  // namespace

void SessionRows::add(std::string session_id, std::string initiator, std::string row) {
  session_ids.push_back(std::move(session_id));
  initiators.push_back(std::move(initiator));
  row_ids.push_back(std::move(row));
}

SessionFirsts firsts_of(std::span<const Interception> batch, const std::vector<std::size_t>& rows) {
  std::map<std::pair<std::string_view, std::string_view>, const Interception*> firsts;
  for (const std::size_t row : rows) {
    const Interception& record = batch[row];
    if (record.session_id.empty()) {
      continue;
    }
    const Interception*& first = firsts[{record.session_id, record.initiator_id}];
    if (first == nullptr ||
        std::tie(record.started_at, record.id) < std::tie(first->started_at, first->id)) {
      first = &record;
    }
  }
  SessionFirsts out;
  for (const auto& [key, first] : firsts) {
    out.rows.add(first->session_id, first->initiator_id, first->id);
    out.started_at.push_back(first->started_at);
  }
  return out;
}

std::vector<FlaggedRow> claim_session_starts(Connection& db, const SessionFirsts& firsts,
                                             std::unordered_set<std::string>& claimed) {
  // In key order, so that writers claiming the same sessions lock them in the same order. A
  // claim waits for another transaction's claim of the same session, then compares with it.
  const Result changed = db.prepared(
      "INSERT INTO aibridge_sessions AS s (session_id, initiator_id, first_started_at, first_id) "
      "SELECT c.session_id, c.initiator_id, aibridge_at(c.started), c.row_id FROM "
      "unnest($1::text[], $2::uuid[], $3::uuid[], $4::bigint[]) AS c (session_id, initiator_id, "
      "row_id, started) ORDER BY c.session_id, c.initiator_id "
      "ON CONFLICT (session_id, initiator_id) DO UPDATE SET "
      "first_started_at = excluded.first_started_at, first_id = excluded.first_id "
      "WHERE (excluded.first_started_at, excluded.first_id) < (s.first_started_at, s.first_id) "
      "RETURNING s.session_id, s.initiator_id::text, s.first_id::text",
      session_params(firsts.rows).add(int_array(firsts.started_at)));
  SessionRows moved;
  for (int row = 0; row < changed.rows(); ++row) {
    moved.add(changed.text(row, 0), changed.text(row, 1), changed.text(row, 2));
    claimed.insert(changed.text(row, 2));
  }
  if (moved.empty()) {
    return {};
  }
  // A statement of its own: its snapshot sees the rows of the transactions the claim waited for.
  // A session's flagged row is its earliest recorded one (the batch's are not inserted yet).
  return read_flagged(db.prepared(
      "UPDATE aibridge_interceptions i SET starts_session = false FROM " +
          std::string(kSessionsOf) +
          ", LATERAL (SELECT p.id FROM aibridge_interceptions p "
          "WHERE p.session_id = c.session_id AND p.initiator_id = c.initiator_id "
          "ORDER BY p.started_at, p.id LIMIT 1) former "
          "WHERE i.id = former.id AND i.starts_session RETURNING " +
          std::string(kFlaggedColumns),
      session_params(moved)));
}

void lock_sessions_of(Connection& db, const std::string& ids) {
  db.prepared(
      "SELECT 1 FROM aibridge_sessions s WHERE (s.session_id, s.initiator_id) IN "
      "(SELECT session_id, initiator_id FROM aibridge_interceptions WHERE id = ANY ($1::uuid[]) "
      "AND session_id IS NOT NULL) ORDER BY s.session_id, s.initiator_id FOR UPDATE OF s",
      Params().add(ids));
}

Result delete_rows(Connection& db, const std::string& ids, std::vector<FlaggedRow>& restarted) {
  Result deleted = db.prepared(
      "DELETE FROM aibridge_interceptions i WHERE i.id = ANY ($1::uuid[]) "
      "RETURNING i.starts_session, aibridge_micros(i.started_at), i.initiator_id::text, "
      "i.provider, i.model, i.client, i.status, i.children, i.session_id, i.id::text",
      Params().add(ids));
  SessionRows lost;  // the sessions that started at a deleted row, with that row
  for (int row = 0; row < deleted.rows(); ++row) {
    if (deleted.view(row, 0) == "t" && !deleted.is_null(row, 8)) {
      lost.add(deleted.text(row, 8), deleted.text(row, 2), deleted.text(row, 9));
    }
  }
  if (lost.empty()) {
    return deleted;
  }
  // Statements of their own, which no longer see the deleted rows.
  restarted = read_flagged(db.prepared(
      "WITH moved AS (UPDATE aibridge_sessions s SET (first_started_at, first_id) = "
      "(SELECT p.started_at, p.id FROM aibridge_interceptions p WHERE p.session_id = s.session_id "
      "AND p.initiator_id = s.initiator_id ORDER BY p.started_at, p.id LIMIT 1) FROM " +
          std::string(kSessionsOf) +
          " WHERE s.session_id = c.session_id AND s.initiator_id = c.initiator_id AND EXISTS "
          "(SELECT 1 FROM aibridge_interceptions p WHERE p.session_id = s.session_id "
          "AND p.initiator_id = s.initiator_id) RETURNING s.first_id) "
          "UPDATE aibridge_interceptions i SET starts_session = true FROM moved m "
          "WHERE i.id = m.first_id RETURNING " +
          std::string(kFlaggedColumns),
      session_params(lost)));
  db.prepared("DELETE FROM aibridge_sessions s USING " + std::string(kSessionsOf) +
                  " WHERE s.session_id = c.session_id AND s.initiator_id = c.initiator_id "
                  "AND s.first_id = c.row_id",
              session_params(lost));
  return deleted;
}

}  // namespace aibridge::recorder::postgres
