#include "recorder/recorder.hpp"

#include <spdlog/spdlog.h>

#include "core/threads.hpp"

namespace aibridge::recorder {
namespace {

// A batch may take milliseconds; in slices this short, whoever wakes on the writer's core gets it
// at once.
constexpr std::chrono::microseconds kWriterSlice{100};

}  // namespace

Recorder::Recorder(std::unique_ptr<RecordSink> sink, const core::RecorderSettings& settings,
                   core::Metrics& metrics)
    : sink_(std::move(sink)),
      settings_(settings),
      congested_above_(std::max<std::uint64_t>(1, settings.queue_capacity * 3 / 4)),
      room_below_(settings.queue_capacity / 4),
      burst_(std::min<std::uint64_t>(settings.batch_size, kBurst)),
      metrics_(metrics),
      writer_([this] { run(); }) {}

Recorder::~Recorder() {
  close();
}

bool Recorder::submit(Interception&& record) {
  std::unique_lock lock(mutex_);
  if (closed_ || pending_.size() >= settings_.queue_capacity) {
    const char* why = closed_ ? "the recorder is closed" : "the recorder queue is full";
    lock.unlock();
    count_drop(1, why);
    return false;
  }
  pending_.push_back(std::move(record));
  ++submitted_;
  const std::uint64_t backlog = submitted_ - settled_;
  // Holding requests back only helps a writer that drains the queue: not while the store is
  // unreachable (then what overflows is dropped, and counted).
  const bool became_congested = backlog >= congested_above_ && !store_down_ &&
                                !congested_.exchange(true, std::memory_order_relaxed);
  const std::size_t depth = pending_.size();
  lock.unlock();
  if (became_congested) {
    spdlog::warn("recorder: {} interceptions not yet written; new requests wait for room",
                 backlog);
  }
  if (depth == burst_) {
    wake_writer_.notify_one();  // a short burst's worth: write it soon, not at the flush interval
  }
  return true;
}

void Recorder::notify_when_room(std::function<void()> ready) {
  {
    std::lock_guard lock(mutex_);
    if (congested_.load(std::memory_order_relaxed) && !closed_) {
      waiting_for_room_.push_back(std::move(ready));
      return;
    }
  }
  ready();
}

void Recorder::every(std::chrono::milliseconds interval, Task task) {
  std::lock_guard lock(mutex_);
  tasks_.push_back({interval, std::chrono::steady_clock::now() + interval, std::move(task)});
}

void Recorder::flush() {
  std::unique_lock lock(mutex_);
  const std::uint64_t target = submitted_;
  flush_requested_ = true;
  wake_writer_.notify_one();
  written_.wait(lock, [&] { return settled_ >= target; });
}

void Recorder::close() {
  {
    std::lock_guard lock(mutex_);
    if (closed_) {
      return;
    }
    closed_ = true;
  }
  wake_writer_.notify_one();
  if (writer_.joinable()) {
    writer_.join();
  }
}

void Recorder::run() {
  // Normal priority on purpose: the flush window is a promise (a crash loses at most that much),
  // and a de-prioritised writer falls seconds behind on a saturated machine.
  core::name_thread("ab-recorder");
  core::use_short_time_slices(kWriterSlice);
  std::vector<Interception> batch;
  auto last_write = std::chrono::steady_clock::now();
  for (;;) {
    bool closing = false;
    std::uint64_t taken_through = 0;
    {
      std::unique_lock lock(mutex_);
      // Write when the flush interval is up, or a burst is waiting and the last write is at
      // least kMinGap ago (so that small batches do not turn into a commit per request).
      const auto due = last_write + settings_.flush_interval;
      wake_writer_.wait_until(lock, due, [&] {
        return closed_ || flush_requested_ || pending_.size() >= settings_.batch_size ||
               pending_.size() >= burst_;
      });
      const auto gap_over = last_write + kMinGap;
      if (!closed_ && !flush_requested_ && pending_.size() < settings_.batch_size) {
        wake_writer_.wait_until(lock, std::min(due, gap_over), [&] {
          return closed_ || flush_requested_ || pending_.size() >= settings_.batch_size;
        });
      }
      batch.swap(pending_);
      flush_requested_ = false;
      closing = closed_;
      taken_through = submitted_;
    }
    metrics_.recorder_queue_depth.Set(static_cast<double>(batch.size()));
    last_write = std::chrono::steady_clock::now();
    write(batch);
    batch.clear();
    run_due_tasks(closing);
    metrics_.store_cache_bytes.Set(static_cast<double>(sink_->cache_bytes()));
    std::vector<std::function<void()>> room;
    {
      std::lock_guard lock(mutex_);
      settled_ = taken_through;
      metrics_.recorder_queue_depth.Set(static_cast<double>(pending_.size()));
      if (submitted_ - settled_ <= room_below_ || closed_) {
        congested_.store(false, std::memory_order_relaxed);
        room.swap(waiting_for_room_);
      }
    }
    written_.notify_all();
    for (const auto& ready : room) {
      ready();
    }
    if (closing) {
      std::lock_guard lock(mutex_);
      if (pending_.empty()) {
        break;
      }
    }
  }
}

void Recorder::write(std::vector<Interception>& batch) {
  for (std::size_t start = 0; start < batch.size(); start += settings_.batch_size) {
    const std::size_t count = std::min<std::size_t>(settings_.batch_size, batch.size() - start);
    const std::span<const Interception> slice(batch.data() + start, count);
    const auto began = std::chrono::steady_clock::now();
    try {
      write_while_unavailable(slice);
      metrics_.recorder_written_total.Increment(static_cast<double>(count));
    } catch (const StoreUnavailable& e) {
      count_drop(count, "the database stayed unreachable while the gateway shut down");
    } catch (const std::exception& e) {
      // Retry one by one so that a single bad record cannot take its whole batch with it.
      spdlog::error("recorder: writing a batch of {} failed ({}); retrying one by one", count,
                    e.what());
      for (const Interception& record : slice) {
        try {
          write_while_unavailable(std::span(&record, 1));
          metrics_.recorder_written_total.Increment();
        } catch (const StoreUnavailable&) {
          count_drop(1, "the database stayed unreachable while the gateway shut down");
        } catch (const std::exception& single) {
          spdlog::error("recorder: interception {} could not be written: {}", record.id,
                        single.what());
          count_drop(1, "the store refused it");
        }
      }
    }
    metrics_.recorder_batch_seconds.Observe(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count());
  }
}

void Recorder::write_while_unavailable(std::span<const Interception> slice) {
  // While the database is unreachable the slice waits here, and what arrives meanwhile waits in
  // the queue (up to its bound): tried again with backoff until it is back. Once the gateway is
  // shutting down, for kRetryAtClose more at most.
  auto delay = kFirstRetry;
  const auto began = std::chrono::steady_clock::now();
  // However this ends (written, refused, or given up), the store is not down for this slice any
  // more: requests may be held back again when the queue fills.
  struct StoreUp {
    Recorder& recorder;
    bool was_down = false;
    ~StoreUp() {
      if (was_down) {
        recorder.release_held_back(/*store_down=*/false);
      }
    }
  } store_up{*this};
  for (;;) {
    try {
      sink_->write_interceptions(slice);
      if (store_up.was_down) {
        spdlog::info("recorder: the database is back; writing again after {:.1f} s",
                     std::chrono::duration<double>(std::chrono::steady_clock::now() - began)
                         .count());
      }
      return;
    } catch (const StoreUnavailable& e) {
      if (!store_up.was_down) {
        spdlog::error("recorder: the database is unreachable ({}); records wait in the queue",
                      e.what());
        store_up.was_down = true;
        release_held_back(/*store_down=*/true);
      }
      std::unique_lock lock(mutex_);
      if (closed_ && !give_up_at_) {
        give_up_at_ = std::chrono::steady_clock::now() + kRetryAtClose;  // once, for all slices
      }
      if (give_up_at_ && std::chrono::steady_clock::now() >= *give_up_at_) {
        throw;
      }
      wake_writer_.wait_for(lock, delay, [&] { return closed_ && !give_up_at_; });
    }
    delay = std::min(delay * 2, kLastRetry);
  }
}

void Recorder::release_held_back(bool store_down) {
  std::vector<std::function<void()>> room;
  {
    std::lock_guard lock(mutex_);
    store_down_ = store_down;
    if (store_down) {
      congested_.store(false, std::memory_order_relaxed);
      room.swap(waiting_for_room_);
    }
  }
  for (const auto& ready : room) {
    ready();
  }
}

void Recorder::run_due_tasks(bool all) {
  std::vector<Periodic*> due;
  const auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(mutex_);
    for (Periodic& periodic : tasks_) {
      if (all || now >= periodic.next) {
        periodic.next = now + periodic.interval;
        due.push_back(&periodic);
      }
    }
  }
  for (Periodic* periodic : due) {
    try {
      periodic->task(*sink_);
    } catch (const std::exception& e) {
      spdlog::error("recorder: periodic task failed: {}", e.what());
    }
  }
}

void Recorder::count_drop(std::size_t count, const char* why) {
  metrics_.recorder_dropped_total.Increment(static_cast<double>(count));
  std::lock_guard lock(mutex_);
  drops_since_log_ += count;
  const auto now = std::chrono::steady_clock::now();
  if (now - last_drop_log_ >= std::chrono::seconds(10)) {
    spdlog::error("recorder: dropped {} interception(s): {}", drops_since_log_, why);
    drops_since_log_ = 0;
    last_drop_log_ = now;
  }
}

}  // namespace aibridge::recorder
