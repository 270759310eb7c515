#pragma once
// The access log (one line per request, SPEC §7), formatted off the network threads: a request
// leaves a fixed-size record in a buffer (no formatting, no allocation) and a thread of the
// access log's own turns the records into lines every flush interval.
#include <algorithm>
#include <array>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string_view>
#include <thread>
#include <vector>

namespace aibridge::core {

/// A text field that keeps at most N-1 bytes (longer values are cut), without allocating.
template <std::size_t N>
class FixedText {
 public:
  FixedText() = default;
  FixedText(std::string_view text) { assign(text); }  // NOLINT: converts like a string
  FixedText& operator=(std::string_view text) {
    assign(text);
    return *this;
  }
  std::string_view view() const { return {data_.data(), size_}; }
  bool empty() const { return size_ == 0; }

 private:
  void assign(std::string_view text) {
    size_ = std::min(text.size(), N - 1);
    std::copy_n(text.data(), size_, data_.data());
  }
  std::array<char, N> data_{};
  std::size_t size_ = 0;
};

struct AccessRecord {
  FixedText<16> method;
  FixedText<192> path;  // without the query: it may carry a session token
  unsigned status = 0;
  std::uint64_t bytes = 0;  // response body bytes sent
  std::chrono::microseconds duration{0};
  FixedText<40> interception_id;
  FixedText<72> user;
};

class AccessLog {
 public:
  /// Lines are written through spdlog (info level) by a thread of this object's own.
  AccessLog();
  ~AccessLog();  // writes what is buffered
  AccessLog(const AccessLog&) = delete;
  AccessLog& operator=(const AccessLog&) = delete;

  /// Thread-safe and cheap: copies the record into the buffer.
  void add(const AccessRecord& record);

 private:
  static constexpr std::size_t kWakeAt = 4096;
  static constexpr std::chrono::milliseconds kFlushInterval{100};
  void run();

  std::mutex mutex_;  // guards pending_ and stopping_
  std::condition_variable wake_;
  std::vector<AccessRecord> pending_;
  bool stopping_ = false;
  std::thread writer_;  // last: started once everything above exists
};

}  // namespace aibridge::core
