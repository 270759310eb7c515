#pragma once
// Gets interceptions from the network threads into the store without making them wait:
// submit() appends to a bounded in-memory queue; one writer thread swaps the queue out and
// writes it in transactions of up to batch_size records, at least every flush interval. The
// writer never sleeps while there is work; it also runs periodic housekeeping (retention)
// between batches, so the store has a single writer. A full queue drops the new record and
// counts it (recorder_dropped_total) with an error log; close() writes everything still queued.
//
// If the writer ever falls far behind (the queue three-quarters full), congested() turns true
// and bridged requests may wait for room: notify_when_room() calls back from the writer as soon
// as the backlog is down to a quarter, so the wait is a signal, never a poll.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "core/config.hpp"
#include "core/metrics.hpp"
#include "recorder/records.hpp"
#include "recorder/store.hpp"

namespace aibridge::recorder {

class Recorder {
 public:
  using Task = std::function<void(RecordSink&)>;
  /// Records that wake the writer before the flush interval, at most every kMinGap. A commit
  /// costs the pages it rewrites (the newest leaf of the table and of each index, the rollups'
  /// pages, 16 KiB each in the log) whatever the records in it, so the gap sets what a record costs
  /// under load: at 20,000 requests/s, a 2 ms gap cost the writer 13–20 µs per record, 25 ms
  /// 4–5 µs (the writer alone, in large batches: 4.3 µs). Records are still written within the
  /// flush interval, the promise a crash keeps; the writer's short time slices keep its longer
  /// bursts from delaying the relay.
  static constexpr std::uint64_t kBurst = 32;
  static constexpr std::chrono::milliseconds kMinGap{25};
  /// Backoff while the database is unreachable, and how long to keep trying once closing.
  static constexpr std::chrono::milliseconds kFirstRetry{100};
  static constexpr std::chrono::milliseconds kLastRetry{2000};
  static constexpr std::chrono::seconds kRetryAtClose{5};

  /// Takes the sink (used only by the writer thread from now on) and starts the writer.
  Recorder(std::unique_ptr<RecordSink> sink, const core::RecorderSettings& settings,
           core::Metrics& metrics);
  ~Recorder();
  Recorder(const Recorder&) = delete;
  Recorder& operator=(const Recorder&) = delete;

  /// Thread-safe, never blocks on the store. False when the record was dropped.
  bool submit(Interception&& record);

  /// True while the queue is more than three-quarters full. Lock-free.
  bool congested() const { return congested_.load(std::memory_order_relaxed); }

  /// Calls `ready` once the backlog is down to a quarter of the queue: on the writer thread, or
  /// at once on the caller's when there is room already. `ready` must not block.
  void notify_when_room(std::function<void()> ready);

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
  /// Writes `slice`, waiting (with backoff) while the store is unavailable.
  void write_while_unavailable(std::span<const Interception> slice);
  /// While the store is down nobody waits for room (the writer cannot make any): wakes the
  /// requests held back, and holds none back until it is up again.
  void release_held_back(bool store_down);
  void run_due_tasks(bool all);
  void count_drop(std::size_t count, const char* why);

  std::unique_ptr<RecordSink> sink_;  // writer thread only
  const core::RecorderSettings settings_;
  const std::uint64_t congested_above_;  // backlog that turns congestion on
  const std::uint64_t room_below_;       // backlog that turns it off again
  const std::uint64_t burst_;            // records that wake the writer before the interval
  core::Metrics& metrics_;

  std::mutex mutex_;  // guards every member below it
  std::condition_variable wake_writer_;
  std::condition_variable written_;
  std::vector<Interception> pending_;
  std::vector<Periodic> tasks_;
  std::vector<std::function<void()>> waiting_for_room_;
  std::uint64_t submitted_ = 0;  // records accepted (or dropped while writing) so far
  std::uint64_t settled_ = 0;    // of those, how many are committed or dropped
  bool flush_requested_ = false;
  bool closed_ = false;
  bool store_down_ = false;  // the writer is waiting for an unreachable store
  // Once closing with the store unreachable: when the writer stops trying (for every slice).
  std::optional<std::chrono::steady_clock::time_point> give_up_at_;
  std::chrono::steady_clock::time_point last_drop_log_{};
  std::uint64_t drops_since_log_ = 0;
  std::atomic<bool> congested_{false};  // set by submit(), cleared by the writer

  std::thread writer_;  // last: started once everything above exists
};

}  // namespace aibridge::recorder
