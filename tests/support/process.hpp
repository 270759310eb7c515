#pragma once
// Starting the real binaries from tests: posix_spawn with stdout/stderr captured in files.
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <sys/types.h>

namespace aibridge::testing {

class Process {
 public:
  /// `env` entries override the inherited environment; a nullopt value removes the variable.
  Process(const std::vector<std::string>& argv,
          const std::map<std::string, std::optional<std::string>>& env = {});
  ~Process();
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  pid_t pid() const { return pid_; }
  void signal(int signal_number) const;
  /// Exit status (or 128 + signal); nullopt if still running after `timeout`.
  std::optional<int> wait(std::chrono::milliseconds timeout);
  bool running();
  std::string out() const;
  std::string err() const;
  /// Polls stderr until `needle` appears; returns the text after it up to the end of its line,
  /// or nullopt once the process has ended or `timeout` passed.
  std::optional<std::string> wait_for_stderr(const std::string& needle,
                                             std::chrono::milliseconds timeout) const;

 private:
  pid_t pid_ = -1;
  std::optional<int> status_;
  std::string out_path_;
  std::string err_path_;
};

struct RunResult {
  int status = -1;
  std::string out;
  std::string err;
};

/// Runs to completion (killed after `timeout`).
RunResult run(const std::vector<std::string>& argv,
              const std::map<std::string, std::optional<std::string>>& env = {},
              std::chrono::milliseconds timeout = std::chrono::seconds(30));

/// A fresh, empty directory under the system temp dir, removed at destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

std::string read_file(const std::string& path);

}  // namespace aibridge::testing
