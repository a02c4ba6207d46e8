/*
 * The machine's names and the namespace call: uname, sethostname and
 * setdomainname (the node and domain names are the kernel's, one set for
 * everyone; "eyn" and "(none)" at boot), and unshare, which has nothing to
 * do for a process that shares no files, fs or memory with another and
 * refuses the namespace flags as a Linux built without namespaces does.
 */
#include "errno.h"
#include "kern/sys/syscall.h"
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

#define CLONE_VM 0x00000100u
#define CLONE_FS 0x00000200u
#define CLONE_FILES 0x00000400u
#define CLONE_SIGHAND 0x00000800u
#define CLONE_THREAD 0x00010000u
#define CLONE_NEWNS 0x00020000u
#define CLONE_SYSVSEM 0x00040000u
#define CLONE_NEWCGROUP 0x02000000u
#define CLONE_NEWUTS 0x04000000u
#define CLONE_NEWIPC 0x08000000u
#define CLONE_NEWUSER 0x10000000u
#define CLONE_NEWPID 0x20000000u
#define CLONE_NEWNET 0x40000000u
#define CLONE_NEWTIME 0x00000080u
#define CLONE_NEW_ANY (CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | \
                       CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWTIME)

/*
 * unshare(flags): 0 for the sharing flags (a process here shares no thread,
 * signal handlers, memory, descriptor table, fs state or semaphore undo list),
 * -EINVAL for an unknown flag or a namespace.
 */
int32_t sys_unshare(SYSARGS1(flags))
{
    uint32_t known = CLONE_THREAD | CLONE_FS | CLONE_SIGHAND | CLONE_VM | CLONE_FILES | CLONE_SYSVSEM | CLONE_NEW_ANY;
    if (flags & ~known)
        return -EINVAL;
    return flags & CLONE_NEW_ANY ? -EINVAL : 0;
}
