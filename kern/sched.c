/*
 * The scheduler: round robin over one FIFO run queue of runnable tasks (the
 * shell task among them), preemptive from the PIT for code running in user
 * mode. Sleepers wait on queues hashed by channel, timed sleeps and
 * ITIMER_REAL on the timer heap: no operation here looks at every process.
 * The kernel itself is not preempted (it runs with interrupts off, except
 * while idle or in the shell), so no locks are needed on one CPU; the
 * queues are changed with interrupts off because interrupt handlers wake
 * tasks.
 *
 * The states and the queues: RUNNING is the current task (on no queue),
 * RUNNABLE tasks are on the run queue, SLEEPING ones on the wait queue of
 * each of their channels through wait entries (on none for a NULL channel),
 * ZOMBIE, NEW and STOPPED ones on no queue. Only this file writes p->state.
 */
#include "mm/vm/vm_reclaim.h"
#include "kern/sched.h"
#include "arch/i386/cpu.h"
#include "arch/i386/pit.h"
#include "errno.h"
#include "kern/list.h"
#include "kern/loadavg.h"
#include "kern/proc.h"
#include "kern/signal.h"
#include "kern/itimer.h"
#include "kern/timer.h"
#include "arch/i386/user_frame.h"
#include "printk.h"

#define QUANTUM_TICKS 5 /* 50 ms at 100 Hz */
#define WAITQ_BITS 7
#define WAITQ_COUNT (1u << WAITQ_BITS)

static bool need_resched;
static volatile bool idle; /* halted in schedule() waiting for a runnable task */
static volatile bool pageout_due; /* a tick passed: a return to user mode may run one background pageout batch */
static struct cpu_times cpu;
static struct list runq = {&runq, &runq};
static struct list waitq[WAITQ_COUNT];
static uint32_t nr_active; /* user tasks RUNNABLE or RUNNING */

void context_switch(uint32_t *save_esp, uint32_t new_esp);

/* The wait queue of a channel (Fibonacci hashing of its address). */
static struct list *waitq_of(const void *chan)
{
    return &waitq[((uint32_t)(uintptr_t)chan * 0x9E3779B1u) >> (32 - WAITQ_BITS)];
}

static uint32_t active(enum proc_state s) { return s == PROC_RUNNABLE || s == PROC_RUNNING; }

/* The one place a task's state is written: keeps the count of active user tasks. */
static void set_state(struct proc *p, enum proc_state s)
{
    if (!p->kernel_task)
        nr_active = nr_active + active(s) - active(p->state);
    p->state = s;
}

/* p, on no queue, joins the end of the run queue. */
static void make_runnable(struct proc *p)
{
    set_state(p, PROC_RUNNABLE);
    list_add_tail(&runq, &p->run_link);
}

void sched_init(struct proc *first)
{
    for (uint32_t i = 0; i < WAITQ_COUNT; i++)
        list_init(&waitq[i]);
    list_init(&first->run_link);
    set_state(first, PROC_RUNNING);
}

void sched_new(struct proc *p)
{
    list_init(&p->run_link);
    p->state = PROC_NEW; /* not active: no counter changes */
}

void sched_start(struct proc *p)
{
    uint32_t flags = irq_save();
    if (p->state != PROC_NEW)
        panic("sched_start: pid %d is not new (state %d)", p->pid, p->state);
    make_runnable(p);
    irq_restore(flags);
}

void schedule(void)
{
    struct proc *prev = proc_current(), *next;
    uint32_t flags = irq_save();
    if (prev->state == PROC_RUNNING)
        make_runnable(prev);
    for (int batch = 0; batch < 16 && list_empty(&runq) && vm_reclaim_background(); batch++)
        ; /* nothing to run: page out in the background while memory is short (bounded: interrupts are off) */
    while (list_empty(&runq)) {
        idle = true;
        sti_hlt(); /* idle until an interrupt makes something runnable */
        cli();
        idle = false;
    }
    next = list_entry(runq.next, struct proc, run_link);
    list_del(&next->run_link);
    set_state(next, PROC_RUNNING);
    need_resched = false;
    next->quantum = QUANTUM_TICKS;
    if (next != prev) {
        cpu.ctxt++;
        if (prev->state == PROC_RUNNABLE)
            prev->nivcsw++; /* still wanted the CPU: preempted or yielded */
        else
            prev->nvcsw++;
        proc_load_context(prev, next);
        context_switch(&prev->kernel_esp, next->kernel_esp);
    }
    irq_restore(flags);
}

NORETURN void sched_exit(void)
{
    cli();
    set_state(proc_current(), PROC_ZOMBIE);
    schedule();
    panic("a dead process was resumed");
}

/* Take p's wait entries off their queues (interrupts off). */
static void unlink_waits(struct proc *p)
{
    for (uint32_t i = 0; i < p->nwaits; i++)
        list_del(&p->waits[i].link);
    p->nwaits = 0;
}

/* The current task sleeps on the channels of w[0..n) until woken (interrupts off). */
static void sleep_on(struct proc *p, struct wait_entry *w, uint32_t n)
{
    p->waits = w;
    p->nwaits = n;
    p->sleep_chan = n ? w[0].chan : NULL;
    for (uint32_t i = 0; i < n; i++) {
        w[i].p = p;
        list_add_tail(waitq_of(w[i].chan), &w[i].link);
    }
    set_state(p, PROC_SLEEPING);
    schedule();
    p->sleep_chan = NULL;
}

int proc_sleep(const void *chan)
{
    struct proc *p = proc_current();
    if (signal_pending(p))
        return -EINTR;
    uint32_t flags = irq_save();
    p->wait1.chan = chan;
    sleep_on(p, &p->wait1, chan ? 1 : 0);
    irq_restore(flags);
    return signal_pending(p) ? -EINTR : 0;
}

static void sleep_timeout(struct ktimer *t);

int proc_sleep_many(struct wait_entry *w, uint32_t n, const uint32_t *deadline)
{
    struct proc *p = proc_current();
    if (signal_pending(p))
        return -EINTR;
    if (deadline && (int32_t)(*deadline - pit_ticks()) <= 0)
        return 0;
    uint32_t flags = irq_save();
    if (deadline)
        timer_arm(&p->sleep_timer, *deadline, sleep_timeout);
    sleep_on(p, w, n);
    timer_cancel(&p->sleep_timer);
    irq_restore(flags);
    return signal_pending(p) ? -EINTR : 0;
}

void proc_stop_self(void)
{
    struct proc *p = proc_current();
    uint32_t flags = irq_save();
    set_state(p, PROC_STOPPED);
    schedule();
    irq_restore(flags);
}

void proc_continue(struct proc *p)
{
    uint32_t flags = irq_save();
    if (p->state == PROC_STOPPED)
        make_runnable(p);
    irq_restore(flags);
}

void proc_wakeup(const void *chan)
{
    if (!chan)
        return;
    uint32_t flags = irq_save();
    struct list *q = waitq_of(chan);
    for (struct list *n = q->next; n != q;) {
        struct wait_entry *e = list_entry(n, struct wait_entry, link);
        if (e->chan != chan) {
            n = n->next;
            continue;
        }
        struct proc *p = e->p;
        bool several = p->nwaits > 1;
        n = n->next;
        unlink_waits(p);
        make_runnable(p);
        if (several)
            n = q->next; /* its other nodes may have been on this queue, n among them: start again */
    }
    irq_restore(flags);
}

void proc_wake(struct proc *p)
{
    uint32_t flags = irq_save();
    if (p->state == PROC_SLEEPING) {
        unlink_waits(p); /* off its wait queues (none for a NULL channel) */
        make_runnable(p);
    }
    irq_restore(flags);
}

static void sleep_timeout(struct ktimer *t) { proc_wake(list_entry(t, struct proc, sleep_timer)); }

int proc_sleep_until(uint32_t tick)
{
    struct proc *p = proc_current();
    int err = 0;
    if ((int32_t)(tick - pit_ticks()) <= 0)
        return 0;
    timer_arm(&p->sleep_timer, tick, sleep_timeout);
    while (!err && (int32_t)(tick - pit_ticks()) > 0)
        err = proc_sleep(NULL); /* the timer or a signal ends it */
    timer_cancel(&p->sleep_timer);
    return err;
}

void sched_tick(bool from_user)
{
    uint32_t now = pit_ticks();
    timer_tick(now);
    struct proc *cur = proc_current();
    if (idle)
        cpu.idle++;
    else if (from_user)
        cpu.user++;
    else
        cpu.system++;
    if (!cur->kernel_task && !idle) {
        cur->cpu_ticks++;
        cur->sys_ticks += !from_user;
    }
    if (cur->quantum && --cur->quantum == 0)
        need_resched = true;
    pageout_due = true;
    loadavg_tick(now);
    itimer_tick(cur, now);
}

void sched_cpu_times(struct cpu_times *out) { *out = cpu; }

void sched_yield(void)
{
    schedule();
}

void sched_return_to_user(struct trapframe *tf)
{
    if (pageout_due) { /* a safe point: nothing of this task's is in flight in the kernel */
        pageout_due = false;
        vm_reclaim_background();
    }
    if (need_resched)
        schedule();
    signal_deliver(tf);
    if (!user_frame_ok(tf)) { /* never expected: every path that sets user registers validates them */
        kprintf("[pid %d: invalid user frame (cs %x ss %x ds %x es %x fs %x gs %x eflags %x); killed]\n",
                proc_current()->pid, tf->cs, tf->user_ss, tf->ds, tf->es, tf->fs, tf->gs, tf->eflags);
        proc_kill(SIGSEGV, NULL);
    }
}

uint32_t sched_nr_active(void) { return nr_active; }

/* ---- the debug check ---- */

#define CHECK(cond, ...)                                                                                      \
    do {                                                                                                      \
        if (!(cond)) {                                                                                        \
            kprintf("sched check: " __VA_ARGS__);                                                             \
            return -1;                                                                                        \
        }                                                                                                     \
    } while (0)

/* Is p a task the scheduler knows: the shell task or a process in the table? */
static bool known_task(const struct proc *p)
{
    return p == proc_shell_task() || proc_slot(p->slot) == p;
}

/* Walk the run queue: every node's back link, each task known and runnable. */
static int check_runq(uint32_t *count)
{
    uint32_t n = 0;
    for (struct list *l = runq.next; l != &runq; l = l->next) {
        struct proc *p = list_entry(l, struct proc, run_link);
        CHECK(l->next->prev == l && l->prev->next == l, "broken links on the run queue\n");
        CHECK(++n <= PROC_MAX + 1, "a queue holds more tasks than exist (a cycle?)\n");
        CHECK(known_task(p), "queue node %p is no task\n", (void *)p);
        CHECK(p->state == PROC_RUNNABLE, "pid %d (%s) is on the run queue in state %d\n", p->pid, p->name, p->state);
    }
    *count += n;
    return 0;
}

/* Walk wait queue i: links, each entry a sleeping known task's, hashed by its channel. */
static int check_waitq(uint32_t i, uint32_t *count)
{
    uint32_t n = 0;
    struct list *q = &waitq[i];
    for (struct list *l = q->next; l != q; l = l->next) {
        struct wait_entry *e = list_entry(l, struct wait_entry, link);
        CHECK(l->next->prev == l && l->prev->next == l, "broken links on a wait queue\n");
        CHECK(++n <= 64 * (PROC_MAX + 1), "a wait queue holds too many entries (a cycle?)\n");
        CHECK(known_task(e->p), "wait entry %p names no task\n", (void *)e);
        CHECK(e->p->state == PROC_SLEEPING, "pid %d (%s) is on a wait queue in state %d\n", e->p->pid, e->p->name,
              e->p->state);
        CHECK(e->chan && waitq_of(e->chan) == q, "pid %d (%s) sleeps on %p but is on wait queue %u\n", e->p->pid,
              e->p->name, e->chan, i);
    }
    *count += n;
    return 0;
}

/* One task's state against its links and timers; counts into c. */
static int check_task(struct proc *p, struct sched_census *c, uint32_t *running, uint32_t *active_users,
                      uint32_t *hashed)
{
    bool linked = list_linked(&p->run_link);
    c->tasks++;
    switch (p->state) {
    case PROC_RUNNING:
        CHECK(p == proc_current(), "pid %d (%s) is RUNNING but not current\n", p->pid, p->name);
        CHECK(!linked, "the running pid %d (%s) is on a queue\n", p->pid, p->name);
        ++*running;
        break;
    case PROC_RUNNABLE:
        CHECK(linked, "runnable pid %d (%s) is on no queue\n", p->pid, p->name);
        c->runnable++;
        break;
    case PROC_SLEEPING:
        CHECK(!linked, "sleeping pid %d (%s) is on the run queue\n", p->pid, p->name);
        for (uint32_t i = 0; i < p->nwaits; i++)
            CHECK(list_linked(&p->waits[i].link) && p->waits[i].p == p, "sleeping pid %d (%s): wait entry %u unlinked\n",
                  p->pid, p->name, i);
        c->sleeping++;
        *hashed += p->nwaits;
        break;
    case PROC_STOPPED:
        CHECK(!linked && !p->nwaits, "stopped pid %d (%s) is on a queue\n", p->pid, p->name);
        c->sleeping++;
        break;
    case PROC_ZOMBIE:
    case PROC_NEW:
        CHECK(!linked, "pid %d (%s) in state %d is on a queue\n", p->pid, p->name, p->state);
        CHECK(!p->sleep_timer.armed && (!p->real_timer.armed || (p->leader == p && p->nr_threads)),
              "pid %d (%s) in state %d has a timer armed\n", p->pid, p->name, p->state); /* a leader that exited first keeps its process's ITIMER_REAL */
        break;
    default:
        CHECK(false, "pid %d (%s) has a bad state %d\n", p->pid, p->name, p->state);
    }
    CHECK(p->real_timer.armed == (p->itimer[0].value != 0), "pid %d (%s): ITIMER_REAL %u but its timer %s\n",
          p->pid, p->name, p->itimer[0].value, p->real_timer.armed ? "armed" : "not armed");
    if (p->real_timer.armed)
        CHECK(p->real_timer.expires == p->itimer[0].value, "pid %d (%s): ITIMER_REAL at %u, its timer at %u\n",
              p->pid, p->name, p->itimer[0].value, p->real_timer.expires);
    c->timers += p->sleep_timer.armed + p->real_timer.armed;
    if (!p->kernel_task)
        *active_users += active(p->state);
    return 0;
}

static int check_locked(struct sched_census *c)
{
    uint32_t queued = 0, running = 0, active_users = 0, hashed = 0;
    *c = (struct sched_census){0};
    if (check_runq(&queued))
        return -1;
    for (uint32_t i = 0; i < WAITQ_COUNT; i++)
        if (check_waitq(i, &c->queued_sleepers))
            return -1;
    if (check_task(proc_shell_task(), c, &running, &active_users, &hashed))
        return -1;
    for (int i = 0; i < proc_slot_count(); i++) {
        struct proc *p = proc_slot(i);
        if (p && check_task(p, c, &running, &active_users, &hashed))
            return -1;
    }
    CHECK(running == 1, "%u tasks are RUNNING\n", running);
    CHECK(queued == c->runnable, "%u tasks on the run queue, %u runnable\n", queued, c->runnable);
    CHECK(hashed == c->queued_sleepers, "%u entries on wait queues, sleepers hold %u\n",
          c->queued_sleepers, hashed);
    CHECK(active_users == nr_active, "%u user tasks active, the counter says %u\n", active_users, nr_active);
    CHECK(c->timers == timer_count(), "tasks hold %u armed timers, the heap %u\n", c->timers, timer_count());
    return timer_check();
}

int sched_check(struct sched_census *c)
{
    uint32_t flags = irq_save();
    int err = check_locked(c);
    irq_restore(flags);
    return err;
}
