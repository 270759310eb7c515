// PostgresStore: connecting, users, tokens and settings.
#include "core/ids.hpp"
#include "recorder/postgres/postgres_store.hpp"

namespace aibridge::recorder::postgres {
namespace {

constexpr std::string_view kUserColumns =
    "u.id::text, u.username, u.name, u.email, u.avatar_url, u.role, aibridge_micros(u.created_at)";
constexpr std::string_view kTokenColumns =
    "t.id, t.user_id::text, t.secret_hash, aibridge_micros(t.created_at), "
    "aibridge_micros(t.expires_at), aibridge_micros(t.last_used_at), "
    "aibridge_micros(t.revoked_at)";

User read_user(const Result& rows, int row, int first) {
  User user;
  user.id = rows.text(row, first);
  user.username = rows.text(row, first + 1);
  user.name = rows.text(row, first + 2);
  user.email = rows.text(row, first + 3);
  user.avatar_url = rows.text(row, first + 4);
  user.role = parse_role(rows.view(row, first + 5)).value_or(Role::kMember);
  user.created_at = rows.int64(row, first + 6);
  return user;
}

ApiToken read_token(const Result& rows, int row) {
  ApiToken token;
  token.id = rows.text(row, 0);
  token.user_id = rows.text(row, 1);
  token.secret_hash = rows.bytes(row, 2);
  token.created_at = rows.int64(row, 3);
  token.expires_at = rows.optional_int64(row, 4);
  token.last_used_at = rows.optional_int64(row, 5);
  token.revoked_at = rows.optional_int64(row, 6);
  return token;
}

}  // namespace

PostgresStore::PostgresStore(const std::string& uri, bool migrate_first) : uri_(uri) {
  guarded([&](Connection& db) {
    if (migrate_first) {
      migrate(db);
    }
  });
}

Connection& PostgresStore::connected() {
  if (db_ && !db_->ok()) {
    db_.reset();
  }
  if (!db_) {
    db_.emplace(uri_);
  }
  return *db_;
}

bool PostgresStore::insert_first_owner(const User& owner, const ApiToken& token) {
  return guarded([&](Connection& db) -> bool {
    // Of processes starting together, one takes the lock and inserts; the others wait for its
    // commit and then see its owner.
    Transaction transaction(db);
    db.exec("LOCK TABLE users IN SHARE ROW EXCLUSIVE MODE");
    if (db.query("SELECT 1 FROM users WHERE role = 'owner' LIMIT 1").rows() > 0) {
      return false;
    }
    insert_user_on(db, owner);
    insert_token_on(db, token);
    transaction.commit();
    return true;
  });
}

void PostgresStore::insert_user(const User& user) {
  guarded([&](Connection& db) { insert_user_on(db, user); });
}

void PostgresStore::insert_user_on(Connection& db, const User& user) {
  try {
    // Names are checked by the CLI; the other fields are whatever was given, kept as text can.
    db.prepared(
        "INSERT INTO users (id, username, name, email, avatar_url, role, created_at) "
        "VALUES ($1, $2, $3, $4, $5, $6, aibridge_at($7))",
        Params()
            .add(user.id)
            .add(valid_text(user.username))
            .add(valid_text(user.name))
            .add(valid_text(user.email))
            .add(valid_text(user.avatar_url))
            .add(role_name(user.role))
            .add(user.created_at));
  } catch (const Error& e) {
    if (e.is_conflict()) {
      throw ConflictError("a user named \"" + user.username + "\" already exists");
    }
    throw;
  }
}

std::vector<User> PostgresStore::list_users() {
  return guarded([&](Connection& db) -> std::vector<User> {
    const Result rows = db.prepared("SELECT " + std::string(kUserColumns) +
                                    " FROM users u ORDER BY u.created_at, u.username");
    std::vector<User> users;
    for (int row = 0; row < rows.rows(); ++row) {
      users.push_back(read_user(rows, row, 0));
    }
    return users;
  });
}

std::optional<User> PostgresStore::find_user_by_username(std::string_view username) {
  return guarded([&](Connection& db) -> std::optional<User> {
    if (!is_valid_text(username)) {
      return std::nullopt;  // no name holds a NUL or invalid UTF-8 (and "a\0b" must not be "a")
    }
    const Result rows = db.prepared(
        "SELECT " + std::string(kUserColumns) + " FROM users u WHERE lower(u.username) = lower($1)",
        Params().add(username));
    if (rows.rows() == 0) {
      return std::nullopt;
    }
    return read_user(rows, 0, 0);
  });
}

std::optional<User> PostgresStore::find_user_by_id(std::string_view id) {
  return guarded([&](Connection& db) -> std::optional<User> {
    if (!is_uuid(id)) {
      return std::nullopt;
    }
    const Result rows = db.prepared(
        "SELECT " + std::string(kUserColumns) + " FROM users u WHERE u.id = $1", Params().add(id));
    if (rows.rows() == 0) {
      return std::nullopt;
    }
    return read_user(rows, 0, 0);
  });
}

void PostgresStore::insert_token(const ApiToken& token) {
  guarded([&](Connection& db) { insert_token_on(db, token); });
}

void PostgresStore::insert_token_on(Connection& db, const ApiToken& token) {
  db.prepared(
      "INSERT INTO api_tokens (id, user_id, secret_hash, created_at, expires_at) "
      "VALUES ($1, $2, $3, aibridge_at($4), aibridge_at($5))",
      Params()
          .add(token.id)
          .add(token.user_id)
          .add_bytes(token.secret_hash)
          .add(token.created_at)
          .add(token.expires_at));
}

std::optional<TokenWithOwner> PostgresStore::find_token(std::string_view token_id) {
  return guarded([&](Connection& db) -> std::optional<TokenWithOwner> {
    const Result rows =
        db.prepared("SELECT " + std::string(kTokenColumns) + ", " + std::string(kUserColumns) +
                        " FROM api_tokens t JOIN users u ON u.id = t.user_id "
                        "WHERE t.id = $1",
                    Params().add(token_id));
    if (rows.rows() == 0) {
      return std::nullopt;
    }
    return TokenWithOwner{read_token(rows, 0), read_user(rows, 0, 7)};
  });
}

std::vector<ApiToken> PostgresStore::list_tokens(std::optional<std::string_view> user_id) {
  return guarded([&](Connection& db) -> std::vector<ApiToken> {
    if (user_id && !is_uuid(*user_id)) {
      return {};
    }
    const Result rows = db.prepared(
        "SELECT " + std::string(kTokenColumns) +
            " FROM api_tokens t WHERE $1::uuid IS NULL OR t.user_id = $1::uuid "
            "ORDER BY t.created_at, t.id",
        Params().add(user_id ? std::optional<std::string>(std::string(*user_id)) : std::nullopt));
    std::vector<ApiToken> tokens;
    for (int row = 0; row < rows.rows(); ++row) {
      tokens.push_back(read_token(rows, row));
    }
    return tokens;
  });
}

bool PostgresStore::revoke_token(std::string_view token_id, UnixMicros at) {
  return guarded([&](Connection& db) -> bool {
    return db.prepared(
                 "UPDATE api_tokens SET revoked_at = aibridge_at($2) "
                 "WHERE id = $1 AND revoked_at IS NULL",
                 Params().add(token_id).add(at))
               .affected() == 1;
  });
}

void PostgresStore::touch_tokens(std::span<const std::pair<std::string, UnixMicros>> uses) {
  return guarded([&](Connection& db) -> void {
    // One statement for the whole set: two arrays unnested side by side.
    std::string ids = "{";
    std::string times = "{";
    for (const auto& [id, at] : uses) {
      if (ids.size() > 1) {
        ids += ',';
        times += ',';
      }
      ids += '"';
      for (const char c : id) {
        if (c == '"' || c == '\\') {
          ids += '\\';
        }
        ids += c;
      }
      ids += '"';
      times += std::to_string(at);
    }
    ids += '}';
    times += '}';
    // Rows locked in id order first: another replica flushing an overlapping set at the same
    // time then waits instead of deadlocking (an UPDATE's own lock order follows its plan).
    db.prepared(
        "WITH u AS (SELECT id, max(at) AS at FROM unnest($1::text[], $2::bigint[]) AS x (id, at) "
        "GROUP BY id), "
        "locked AS MATERIALIZED (SELECT t.id FROM api_tokens t JOIN u ON u.id = t.id "
        "ORDER BY t.id FOR UPDATE OF t) "
        "UPDATE api_tokens t SET last_used_at = aibridge_at(u.at) FROM u JOIN locked l ON "
        "l.id = u.id "
        "WHERE t.id = u.id AND (t.last_used_at IS NULL OR t.last_used_at < aibridge_at(u.at))",
        Params().add(ids).add(times));
  });
}

std::optional<std::string> PostgresStore::get_setting(std::string_view key) {
  return guarded([&](Connection& db) -> std::optional<std::string> {
    const Result rows = db.prepared("SELECT value FROM settings WHERE key = $1", Params().add(key));
    if (rows.rows() == 0) {
      return std::nullopt;
    }
    return rows.text(0, 0);
  });
}

void PostgresStore::put_setting(std::string_view key, std::string_view value) {
  return guarded([&](Connection& db) -> void {
    db.prepared(
        "INSERT INTO settings (key, value) VALUES ($1, $2) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        Params().add(key).add(value));
  });
}

void PostgresStore::ping() {
  return guarded([&](Connection& db) -> void { db.prepared("SELECT 1"); });
}

}  // namespace aibridge::recorder::postgres
