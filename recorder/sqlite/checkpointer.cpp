#include "recorder/sqlite/checkpointer.hpp"

#include <spdlog/spdlog.h>

#include "core/threads.hpp"
#include "recorder/sqlite/database.hpp"

namespace aibridge::recorder::sqlite {

Checkpointer::Checkpointer(std::string path, int frames_per_checkpoint, int max_frames)
    : path_(std::move(path)),
      frames_per_checkpoint_(frames_per_checkpoint),
      max_frames_(max_frames),
      thread_([this] { run(); }) {}

Checkpointer::~Checkpointer() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

void Checkpointer::log_grew_to(int frames) {
  if (frames < frames_per_checkpoint_) {
    return;
  }
  bool wake = false;
  {
    std::lock_guard lock(mutex_);
    if (!due_) {
      due_ = true;
      wake = true;
    }
  }
  if (wake) {
    wake_.notify_one();
  }
}

void Checkpointer::run() {
  core::name_thread("ab-checkpoint");
  core::lower_thread_priority();
  core::use_short_time_slices(std::chrono::microseconds(100));
  std::unique_ptr<Database> db;
  for (;;) {
    bool stopping = false;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return due_ || stopping_; });
      stopping = stopping_;
      due_ = false;
    }
    try {
      if (!db) {
        db = std::make_unique<Database>(path_, /*create=*/false);
      }
      const int frames = db->checkpoint_passive().first;
      if (frames >= max_frames_) {
        spdlog::info("recorder: the database log holds {} frames; restarting it", frames);
        db->checkpoint_restart();
      }
    } catch (const std::exception& e) {
      spdlog::warn("recorder: checkpoint failed: {}", e.what());
      db.reset();  // reopen next time
    }
    if (stopping) {
      return;
    }
  }
}

}  // namespace aibridge::recorder::sqlite
