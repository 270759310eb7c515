#pragma once
#include <chrono>

namespace aibridge::core {

/// Lowers the calling thread's scheduling priority (nice +10). Best-effort background threads
/// (the request-log writer, the logger) call it so that on a busy machine the
/// network threads get the CPU first and relay latency does not wait behind disk work.
void lower_thread_priority();

/// Asks the scheduler to give the calling thread short time slices (Linux 6.12+ EEVDF custom
/// slices; older kernels ignore it): a thread that wakes up on the same core then gets the CPU
/// after at most `slice`, instead of waiting out a default slice of several milliseconds. The
/// recorder's writer and checkpointer use it so that a relay thread, or a client or provider
/// on the same machine, never waits long behind a batch. Returns false when the kernel refused.
bool use_short_time_slices(std::chrono::microseconds slice);

/// Names the calling thread (shown by top -H, perf, gdb); at most 15 characters are kept.
void name_thread(const char* name);

}  // namespace aibridge::core
