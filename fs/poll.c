/* The wait of poll and select over several files (see fs/poll.h). */
#include "fs/poll.h"
#include "arch/i386/pit.h"
#include "errno.h"
#include "fs/file.h"
#include "kern/clock.h"
#include "kern/proc.h"
#include "kern/sched.h"
#include "kern/signal.h"
#include "kstring.h"
#include "mm/kmem/kheap.h"

void poll_wait(struct poll_table *pt, const void *chan)
{
    if (!pt || !chan)
        return;
    for (uint32_t i = 0; i < pt->n; i++)
        if (pt->w[i].chan == chan)
            return; /* one entry per channel is enough */
    if (pt->n == pt->cap) {
        uint32_t cap = pt->cap ? pt->cap * 2 : 8;
        struct wait_entry *w = kmalloc(cap * sizeof *w);
        if (!w) {
            pt->nomem = true;
            return;
        }
        if (pt->n)
            memcpy(w, pt->w, pt->n * sizeof *w);
        kfree(pt->w);
        pt->w = w;
        pt->cap = cap;
    }
    pt->w[pt->n++] = (struct wait_entry){.chan = chan};
}

uint32_t file_poll(struct file *f, struct poll_table *pt)
{
    return f->ops->poll ? f->ops->poll(f, pt) : POLL_DEFAULT_MASK;
}

/* The PIT tick by which monotonic time has reached ns. */
static uint32_t tick_of(uint64_t ns) { return (uint32_t)((ns + NSEC_PER_TICK - 1) / NSEC_PER_TICK); }

int poll_run(poll_scan_fn scan, void *ctx, const uint64_t *deadline_ns)
{
    struct poll_table pt = {0};
    bool once = deadline_ns && *deadline_ns <= clock_monotonic_ns();
    struct poll_table *record = once ? NULL : &pt; /* channels are named on the first pass only */
    uint32_t deadline = deadline_ns ? tick_of(*deadline_ns) : 0;
    int r;
    for (;;) {
        r = scan(ctx, record);
        record = NULL;
        if (r || once)
            break;
        if (pt.nomem) {
            r = -ENOMEM;
            break;
        }
        if (deadline_ns && (int32_t)(deadline - pit_ticks()) <= 0)
            break;
        if (signal_pending(proc_current()) || proc_sleep_many(pt.w, pt.n, deadline_ns ? &deadline : NULL)) {
            r = -ERESTARTNOHAND;
            break;
        }
    }
    kfree(pt.w);
    return r;
}
