#ifndef ASHB_CZSTD_SHIM_H
#define ASHB_CZSTD_SHIM_H
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <zstd.h>

// Lowers the calling thread's CPU priority to the lowest (nice 19): on Linux a thread's nice value is
// its own. Used by the run log's background compressor, so it takes only CPU that the run leaves idle.
static inline int ashb_lower_thread_priority(void) {
    return setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), 19);
}
#endif
