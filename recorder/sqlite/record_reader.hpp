#pragma once
// Reading interceptions back from the SQLite schema (version 4 on) for the admin API. A filter's
// equality terms select facets; counts and deep offsets come from the rollups
// (recorder/rollup_reader.hpp) of all facets, of one attribute value's group, or of each matching
// facet; a page is found either by walking the table (kept in listing order) and skipping other
// facets, or by merging the matching facets' own index ranges, whichever reads less. Everything of
// one request is read in one snapshot. Not thread-safe.
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "recorder/query.hpp"
#include "recorder/rollups.hpp"
#include "recorder/sqlite/database.hpp"

namespace aibridge::recorder::sqlite {

class RecordReader {
 public:
  explicit RecordReader(Database& db) : db_(db) {}

  std::optional<ListPosition> position(std::string_view id,
                                       const std::optional<std::string>& visible_to);
  InterceptionPage list(const InterceptionQuery& query);
  std::optional<ListedInterception> find(std::string_view id,
                                         const std::optional<std::string>& visible_to);
  std::vector<std::string> values(Attribute attribute,
                                  const std::optional<std::string>& visible_to);

  /// Prepared statements for `sql`, kept for the life of the connection (at most a few dozen
  /// distinct shapes exist: one per combination of filter terms).
  Statement& statement(const std::string& sql);
  Database& database() { return db_; }

  /// The position (record_position.hpp) of an interception visible to `visible_to` (when set).
  std::optional<std::int64_t> locate(std::string_view id,
                                     const std::optional<std::string>& visible_to);
  /// Which rows a page lists: every interception, or each session's first one
  /// (session_starts.hpp).
  enum class Rows { kInterceptions, kSessionStarts };
  struct PositionPage {
    std::int64_t count = 0;  // every row of the filter, ignoring `below`, offset and limit
    std::vector<std::int64_t> positions;  // in listing order
  };
  /// One page of `rows` matching `filter`: those below position `below` when set (a cursor), else
  /// from `offset` on. Within the caller's read transaction.
  PositionPage page(Rows rows, const InterceptionFilter& filter, std::optional<std::int64_t> below,
                    std::int64_t offset, std::int64_t limit);
  /// The rows at `positions`, in that order, with their initiators and children.
  void load_rows(const std::vector<std::int64_t>& positions, std::vector<ListedInterception>& out);

 private:
  Database& db_;
  std::unordered_map<std::string, Statement> statements_;
};

}  // namespace aibridge::recorder::sqlite
