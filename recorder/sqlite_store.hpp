#pragma once
#include <optional>

#include "recorder/sqlite.hpp"
#include "recorder/store.hpp"

namespace aibridge::recorder {

class SqliteStore final : public Store {
 public:
  SqliteStore(const std::string& path, const StoreOptions& options, bool migrate);

  bool has_users() override;
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
  void yield_cpu_every(std::chrono::microseconds interval) override {
    db_.yield_cpu_every(interval);
  }
  std::size_t cache_bytes() override { return db_.cache_bytes(); }
  std::size_t delete_interceptions_before(UnixMicros cutoff, std::size_t limit) override;

  std::optional<ListPosition> interception_position(
      std::string_view id, const std::optional<std::string>& visible_to) override;
  InterceptionPage list_interceptions(const InterceptionQuery& query) override;

  void ping() override;

 private:
  /// Prepares `sql` into `slot` on first use; statements live as long as the store.
  sqlite::Statement& cached(std::optional<sqlite::Statement>& slot, std::string_view sql);
  std::optional<User> find_user(std::string_view sql, std::string_view key);
  void load_children(std::vector<ListedInterception>& rows);
  std::int64_t count_interceptions(const InterceptionFilter& filter);
  /// Adds the batch's ended interceptions to the count tables (schema version 3).
  void add_to_counts(std::span<const Interception> batch);

  sqlite::Database db_;
  // Prepared statements for the writer's hot path (one slot per statement).
  std::optional<sqlite::Statement> insert_interception_;
  std::optional<sqlite::Statement> insert_token_usage_;
  std::optional<sqlite::Statement> insert_user_prompt_;
  std::optional<sqlite::Statement> insert_tool_usage_;
  std::optional<sqlite::Statement> insert_model_thought_;
  std::optional<sqlite::Statement> add_hourly_count_;
  std::optional<sqlite::Statement> add_count_;
  std::optional<sqlite::Statement> find_token_;
  std::optional<sqlite::Statement> touch_token_;
};

}  // namespace aibridge::recorder
