#pragma once
// Thin RAII over libpq: a connection, parameters bound as text, prepared statements kept per
// connection, results read by column. Errors are postgres::Error with the SQLSTATE; messages
// never carry the connection string (it may hold a password). Not thread-safe: one Connection
// per thread.
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

struct pg_conn;
struct pg_result;

namespace aibridge::recorder::postgres {

/// The SQLSTATE of a value this wrapper could not read (PostgreSQL's own "internal error"):
/// nothing to do with the connection.
inline constexpr const char* kUnreadable = "XX000";

class Error : public std::runtime_error {
 public:
  Error(std::string sqlstate, const std::string& message)
      : std::runtime_error(message), sqlstate_(std::move(sqlstate)) {}
  const std::string& sqlstate() const { return sqlstate_; }
  /// A UNIQUE or PRIMARY KEY constraint failed (23505).
  bool is_conflict() const { return sqlstate_ == "23505"; }
  /// The server is gone or unreachable (class 08, or no SQLSTATE at all: libpq's own failure).
  bool is_connection_lost() const { return sqlstate_.empty() || sqlstate_.starts_with("08"); }

 private:
  std::string sqlstate_;
};

/// Parameters $1, $2, … in text form; nullopt is SQL NULL.
class Params {
 public:
  Params& add(std::string_view text) {
    values_.emplace_back(std::string(text));
    return *this;
  }
  Params& add(const char* text) { return add(std::string_view(text)); }
  Params& add(const std::string& text) { return add(std::string_view(text)); }
  Params& add(std::int64_t value) { return add(std::to_string(value)); }
  Params& add(const std::optional<std::string>& text) {
    values_.push_back(text);
    return *this;
  }
  Params& add(const std::optional<std::int64_t>& value) {
    values_.push_back(value ? std::optional<std::string>(std::to_string(*value)) : std::nullopt);
    return *this;
  }
  /// Raw bytes as a bytea literal in hex form.
  Params& add_bytes(std::string_view bytes);
  Params& add_null() {
    values_.emplace_back();
    return *this;
  }
  std::size_t size() const { return values_.size(); }
  const std::vector<std::optional<std::string>>& values() const { return values_; }

 private:
  std::vector<std::optional<std::string>> values_;
};

class Result {
 public:
  friend class Connection;
  explicit Result(pg_result* result) : result_(result) {}

  int rows() const;
  bool is_null(int row, int column) const;
  std::string text(int row, int column) const;
  std::string_view view(int row, int column) const;
  std::optional<std::string> optional_text(int row, int column) const;
  std::int64_t int64(int row, int column) const;
  std::optional<std::int64_t> optional_int64(int row, int column) const;
  /// A bytea column (hex output form) as raw bytes.
  std::string bytes(int row, int column) const;
  /// The row count of an INSERT, UPDATE or DELETE.
  std::int64_t affected() const;

 private:
  struct Clear {
    void operator()(pg_result* result) const;
  };
  std::unique_ptr<pg_result, Clear> result_;
};

class Connection {
 public:
  /// Connects to `uri` (a libpq connection URI); throws Error when the server cannot be reached.
  explicit Connection(const std::string& uri);

  /// Runs statements without parameters (may be several, separated by semicolons).
  void exec(std::string_view sql);
  Result query(std::string_view sql, const Params& params = {});
  /// Like query(), through a statement prepared on this connection the first time `sql` is seen.
  Result prepared(const std::string& sql, const Params& params = {});
  /// COPY … FROM STDIN: `rows` is the text-format data (tab-separated, newline-terminated).
  void copy_in(std::string_view copy_statement, std::string_view rows);
  /// Sends `sql` (no parameters; an answer that only needs checking, such as BEGIN) in the same
  /// round trip as the next statement; a failure of it is that statement's.
  void exec_with_next(std::string sql);
  /// Sends `sql` without waiting: its answer is read, and dropped, before the next statement.
  /// Only for statements whose failure loses nothing (a read-only transaction's COMMIT).
  void exec_unawaited(std::string_view sql);
  /// Whether the connection is still usable (libpq's view; a lost server shows on next use).
  bool ok() const;

 private:
  struct Finish {
    void operator()(pg_conn* connection) const;
  };
  Result check(pg_result* result, std::string_view what);
  void verify(const Result& result, std::string_view what);
  /// Reads an unawaited answer, and sends what waits for the next statement on its own.
  void send_pending();
  void read_unawaited();
  /// The statements waiting for the next one, a PREPARE if needed, and the prepared statement,
  /// in one pipeline: one round trip.
  Result pipelined(const std::string& sql, const std::string& name, bool prepare,
                   const Params& params);

  std::unique_ptr<pg_conn, Finish> connection_;
  std::unordered_map<std::string, std::string> prepared_;  // SQL -> statement name
  std::vector<std::string> with_next_;  // statements sent with the next one
  bool unawaited_ = false;              // an answer not yet read
};

/// RAII transaction: BEGIN at construction, ROLLBACK unless commit() was called.
class Transaction {
 public:
  explicit Transaction(Connection& connection, std::string_view begin = "BEGIN")
      : connection_(connection) {
    connection_.exec(begin);
  }
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void commit();

 protected:
  struct BegunElsewhere {};
  Transaction(Connection& connection, BegunElsewhere) : connection_(connection) {}

  Connection& connection_;
  bool done_ = false;
};

/// A read-only snapshot (REPEATABLE READ) for reads that must agree with each other: its BEGIN
/// goes out with the first statement and end() commits without waiting, so it costs no round
/// trip of its own. ROLLBACK unless ended.
class ReadSnapshot : public Transaction {
 public:
  explicit ReadSnapshot(Connection& connection) : Transaction(connection, BegunElsewhere{}) {
    connection_.exec_with_next("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  }
  void end();
};

/// "$n", the n-th parameter of a statement.
std::string placeholder(std::size_t number);

/// Whether `id` is a canonical UUID, which a uuid column takes (anything else must not reach a
/// uuid cast: it names no row).
bool is_uuid(std::string_view id);

/// Whether PostgreSQL's text can hold `value` as it is (no NUL, valid UTF-8).
bool is_valid_text(std::string_view value);

/// `value` as PostgreSQL's text can hold it: a NUL or a byte that is not part of valid UTF-8
/// becomes U+FFFD (everything else is kept).
std::string valid_text(std::string_view value);

/// A one-dimensional array literal of `values` ({"a","b\"c"}), each element quoted, for a
/// parameter cast to text[] (or uuid[]): binding one array instead of one parameter per value.
std::string array_literal(const std::vector<std::string>& values);

/// The same for integers ({1,2,3}), for a parameter cast to bigint[] (or smallint[]).
template <class Integers>
std::string int_array(const Integers& values) {
  std::string out = "{";
  for (const auto value : values) {
    if (out.size() > 1) {
      out += ',';
    }
    out += std::to_string(value);
  }
  out += '}';
  return out;
}

/// The URI with any password replaced by "***" (for logs and errors).
std::string redact_uri(std::string_view uri);

/// Whether `location` names a PostgreSQL database (postgres:// or postgresql://).
bool is_postgres_uri(std::string_view location);

}  // namespace aibridge::recorder::postgres
