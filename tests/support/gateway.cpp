#include "tests/support/gateway.hpp"

#include <signal.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <memory>
#include <mutex>
#include <iostream>
#include <stdexcept>

#include <gtest/gtest.h>

#include "tests/support/http_client.hpp"
#include "tests/support/postgres.hpp"

namespace aibridge::testing {

std::string gateway_binary() {
  return AIBRIDGE_BINARY;
}

bool suite_on_postgres() {
  const char* backend = std::getenv("TEST_DATABASE_BACKEND");
  return backend != nullptr && std::string_view(backend) == "postgres";
}

std::string database_location(const std::string& data_dir) {
  if (!suite_on_postgres()) {
    return data_dir + "/aibridge.db";
  }
  // Dropped when the test process exits.
  static std::mutex mutex;  // guards databases
  static std::map<std::string, std::unique_ptr<TempPostgresDatabase>> databases;
  const std::lock_guard lock(mutex);
  auto& database = databases[data_dir];
  if (!database) {
    const auto server = postgres_server_uri();
    if (!server) {
      throw std::runtime_error(kNoPostgres);
    }
    database = std::make_unique<TempPostgresDatabase>(*server);
  }
  return database->uri();
}

Gateway::Gateway(const std::string& data_dir, const std::vector<std::string>& extra_args,
                 const std::map<std::string, std::optional<std::string>>& env) {
  std::vector<std::string> argv = {gateway_binary(), "serve", "--data-dir", data_dir};
  if (std::find(extra_args.begin(), extra_args.end(), "--listen") == extra_args.end()) {
    argv.insert(argv.end(), {"--listen", "127.0.0.1:0"});
  }
  if (suite_on_postgres() &&
      std::find(extra_args.begin(), extra_args.end(), "--database") == extra_args.end()) {
    argv.insert(argv.end(), {"--database", database_location(data_dir)});
  }
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  // Tests must not pick up a developer's real keys or configuration.
  std::map<std::string, std::optional<std::string>> environment = {
      {"OPENAI_API_KEY", std::nullopt},
      {"ANTHROPIC_API_KEY", std::nullopt},
      {"AIBRIDGE_CONFIG", std::nullopt}};
  for (const auto& [name, value] : env) {
    environment[name] = value;
  }
  process_ = std::make_unique<Process>(argv, environment);
  const auto line = process_->wait_for_stderr("listening on ", std::chrono::seconds(20));
  if (!line) {
    throw std::runtime_error("aibridge did not start:\n" + process_->err());
  }
  port_ = port_from_listen_line(*line);
}

std::string Gateway::admin_token() const {
  const std::string out = process_->out();
  constexpr std::string_view kPrefix = "admin token: ";
  const std::size_t found = out.find(kPrefix);
  if (found == std::string::npos) {
    return "";
  }
  const std::size_t start = found + kPrefix.size();
  return out.substr(start, out.find('\n', start) - start);
}

std::optional<int> Gateway::stop(std::chrono::milliseconds timeout) {
  process_->signal(SIGTERM);
  const std::optional<int> status = process_->wait(timeout);
  // Whatever the process said is the best clue (sanitizer reports end up here too).
  if (status != 0) {
    std::cerr << "aibridge exited with " << (status ? std::to_string(*status) : "a timeout")
              << "; its stderr:\n"
              << process_->err() << std::endl;
  } else if (::testing::Test::HasFailure()) {
    constexpr std::size_t kTail = 16 * 1024;
    const std::string err = process_->err();
    std::cerr << "the test failed; the end of aibridge's stderr:\n"
              << err.substr(err.size() > kTail ? err.size() - kTail : 0) << std::endl;
  }
  return status;
}

}  // namespace aibridge::testing
