#pragma once
// Thin RAII over the SQLite C API: a connection and prepared statements that throw
// sqlite::Error on failure. Not thread-safe: one Database per thread.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace aibridge::recorder::sqlite {

class Error : public std::runtime_error {
 public:
  Error(int code, const std::string& message) : std::runtime_error(message), code_(code) {}
  int code() const { return code_; }
  /// A UNIQUE or PRIMARY KEY constraint failed.
  bool is_conflict() const;

 private:
  int code_;
};

class Statement {
 public:
  Statement(sqlite3* db, std::string_view sql);

  /// Clears the previous run and its bindings; call before binding a new run.
  Statement& reset();
  // Text and blobs are bound without copying: the caller keeps them alive until reset().
  Statement& bind(int index, std::string_view text);
  Statement& bind(int index, const std::string& text) {
    return bind(index, std::string_view(text));
  }
  Statement& bind(int index, const char* text) { return bind(index, std::string_view(text)); }
  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, const std::optional<std::string>& text);
  Statement& bind(int index, const std::optional<std::int64_t>& value);
  Statement& bind_blob(int index, std::string_view bytes);
  Statement& bind_null(int index);

  /// Advances one row: true when a row is available, false when done.
  bool step();
  /// Runs a statement that returns no rows.
  void run();

  std::int64_t int64(int column) const;
  std::string text(int column) const;
  std::optional<std::string> optional_text(int column) const;
  std::optional<std::int64_t> optional_int64(int column) const;
  std::string blob(int column) const;
  bool is_null(int column) const;

 private:
  struct Finalizer {
    void operator()(sqlite3_stmt* statement) const;
  };
  sqlite3* db_;
  std::unique_ptr<sqlite3_stmt, Finalizer> statement_;
};

class Database {
 public:
  /// Opens (creating when `create`) the file with foreign keys on and a 5 s busy timeout.
  Database(const std::string& path, bool create);

  void exec(const std::string& sql);
  Statement prepare(std::string_view sql) { return Statement(db_.get(), sql); }
  std::int64_t changes() const;
  std::int64_t last_insert_rowid() const;
  sqlite3* handle() const { return db_.get(); }
  /// Bytes this connection's page cache holds.
  std::size_t cache_bytes();

  /// Calls `hook(frames in the log)` after every commit on this connection, instead of
  /// checkpointing (replaces SQLite's automatic checkpoints).
  void on_commit(std::function<void(int frames)> hook);
  /// Copies what it can of the log into the database without waiting for anyone; returns the
  /// frames in the log and how many of them are now copied.
  std::pair<int, int> checkpoint_passive();
  /// Copies the whole log and makes the next writer start it over, waiting (busy timeout) for
  /// the current writer and readers to let it.
  void checkpoint_restart();

 private:
  struct Closer {
    void operator()(sqlite3* db) const;
  };
  static int call_commit_hook(void* hook, sqlite3* db, const char* name, int frames);

  std::unique_ptr<sqlite3, Closer> db_;
  std::unique_ptr<std::function<void(int)>> commit_hook_;  // the WAL hook's argument
};

/// BEGIN IMMEDIATE … COMMIT (or BEGIN DEFERRED for a read snapshot), rolled back when destroyed
/// without commit().
class Transaction {
 public:
  enum class Kind { kWrite, kRead };
  explicit Transaction(Database& db, Kind kind = Kind::kWrite);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void commit();

 private:
  Database& db_;
  bool done_ = false;
};

}  // namespace aibridge::recorder::sqlite
