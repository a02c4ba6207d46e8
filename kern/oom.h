/*
 * The out-of-memory killer and the badness it ranks processes by, as
 * Linux 6.1's (mm/oom_kill.c): a process's badness is the pages it holds
 * (resident pages, its page tables; no swap yet) plus its oom_score_adj in
 * thousandths of RAM; -1000 (OOM_SCORE_ADJ_MIN) makes it unkillable.
 * oom_score_adj is per process (kept on the leader), inherited by fork.
 */
#ifndef EYN_OOM_H
#define EYN_OOM_H

#include "types.h"

struct proc;

#define OOM_SCORE_ADJ_MIN (-1000)
#define OOM_SCORE_ADJ_MAX 1000
#define OOM_DISABLE (-17) /* the legacy oom_adj's "never kill" */
#define OOM_ADJUST_MIN (-16)
#define OOM_ADJUST_MAX 15
#define OOM_UNKILLABLE ((int32_t)0x80000000u) /* oom_badness of a process never chosen */

/* The pages the badness is measured against (RAM the kernel may hand out; no swap yet). */
uint32_t oom_total_pages(void);
/* Linux's oom_badness: p's points, or OOM_UNKILLABLE (kernel task, ended, -1000, a vfork child meanwhile). */
int32_t oom_badness(const struct proc *p, uint32_t totalpages);
/* /proc/PID/oom_score: the badness scaled to 0..2000 (0 for an unkillable one), as Linux's proc_oom_score. */
uint32_t oom_score(const struct proc *p);
/*
 * Set p's process's oom_score_adj (Linux's __set_oom_adj): below
 * oom_score_adj_min needs privilege (CAP_SYS_RESOURCE: euid 0 here),
 * -EACCES otherwise; a privileged write that is not the legacy oom_adj
 * also moves the minimum. 0 or -EACCES.
 */
int oom_set_adj(struct proc *p, int adj, bool legacy);
/*
 * No frame is left for a page of user memory: SIGKILL the process with
 * the highest badness (or wait for one already dying). If that is the
 * current one it only gets SIGKILL (it ends on its way back to user mode);
 * otherwise the current one yields so the victim can die and free its
 * memory, and then retries its access. False when nothing may be killed
 * (every process is unkillable): the caller's allocation fails (Linux
 * panics "Out of memory and no killable processes" there instead).
 */
bool oom_kill(void);

#endif
