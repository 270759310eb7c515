#include "recorder/retention.hpp"

#include <spdlog/spdlog.h>

#include "core/time.hpp"

namespace aibridge::recorder {

std::size_t apply_retention(RecordSink& store, std::chrono::milliseconds retention,
                            std::size_t batch_size, std::size_t batches) {
  if (retention.count() == 0) {
    return 0;
  }
  const UnixMicros cutoff =
      core::now_micros() - std::chrono::duration_cast<std::chrono::microseconds>(retention).count();
  std::size_t deleted = 0;
  for (std::size_t i = 0; i < batches; ++i) {
    const std::size_t removed = store.delete_interceptions_before(cutoff, batch_size);
    deleted += removed;
    if (removed < batch_size) {
      break;
    }
  }
  if (deleted > 0) {
    spdlog::info("retention: deleted {} interception(s) older than {}", deleted,
                 core::format_rfc3339(cutoff));
  }
  return deleted;
}

}  // namespace aibridge::recorder
