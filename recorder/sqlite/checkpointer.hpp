#pragma once
// Copies the write-ahead log into the database file on a thread of its own, so that the
// writer's commits never wait for a checkpoint (nor its fsync). The writer's connection tells it
// after each commit how long the log has grown (Database::on_commit); past `frames_per_checkpoint`
// it checkpoints without blocking anyone; when the log still grows past `max_frames` (readers or
// back-to-back batches kept it from restarting) it waits its turn once to start the log over.
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

namespace aibridge::recorder::sqlite {

class Checkpointer {
 public:
  Checkpointer(std::string path, int frames_per_checkpoint, int max_frames);
  ~Checkpointer();  // checkpoints once more, then stops
  Checkpointer(const Checkpointer&) = delete;
  Checkpointer& operator=(const Checkpointer&) = delete;

  /// Called by the writer after a commit. Cheap: wakes the thread only past the threshold.
  void log_grew_to(int frames);

 private:
  void run();

  const std::string path_;
  const int frames_per_checkpoint_;
  const int max_frames_;
  std::mutex mutex_;  // guards the members below it
  std::condition_variable wake_;
  bool due_ = false;  // the log passed frames_per_checkpoint_ since the last checkpoint
  bool stopping_ = false;
  std::thread thread_;  // last: started once everything above exists
};

}  // namespace aibridge::recorder::sqlite
