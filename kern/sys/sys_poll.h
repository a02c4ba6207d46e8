/* What poll, ppoll, select and pselect6 share: timeouts and the temporary signal mask. */
#ifndef EYN_SYS_POLL_H
#define EYN_SYS_POLL_H

#include "types.h"

/* A timeout's kinds in user memory. */
enum poll_time_kind { PT_TIMEVAL, PT_TIMESPEC32, PT_TIMESPEC64 };

/*
 * Read the timeout at ut (kind k) as a monotonic deadline in *deadline:
 * 0 with *infinite set for ut 0, 0, -EFAULT, or -EINVAL for a negative or
 * out-of-range value.
 */
int poll_deadline_from_user(vaddr_t ut, enum poll_time_kind k, uint64_t *deadline, bool *infinite);
/* Write the time left until deadline (0 if past) back to ut as Linux does (errors ignored). */
void poll_time_left_to_user(vaddr_t ut, enum poll_time_kind k, uint64_t deadline);
/* Install the sigset at umask (sigsetsize bytes; umask 0: none) for the wait: 0, -EINVAL or -EFAULT. */
int poll_sigmask_install(vaddr_t umask, uint32_t sigsetsize);
/* After the wait ended with r: an interrupted wait keeps the mask until a handler has run, else it goes now. */
void poll_sigmask_finish(int r);
/* RLIMIT_NOFILE's soft limit of the current process. */
uint64_t poll_nofile_limit(void);

#endif
