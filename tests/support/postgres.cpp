#include "tests/support/postgres.hpp"

#include <libpq-fe.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <memory>
#include <random>
#include <stdexcept>

#include "tests/support/process.hpp"

namespace aibridge::testing {

std::optional<std::string> postgres_server_uri() {
  std::ifstream in(std::string(AIBRIDGE_TEST_POSTGRES_STATE) + "/uri");
  std::string uri;
  if (!std::getline(in, uri) || uri.empty()) {
    return std::nullopt;
  }
  return uri;
}

std::string postgres_scalar(const std::string& uri, const std::string& sql) {
  const std::unique_ptr<PGconn, decltype(&PQfinish)> connection(PQconnectdb(uri.c_str()),
                                                                &PQfinish);
  if (PQstatus(connection.get()) != CONNECTION_OK) {
    throw std::runtime_error("cannot connect to the test PostgreSQL: " +
                             std::string(PQerrorMessage(connection.get())));
  }
  const std::unique_ptr<PGresult, decltype(&PQclear)> result(
      PQexec(connection.get(), sql.c_str()), &PQclear);
  const ExecStatusType status = PQresultStatus(result.get());
  if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
    throw std::runtime_error(sql + ": " + PQresultErrorMessage(result.get()));
  }
  if (status != PGRES_TUPLES_OK || PQntuples(result.get()) == 0) {
    return "";
  }
  return PQgetvalue(result.get(), 0, 0);
}

PrivatePostgresServer::PrivatePostgresServer() {
  static std::atomic<int> counter{0};
  state_ = std::string(AIBRIDGE_TEST_POSTGRES_STATE) + "-private-" + std::to_string(::getpid()) +
           "-" + std::to_string(++counter);
  script("start");
  std::ifstream in(state_ + "/uri");
  if (!std::getline(in, uri_) || uri_.empty()) {
    throw std::runtime_error(kNoPostgres);
  }
}

PrivatePostgresServer::~PrivatePostgresServer() {
  try {
    script("stop");
  } catch (const std::exception&) {
    // Nothing more to do: the directory is under /tmp.
  }
}

void PrivatePostgresServer::pause() {
  script("pause");
}

void PrivatePostgresServer::resume() {
  script("resume");
}

void PrivatePostgresServer::script(const std::string& action) {
  const RunResult result = run(
      {AIBRIDGE_SOURCE_DIR "/tests/support/postgres_cluster.sh", action, state_}, {},
      std::chrono::seconds(90));
  if (result.status != 0) {
    throw std::runtime_error("postgres_cluster.sh " + action + " failed: " + result.err);
  }
}

TempPostgresDatabase::TempPostgresDatabase(const std::string& server_uri)
    : server_uri_(server_uri) {
  static std::atomic<int> counter{0};
  std::random_device random;
  name_ = "aibridge_test_" + std::to_string(::getpid()) + "_" + std::to_string(++counter) + "_" +
          std::to_string(random() % 1000000);
  postgres_scalar(server_uri_, "CREATE DATABASE " + name_);
  const std::size_t slash = server_uri_.rfind('/');
  uri_ = server_uri_.substr(0, slash + 1) + name_;
}

TempPostgresDatabase::~TempPostgresDatabase() {
  try {
    postgres_scalar(server_uri_, "DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
  } catch (const std::exception&) {
    // The server is gone (a test stopped it): so is the database.
  }
}

}  // namespace aibridge::testing
