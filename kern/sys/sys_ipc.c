/*
 * System V IPC system calls: the shared-memory calls of i386's ipc(2)
 * multiplexer (glibc's path) and the direct shmget/shmctl/shmat/shmdt
 * (395-398), decoded into kern/shm.c. Semaphores and message queues are not
 * offered: their ipc(2) calls return ENOSYS.
 */
#include "errno.h"
#include "kern/proc.h"
#include "kern/shm.h"
#include "kern/sys/syscall.h"
#include "uaccess.h"
#include "uapi/ipc.h"

int32_t sys_shmget(SYSARGS3(key, size, flags)) { return shm_get((int32_t)key, size, flags); }
/* The direct shmctl: always the IPC_64 layouts (an IPC_64 bit in cmd makes an unknown command, as on Linux). */
int32_t sys_shmctl(SYSARGS3(id, cmd, buf)) { return shm_ctl((int32_t)id, cmd, buf, true); }
int32_t sys_shmat(SYSARGS3(id, addr, flags)) { return shm_attach(proc_current(), (int32_t)id, addr, flags); }
int32_t sys_shmdt(SYSARGS1(addr)) { return shm_detach(proc_current(), addr); }

/* ipc(call, first, second, third, ptr, fifth): the version is call's high half (only 0 exists on i386 for shmat). */
int32_t sys_ipc(SYSARGS6(call, first, second, third, ptr, fifth))
{
    (void)fifth;
    switch (call & 0xFFFF) {
    case IPCCALL_SHMAT: {
        if (call >> 16)
            return -EINVAL; /* iBCS2's version 1: not on i386 */
        int32_t at = shm_attach(proc_current(), (int32_t)first, ptr, second);
        if (at < 0 && at > -4096)
            return at;
        uint32_t addr = (uint32_t)at;
        return copy_to_user(third, &addr, sizeof addr) ? -EFAULT : 0;
    }
    case IPCCALL_SHMDT:
        return shm_detach(proc_current(), ptr);
    case IPCCALL_SHMGET:
        return shm_get((int32_t)first, second, third);
    case IPCCALL_SHMCTL:
        return shm_ctl((int32_t)first, second & ~IPC_64, ptr, (second & IPC_64) != 0); /* the version rides in cmd */
    default:
        return -ENOSYS;
    }
}
