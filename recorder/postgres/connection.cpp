#include "recorder/postgres/connection.hpp"

#include <libpq-fe.h>
#include <simdjson.h>

#include <charconv>

#include "core/ids.hpp"

namespace aibridge::recorder::postgres {
namespace {

std::string trimmed(const char* message) {
  std::string text = message != nullptr ? message : "";
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) {
    text.pop_back();
  }
  return text;
}

int hex_value(char digit) {
  if (digit >= '0' && digit <= '9') {
    return digit - '0';
  }
  if (digit >= 'a' && digit <= 'f') {
    return digit - 'a' + 10;
  }
  if (digit >= 'A' && digit <= 'F') {
    return digit - 'A' + 10;
  }
  return -1;
}

}  // namespace

Params& Params::add_bytes(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string text = "\\x";
  text.reserve(2 + bytes.size() * 2);
  for (const char byte : bytes) {
    const auto value = static_cast<unsigned char>(byte);
    text += kDigits[value >> 4];
    text += kDigits[value & 0xf];
  }
  values_.emplace_back(std::move(text));
  return *this;
}

void Result::Clear::operator()(pg_result* result) const {
  PQclear(result);
}

int Result::rows() const {
  return PQntuples(result_.get());
}

bool Result::is_null(int row, int column) const {
  return PQgetisnull(result_.get(), row, column) != 0;
}

std::string_view Result::view(int row, int column) const {
  return {PQgetvalue(result_.get(), row, column),
          static_cast<std::size_t>(PQgetlength(result_.get(), row, column))};
}

std::string Result::text(int row, int column) const {
  return std::string(view(row, column));
}

std::optional<std::string> Result::optional_text(int row, int column) const {
  if (is_null(row, column)) {
    return std::nullopt;
  }
  return text(row, column);
}

std::int64_t Result::int64(int row, int column) const {
  const std::string_view digits = view(row, column);
  std::int64_t value = 0;
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (error != std::errc() || end != digits.data() + digits.size()) {
    throw Error(kUnreadable, "not an integer: \"" + std::string(digits) + "\"");
  }
  return value;
}

std::optional<std::int64_t> Result::optional_int64(int row, int column) const {
  if (is_null(row, column)) {
    return std::nullopt;
  }
  return int64(row, column);
}

std::string Result::bytes(int row, int column) const {
  const std::string_view hex = view(row, column);
  if (!hex.starts_with("\\x") || hex.size() % 2 != 0) {
    throw Error(kUnreadable, "not a bytea in hex form");
  }
  std::string out;
  out.reserve((hex.size() - 2) / 2);
  for (std::size_t i = 2; i < hex.size(); i += 2) {
    const int high = hex_value(hex[i]);
    const int low = hex_value(hex[i + 1]);
    if (high < 0 || low < 0) {
      throw Error(kUnreadable, "not a bytea in hex form");
    }
    out += static_cast<char>(high * 16 + low);
  }
  return out;
}

std::int64_t Result::affected() const {
  const char* count = PQcmdTuples(result_.get());
  return count == nullptr || *count == '\0' ? 0 : std::stoll(count);
}

void Connection::Finish::operator()(pg_conn* connection) const {
  PQfinish(connection);
}

namespace {

// Defaults a URI may override: without them libpq waits for the operating system, minutes,
// on a server that silently went away (a partition, a failover to a new address).
pg_conn* connect_with_timeouts(const std::string& uri) {
  const char* const keywords[] = {"connect_timeout", "keepalives",      "keepalives_idle",
                                  "keepalives_interval", "keepalives_count", "tcp_user_timeout",
                                  "dbname",          nullptr};
  const char* const values[] = {"5", "1", "10", "5", "3", "30000", uri.c_str(), nullptr};
  // expand_dbname: the URI's own settings override the ones before it.
  return PQconnectdbParams(keywords, values, /*expand_dbname=*/1);
}

}  // namespace

Connection::Connection(const std::string& uri) : connection_(connect_with_timeouts(uri)) {
  if (!connection_) {
    throw Error("", "cannot connect to PostgreSQL: out of memory");
  }
  if (PQstatus(connection_.get()) != CONNECTION_OK) {
    // libpq's message names the host and port, never the password.
    throw Error("08001", "cannot connect to PostgreSQL at " + redact_uri(uri) + ": " +
                             trimmed(PQerrorMessage(connection_.get())));
  }
  PQsetNoticeProcessor(connection_.get(), [](void*, const char*) {}, nullptr);
  // Plans for the parameters at hand: the data is skewed (one user with most rows, models seen
  // a handful of times), and a generic plan picks one index for all values alike.
  exec("SET client_min_messages = warning; SET TIME ZONE 'UTC'; SET client_encoding = 'UTF8'; "
       "SET bytea_output = 'hex'; SET plan_cache_mode = force_custom_plan");
}

Result Connection::check(pg_result* raw, std::string_view what) {
  Result result(raw);
  verify(result, what);
  return result;
}

void Connection::verify(const Result& result, std::string_view what) {
  pg_result* raw = result.result_.get();
  const ExecStatusType status = raw != nullptr ? PQresultStatus(raw) : PGRES_FATAL_ERROR;
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_COPY_IN) {
    return;
  }
  const char* sqlstate = raw != nullptr ? PQresultErrorField(raw, PG_DIAG_SQLSTATE) : nullptr;
  std::string message = raw != nullptr ? trimmed(PQresultErrorMessage(raw)) : "";
  if (message.empty()) {
    message = trimmed(PQerrorMessage(connection_.get()));
  }
  if (PQstatus(connection_.get()) == CONNECTION_BAD) {
    throw Error("08006", "PostgreSQL connection lost during " + std::string(what) + ": " + message);
  }
  throw Error(sqlstate != nullptr ? sqlstate : "", std::string(what) + ": " + message);
}

void Connection::read_unawaited() {
  if (!unawaited_) {
    return;
  }
  unawaited_ = false;
  for (pg_result* raw = PQgetResult(connection_.get()); raw != nullptr;
       raw = PQgetResult(connection_.get())) {
    PQclear(raw);  // dropped: see exec_unawaited(); a lost connection shows on the next statement
  }
}

void Connection::send_pending() {
  read_unawaited();
  std::vector<std::string> statements;
  statements.swap(with_next_);
  for (const std::string& statement : statements) {
    check(PQexec(connection_.get(), statement.c_str()), "statement");
  }
}

void Connection::exec_with_next(std::string sql) {
  with_next_.push_back(std::move(sql));
}

void Connection::exec_unawaited(std::string_view sql) {
  send_pending();
  if (PQsendQuery(connection_.get(), std::string(sql).c_str()) != 1) {
    throw Error("08006", "statement: " + trimmed(PQerrorMessage(connection_.get())));
  }
  unawaited_ = true;
}

void Connection::exec(std::string_view sql) {
  send_pending();
  check(PQexec(connection_.get(), std::string(sql).c_str()), "statement");
}

namespace {

struct Pointers {
  explicit Pointers(const Params& params) {
    values.reserve(params.size());
    for (const auto& value : params.values()) {
      values.push_back(value ? value->c_str() : nullptr);
    }
  }
  std::vector<const char*> values;
};

}  // namespace

Result Connection::query(std::string_view sql, const Params& params) {
  send_pending();
  const Pointers pointers(params);
  return check(PQexecParams(connection_.get(), std::string(sql).c_str(),
                            static_cast<int>(params.size()), nullptr, pointers.values.data(),
                            nullptr, nullptr, 0),
               "query");
}

Result Connection::prepared(const std::string& sql, const Params& params) {
  read_unawaited();
  const auto found = prepared_.find(sql);
  const std::string name =
      found != prepared_.end() ? found->second : "s" + std::to_string(prepared_.size());
  if (!with_next_.empty()) {
    return pipelined(sql, name, found == prepared_.end(), params);
  }
  if (found == prepared_.end()) {
    check(PQprepare(connection_.get(), name.c_str(), sql.c_str(), 0, nullptr), "prepare");
    prepared_.emplace(sql, name);
  }
  const Pointers pointers(params);
  return check(PQexecPrepared(connection_.get(), name.c_str(), static_cast<int>(params.size()),
                              pointers.values.data(), nullptr, nullptr, 0),
               "query");
}

Result Connection::pipelined(const std::string& sql, const std::string& name, bool prepare,
                             const Params& params) {
  pg_conn* connection = connection_.get();
  std::vector<std::string> statements;
  statements.swap(with_next_);
  const Pointers pointers(params);
  bool sent = PQenterPipelineMode(connection) == 1;
  for (const std::string& statement : statements) {
    sent = sent && PQsendQueryParams(connection, statement.c_str(), 0, nullptr, nullptr, nullptr,
                                     nullptr, 0) == 1;
  }
  if (prepare) {
    sent = sent && PQsendPrepare(connection, name.c_str(), sql.c_str(), 0, nullptr) == 1;
  }
  sent = sent && PQsendQueryPrepared(connection, name.c_str(), static_cast<int>(params.size()),
                                     pointers.values.data(), nullptr, nullptr, 0) == 1;
  sent = sent && PQpipelineSync(connection) == 1;
  // Every answer up to the sync point is read, whatever failed, so that the connection leaves
  // pipeline mode idle. Each statement's answer is followed by a null result.
  std::vector<Result> answers;
  while (sent) {
    pg_result* raw = PQgetResult(connection);
    if (raw == nullptr) {
      if (PQstatus(connection) == CONNECTION_BAD) {
        break;
      }
      continue;
    }
    if (PQresultStatus(raw) == PGRES_PIPELINE_SYNC) {
      PQclear(raw);
      break;
    }
    answers.emplace_back(raw);
  }
  PQexitPipelineMode(connection);
  const std::size_t expected = statements.size() + (prepare ? 2 : 1);
  if (answers.size() != expected) {
    throw Error("08006", "PostgreSQL connection lost during query: " +
                             trimmed(PQerrorMessage(connection)));
  }
  // In order: the first that failed is the error (the ones after it were not run). A PREPARE
  // that succeeded stays on the server whatever follows it: remembered at once.
  for (std::size_t i = 0; i < answers.size(); ++i) {
    verify(answers[i], "query");
    if (prepare && i == statements.size()) {
      prepared_.emplace(sql, name);
    }
  }
  return std::move(answers.back());
}

void Connection::copy_in(std::string_view copy_statement, std::string_view rows) {
  send_pending();
  check(PQexec(connection_.get(), std::string(copy_statement).c_str()), "copy");
  if (PQputCopyData(connection_.get(), rows.data(), static_cast<int>(rows.size())) != 1 ||
      PQputCopyEnd(connection_.get(), nullptr) != 1) {
    throw Error("08006", "copy: " + trimmed(PQerrorMessage(connection_.get())));
  }
  // The COPY's own result, then the end of the command.
  for (pg_result* raw = PQgetResult(connection_.get()); raw != nullptr;
       raw = PQgetResult(connection_.get())) {
    check(raw, "copy");
  }
}

bool Connection::ok() const {
  return PQstatus(connection_.get()) == CONNECTION_OK;
}

Transaction::~Transaction() {
  if (!done_) {
    try {
      connection_.exec("ROLLBACK");
    } catch (const Error&) {
      // The connection is gone: so is the transaction.
    }
  }
}

void Transaction::commit() {
  connection_.exec("COMMIT");
  done_ = true;
}

void ReadSnapshot::end() {
  connection_.exec_unawaited("COMMIT");
  done_ = true;
}

namespace {

// The length of the valid UTF-8 sequence at the start of `text`, or 0 (RFC 3629: no overlong
// forms, no surrogates, nothing past U+10FFFF).
std::size_t utf8_sequence(std::string_view text) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char lead = byte(0);
  std::size_t length = 0;
  unsigned char low = 0x80;
  unsigned char high = 0xbf;
  if (lead >= 0xc2 && lead <= 0xdf) {
    length = 2;
  } else if (lead >= 0xe0 && lead <= 0xef) {
    length = 3;
    low = lead == 0xe0 ? 0xa0 : 0x80;
    high = lead == 0xed ? 0x9f : 0xbf;
  } else if (lead >= 0xf0 && lead <= 0xf4) {
    length = 4;
    low = lead == 0xf0 ? 0x90 : 0x80;
    high = lead == 0xf4 ? 0x8f : 0xbf;
  } else {
    return 0;
  }
  if (text.size() < length || byte(1) < low || byte(1) > high) {
    return 0;
  }
  for (std::size_t i = 2; i < length; ++i) {
    if (byte(i) < 0x80 || byte(i) > 0xbf) {
      return 0;
    }
  }
  return length;
}

}  // namespace

std::string placeholder(std::size_t number) {
  std::string text = "$";  // in two steps: GCC 12 warns falsely on a literal + std::to_string
  text += std::to_string(number);
  return text;
}

bool is_uuid(std::string_view id) {
  return !core::uuid_to_bytes(id).empty();
}

bool is_valid_text(std::string_view value) {
  return simdjson::validate_utf8(value.data(), value.size()) &&
         value.find('\0') == std::string_view::npos;
}

std::string valid_text(std::string_view value) {
  if (is_valid_text(value)) {
    return std::string(value);
  }
  // Recorded text is what clients and providers sent, which may be anything; PostgreSQL's text
  // holds neither NUL nor invalid UTF-8. Each such byte becomes U+FFFD rather than costing the
  // record.
  constexpr std::string_view kReplacement = "\xef\xbf\xbd";
  std::string out;
  out.reserve(value.size() + 8);
  for (std::size_t i = 0; i < value.size();) {
    const auto byte = static_cast<unsigned char>(value[i]);
    const std::size_t length = byte == 0 ? 0 : byte < 0x80 ? 1 : utf8_sequence(value.substr(i));
    if (length == 0) {
      out += kReplacement;
      ++i;
    } else {
      out.append(value.substr(i, length));
      i += length;
    }
  }
  return out;
}

std::string array_literal(const std::vector<std::string>& values) {
  std::string out = "{";
  for (const std::string& value : values) {
    out += out.size() > 1 ? ",\"" : "\"";
    for (const char c : valid_text(value)) {
      if (c == '"' || c == '\\') {
        out += '\\';
      }
      out += c;
    }
    out += '"';
  }
  out += '}';
  return out;
}

std::string redact_uri(std::string_view uri) {
  // postgresql://user:password@host/db?password=…: the part between ':' and '@' of the
  // authority, and any password parameter.
  std::string out(uri);
  const std::size_t scheme = out.find("://");
  if (scheme != std::string::npos) {
    // libpq takes user:password up to the last '@' before the path ('?' and '#' may be in a
    // password).
    const std::size_t authority = scheme + 3;
    const std::size_t end = out.find('/', authority);
    const std::size_t at = out.rfind('@', end == std::string::npos ? out.size() : end);
    if (at != std::string::npos && at >= authority) {
      const std::size_t colon = out.find(':', authority);
      if (colon != std::string::npos && colon < at) {
        out.replace(colon + 1, at - colon - 1, "***");
      }
    }
  }
  for (std::size_t at = out.find("password="); at != std::string::npos;
       at = out.find("password=", at + 1)) {
    const std::size_t start = at + 9;
    const std::size_t end = out.find_first_of("& ", start);
    out.replace(start, (end == std::string::npos ? out.size() : end) - start, "***");
  }
  return out;
}

bool is_postgres_uri(std::string_view location) {
  return location.starts_with("postgres://") || location.starts_with("postgresql://");
}

}  // namespace aibridge::recorder::postgres
