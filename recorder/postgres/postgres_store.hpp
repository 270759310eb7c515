#pragma once
// The PostgreSQL backend (SPEC §9): one libpq connection per Store, the schema of
// schema-postgres.sql. Any number of gateway processes may share the database: nothing here
// keeps state another process would need. A lost server is StoreUnavailable, and the next call
// connects again.
#include <optional>
#include <string>

#include "recorder/postgres/connection.hpp"
#include "recorder/postgres/copy_rows.hpp"
#include "recorder/postgres/rollups.hpp"
#include "recorder/store.hpp"

namespace aibridge::recorder::postgres {

class PostgresStore final : public Store {
 public:
  /// Connects to `uri`; `migrate` applies pending migrations first (under an advisory lock, so
  /// replicas starting together apply each once).
  PostgresStore(const std::string& uri, bool migrate);

  bool insert_first_owner(const User& owner, const ApiToken& token) override;
  void insert_user(const User& user) override;
  std::vector<User> list_users() override;
  std::optional<User> find_user_by_username(std::string_view username) override;
  std::optional<User> find_user_by_id(std::string_view id) override;
  void insert_token(const ApiToken& token) override;
  std::optional<TokenWithOwner> find_token(std::string_view token_id) override;
  std::vector<ApiToken> list_tokens(std::optional<std::string_view> user_id) override;
  bool revoke_token(std::string_view token_id, UnixMicros at) override;
  void touch_tokens(std::span<const std::pair<std::string, UnixMicros>> uses) override;

  std::optional<std::string> get_setting(std::string_view key) override;
  void put_setting(std::string_view key, std::string_view value) override;

  void write_interceptions(std::span<const Interception> batch) override;
  std::size_t delete_interceptions_before(UnixMicros cutoff, std::size_t limit) override;

  std::optional<ListPosition> interception_position(
      std::string_view id, const std::optional<std::string>& visible_to) override;
  InterceptionPage list_interceptions(const InterceptionQuery& query) override;
  UsageSums usage(const InterceptionFilter& filter) override;
  SessionPage list_sessions(const SessionQuery& query) override;
  std::optional<ListedSession> find_session(std::string_view id,
                                            const std::optional<std::string>& visible_to) override;
  std::vector<std::string> recorded_values(Attribute attribute,
                                           const std::optional<std::string>& visible_to) override;
  std::optional<ListedInterception> find_interception(
      std::string_view id, const std::optional<std::string>& visible_to) override;

  void ping() override;

 private:
  /// The connection, made again first when the last one was lost.
  Connection& connected();
  /// Runs `work` on the connection; a lost or unreachable server becomes StoreUnavailable (the
  /// next call connects again), every other error stays as it is.
  template <class Work>
  auto guarded(Work&& work) {
    try {
      return work(connected());
    } catch (const Error& e) {
      if (!e.is_connection_lost()) {
        throw;
      }
      db_.reset();
      throw StoreUnavailable(e.what());
    }
  }

  void insert_user_on(Connection& db, const User& user);
  void insert_token_on(Connection& db, const ApiToken& token);
  /// Writes the rows of `batch`; when `probe`, only those not written yet.
  void write_rows(Connection& db, std::span<const Interception> batch, bool probe);
  std::size_t delete_rows_before(Connection& db, UnixMicros cutoff, std::size_t limit);
  /// A page of the interceptions, or of those that start a session, that `query` matches.
  InterceptionPage list_in_snapshot(Connection& db, const InterceptionQuery& query,
                                    Counted listed = Counted::kInterceptions);

  const std::string uri_;
  std::optional<Connection> db_;  // nullopt after the server was lost
  FacetDirectory facets_;
  CopyRows copy_rows_;  // the writer's COPY data, its capacity kept from batch to batch
  std::string children_;
};

/// Applies the migrations this binary knows that the database lacks; refuses a database newer
/// than the binary.
void migrate(Connection& db);

}  // namespace aibridge::recorder::postgres
