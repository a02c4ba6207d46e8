/*
 * Readiness of open files, for poll and select. A file kind's poll
 * operation (struct file_ops) returns its event mask now and names, with
 * poll_wait, the sleep channels whose wakeup may change it; poll_run
 * sleeps on all of them at once (kern/sched.h's proc_sleep_many) until a
 * scan finds something ready, the deadline passes or a signal arrives.
 */
#ifndef EYN_FS_POLL_H
#define EYN_FS_POLL_H

#include "types.h"
#include "uapi/poll.h"

struct file;
struct wait_entry;

/* The channels a poll will sleep on; grows as files name them. */
struct poll_table {
    struct wait_entry *w;
    uint32_t n, cap;
    bool nomem;
};

/* Record that a wakeup of chan may change the caller's readiness (pt NULL: nothing to record). */
void poll_wait(struct poll_table *pt, const void *chan);
/* f's event mask: its kind's poll, or POLL_DEFAULT_MASK for files that never block. */
uint32_t file_poll(struct file *f, struct poll_table *pt);

/* One pass over a caller's files: how many are ready (their results stored by the scan), or -errno. */
typedef int (*poll_scan_fn)(void *ctx, struct poll_table *pt);
/*
 * Scan, then sleep and scan again until the scan counts something, the
 * monotonic time *deadline_ns (NULL: none) passes, or a signal is pending:
 * the scan's count (0 on timeout), its error, -ENOMEM, or -ERESTARTNOHAND
 * for a signal (EINTR once a handler runs, else the call restarts).
 */
int poll_run(poll_scan_fn scan, void *ctx, const uint64_t *deadline_ns);

#endif
