/* Linux's System V IPC ABI for i386: the ipc(2) multiplexer, shared-memory flags, commands and structures. */
#ifndef EYN_UAPI_IPC_H
#define EYN_UAPI_IPC_H

#include "types.h"

#define IPC_PRIVATE 0
#define IPC_CREAT 01000u
#define IPC_EXCL 02000u
#define IPC_NOWAIT 04000u

#define IPC_RMID 0
#define IPC_SET 1
#define IPC_STAT 2
#define IPC_INFO 3
#define IPC_64 0x100u /* ORed into a command: the 64-bit structure layouts */

#define SHM_RDONLY 010000u
#define SHM_RND 020000u
#define SHM_REMAP 040000u
#define SHM_EXEC 0100000u
#define SHM_DEST 01000u   /* in shm_perm.mode: removed, goes with the last detach */
#define SHM_LOCKED 02000u /* in shm_perm.mode */
#define SHM_LOCK 11
#define SHM_UNLOCK 12
#define SHM_STAT 13
#define SHM_INFO 14
#define SHM_STAT_ANY 15

/* ipc(2) call numbers (the low 16 bits of its first argument) */
#define IPCCALL_SHMAT 21
#define IPCCALL_SHMDT 22
#define IPCCALL_SHMGET 23
#define IPCCALL_SHMCTL 24

/* Linux's defaults (include/uapi/linux/shm.h on a 32-bit kernel) */
#define SHMMIN 1u
#define SHMMNI 4096u
#define SHMMAX (0xFFFFFFFFu - (1u << 24))
#define SHMALL (0xFFFFFFFFu - (1u << 24)) /* pages */
#define IPCMNI_SHIFT 15                  /* an id is seq << 15 | index */

struct ipc64_perm {
    int32_t key;
    uint32_t uid, gid, cuid, cgid;
    uint16_t mode, pad1;
    uint16_t seq, pad2;
    uint32_t unused1, unused2;
};

struct shmid64_ds {
    struct ipc64_perm shm_perm;
    uint32_t shm_segsz;
    uint32_t shm_atime, shm_atime_high;
    uint32_t shm_dtime, shm_dtime_high;
    uint32_t shm_ctime, shm_ctime_high;
    int32_t shm_cpid, shm_lpid;
    uint32_t shm_nattch;
    uint32_t unused4, unused5;
};

/* The layouts before IPC_64 (ipc(2) without IPC_64 in the command) */
struct ipc_perm_old {
    int32_t key;
    uint16_t uid, gid, cuid, cgid, mode, seq;
};

struct shmid_ds_old {
    struct ipc_perm_old shm_perm;
    int32_t shm_segsz;
    int32_t shm_atime, shm_dtime, shm_ctime;
    uint16_t shm_cpid, shm_lpid;
    uint16_t shm_nattch, unused;
    uint32_t unused2, unused3;
};

struct shminfo_old {
    int32_t shmmax, shmmin, shmmni, shmseg, shmall;
};

struct shminfo64 {
    uint32_t shmmax, shmmin, shmmni, shmseg, shmall;
    uint32_t unused1, unused2, unused3, unused4;
};

struct shm_info {
    int32_t used_ids;
    uint32_t shm_tot, shm_rss, shm_swp;
    uint32_t swap_attempts, swap_successes;
};

#endif
