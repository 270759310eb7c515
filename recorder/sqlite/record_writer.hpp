#pragma once
// Writing interceptions into the SQLite schema (version 4 on): one row each in aibridge_records
// at its listing position (record_position.hpp), the facet it belongs to in aibridge_facets (and
// its attribute values in aibridge_facet_groups), and the batch's rollups aggregated into one
// upsert per (level, facet or group, bucket). Used by the store's
// writer connection and by the migration that copies older databases. Not thread-safe.
#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "recorder/rollups.hpp"
#include "recorder/sqlite/database.hpp"
#include "recorder/sqlite/record_position.hpp"

namespace aibridge::recorder::sqlite {

class RecordWriter {
 public:
  /// kNotYet: for the migration that copies rows into schema version 4, whose rollups have no
  /// session counts until version 6 adds and fills them.
  enum class SessionCounts { kKept, kNotYet };
  explicit RecordWriter(Database& db, SessionCounts sessions = SessionCounts::kKept)
      : db_(db), sessions_(sessions) {}

  /// Writes the batch in one transaction of its own.
  void write(std::span<const Interception> batch);
  /// Writes the batch into the transaction the caller has open.
  void write_rows(std::span<const Interception> batch);
  /// Retention: deletes up to `limit` of the oldest interceptions started before `cutoff`, and
  /// takes them out of the rollups, in one transaction. Returns how many it deleted.
  std::size_t delete_before(UnixMicros cutoff, std::size_t limit);
  /// The migration to schema version 6: counts the sessions already recorded in the rollups.
  void count_recorded_sessions();

 private:
  std::size_t delete_rows_before(UnixMicros cutoff, std::size_t limit);
  // Facets are looked up by the record's own strings, without copying them.
  struct FacetView {
    std::string_view initiator_id, provider, model, client;
    Status status;
  };
  struct FacetHash {
    using is_transparent = void;
    std::size_t operator()(const FacetView& key) const;
    std::size_t operator()(const FacetKey& key) const;
  };
  struct FacetEqual {
    using is_transparent = void;
    template <class A, class B>
    bool operator()(const A& a, const B& b) const {
      return a.status == b.status && a.initiator_id == b.initiator_id && a.provider == b.provider &&
             a.model == b.model && a.client == b.client;
    }
  };
  using FacetTargets = std::unordered_map<FacetKey, RollupTargets, FacetHash, FacetEqual>;

  /// The record's facet and groups, created when new.
  const RollupTargets& targets_for(const FacetView& view);
  std::int64_t group_id(Attribute attribute, std::string_view value);
  /// Forgets the ids of facets and groups, after a transaction that may have made some failed.
  void forget_ids();
  /// A free listing position for `record` (16-byte `id`), spreading its microsecond's group when
  /// it is full. `look`: check the database even where recent_ knows there is no group.
  std::int64_t position_for(const Interception& record, const std::string& id, bool look);
  /// Inserts the row (its children already encoded into children_).
  void insert_row(const Interception& record, const std::string& id, std::int64_t facet,
                  std::int64_t position, bool starts_session);
  // A session's earliest rows: where they are and the facet each counts in.
  struct SessionStart {
    std::int64_t position = 0;
    FacetKey facet;
  };
  std::vector<SessionStart> session_starts(std::string_view session_id,
                                           std::string_view initiator_id, std::int64_t limit);
  // Whether a row of `record` at `position` starts its session, and the row that started it
  // until then when this one comes first.
  struct SessionPlace {
    bool starts = true;
    std::optional<SessionStart> former;
  };
  SessionPlace place_in_session(const Interception& record, std::int64_t position);
  void remember_session_first(std::string key, UnixMicros started_at);
  /// Flags `row` as its session's start, or no longer, and moves the session's count with it.
  void mark_session_start(const SessionStart& row, bool starts, RollupDelta& delta);
  void apply(const RollupDelta& delta, bool drop_empty);
  /// The upsert of `rows` rollups at once (a power of two up to kRollupsPerStatement).
  Statement& upsert_rollups(std::size_t rows);
  Statement& cached(std::optional<Statement>& slot, std::string_view sql);

  Database& db_;
  const SessionCounts sessions_;
  // Ids known to be in the database (or in the open transaction): facets by key, groups by
  // attribute and value.
  FacetTargets facets_;
  std::array<std::unordered_map<std::string, std::int64_t>, kAttributes> groups_;
  // When each session ("initiator\nsession id") this writer has written starts: a row in it
  // that starts in a later microsecond does not start it. Cleared with the ids, and before
  // retention (which may delete a first).
  std::unordered_map<std::string, UnixMicros> session_firsts_;
  static constexpr std::size_t kSessionFirstsKept = 100'000;
  std::optional<RecentStarts> recent_;  // set up on the first write
  std::string children_;                // the encoding buffer, reused row after row
  std::optional<Statement> insert_record_;
  std::optional<Statement> same_microsecond_;
  std::optional<Statement> insert_record_id_;
  std::optional<Statement> find_facet_;
  std::optional<Statement> insert_facet_;
  std::optional<Statement> find_group_;
  std::optional<Statement> insert_group_;
  std::optional<Statement> session_starts_;
  std::optional<Statement> mark_session_start_;
  static constexpr std::size_t kRollupsPerStatement = 64;
  std::array<std::optional<Statement>, 7> upsert_rollups_;  // by log2 of the rows
  std::optional<Statement> drop_empty_rollup_;
};

}  // namespace aibridge::recorder::sqlite
