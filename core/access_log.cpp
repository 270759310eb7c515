#include "core/access_log.hpp"

#include <spdlog/spdlog.h>

#include "core/threads.hpp"

namespace aibridge::core {

AccessLog::AccessLog() : writer_([this] { run(); }) {}

AccessLog::~AccessLog() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  writer_.join();
}

void AccessLog::add(const AccessRecord& record) {
  std::size_t size = 0;
  {
    std::lock_guard lock(mutex_);
    pending_.push_back(record);
    size = pending_.size();
  }
  if (size == kWakeAt) {
    wake_.notify_one();
  }
}

void AccessLog::run() {
  name_thread("ab-access-log");
  lower_thread_priority();
  std::vector<AccessRecord> batch;
  for (;;) {
    bool stopping = false;
    {
      std::unique_lock lock(mutex_);
      wake_.wait_for(lock, kFlushInterval,
                     [this] { return stopping_ || pending_.size() >= kWakeAt; });
      batch.swap(pending_);
      stopping = stopping_;
    }
    for (const AccessRecord& record : batch) {
      spdlog::info(
          "access method={} path={} status={} duration_ms={:.3f} bytes={} interception={} user={}",
          record.method.view(), record.path.view(), record.status,
          static_cast<double>(record.duration.count()) / 1000.0, record.bytes,
          record.interception_id.empty() ? "-" : record.interception_id.view(),
          record.user.empty() ? "-" : record.user.view());
    }
    batch.clear();
    if (stopping) {
      return;
    }
  }
}

}  // namespace aibridge::core
