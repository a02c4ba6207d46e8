/* Process commands: ps, ps check, vmmap PID, kill [-SIG] PID. */
#include "mm/vm/vm_space.h"
#include "kern/proc.h"
#include "kern/sched.h"
#include "kern/signal.h"
#include "errno.h"
#include "mmu.h"
#include "kstring.h"
#include "format.h"
#include "printk.h"
#include "drivers/console.h"
#include "shell/shell.h"
#include "fs/seq_file.h"
#include "kern/proc_maps.h"

/*
 * ps check: the run queue, wait queues, timer heap and counters against
 * every task's state, then the process table's slot map, pid and group
 * hashes and children lists.
 */
static int ps_check(void)
{
    struct sched_census c;
    if (sched_check(&c) || proc_check()) {
        kprintf("ps check: inconsistent\n");
        return 0;
    }
    kprintf("ps check: %u tasks, %u runnable, %u sleeping (%u on wait queues), %u timers armed, consistent\n",
            c.tasks, c.runnable, c.sleeping, c.queued_sleepers, c.timers);
    return 0;
}

int cmd_ps(int argc, char **argv)
{
    static const char *const states[] = {"unused", "runnable", "running", "sleeping", "zombie", "new", "stopped"};
    if (argc == 2 && !strcmp(argv[1], "check"))
        return ps_check();
    if (argc != 1)
        return -EINVAL;
    kprintf("  PID  PPID  STATE     RSS(KiB)  NAME\n");
    kprintf("    0     0  %-9s        0  kernel shell\n", states[proc_shell_task()->state]);
    for (int i = 0; i < proc_slot_count(); i++) {
        struct proc *p = proc_slot(i);
        if (p)
            kprintf("  %3d  %4d  %-9s %8u  %s\n", p->pid, p->parent ? p->parent->pid : 0, states[p->state],
                    proc_rss_pages(p) * 4, p->name);
    }
    return 0;
}

/* vmmap PID: the regions of a process, like /proc/PID/maps, with resident KiB per region. */
int cmd_vmmap(int argc, char **argv)
{
    uint32_t pid;
    if (argc != 2 || parse_u32(argv[1], &pid) || pid == 0)
        return -EINVAL;
    struct proc *p = proc_find((int)pid, false);
    if (!p || !p->vm) {
        kprintf("vmmap: no process %u\n", pid);
        return -ESRCH;
    }
    struct seqbuf text = {0};
    proc_maps_show(&text, p, MAPS_RESIDENT); /* the lines /proc/PID/maps shows, with resident sizes */
    if (text.buf)
        console_write(text.buf, text.len);
    if (text.overflow)
        kprintf("vmmap: out of memory: the list is cut\n");
    seq_free(&text);
    kprintf("%u regions, %u KiB resident, %u page tables\n", p->vm->map.count, p->vm->pmap.resident * 4,
            p->vm->pmap.tables);
    return 0;
}

/* kill [-SIG] PID: send a signal (default SIGTERM) to a process. */
int cmd_kill(int argc, char **argv)
{
    uint32_t pid, sig = SIGTERM;
    if (argc == 3 && (argv[1][0] != '-' || parse_u32(argv[1] + 1, &sig) || sig == 0 || sig > NSIG))
        return -EINVAL;
    if ((argc != 2 && argc != 3) || parse_u32(argv[argc - 1], &pid) || pid == 0)
        return -EINVAL;
    struct proc *p = proc_find((int)pid, false);
    if (!p) {
        kprintf("kill: no process %u\n", pid);
        return -ESRCH;
    }
    signal_send(p, (int)sig);
    return 0;
}
