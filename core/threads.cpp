#include "core/threads.hpp"

#include <pthread.h>
#include <unistd.h>

#include <sched.h>

#include <cstdint>

#include <sys/resource.h>
#include <sys/syscall.h>

namespace aibridge::core {

void lower_thread_priority() {
  // On Linux, nice values are per thread when given a thread id.
  const auto thread_id = static_cast<id_t>(::syscall(SYS_gettid));
  ::setpriority(PRIO_PROCESS, thread_id, 10);
}

namespace {

// The kernel's struct sched_attr (linux/sched/types.h clashes with glibc's <sched.h>).
struct SchedAttributes {
  std::uint32_t size;
  std::uint32_t sched_policy;
  std::uint64_t sched_flags;
  std::int32_t sched_nice;
  std::uint32_t sched_priority;
  std::uint64_t sched_runtime;  // SCHED_OTHER on EEVDF kernels: the requested slice
  std::uint64_t sched_deadline;
  std::uint64_t sched_period;
  std::uint32_t sched_util_min;
  std::uint32_t sched_util_max;
};

}  // namespace

bool use_short_time_slices(std::chrono::microseconds slice) {
  SchedAttributes attributes{};
  attributes.size = sizeof attributes;
  attributes.sched_policy = SCHED_OTHER;
  attributes.sched_nice = ::getpriority(PRIO_PROCESS, static_cast<id_t>(::syscall(SYS_gettid)));
  attributes.sched_runtime =
      static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(slice).count());
  return ::syscall(SYS_sched_setattr, 0, &attributes, 0) == 0;
}

void name_thread(const char* name) {
  ::pthread_setname_np(::pthread_self(), name);
}

}  // namespace aibridge::core
