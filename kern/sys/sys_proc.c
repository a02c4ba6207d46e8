/*
 * Process system calls: fork/vfork/clone, execve, exit, wait4/waitpid,
 * process ids, signal dispositions and masks, sigreturn, yield (kill: sys_kill.c).
 */
#include "arch/i386/fpu.h"
#include "arch/i386/gdt.h"
#include "fs/vfs.h"
#include "fs/perm.h"
#include "mm/kmem/kheap.h"
#include "mm/vm/vm.h"
#include "errno.h"
#include "fs/path.h"
#include "uapi/fs.h"
#include "kern/exec.h"
#include "kern/exec_args.h"
#include "fs/file.h"
#include "kstring.h"
#include "kern/proc.h"
#include "kern/proc_attr.h"
#include "kern/sched.h"
#include "kern/sigaction.h"
#include "kern/signal.h"
#include "kern/sys/clone.h"
#include "kern/sys/syscall.h"
#include "kern/tls.h"
#include "kern/thread.h"
#include "uaccess.h"

#define WNOHANG 1u
#define SIG_BLOCK 0
#define SIG_UNBLOCK 1
#define SIG_SETMASK 2
#define SIGBIT(s) (1ull << ((s) - 1))

/* exit(code): this thread ends; the last one ends the process. */
int32_t sys_exit(SYSARGS1(code))
{
    thread_exit((int)((code & 0xFF) << 8));
}

/* exit_group(code): every thread of the process ends. */
int32_t sys_exit_group(SYSARGS1(code))
{
    proc_exit((int)((code & 0xFF) << 8));
}

/* sigaltstack(uss, uoss): the current thread's alternate signal stack. */
int32_t sys_sigaltstack(SYSARGS2(uss, uoss))
{
    return signal_altstack(uss, uoss, proc_current()->tf->user_esp);
}

/* getpid: the process's id (its threads share it). */
int32_t sys_getpid(SYSARGS0())
{
    return proc_current()->tgid;
}

/* gettid: this thread's own id. */
int32_t sys_gettid(SYSARGS0())
{
    return proc_current()->pid;
}

int32_t sys_getppid(SYSARGS0())
{
    return proc_ppid(proc_current());
}

int32_t sys_fork(SYSARGS0())
{
    return proc_fork();
}



/* clone's flag rules, as Linux 6.1 checks them: 0 or -EINVAL. */
static int clone_flags_ok(uint32_t flags)
{
    const uint32_t namespaces = CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID |
                                CLONE_NEWNET | CLONE_NEWCGROUP;
    if ((flags & (CLONE_NEWNS | CLONE_FS)) == (CLONE_NEWNS | CLONE_FS) ||
        (flags & (CLONE_NEWUSER | CLONE_FS)) == (CLONE_NEWUSER | CLONE_FS))
        return -EINVAL;
    if ((flags & CLONE_THREAD) && !(flags & CLONE_SIGHAND))
        return -EINVAL; /* threads share signal handlers */
    if ((flags & CLONE_SIGHAND) && !(flags & CLONE_VM))
        return -EINVAL; /* shared handlers need shared memory */
    if ((flags & CLONE_PIDFD) && (flags & (CLONE_DETACHED | CLONE_THREAD)))
        return -EINVAL;
    if (flags & (namespaces | CLONE_PIDFD))
        return -EINVAL; /* no namespaces or pidfds here: what a kernel built without them says */
    return 0;
}

/*
 * clone(flags, newsp, ptid, tls, ctid), i386 argument order: fork, vfork
 * (CLONE_VM | CLONE_VFORK: the child runs in the parent's memory, which
 * waits until it execs or exits) and threads (CLONE_THREAD and the sharing
 * flags glibc's pthread_create passes). TLS from a user_desc (CLONE_SETTLS),
 * the new tid stored for the parent and the child, the child's word
 * cleared and its futex woken at exit (CLONE_CHILD_CLEARTID).
 */
int32_t clone_run(const struct clone_request *r)
{
    uint32_t flags = r->flags;
    int err = clone_flags_ok(flags);
    if (err)
        return err;
    uint32_t desc[4];
    if (flags & CLONE_SETTLS) { /* checked before anything is created, as Linux fails the clone */
        if (copy_from_user(desc, r->tls, sizeof desc))
            return -EFAULT;
        if ((err = tls_desc_check(desc)) != 0)
            return err;
    }
    if (r->set_tid) { /* alloc_pid's checks: one pid namespace level here */
        if (r->set_tid < 1 || r->set_tid >= proc_pid_max)
            return -EINVAL;
        if (!cred_privileged(&proc_current()->cred))
            return -EPERM; /* CAP_CHECKPOINT_RESTORE / CAP_SYS_ADMIN */
        if (proc_pid_in_use(r->set_tid))
            return -EEXIST;
        proc_request_pid(r->set_tid);
    }
    struct proc *self = proc_current(), *child;
    err = proc_clone(flags, r->newsp, &child);
    proc_request_pid(0); /* unused if the clone failed early */
    if (err)
        return err;
    int tid = child->pid;
    if ((flags & CLONE_PARENT) && !(flags & CLONE_THREAD) && self->leader->parent &&
        !self->leader->parent->kernel_task) { /* a sibling of the caller rather than its child */
        list_del(&child->sibling);
        child->parent = self->leader->parent;
        list_add_tail(&child->parent->children, &child->sibling);
    }
    child->exit_signal = flags & CLONE_THREAD ? 0 : r->exit_signal;
    if (r->clear_sighand)
        sigaction_exec(child); /* its own copy: handlers back to the default, ignored ones stay ignored */
    if (flags & CLONE_SETTLS)
        proc_set_tls(child, desc);
    if (flags & CLONE_PARENT_SETTID)
        copy_to_user(r->ptid, &tid, 4);
    if (flags & CLONE_CHILD_SETTID)
        vm_copyout(child->vm, r->ctid, &tid, 4); /* in the child's memory: a fault there is the child's */
    if (flags & CLONE_CHILD_CLEARTID)
        child->clear_child_tid = r->ctid;
    child->vfork_parent_waits = flags & CLONE_VFORK;
    sched_start(child);
    if (flags & CLONE_VFORK) /* the parent waits until the child execs or exits */
        while (proc_find(tid, false) && !child->vfork_done && proc_sleep(child) == 0)
            ;
    return tid;
}

int32_t sys_clone(SYSARGS5(flags, newsp, ptid, tls, ctid))
{
    struct clone_request r = {.flags = flags & ~0xFFu, .exit_signal = (int)(flags & 0xFFu), .newsp = newsp,
                              .ptid = ptid, .tls = tls, .ctid = ctid};
    if ((flags & 0xFFu) > NSIG)
        return -EINVAL;
    return clone_run(&r);
}

/* vfork: the parent waits until the child execs or exits (the child's memory is a copy-on-write copy). */
int32_t sys_vfork(SYSARGS0())
{
    return sys_clone(CLONE_VM | CLONE_VFORK | 17 /* SIGCHLD */, 0, 0, 0, 0, 0);
}

/* Reset what exec resets: handlers to default (ignored stays ignored), TLS, close-on-exec files. */
static void exec_reset(struct proc *p, const char *path)
{
    p->altstack_sp = p->altstack_size = p->altstack_flags = 0; /* the old image's stack is gone */
    p->caps_set = false; /* capabilities follow the euid again, as a root exec restores them on Linux */
    sigaction_exec(p);
    proc_reset_tls(p);
    fdtable_exec(p);
    proc_set_name_from_path(p, path);
    p->vfork_done = true;
    p->vfork_parent_waits = false;
    proc_attr_exec(p);
    proc_wakeup(p);
}

int32_t sys_execve(SYSARGS3(upath, argv, envp))
{
    struct proc *p = proc_current();
    char *path = kmalloc(VFS_PATH_MAX);
    struct vnode *file;
    struct exec_args a;
    vaddr_t entry, sp;
    if (!path)
        return -ENOMEM;
    int err = strncpy_from_user(path, upath, VFS_PATH_MAX);
    if (err >= 0)
        err = path_lookup_at(p, AT_FDCWD, path, true, &file);
    if (err >= 0)
        err = file->type != VNODE_FILE ? -EACCES
                                       : vnode_permission(file, MAY_EXEC, &p->cred) ?: exec_args_from_user(&a, argv, envp);
    if (err >= 0) {
        err = exec_follow_scripts(p, &file, path, &a);
        if (!err) /* the point of no return for the other threads: they end now, as Linux's de_thread */
            err = thread_exec_alone(p) ?: fdtable_unshare(p) ?: exec_replace(p, file, &a, &entry, &sp);
        exec_args_free(&a);
    }
    if (err >= 0) {
        exec_reset(p, path);
        struct trapframe *tf = p->tf;
        memset(tf, 0, offsetof(struct trapframe, vector));
        tf->ds = tf->es = tf->fs = tf->gs = tf->user_ss = SEL_UDATA;
        tf->cs = SEL_UCODE;
        tf->eflags = 0x202;
        tf->eip = entry;
        tf->user_esp = sp;
        fpu_clean_state(p->fpu);
        fpu_restore(p->fpu);
    }
    kfree(path);
    return err < 0 ? err : 0;
}

int32_t sys_wait4(SYSARGS4(pid, ustatus, options, rusage))
{
    struct proc_end end;
    if (options & ~(WNOHANG | 2u /* WUNTRACED */ | 8u /* WCONTINUED */ | 0x40000000u /* __WALL */ | 0x80000000u))
        return -EINVAL;
    if ((int)pid == (int)0x80000000) /* -pid would overflow; Linux says ESRCH */
        return -ESRCH;
    int r = proc_wait((int)pid, &end, options & (WAIT_NOHANG | WAIT_UNTRACED | WAIT_CONTINUED));
    if (r == -EINTR)
        return -ERESTARTSYS; /* EINTR, or restarted under SA_RESTART */
    if (r <= 0)
        return r;
    /* like Linux, the child is reaped even when its status cannot be stored */
    if (ustatus && copy_to_user(ustatus, &end.status, 4))
        return -EFAULT;
    if (rusage) { /* struct rusage: the CPU time in ru_utime; nothing else is accounted */
        uint32_t ru[18];
        memset(ru, 0, sizeof ru);
        ru[0] = end.cpu_ticks / 100, ru[1] = (end.cpu_ticks % 100) * 10000;
        if (copy_to_user(rusage, ru, sizeof ru))
            return -EFAULT;
    }
    return r;
}

int32_t sys_waitpid(SYSARGS3(pid, ustatus, options))
{
    return sys_wait4(pid, ustatus, options, 0, 0, 0);
}

/* rt_sigaction(sig, act, oldact, sigsetsize) with the kernel's struct sigaction layout. */
int32_t sys_rt_sigaction(SYSARGS4(sig, act, oldact, size))
{
    struct proc *p = proc_current();
    uint32_t k[5]; /* handler, flags, restorer, mask low, mask high */
    if (size != 8)
        return -EINVAL;
    if (sig < 1 || sig > NSIG || (act && (sig == SIGKILL || sig == SIGSTOP)))
        return -EINVAL;
    const struct k_sigaction *sa = sigaction_get(p, sig);
    struct k_sigaction next = *sa;
    if (act) {
        if (copy_from_user(k, act, sizeof k))
            return -EFAULT;
        next = (struct k_sigaction){k[0], k[1], k[2], k[3] | ((uint64_t)k[4] << 32)};
    }
    if (oldact) {
        uint32_t o[5] = {sa->handler, sa->flags, sa->restorer, (uint32_t)sa->mask, (uint32_t)(sa->mask >> 32)};
        if (copy_to_user(oldact, o, sizeof o))
            return -EFAULT;
    }
    if (act && sigaction_set(p, sig, &next))
        return -ENOMEM;
    if (act)
        thread_share_sigaction(p, sig); /* CLONE_SIGHAND threads see one table */
    if (act && (next.handler == SIG_IGN || (next.handler == SIG_DFL && (sig == SIGCHLD || sig == SIGURG || sig == SIGWINCH))))
        signal_discard(p, sig); /* a pending signal that is now ignored is discarded, in every thread */
    return 0;
}

int32_t sys_rt_sigprocmask(SYSARGS4(how, set, oldset, size))
{
    struct proc *p = proc_current();
    uint64_t s, old = p->sig_blocked;
    if (size != 8)
        return -EINVAL;
    if (set) {
        if (copy_from_user(&s, set, 8))
            return -EFAULT;
        if (how == SIG_BLOCK)
            p->sig_blocked |= s;
        else if (how == SIG_UNBLOCK)
            p->sig_blocked &= ~s;
        else if (how == SIG_SETMASK)
            p->sig_blocked = s;
        else
            return -EINVAL;
        p->sig_blocked &= ~(SIGBIT(SIGKILL) | SIGBIT(SIGSTOP));
    }
    if (oldset && copy_to_user(oldset, &old, 8)) {
        p->sig_blocked = old;
        return -EFAULT;
    }
    return 0;
}

/* sigreturn / rt_sigreturn: a frame the kernel did not build (or one edited badly) raises SIGSEGV, as on Linux. */
static int32_t do_sigreturn(bool rt)
{
    struct proc *p = proc_current();
    if (!signal_return(p->tf, rt))
        signal_force(SIGSEGV, SI_KERNEL, 0, NULL);
    return (int32_t)p->tf->eax;
}

int32_t sys_sigreturn(SYSARGS0())
{
    return do_sigreturn(false);
}

int32_t sys_rt_sigreturn(SYSARGS0())
{
    return do_sigreturn(true);
}

/* pause() and rt_sigsuspend: sleep until a signal arrives. */
int32_t sys_pause(SYSARGS0())
{
    while (proc_sleep(NULL) == 0) /* on no wait queue: only a signal ends the sleep */
        ;
    return -ERESTARTNOHAND; /* EINTR once a handler runs; never restarted under SA_RESTART */
}

/* Sleep with mask blocked until a handler runs (the old mask comes back with it) or the process ends. */
static int32_t sigsuspend(uint64_t mask)
{
    struct proc *p = proc_current();
    p->saved_mask = p->sig_blocked;
    p->saved_mask_valid = true;
    p->sig_blocked = mask & ~(SIGBIT(SIGKILL) | SIGBIT(SIGSTOP));
    while (proc_sleep(NULL) == 0) /* only a signal ends the sleep */
        ;
    return -ERESTARTNOHAND; /* EINTR once the handler runs */
}

/* rt_sigsuspend(mask, sigsetsize) */
int32_t sys_rt_sigsuspend(SYSARGS2(umask, size))
{
    uint64_t mask;
    if (size != 8)
        return -EINVAL;
    if (copy_from_user(&mask, umask, 8))
        return -EFAULT;
    return sigsuspend(mask);
}

/* sigsuspend(unused, unused, mask): the old call, the low 32 signals only */
int32_t sys_sigsuspend(SYSARGS3(unused1, unused2, mask))
{
    (void)unused1, (void)unused2;
    return sigsuspend((proc_current()->sig_blocked & ~0xFFFFFFFFull) | mask);
}

int32_t sys_sched_yield(SYSARGS0())
{
    sched_yield();
    return 0;
}

int32_t sys_set_tid_address(SYSARGS1(tidptr))
{
    struct proc *p = proc_current();
    p->clear_child_tid = tidptr;
    return p->pid;
}
