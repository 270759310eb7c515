#pragma once
#include <string_view>

namespace aibridge::core {

/// Routes spdlog's default logger through an asynchronous stderr sink that drops the oldest
/// lines instead of blocking when the disk or terminal cannot keep up, so logging never stalls a
/// network thread. Timestamps are UTC.
void setup_logging(std::string_view level);

/// Writes out queued lines and stops the logging thread (call last, at exit).
void shutdown_logging();

}  // namespace aibridge::core
