#pragma once
// Reading sessions (recorder/query.hpp) back from the SQLite schema: a page of sessions is a page
// of the rows that start one (session_starts.hpp), counted and sought through the rollups'
// session counts as interceptions are through theirs; a session's interceptions are its range of
// aibridge_records_by_session. Not thread-safe.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "recorder/query.hpp"
#include "recorder/sqlite/record_reader.hpp"

namespace aibridge::recorder::sqlite {

class SessionReader {
 public:
  explicit SessionReader(RecordReader& records) : records_(records) {}

  SessionPage list(const SessionQuery& query);
  std::optional<ListedSession> find(std::string_view id,
                                    const std::optional<std::string>& visible_to);

 private:
  /// The position of the first interception of session `id` visible to `visible_to`.
  std::optional<std::int64_t> first_of(std::string_view id,
                                       const std::optional<std::string>& visible_to);
  /// The session whose first interception is at `first`.
  ListedSession load(std::int64_t first);

  RecordReader& records_;
};

}  // namespace aibridge::recorder::sqlite
