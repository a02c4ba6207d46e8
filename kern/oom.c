/* The out-of-memory killer and its badness (see oom.h). */
#include "kern/oom.h"
#include "mm/vm/vm_usage.h"
#include "errno.h"
#include "printk.h"
#include "kern/cred.h"
#include "kern/proc.h"
#include "kern/sched.h"
#include "kern/signal.h"
#include "kern/thread.h"
#include "fs/vfs.h"
#include "mm/pmm/pmm.h"
#include "mm/vm/anon.h"
#include "mm/vm/vm_reclaim.h"

uint32_t oom_total_pages(void)
{
    struct pmm_stats st;
    pmm_get_stats(&st);
    return st.total_frames - st.reserved_frames;
}

int32_t oom_badness(const struct proc *p, uint32_t totalpages)
{
    if (p->kernel_task || p->state == PROC_ZOMBIE || !p->vm)
        return OOM_UNKILLABLE;
    int32_t adj = p->leader->oom_score_adj;
    if (adj == OOM_SCORE_ADJ_MIN || p->vfork_parent_waits) /* -1000, or a vfork child in its parent's memory */
        return OOM_UNKILLABLE;
    int32_t points = (int32_t)(p->vm->pmap.resident + p->vm->pmap.tables + vm_space_swapped(p->vm)); /* rss + page tables + swap */
    return points + adj * (int32_t)(totalpages / 1000);
}

uint32_t oom_score(const struct proc *p)
{
    uint32_t total = oom_total_pages();
    const struct proc *t = p;
    if (!t->vm) /* a leader that exited first: its process's memory is its threads' */
        for (t = thread_next((struct proc *)p, NULL); t && !t->vm; t = thread_next((struct proc *)p, (struct proc *)t))
            ;
    int32_t b = t ? oom_badness(t, total) : OOM_UNKILLABLE;
    if (b == OOM_UNKILLABLE || !total)
        return 0;
    int64_t points = (1000 + (int64_t)b * 1000 / (int64_t)total) * 2 / 3;
    return points > 0 ? (uint32_t)points : 0;
}

int oom_set_adj(struct proc *p, int adj, bool legacy)
{
    struct proc *l = p->leader;
    bool privileged = cred_privileged(&proc_current()->cred); /* CAP_SYS_RESOURCE */
    if (adj < l->oom_score_adj_min && !privileged)
        return -EACCES;
    l->oom_score_adj = (int16_t)adj;
    if (!legacy && privileged)
        l->oom_score_adj_min = (int16_t)adj;
    return 0;
}

/*
 * Linux's select_bad_process: the task with the most points (the later of
 * equals); one already dying with its memory still held is chosen at once,
 * so the killer waits for it rather than killing another.
 */
static struct proc *select_victim(void)
{
    uint32_t total = oom_total_pages();
    struct proc *best = NULL;
    int32_t best_points = 0;
    for (int i = 0; i < proc_slot_count(); i++) {
        struct proc *p = proc_slot(i);
        if (!p)
            continue;
        int32_t points = oom_badness(p, total);
        if (points == OOM_UNKILLABLE)
            continue;
        if (signal_fatal_pending(p))
            return p;
        if (!best || points >= best_points)
            best = p, best_points = points;
    }
    return best;
}

bool oom_kill(void)
{
    struct proc *self = proc_current();
    if (signal_fatal_pending(self))
        return true; /* its own death frees memory: it ends on its way out of the trap */
    struct proc *victim = select_victim();
    if (!victim) {
        kprintf("[out of memory: no killable process; pid %d (%s) gets no page]\n", self->pid, self->name);
        return false;
    }
    if (!signal_fatal_pending(victim)) {
        struct pmm_stats st;
        struct cache_stats cs;
        pmm_get_stats(&st);
        vm_cache_stats(&cs);
        kprintf("[out of memory: killed pid %d (%s), %u KiB resident, oom_score_adj %d; free %u KiB, anon %u KiB, "
                "file data %u KiB, shared %u KiB, cache %u KiB]\n",
                victim->tgid, victim->name, victim->vm->pmap.resident * 4, victim->leader->oom_score_adj,
                st.free_frames * 4, anon_stats.anons * 4, vfs_data_pages() * 4, cs.shared_pages * 4,
                cs.cache_pages * 4);
    }
    signal_send(victim, SIGKILL);
    if (victim->leader != self->leader)
        schedule(); /* let it die; the caller retries */
    return true;
}
