#pragma once
// Which interception starts each session (recorder/query.hpp), kept by the writers of any number
// of replicas: aibridge_sessions holds each session's first row, and a writer claims a session
// (new, or started earlier by one of its rows) by upserting its row there, in key order; the row
// lock orders writers of the same session, whichever replica they run in. The flag on the first
// row (starts_session) moves with it, and the rollups' session counts with the flag.
//
// Within one transaction, the sessions whose start changes are staged in the temporary table
// aibridge_changed_sessions (session_id, initiator_id, first_id).
#include <vector>

#include "recorder/postgres/connection.hpp"
#include "recorder/rollups.hpp"

namespace aibridge::recorder::postgres {

/// A row whose session-start flag changed: where its rollups are.
struct FlaggedRow {
  UnixMicros started_at = 0;
  FacetKey facet;
};

/// Creates the staging tables of this connection, when they are not there yet: aibridge_incoming
/// (a batch's rows, as COPY writes them) and aibridge_changed_sessions.
void stage_tables(Connection& db);

/// For the batch in aibridge_incoming: claims the start of each session that is new or that the
/// batch starts earlier, and takes the flag off the rows that started those until now (returned,
/// to be uncounted). Then kIncomingStartsSession tells each incoming row's flag.
std::vector<FlaggedRow> claim_session_starts(Connection& db);

/// The starts_session value of incoming row n, once claim_session_starts() has run (or when the
/// batch has no session ids).
extern const std::string_view kIncomingStartsSession;

/// Retention, before it deletes the rows `ids` (a uuid[] literal): locks their sessions, in key
/// order, so that no writer moves their starts meanwhile.
void lock_sessions_of(Connection& db, const std::string& ids);

/// Retention: deletes the rows `ids` (a uuid[] literal), returning of each its starts_session,
/// aibridge_micros(started_at), initiator_id::text, provider, model, client, status and children;
/// a session that started at one of them starts at its earliest row left (those rows returned in
/// `restarted`, to be counted) or, with none left, is forgotten.
Result delete_rows(Connection& db, const std::string& ids, std::vector<FlaggedRow>& restarted);

}  // namespace aibridge::recorder::postgres
