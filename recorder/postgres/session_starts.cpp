#include "recorder/postgres/session_starts.hpp"

#include <string>

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

}  // namespace

const std::string_view kIncomingStartsSession =
    "(n.session_id IS NULL OR n.id IN (SELECT first_id FROM aibridge_changed_sessions))";

void stage_tables(Connection& db) {
  // INCLUDING DEFAULTS: COPY leaves out starts_session, which the INSERT computes.
  db.exec(
      "CREATE TEMP TABLE IF NOT EXISTS aibridge_incoming (LIKE aibridge_interceptions "
      "INCLUDING DEFAULTS) ON COMMIT DELETE ROWS; "
      "CREATE TEMP TABLE IF NOT EXISTS aibridge_changed_sessions (session_id text NOT NULL, "
      "initiator_id uuid NOT NULL, first_id uuid NOT NULL) ON COMMIT DELETE ROWS");
}

std::vector<FlaggedRow> claim_session_starts(Connection& db) {
  // In key order, so that writers claiming the same sessions lock them in the same order. A
  // claim waits for another transaction's claim of the same session, then compares with it.
  db.prepared(
      "WITH firsts AS (SELECT DISTINCT ON (session_id, initiator_id) session_id, initiator_id, "
      "started_at, id FROM aibridge_incoming WHERE session_id IS NOT NULL "
      "ORDER BY session_id, initiator_id, started_at, id), "
      "claimed AS (INSERT INTO aibridge_sessions AS s (session_id, initiator_id, "
      "first_started_at, first_id) SELECT * FROM firsts ORDER BY session_id, initiator_id "
      "ON CONFLICT (session_id, initiator_id) DO UPDATE SET "
      "first_started_at = excluded.first_started_at, first_id = excluded.first_id "
      "WHERE (excluded.first_started_at, excluded.first_id) < (s.first_started_at, s.first_id) "
      "RETURNING s.session_id, s.initiator_id, s.first_id) "
      "INSERT INTO aibridge_changed_sessions SELECT * FROM claimed");
  // A statement of its own: its snapshot sees the rows of the transactions the claim waited for.
  // A session's flagged row is its earliest recorded one (the batch's are not inserted yet).
  return read_flagged(db.prepared(
      "UPDATE aibridge_interceptions i SET starts_session = false "
      "FROM aibridge_changed_sessions c, LATERAL (SELECT p.id FROM aibridge_interceptions p "
      "WHERE p.session_id = c.session_id AND p.initiator_id = c.initiator_id "
      "ORDER BY p.started_at, p.id LIMIT 1) former "
      "WHERE i.id = former.id AND i.starts_session RETURNING " +
      std::string(kFlaggedColumns)));
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
      "WITH gone AS (DELETE FROM aibridge_interceptions i WHERE i.id = ANY ($1::uuid[]) "
      "RETURNING i.starts_session, aibridge_micros(i.started_at) AS started, "
      "i.initiator_id::text AS initiator, i.provider, i.model, i.client, i.status, i.children, "
      "i.session_id, i.initiator_id, i.id), "
      "lost AS (INSERT INTO aibridge_changed_sessions SELECT session_id, initiator_id, id "
      "FROM gone WHERE starts_session AND session_id IS NOT NULL) "
      "SELECT starts_session, started, initiator, provider, model, client, status, children "
      "FROM gone",
      Params().add(ids));
  // Statements of their own, which no longer see the deleted rows.
  restarted = read_flagged(db.prepared(
      "WITH moved AS (UPDATE aibridge_sessions s SET (first_started_at, first_id) = "
      "(SELECT p.started_at, p.id FROM aibridge_interceptions p WHERE p.session_id = s.session_id "
      "AND p.initiator_id = s.initiator_id ORDER BY p.started_at, p.id LIMIT 1) "
      "FROM aibridge_changed_sessions c WHERE s.session_id = c.session_id AND "
      "s.initiator_id = c.initiator_id AND EXISTS (SELECT 1 FROM aibridge_interceptions p "
      "WHERE p.session_id = s.session_id AND p.initiator_id = s.initiator_id) "
      "RETURNING s.first_id) "
      "UPDATE aibridge_interceptions i SET starts_session = true FROM moved m "
      "WHERE i.id = m.first_id RETURNING " +
      std::string(kFlaggedColumns)));
  db.prepared(
      "DELETE FROM aibridge_sessions s USING aibridge_changed_sessions c "
      "WHERE s.session_id = c.session_id AND s.initiator_id = c.initiator_id "
      "AND s.first_id = c.first_id");
  return deleted;
}

}  // namespace aibridge::recorder::postgres
