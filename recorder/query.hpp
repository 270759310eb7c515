#pragma once
// Reading interceptions back for the admin API (SPEC §6.1, §6.2): filters, the cursor, and a
// page of interceptions with their initiators and children.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "recorder/records.hpp"

namespace aibridge::recorder {

struct InterceptionFilter {
  std::optional<std::string> initiator_id;
  std::optional<std::string> provider;
  std::optional<std::string> model;
  std::optional<std::string> client;
  std::optional<Status> status;
  std::optional<UnixMicros> started_after;   // inclusive
  std::optional<UnixMicros> started_before;  // inclusive
  std::optional<std::string> visible_to;     // members see only their own interceptions

  /// Whether any term other than the time range narrows the match.
  bool has_facet_terms() const {
    return initiator_id || provider || model || client || status || visible_to;
  }
};

/// Where a row sits in the listing order (started_at DESC, id DESC).
struct ListPosition {
  UnixMicros started_at = 0;
  std::string id;
};

struct InterceptionQuery {
  InterceptionFilter filter;
  std::optional<ListPosition> after;  // rows strictly after this one
  std::int64_t offset = 0;
  std::int64_t limit = 100;
};

struct ListedInterception {
  Interception interception;  // with its children, each ordered by (created_at, id)
  User initiator;             // id only (other fields empty) when the user no longer exists
};

struct InterceptionPage {
  std::int64_t count = 0;  // every match of the filter, ignoring the cursor, offset and limit
  std::vector<ListedInterception> rows;
};

// Sessions (SPEC §10): the interceptions one user's client sent with one session id form a
// session; an interception without a session id is a session of its own. A session is listed at
// its first interception (started_at DESC, id DESC of that one), and matches a filter when its
// first interception does: the session's user, client and start, and the provider, model and
// status it started with.
struct SessionQuery {
  InterceptionFilter filter;
  std::optional<std::string> after;  // a session id: the sessions listed after that one
  std::int64_t offset = 0;
  std::int64_t limit = 100;
};

struct ListedSession {
  std::string id;  // the client's session id, or the interception's id when it sent none
  std::vector<ListedInterception> interceptions;  // oldest first
};

struct SessionPage {
  bool cursor_found = true;  // false when `after` names no session the caller can see
  std::int64_t count = 0;    // every session the filter matches
  std::vector<ListedSession> rows;
};

}  // namespace aibridge::recorder
