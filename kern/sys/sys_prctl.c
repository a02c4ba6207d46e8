/*
 * prctl(option, arg2, arg3, arg4, arg5): the options glibc programs and
 * process supervisors use. Anything else is EINVAL, as on Linux. And
 * personality, the execution domain (linux32, setarch).
 */
#include "errno.h"
#include "kstring.h"
#include "kern/proc.h"
#include "kern/sys/syscall.h"
#include "uaccess.h"

#define PR_SET_PDEATHSIG 1
#define PR_GET_PDEATHSIG 2
#define PR_GET_DUMPABLE 3
#define PR_SET_DUMPABLE 4
#define PR_SET_NAME 15
#define PR_GET_NAME 16
#define PR_SET_CHILD_SUBREAPER 36
#define PR_GET_CHILD_SUBREAPER 37
#define PR_SET_NO_NEW_PRIVS 38
#define PR_GET_NO_NEW_PRIVS 39
#define TASK_COMM_LEN 16 /* Linux's name buffer: 15 characters and a NUL */

/* PR_SET_NAME: at most 15 bytes read from user space, up to the first NUL; 0 or -EFAULT. */
static int set_name(struct proc *p, vaddr_t uname)
{
    char name[TASK_COMM_LEN];
    memset(name, 0, sizeof name);
    for (int i = 0; i < TASK_COMM_LEN - 1; i++) { /* byte by byte: Linux reads no further than the 15th */
        if (copy_from_user(&name[i], uname + (vaddr_t)i, 1))
            return -EFAULT;
        if (!name[i])
            break;
    }
    memset(p->name, 0, sizeof p->name);
    memcpy(p->name, name, sizeof name);
    return 0;
}

/* PR_GET_NAME: always 16 bytes, the name cut at 15 characters. */
static int get_name(const struct proc *p, vaddr_t uname)
{
    char name[TASK_COMM_LEN];
    memset(name, 0, sizeof name);
    memcpy(name, p->name, TASK_COMM_LEN - 1);
    return copy_to_user(uname, name, sizeof name);
}

static int put_int(vaddr_t addr, int v)
{
    return copy_to_user(addr, &v, sizeof v);
}

int32_t sys_prctl(SYSARGS5(option, arg2, arg3, arg4, arg5))
{
    struct proc *p = proc_current();
    switch (option) {
    case PR_SET_PDEATHSIG:
        if (arg2 > NSIG)
            return -EINVAL;
        p->pdeathsig = (uint8_t)arg2;
        return 0;
    case PR_GET_PDEATHSIG:
        return put_int(arg2, p->pdeathsig);
    case PR_GET_DUMPABLE:
        return p->dumpable;
    case PR_SET_DUMPABLE:
        if (arg2 > 1) /* SUID_DUMP_DISABLE or SUID_DUMP_USER */
            return -EINVAL;
        p->dumpable = (uint8_t)arg2;
        return 0;
    case PR_SET_NAME:
        return set_name(p, arg2);
    case PR_GET_NAME:
        return get_name(p, arg2);
    case PR_SET_CHILD_SUBREAPER:
        p->child_subreaper = arg2 != 0;
        return 0;
    case PR_GET_CHILD_SUBREAPER:
        return put_int(arg2, p->child_subreaper);
    case PR_SET_NO_NEW_PRIVS:
        if (arg2 != 1 || arg3 || arg4 || arg5)
            return -EINVAL;
        p->no_new_privs = true;
        return 0;
    case PR_GET_NO_NEW_PRIVS:
        if (arg2 || arg3 || arg4 || arg5)
            return -EINVAL;
        return p->no_new_privs;
    default:
        return -EINVAL;
    }
}

/*
 * personality(persona): the old value; 0xffffffff only asks. Recorded (one
 * ABI runs here whatever it says), inherited by fork and kept by exec, as
 * on an i386 Linux (no set-user-ID exec clears anything here).
 */
int32_t sys_personality(SYSARGS1(persona))
{
    struct proc *p = proc_current();
    uint32_t old = p->personality;
    if (persona != 0xFFFFFFFFu)
        p->personality = persona;
    return (int32_t)old;
}
