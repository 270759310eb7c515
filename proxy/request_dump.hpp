#pragma once
// Request logging (SPEC §6.4): while enabled, every upstream exchange is written to files under
// the request log directory — the request as sent to the provider and the response as it
// streamed back, credentials masked. All file I/O happens on one writer thread fed by a queue
// bounded in bytes, so dumping can neither slow nor fail the relay; bytes that do not fit are
// dropped and the file says so.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <boost/beast/http/fields.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "proxy/relay_observer.hpp"
#include "proxy/routing.hpp"

namespace aibridge::proxy {

class ExchangeDump;

/// One file of an interception's request log.
struct DumpFile {
  std::string name;  // "<unix ms>-<interception id>.req.txt", ".resp.txt" or ".req_error.txt"
  std::uintmax_t bytes = 0;
};

/// Whether `name` is one of the files RequestDumper::bridged() writes for `interception_id`.
/// Pure.
bool is_dump_of(std::string_view name, std::string_view interception_id);

class RequestDumper {
 public:
  static constexpr std::size_t kMaxQueuedBytes = 64ULL << 20;

  explicit RequestDumper(std::string directory);
  ~RequestDumper();
  RequestDumper(const RequestDumper&) = delete;
  RequestDumper& operator=(const RequestDumper&) = delete;

  bool enabled() const { return enabled_.load(std::memory_order_relaxed); }
  void set_enabled(bool enabled) { enabled_.store(enabled, std::memory_order_relaxed); }

  /// <dir>/<provider>/<model>/<unix-ms>-<interception id>.{req,resp,req_error}.txt, or nullptr
  /// while logging is off.
  std::unique_ptr<ExchangeDump> bridged(Provider provider, std::string_view model,
                                        std::string_view interception_id);
  /// <dir>/<provider>/passthrough/<unix-ms>-<path, '/' as '-'>-<4 random chars>.*
  std::unique_ptr<ExchangeDump> passthrough(Provider provider, std::string_view upstream_path);

  /// The files bridged() wrote for an interception of `provider`, by name, and the path of one
  /// of them. They read the directory: call them off the network threads.
  std::vector<DumpFile> files_of(std::string_view provider,
                                 std::string_view interception_id) const;
  std::optional<std::string> path_of(std::string_view provider, std::string_view interception_id,
                                     std::string_view name) const;

  /// Blocks until everything queued so far is on disk (tests).
  void flush();

 private:
  friend class ExchangeDump;
  struct Operation {
    enum class Kind { kOpen, kAppend, kClose } kind;
    std::uint64_t file = 0;
    std::string text;  // kOpen: the path; kAppend: the bytes
  };

  /// Queues an operation; false (and nothing queued) when the queue is full.
  bool enqueue(Operation operation);
  std::uint64_t next_file_id();
  void run();

  const std::string directory_;
  std::atomic<bool> enabled_{false};
  std::atomic<std::uint64_t> next_file_{1};

  std::mutex mutex_;  // guards everything below it
  std::condition_variable wake_;
  std::condition_variable drained_;
  std::deque<Operation> queue_;
  std::size_t queued_bytes_ = 0;
  bool busy_ = false;  // the writer holds operations taken from the queue
  bool stopping_ = false;

  std::thread writer_;  // last: started once everything above exists
};

/// The files of one upstream exchange. Used on one network thread; queues, never writes.
class ExchangeDump final : public RelayObserver {
 public:
  ExchangeDump(RequestDumper& dumper, std::string base_path);
  ~ExchangeDump() override;
  ExchangeDump(const ExchangeDump&) = delete;
  ExchangeDump& operator=(const ExchangeDump&) = delete;

  /// The request as it is sent to the provider.
  void request(const boost::beast::http::request<boost::beast::http::string_body>& request);
  void on_response_head(const boost::beast::http::response_header<>& head) override;
  void on_response_body(std::string_view piece) override;
  /// No response came: <base>.req_error.txt with the reason.
  void on_no_response(std::string_view error) override;

 private:
  void write_file(const std::string& suffix, std::string content);

  RequestDumper& dumper_;
  std::string base_path_;
  std::uint64_t response_file_ = 0;  // 0: not open
  std::uint64_t dropped_bytes_ = 0;
};

/// A directory name from untrusted text (a model name): [A-Za-z0-9._-] kept, anything else '-'.
std::string safe_path_component(std::string_view text);

}  // namespace aibridge::proxy
