#pragma once
// The SQLite backend (the default, SPEC §5.2): one connection, WAL mode, 64 KiB pages, the
// schema of schema.sql. The writer connection leaves checkpoints to a Checkpointer thread so that
// copying the log into the database never stalls a batch.
#include <optional>

#include "recorder/sqlite/checkpointer.hpp"
#include "recorder/sqlite/database.hpp"
#include "recorder/sqlite/record_reader.hpp"
#include "recorder/sqlite/record_writer.hpp"
#include "recorder/sqlite/session_reader.hpp"
#include "recorder/store.hpp"

namespace aibridge::recorder::sqlite {

class SqliteStore final : public Store {
 public:
  SqliteStore(const std::string& path, const StoreOptions& options, bool migrate);

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

  void write_interceptions(std::span<const Interception> batch) override { writer_.write(batch); }
  std::size_t delete_interceptions_before(UnixMicros cutoff, std::size_t limit) override {
    return writer_.delete_before(cutoff, limit);
  }
  std::size_t cache_bytes() override { return db_.cache_bytes(); }

  std::optional<ListPosition> interception_position(
      std::string_view id, const std::optional<std::string>& visible_to) override {
    return reader_.position(id, visible_to);
  }
  InterceptionPage list_interceptions(const InterceptionQuery& query) override {
    return reader_.list(query);
  }
  std::optional<ListedInterception> find_interception(
      std::string_view id, const std::optional<std::string>& visible_to) override {
    return reader_.find(id, visible_to);
  }
  SessionPage list_sessions(const SessionQuery& query) override { return sessions_.list(query); }
  std::optional<ListedSession> find_session(std::string_view id,
                                            const std::optional<std::string>& visible_to) override {
    return sessions_.find(id, visible_to);
  }
  std::vector<std::string> recorded_values(Attribute attribute,
                                           const std::optional<std::string>& visible_to) override {
    return reader_.values(attribute, visible_to);
  }
  UsageSums usage(const InterceptionFilter& filter) override;

  void ping() override;

  /// Sets the connection up as the recorder's writer: the log is copied into the database by a
  /// Checkpointer thread instead of by this connection's commits, and the page cache is small.
  void serve_as_record_sink();

 private:
  std::optional<User> find_user(std::string_view where, std::string_view key);
  Statement& cached(std::optional<Statement>& slot, std::string_view sql);

  const std::string path_;
  Database db_;
  std::unique_ptr<Checkpointer> checkpointer_;  // set by serve_as_record_sink()
  RecordWriter writer_{db_};
  RecordReader reader_{db_};
  SessionReader sessions_{reader_};
  std::optional<Statement> find_token_;
  std::optional<Statement> touch_token_;
};

/// Bytes per database page for new databases: large pages make the writer's appends cheaper
/// (fewer page splits and log frames per row).
inline constexpr int kPageSize = 16384;

}  // namespace aibridge::recorder::sqlite
