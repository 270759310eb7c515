#pragma once
// Which interception starts each session (recorder/query.hpp), kept by the writers of any number
// of replicas: aibridge_sessions holds each session's first row, and a writer claims a session
// (new, or started earlier by one of its rows) by upserting its row there, in key order; the row
// lock orders writers of the same session, whichever replica they run in. The flag on the first
// row (starts_session) moves with it, and the rollups' session counts with the flag.
#include <span>
#include <string>
#include <unordered_set>
#include <vector>

#include "recorder/postgres/connection.hpp"
#include "recorder/records.hpp"
#include "recorder/rollups.hpp"

namespace aibridge::recorder::postgres {

/// A row whose session-start flag changed: where its rollups are.
struct FlaggedRow {
  UnixMicros started_at = 0;
  FacetKey facet;
};

/// Sessions by (session id, initiator), with one row of each (its id), column by column.
struct SessionRows {
  std::vector<std::string> session_ids, initiators, row_ids;
  void add(std::string session_id, std::string initiator, std::string row);
  bool empty() const { return session_ids.empty(); }
};

/// A batch's sessions with their first rows, and when those start.
struct SessionFirsts {
  SessionRows rows;
  std::vector<UnixMicros> started_at;
};

/// The first row of each session among the rows `rows` of `batch` (rows without a session id
/// start their own, and are left out).
SessionFirsts firsts_of(std::span<const Interception> batch, const std::vector<std::size_t>& rows);

/// For a batch not yet inserted, whose sessions' first rows are `firsts`: claims the start of
/// each session that is new or that the batch starts earlier, and takes the flag off the rows
/// that started those until now (returned, to be uncounted). `claimed` gets the ids of the
/// batch's rows that now start their session.
std::vector<FlaggedRow> claim_session_starts(Connection& db, const SessionFirsts& firsts,
                                             std::unordered_set<std::string>& claimed);

/// Retention, before it deletes the rows `ids` (a uuid[] literal): locks their sessions, in key
/// order, so that no writer moves their starts meanwhile.
void lock_sessions_of(Connection& db, const std::string& ids);

/// Retention: deletes the rows `ids` (a uuid[] literal), returning of each its starts_session,
/// aibridge_micros(started_at), initiator_id::text, provider, model, client, status and children;
/// a session that started at one of them starts at its earliest row left (those rows returned in
/// `restarted`, to be counted) or, with none left, is forgotten.
Result delete_rows(Connection& db, const std::string& ids, std::vector<FlaggedRow>& restarted);

}  // namespace aibridge::recorder::postgres
