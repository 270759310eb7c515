#pragma once
// Gets interceptions from the network threads into the store without ever making them wait:
// submit() appends to a bounded in-memory queue; one writer thread swaps the queue out and
// writes it in one transaction per batch, at least every flush interval. A full queue drops the
// new record and counts it (recorder_dropped_total) with an error log; close() writes everything
// still queued. The writer also runs periodic housekeeping (retention) between batches, so the
// store has a single writer.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "core/config.hpp"
#include "core/metrics.hpp"
#include "recorder/records.hpp"
#include "recorder/store.hpp"

namespace aibridge::recorder {

class Recorder {
 public:
  using Task = std::function<void(Store&)>;
  /// How often the writer gives the CPU up while it keeps up easily (Store::yield_cpu_every).
  static constexpr std::chrono::microseconds kYieldInterval{25};

  /// Takes the store (used only by the writer thread from now on) and starts the writer.
  Recorder(std::unique_ptr<Store> store, const core::RecorderSettings& settings,
           core::Metrics& metrics);
  ~Recorder();
  Recorder(const Recorder&) = delete;
  Recorder& operator=(const Recorder&) = delete;

  /// Thread-safe, never blocks on the store. False when the record was dropped.
  bool submit(Interception&& record);

  /// True while the writer is several batches behind (the machine is saturated). Network
  /// threads then hold new requests back until it has caught up, so that overload shows up as
  /// latency rather than as lost records or a longer crash-loss window. Lock-free.
  bool congested() const { return congested_.load(std::memory_order_relaxed); }

  /// Runs `task` on the writer thread every `interval` (between batches). Call before traffic.
  void every(std::chrono::milliseconds interval, Task task);

  /// Blocks until everything submitted before the call is committed (or dropped).
  void flush();

  /// Stops accepting, writes what is queued, runs the tasks a last time and stops the writer.
  void close();

 private:
  struct Periodic {
    std::chrono::milliseconds interval;
    std::chrono::steady_clock::time_point next;
    Task task;
  };

  void run();
  void write(std::vector<Interception>& batch);
  void run_due_tasks(bool all);
  void count_drop(std::size_t count, const char* why);
  std::uint64_t congestion_threshold() const;

  std::unique_ptr<Store> store_;  // writer thread only
  const core::RecorderSettings settings_;
  core::Metrics& metrics_;

  std::mutex mutex_;  // guards every member below it
  std::condition_variable wake_writer_;
  std::condition_variable written_;
  std::vector<Interception> pending_;
  std::vector<Periodic> tasks_;
  std::uint64_t submitted_ = 0;  // records accepted (or dropped while writing) so far
  std::uint64_t settled_ = 0;    // of those, how many are committed or dropped
  bool flush_requested_ = false;
  bool closed_ = false;
  std::chrono::steady_clock::time_point last_drop_log_{};
  std::uint64_t drops_since_log_ = 0;
  std::atomic<bool> congested_{false};  // set by submit(), cleared by the writer

  std::thread writer_;  // last: started once everything above exists
};

}  // namespace aibridge::recorder
