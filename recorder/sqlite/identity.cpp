// SqliteStore: opening, users, tokens and settings.
#include "recorder/sqlite/migrations.hpp"
#include "recorder/sqlite/sqlite_store.hpp"

namespace aibridge::recorder {
namespace {

constexpr std::string_view kUserColumns = "id, username, name, email, avatar_url, role, created_at";

using sqlite::SqliteStore;

User read_user(const sqlite::Statement& row, int first) {
  User user;
  user.id = row.text(first);
  user.username = row.text(first + 1);
  user.name = row.text(first + 2);
  user.email = row.text(first + 3);
  user.avatar_url = row.text(first + 4);
  user.role = parse_role(row.text(first + 5)).value_or(Role::kMember);
  user.created_at = row.int64(first + 6);
  return user;
}

ApiToken read_token(const sqlite::Statement& row) {
  ApiToken token;
  token.id = row.text(0);
  token.user_id = row.text(1);
  token.secret_hash = row.blob(2);
  token.created_at = row.int64(3);
  token.expires_at = row.optional_int64(4);
  token.last_used_at = row.optional_int64(5);
  token.revoked_at = row.optional_int64(6);
  return token;
}

constexpr std::string_view kTokenColumns =
    "t.id, t.user_id, t.secret_hash, t.created_at, t.expires_at, t.last_used_at, t.revoked_at";

}  // namespace

namespace sqlite {

SqliteStore::SqliteStore(const std::string& path, const StoreOptions& options, bool migrate)
    : path_(path), db_(path, /*create=*/migrate) {
  db_.exec("PRAGMA page_size = " + std::to_string(kPageSize));  // new databases only
  db_.exec("PRAGMA journal_mode = WAL");
  db_.exec("PRAGMA synchronous = " + options.synchronous);
  db_.exec("PRAGMA cache_size = -65536");  // 64 MiB of pages per connection
  // Statement journals and the sorters of admin queries stay in memory.
  db_.exec("PRAGMA temp_store = MEMORY");
  if (migrate) {
    sqlite::migrate(db_);
  }
}

void SqliteStore::serve_as_record_sink() {
  // The writer touches the newest pages only, and SQLite's page cache walks its whole hash table
  // when a write transaction ends: with 64 MiB that walk was a fifth of the writer's time (perf).
  db_.exec("PRAGMA cache_size = -8192");
  // A checkpoint every 256 frames (4 MiB of 16 KiB pages); past 64 MiB the log starts over.
  constexpr int kFramesPerCheckpoint = 256;
  constexpr int kMaxFrames = 4096;
  checkpointer_ = std::make_unique<Checkpointer>(path_, kFramesPerCheckpoint, kMaxFrames);
  db_.on_commit([checkpointer = checkpointer_.get()](int frames) {
    checkpointer->log_grew_to(frames);
  });
}

Statement& SqliteStore::cached(std::optional<Statement>& slot,
                                       std::string_view sql) {
  if (!slot) {
    slot.emplace(db_.prepare(sql));
  }
  return slot->reset();
}

bool SqliteStore::insert_first_owner(const User& owner, const ApiToken& token) {
  // BEGIN IMMEDIATE: of processes starting together on one database, one looks and inserts
  // while the others wait, then see its owner.
  sqlite::Transaction transaction(db_);
  auto owners = db_.prepare("SELECT EXISTS (SELECT 1 FROM users WHERE role = 'owner')");
  owners.step();
  if (owners.int64(0) != 0) {
    return false;
  }
  owners.reset();
  insert_user(owner);
  insert_token(token);
  transaction.commit();
  return true;
}

void SqliteStore::insert_user(const User& user) {
  auto statement = db_.prepare(
      "INSERT INTO users (id, username, name, email, avatar_url, role, created_at) "
      "VALUES (?, ?, ?, ?, ?, ?, ?)");
  statement.bind(1, user.id)
      .bind(2, user.username)
      .bind(3, user.name)
      .bind(4, user.email)
      .bind(5, user.avatar_url)
      .bind(6, role_name(user.role))
      .bind(7, user.created_at);
  try {
    statement.run();
  } catch (const sqlite::Error& e) {
    if (e.is_conflict()) {
      throw ConflictError("a user named \"" + user.username + "\" already exists");
    }
    throw;
  }
}

std::vector<User> SqliteStore::list_users() {
  auto statement = db_.prepare("SELECT " + std::string(kUserColumns) +
                               " FROM users ORDER BY created_at, username");
  std::vector<User> users;
  while (statement.step()) {
    users.push_back(read_user(statement, 0));
  }
  return users;
}

std::optional<User> SqliteStore::find_user(std::string_view where, std::string_view key) {
  auto statement = db_.prepare("SELECT " + std::string(kUserColumns) + " FROM users WHERE " +
                               std::string(where));
  statement.bind(1, key);
  if (!statement.step()) {
    return std::nullopt;
  }
  return read_user(statement, 0);
}

std::optional<User> SqliteStore::find_user_by_username(std::string_view username) {
  return find_user("username = ?1", username);  // the column's NOCASE collation applies
}

std::optional<User> SqliteStore::find_user_by_id(std::string_view id) {
  return find_user("id = ?1", id);
}

void SqliteStore::insert_token(const ApiToken& token) {
  auto statement = db_.prepare(
      "INSERT INTO api_tokens (id, user_id, secret_hash, created_at, expires_at) "
      "VALUES (?, ?, ?, ?, ?)");
  statement.bind(1, token.id)
      .bind(2, token.user_id)
      .bind_blob(3, token.secret_hash)
      .bind(4, token.created_at)
      .bind(5, token.expires_at);
  statement.run();
}

std::optional<TokenWithOwner> SqliteStore::find_token(std::string_view token_id) {
  auto& statement = cached(find_token_, "SELECT " + std::string(kTokenColumns) +
                                            ", u.id, u.username, u.name, u.email, u.avatar_url, "
                                            "u.role, u.created_at "
                                            "FROM api_tokens t JOIN users u ON u.id = t.user_id "
                                            "WHERE t.id = ?1");
  statement.bind(1, token_id);
  std::optional<TokenWithOwner> found;
  if (statement.step()) {
    found = TokenWithOwner{read_token(statement), read_user(statement, 7)};
  }
  statement.reset();  // an unfinished statement would keep its read snapshot (and the WAL) open
  return found;
}

std::vector<ApiToken> SqliteStore::list_tokens(std::optional<std::string_view> user_id) {
  auto statement = db_.prepare("SELECT " + std::string(kTokenColumns) +
                               " FROM api_tokens t WHERE ?1 IS NULL OR t.user_id = ?1 "
                               "ORDER BY t.created_at, t.id");
  if (user_id) {
    statement.bind(1, *user_id);
  }
  std::vector<ApiToken> tokens;
  while (statement.step()) {
    tokens.push_back(read_token(statement));
  }
  return tokens;
}

bool SqliteStore::revoke_token(std::string_view token_id, UnixMicros at) {
  auto statement =
      db_.prepare("UPDATE api_tokens SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL");
  statement.bind(1, token_id).bind(2, at);
  statement.run();
  return db_.changes() == 1;
}

void SqliteStore::touch_tokens(std::span<const std::pair<std::string, UnixMicros>> uses) {
  sqlite::Transaction transaction(db_);
  for (const auto& [id, at] : uses) {
    auto& statement = cached(touch_token_,
                             "UPDATE api_tokens SET last_used_at = ?2 WHERE id = ?1 AND "
                             "(last_used_at IS NULL OR last_used_at < ?2)");
    statement.bind(1, id).bind(2, at);
    statement.run();
  }
  transaction.commit();
}

std::optional<std::string> SqliteStore::get_setting(std::string_view key) {
  auto statement = db_.prepare("SELECT value FROM settings WHERE key = ?1");
  statement.bind(1, key);
  if (!statement.step()) {
    return std::nullopt;
  }
  return statement.text(0);
}

void SqliteStore::put_setting(std::string_view key, std::string_view value) {
  auto statement = db_.prepare(
      "INSERT INTO settings (key, value) VALUES (?1, ?2) "
      "ON CONFLICT (key) DO UPDATE SET value = excluded.value");
  statement.bind(1, key).bind(2, value);
  statement.run();
}

void SqliteStore::ping() {
  auto statement = db_.prepare("SELECT 1");
  statement.step();
}

}  // namespace sqlite
}  // namespace aibridge::recorder
