#pragma once
// The persistence interface. One Store instance is one connection: it is not thread-safe and
// lives on one thread (the recorder's writer, one admin-query worker, or a CLI command).
// SQLite implements it today; a PostgreSQL store for multi-replica deployments implements the
// same interface later (SPEC §9).
#include <chrono>
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

namespace aibridge::recorder {

/// A write that broke a uniqueness rule (e.g. a username that is taken).
class ConflictError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Store {
 public:
  virtual ~Store() = default;

  // Identity.
  virtual bool has_users() = 0;
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

  // Settings (small key/value state that must survive restarts).
  virtual std::optional<std::string> get_setting(std::string_view key) = 0;
  virtual void put_setting(std::string_view key, std::string_view value) = 0;

  // Records.
  /// Writes every interception with its children in one transaction.
  virtual void write_interceptions(std::span<const Interception> batch) = 0;
  /// While writing, give the CPU up at least every `interval` (zero: never). On a machine with
  /// few cores a network thread waking to relay bytes would otherwise wait out the writer's
  /// time slice: milliseconds instead of microseconds.
  virtual void yield_cpu_every(std::chrono::microseconds interval) = 0;
  /// Memory the writer's cache holds: it grows with the database up to its configured size, and
  /// an operator (or a leak test) needs to tell it apart from the rest of the process's memory.
  virtual std::size_t cache_bytes() = 0;
  /// Deletes at most `limit` ended interceptions started before `cutoff`, with their children;
  /// returns how many interceptions it deleted.
  virtual std::size_t delete_interceptions_before(UnixMicros cutoff, std::size_t limit) = 0;

  // Admin queries.
  /// The listing position of an ended interception, if it exists and `visible_to` (when set)
  /// initiated it.
  virtual std::optional<ListPosition> interception_position(
      std::string_view id, const std::optional<std::string>& visible_to) = 0;
  /// Only ended interceptions, ordered by started_at DESC, id DESC; children in one query per
  /// kind for the whole page.
  virtual InterceptionPage list_interceptions(const InterceptionQuery& query) = 0;

  /// Cheap round trip proving the store answers (readiness).
  virtual void ping() = 0;
};

struct StoreOptions {
  std::string synchronous = "normal";  // SQLite: off, normal or full
};

/// Opens the store at `location` (a file path = SQLite). `migrate` applies the schema or pending
/// migrations first; only the process that owns the database at start should pass true.
std::unique_ptr<Store> open_store(const std::string& location, const StoreOptions& options,
                                  bool migrate);

}  // namespace aibridge::recorder
