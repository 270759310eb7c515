#include "tests/support/process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <sys/wait.h>

extern char** environ;  // NOLINT(readability-redundant-declaration): POSIX

namespace aibridge::testing {
namespace {

std::string temp_path(const std::string& stem) {
  static int counter = 0;
  return (std::filesystem::temp_directory_path() /
          (stem + "-" + std::to_string(::getpid()) + "-" + std::to_string(++counter)))
      .string();
}

}  // namespace

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

Process::Process(const std::vector<std::string>& argv,
                 const std::map<std::string, std::optional<std::string>>& env)
    : out_path_(temp_path("aibridge-test-out")), err_path_(temp_path("aibridge-test-err")) {
  std::map<std::string, std::string> environment;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    const std::string text(*entry);
    const std::size_t equals = text.find('=');
    environment[text.substr(0, equals)] = text.substr(equals + 1);
  }
  for (const auto& [name, value] : env) {
    if (value) {
      environment[name] = *value;
    } else {
      environment.erase(name);
    }
  }
  std::vector<std::string> env_strings;
  for (const auto& [name, value] : environment) {
    env_strings.push_back(name + "=" + value);
  }
  std::vector<char*> env_pointers;
  for (auto& text : env_strings) {
    env_pointers.push_back(text.data());
  }
  env_pointers.push_back(nullptr);
  std::vector<std::string> args = argv;
  std::vector<char*> arg_pointers;
  for (auto& arg : args) {
    arg_pointers.push_back(arg.data());
  }
  arg_pointers.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, out_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0600);
  posix_spawn_file_actions_addopen(&actions, 2, err_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0600);
  const int error = posix_spawn(&pid_, args[0].c_str(), &actions, nullptr, arg_pointers.data(),
                                env_pointers.data());
  posix_spawn_file_actions_destroy(&actions);
  if (error != 0) {
    throw std::runtime_error("cannot start " + args[0]);
  }
}

Process::~Process() {
  if (!status_) {
    ::kill(pid_, SIGKILL);
    wait(std::chrono::seconds(10));
  }
  std::filesystem::remove(out_path_);
  std::filesystem::remove(err_path_);
}

void Process::signal(int signal_number) const {
  ::kill(pid_, signal_number);
}

std::optional<int> Process::wait(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!status_) {
    int raw = 0;
    const pid_t done = ::waitpid(pid_, &raw, WNOHANG);
    if (done == pid_) {
      status_ = WIFEXITED(raw) ? WEXITSTATUS(raw) : 128 + WTERMSIG(raw);
      break;
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      return std::nullopt;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return status_;
}

bool Process::running() {
  return !wait(std::chrono::milliseconds(0)).has_value();
}

std::string Process::out() const {
  return read_file(out_path_);
}
std::string Process::err() const {
  return read_file(err_path_);
}

std::optional<std::string> Process::wait_for_stderr(const std::string& needle,
                                                    std::chrono::milliseconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  const auto line_after = [&]() -> std::optional<std::string> {
    const std::string text = err();
    const std::size_t found = text.find(needle);
    if (found != std::string::npos) {
      const std::size_t start = found + needle.size();
      const std::size_t end = text.find('\n', start);
      if (end != std::string::npos) {
        return text.substr(start, end - start);
      }
    }
    return std::nullopt;
  };
  do {
    if (auto line = line_after()) {
      return line;
    }
    siginfo_t exited{};
    if (::waitid(P_PID, static_cast<id_t>(pid_), &exited, WEXITED | WNOHANG | WNOWAIT) == 0 &&
        exited.si_pid == pid_) {
      return line_after();  // what it wrote just before it ended (it is left for wait() to reap)
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  } while (std::chrono::steady_clock::now() < deadline);
  return std::nullopt;
}

RunResult run(const std::vector<std::string>& argv,
              const std::map<std::string, std::optional<std::string>>& env,
              std::chrono::milliseconds timeout) {
  Process process(argv, env);
  RunResult result;
  result.status = process.wait(timeout).value_or(-1);
  result.out = process.out();
  result.err = process.err();
  return result;
}

TempDir::TempDir() : path_(temp_path("aibridge-test-dir")) {
  std::filesystem::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

}  // namespace aibridge::testing
