#pragma once
// The persistence interfaces, one per role: the recorder's writer (RecordSink), the admin API's
// reads (RecordQueries), users and tokens (IdentityStore) and small persistent settings
// (SettingsStore). A Store is one connection to a database offering all four; it is not
// thread-safe and lives on one thread (the writer, one store-pool worker, or a CLI command).
// Backends: SQLite (recorder/sqlite/), and PostgreSQL for replicas (recorder/postgres/, SPEC §9).
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "recorder/query.hpp"
#include "recorder/records.hpp"
#include "recorder/rollups.hpp"
#include "recorder/usage.hpp"

namespace aibridge::recorder {

/// A write that broke a uniqueness rule (e.g. a username that is taken).
class ConflictError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// The database cannot be reached (a server down or restarting): nothing was done, and the
/// same call may be tried again later.
class StoreUnavailable : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Where the recorder's writer puts interceptions, and takes them away again (retention).
class RecordSink {
 public:
  virtual ~RecordSink() = default;
  /// Writes every (ended) interception with its children in one transaction.
  virtual void write_interceptions(std::span<const Interception> batch) = 0;
  /// Deletes at most about `limit` interceptions started before `cutoff` (whole seconds at a
  /// time, oldest first), with their children; returns how many it deleted.
  virtual std::size_t delete_interceptions_before(UnixMicros cutoff, std::size_t limit) = 0;
  /// Memory the sink's own cache holds (0 when it keeps none): it grows with the database up to
  /// its configured size, and an operator (or a leak test) must tell it apart from the rest.
  virtual std::size_t cache_bytes() { return 0; }
};

/// The admin API's reads of interceptions.
class RecordQueries {
 public:
  virtual ~RecordQueries() = default;
  /// The listing position of an interception, if it exists and `visible_to` (when set)
  /// initiated it.
  virtual std::optional<ListPosition> interception_position(
      std::string_view id, const std::optional<std::string>& visible_to) = 0;
  /// Ordered by started_at DESC, id DESC, with the exact count of the filter's matches.
  virtual InterceptionPage list_interceptions(const InterceptionQuery& query) = 0;
  /// One interception with its children, if it exists and `visible_to` (when set) initiated it.
  virtual std::optional<ListedInterception> find_interception(
      std::string_view id, const std::optional<std::string>& visible_to) = 0;
  /// Sessions in listing order, with the exact count of the filter's matches.
  virtual SessionPage list_sessions(const SessionQuery& query) = 0;
  /// One session with all its interceptions, if it exists and `visible_to` (when set) initiated
  /// it. A session id two users' clients both sent names the earlier-started of their sessions.
  virtual std::optional<ListedSession> find_session(
      std::string_view id, const std::optional<std::string>& visible_to) = 0;
  /// The distinct values `attribute` has in the recorded interceptions (those `visible_to`
  /// initiated, when set), sorted bytewise.
  virtual std::vector<std::string> recorded_values(
      Attribute attribute, const std::optional<std::string>& visible_to) = 0;
  /// The usage of the interceptions `filter` matches, per facet and UTC day; an open end of the
  /// range stops at the data's first or last day.
  virtual UsageSums usage(const InterceptionFilter& filter) = 0;
};

/// Users and their API tokens.
class IdentityStore {
 public:
  virtual ~IdentityStore() = default;
  /// In one transaction: when no owner exists yet, inserts `owner` (an owner) and its token and
  /// returns true; false when there is an owner already (another process may have just made
  /// one). Throws ConflictError when the owner's username is taken.
  virtual bool insert_first_owner(const User& owner, const ApiToken& token) = 0;
  /// Throws ConflictError when the username is taken (case-insensitively).
  virtual void insert_user(const User& user) = 0;
  virtual std::vector<User> list_users() = 0;
  virtual std::optional<User> find_user_by_username(std::string_view username) = 0;
  virtual std::optional<User> find_user_by_id(std::string_view id) = 0;
  virtual void insert_token(const ApiToken& token) = 0;
  virtual std::optional<TokenWithOwner> find_token(std::string_view token_id) = 0;
  /// All tokens, or those of one user, oldest first.
  virtual std::vector<ApiToken> list_tokens(std::optional<std::string_view> user_id) = 0;
  /// False when no such token exists or it was already revoked.
  virtual bool revoke_token(std::string_view token_id, UnixMicros at) = 0;
  /// Stores last-use times (token id, time), keeping the later of old and new.
  virtual void touch_tokens(std::span<const std::pair<std::string, UnixMicros>> uses) = 0;
};

/// Small key/value state that must survive restarts.
class SettingsStore {
 public:
  virtual ~SettingsStore() = default;
  virtual std::optional<std::string> get_setting(std::string_view key) = 0;
  virtual void put_setting(std::string_view key, std::string_view value) = 0;
};

/// One connection offering every role.
class Store : public RecordSink, public RecordQueries, public IdentityStore, public SettingsStore {
 public:
  /// Cheap round trip proving the database answers (readiness).
  virtual void ping() = 0;
};

struct StoreOptions {
  std::string synchronous = "normal";  // SQLite: off, normal or full
};

/// Whether `location` names a PostgreSQL database (a postgres:// or postgresql:// libpq URI)
/// rather than a SQLite file.
bool is_postgres_location(std::string_view location);

/// `location` as it may be shown in logs and errors: a URI's password replaced by "***".
std::string printable_location(std::string_view location);

/// Opens the store at `location` (a file path = SQLite, a URI = PostgreSQL). `migrate` applies the
/// schema or pending migrations first; only the process that owns the database at start should pass
/// true.
std::unique_ptr<Store> open_store(const std::string& location, const StoreOptions& options,
                                  bool migrate);

/// The recorder writer's connection to an already migrated database, set up for a stream of
/// batches (SQLite: the log is checkpointed on a thread of its own).
std::unique_ptr<RecordSink> open_record_sink(const std::string& location,
                                             const StoreOptions& options);

}  // namespace aibridge::recorder
