#include "core/threads.hpp"

#include <pthread.h>
#include <unistd.h>

#include <sys/resource.h>
#include <sys/syscall.h>

namespace aibridge::core {

void lower_thread_priority() {
  // On Linux, nice values are per thread when given a thread id.
  const auto thread_id = static_cast<id_t>(::syscall(SYS_gettid));
  ::setpriority(PRIO_PROCESS, thread_id, 10);
}

void name_thread(const char* name) {
  ::pthread_setname_np(::pthread_self(), name);
}

}  // namespace aibridge::core
