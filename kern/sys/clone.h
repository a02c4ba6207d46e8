/* The clone behind clone (120), vfork and clone3 (435), decoded into one request. */
#ifndef EYN_SYS_CLONE_H
#define EYN_SYS_CLONE_H

#include "types.h"

struct clone_request {
    uint32_t flags;     /* CLONE_* (kern/thread.h), without the exit signal */
    int exit_signal;    /* what the parent gets at the child's end (0: nothing) */
    vaddr_t newsp;      /* the child's user stack pointer (0: the caller's) */
    vaddr_t ptid, tls, ctid; /* CLONE_PARENT_SETTID's word, CLONE_SETTLS's user_desc, CLONE_CHILD_*TID's word */
    int set_tid;        /* clone3: the pid the child must get (0: any) */
    bool clear_sighand; /* clone3's CLONE_CLEAR_SIGHAND: the child's handlers back to the default */
};

/*
 * Make the task r describes (flags checked as Linux 6.1's copy_process,
 * TLS checked before anything is made), start it, and for CLONE_VFORK
 * wait until it execs or exits: its id, or -EINVAL, -EFAULT, -EPERM,
 * -EEXIST (set_tid taken), -EAGAIN, -ENOMEM.
 */
int32_t clone_run(const struct clone_request *r);

#endif
