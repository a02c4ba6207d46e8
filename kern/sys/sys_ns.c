/*
 * The machine's names and the namespace call: uname, sethostname and
 * setdomainname (the node and domain names are the kernel's, one set for
 * everyone; "eyn" and "(none)" at boot), and unshare, which gives a thread
 * its own descriptor table and fs state and refuses the namespace flags as
 * a Linux built without namespaces does.
 */
#include "errno.h"
#include "fs/file.h"
#include "kern/proc.h"
#include "kern/sys/syscall.h"
#include "kern/thread.h"
#include "kstring.h"
#include "uaccess.h"

#define UTS_LEN 64 /* __NEW_UTS_LEN: a field holds 64 bytes and a NUL */

static char nodename[UTS_LEN + 1] = "eyn";
static char domainname[UTS_LEN + 1] = "(none)";

/* uname(struct new_utsname *): six fields of 65 bytes. */
int32_t sys_uname(SYSARGS1(buf))
{
    const char *const fields[] = {"EYN-OS", nodename, "6.1.0", "eyn-os", "i686", domainname};
    char u[6 * (UTS_LEN + 1)];
    memset(u, 0, sizeof u);
    for (int i = 0; i < 6; i++)
        memcpy(u + i * (UTS_LEN + 1), fields[i], strlen(fields[i]));
    return copy_to_user(buf, u, sizeof u);
}

/* Set a name field to len bytes at user name, the rest zeroed: 0, -EINVAL or -EFAULT. */
static int32_t set_name(char *field, vaddr_t name, uint32_t len)
{
    char tmp[UTS_LEN];
    if ((int32_t)len < 0 || len > UTS_LEN)
        return -EINVAL;
    if (copy_from_user(tmp, name, len))
        return -EFAULT;
    memset(field, 0, UTS_LEN + 1);
    memcpy(field, tmp, len);
    return 0;
}

/* sethostname(name, len) */
int32_t sys_sethostname(SYSARGS2(name, len))
{
    return set_name(nodename, name, len);
}

/* setdomainname(name, len) */
int32_t sys_setdomainname(SYSARGS2(name, len))
{
    return set_name(domainname, name, len);
}

#define CLONE_NEWTIME 0x00000080u /* the clone flags are kern/thread.h's; this one only unshare takes */
#define CLONE_NEW_ANY (CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | \
                       CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWTIME)

/*
 * unshare(flags), as Linux 6.1's ksys_unshare: the implied flags added,
 * EINVAL for an unknown flag, for CLONE_THREAD / CLONE_SIGHAND / CLONE_VM
 * in a process with several threads, and for a namespace (none exist here,
 * as on a Linux built without them); then a shared descriptor table is
 * copied (CLONE_FILES) and the cwd, root and umask stop being shared
 * (CLONE_FS). 0, -EINVAL or -ENOMEM.
 */
int32_t sys_unshare(SYSARGS1(flags))
{
    uint32_t known = CLONE_THREAD | CLONE_FS | CLONE_SIGHAND | CLONE_VM | CLONE_FILES | CLONE_SYSVSEM | CLONE_NEW_ANY;
    if (flags & ~known)
        return -EINVAL;
    if (flags & CLONE_NEWUSER)
        flags |= CLONE_THREAD | CLONE_FS;
    if (flags & CLONE_VM)
        flags |= CLONE_SIGHAND;
    if (flags & CLONE_SIGHAND)
        flags |= CLONE_THREAD;
    if (flags & CLONE_NEWNS)
        flags |= CLONE_FS;
    struct proc *p = proc_current();
    if ((flags & (CLONE_THREAD | CLONE_SIGHAND | CLONE_VM)) && p->leader->nr_threads > 1)
        return -EINVAL;
    if (flags & CLONE_NEW_ANY)
        return -EINVAL;
    if ((flags & CLONE_FILES) && (p->shares & CLONE_FILES)) {
        int err = fdtable_unshare(p);
        if (err)
            return err;
        p->shares &= ~CLONE_FILES;
    }
    if (flags & CLONE_FS)
        p->shares &= ~CLONE_FS;
    return 0;
}
