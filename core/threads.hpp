#pragma once

namespace aibridge::core {

/// Lowers the calling thread's scheduling priority (nice +10). Best-effort background threads
/// (the request-log writer, the logger) call it so that on a busy machine the
/// network threads get the CPU first and relay latency does not wait behind disk work.
void lower_thread_priority();

/// Names the calling thread (shown by top -H, perf, gdb); at most 15 characters are kept.
void name_thread(const char* name);

}  // namespace aibridge::core
