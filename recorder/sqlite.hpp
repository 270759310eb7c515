#pragma once
// Thin RAII over the SQLite C API: a connection and prepared statements that throw
// sqlite::Error on failure. Not thread-safe: one Database per thread.
#include <chrono>
#include <cstdint>
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
  sqlite3* handle() const { return db_.get(); }
  /// Calls sched_yield() about every `interval` while statements run on this connection
  /// (zero: never).
  void yield_cpu_every(std::chrono::microseconds interval);
  /// Bytes this connection's page cache holds.
  std::size_t cache_bytes();

 private:
  struct Closer {
    void operator()(sqlite3* db) const;
  };
  struct CpuYield {
    std::chrono::steady_clock::duration interval;
    std::chrono::steady_clock::time_point last;
  };
  static int on_progress(void* yield);

  std::unique_ptr<sqlite3, Closer> db_;
  std::unique_ptr<CpuYield> cpu_yield_;  // the progress handler's state; null when not yielding
};

/// BEGIN IMMEDIATE … COMMIT, rolled back when destroyed without commit().
class Transaction {
 public:
  explicit Transaction(Database& db);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void commit();

 private:
  Database& db_;
  bool done_ = false;
};

}  // namespace aibridge::recorder::sqlite
