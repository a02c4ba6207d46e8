/* t_shm: System V shared memory as on Linux: shmget by key and IPC_PRIVATE,
 * attachments shared across fork, the attach count, IPC_STAT/IPC_SET/IPC_RMID,
 * removal while attached, SHM_RND/SHM_REMAP/SHM_RDONLY, and the errors. */
#define TEST_NAME "t_shm"
#include "include/utest.h"

#include <stdint.h>
#include <stdlib.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>

/* The direct calls (i386 395-398); elsewhere the architecture's own numbers. */
#ifdef __i386__
#define NR_SHMGET 395
#define NR_SHMCTL 396
#define NR_SHMAT 397
#define NR_SHMDT 398
#else
#define NR_SHMGET SYS_shmget
#define NR_SHMCTL SYS_shmctl
#define NR_SHMAT SYS_shmat
#define NR_SHMDT SYS_shmdt
#endif

static struct shmid_ds stat_of(int id)
{
    struct shmid_ds ds;
    CHECK(shmctl(id, IPC_STAT, &ds) == 0, "IPC_STAT %d: errno %d", id, errno);
    return ds;
}

static void write_ro(void *p) { *(volatile char *)p = 1; }

static void basics(void)
{
    int id = shmget(IPC_PRIVATE, 10000, 0600);
    CHECK(id >= 0, "shmget: errno %d", errno);
    struct shmid_ds ds = stat_of(id);
    CHECK(ds.shm_segsz == 10000 && ds.shm_nattch == 0 && (ds.shm_perm.mode & 0777) == 0600 &&
              ds.shm_cpid == getpid() && ds.shm_perm.__key == IPC_PRIVATE,
          "fresh segment: size %u nattch %u mode %o cpid %d", (unsigned)ds.shm_segsz, (unsigned)ds.shm_nattch,
          (unsigned)ds.shm_perm.mode, (int)ds.shm_cpid);
    char *a = shmat(id, NULL, 0), *b = shmat(id, NULL, 0);
    CHECK(a != (void *)-1 && b != (void *)-1 && a != b, "two attachments: %p %p errno %d", a, b, errno);
    CHECK(a[0] == 0 && a[9999] == 0 && a[12287] == 0, "new segment reads as zero (the whole last page)");
    strcpy(a, "shared");
    a[12000] = 7;
    CHECK(strcmp(b, "shared") == 0 && b[12000] == 7, "one attachment's store is seen through the other");
    ds = stat_of(id);
    CHECK(ds.shm_nattch == 2 && ds.shm_lpid == getpid() && ds.shm_atime != 0, "nattch %u after two attaches",
          (unsigned)ds.shm_nattch);

    /* fork: the child's attachments count; its stores are the parent's */
    pid_t pid = fork();
    CHECK(pid >= 0, "fork: errno %d", errno);
    if (pid == 0) {
        struct shmid_ds c;
        if (shmctl(id, IPC_STAT, &c) != 0 || c.shm_nattch != 4)
            _exit(2);
        strcpy(b, "child");
        char *d = shmat(id, NULL, SHM_RDONLY); /* left attached: exit detaches */
        _exit(d == (void *)-1 || strcmp(d, "child") != 0 ? 3 : 0);
    }
    int st = wait_for(pid);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child: status 0x%x", st);
    CHECK(strcmp(a, "child") == 0, "the child's store reaches the parent");
    CHECK(stat_of(id).shm_nattch == 2, "exit detached the child's three attachments");

    CHECK(shmdt(b) == 0, "shmdt: errno %d", errno);
    CHECK(stat_of(id).shm_nattch == 1 && stat_of(id).shm_dtime != 0, "nattch after shmdt");
    FAILS_WITH(shmdt(b), EINVAL);      /* no longer an attachment */
    FAILS_WITH(shmdt(a + 1), EINVAL);  /* not page aligned */
    FAILS_WITH(shmdt(a + 4096), EINVAL); /* inside, not the start */

    /* removal while attached: the key and id stay usable until the last detach */
    CHECK(shmctl(id, IPC_RMID, NULL) == 0, "IPC_RMID: errno %d", errno);
    ds = stat_of(id);
    CHECK((ds.shm_perm.mode & SHM_DEST) && ds.shm_nattch == 1, "removed but attached: mode %o nattch %u",
          (unsigned)ds.shm_perm.mode, (unsigned)ds.shm_nattch);
    CHECK(strcmp(a, "child") == 0, "memory stays while attached");
    CHECK(shmdt(a) == 0, "last shmdt: errno %d", errno);
    FAILS_WITH(shmctl(id, IPC_STAT, &ds), EINVAL);
    FAILS_WITH(shmat(id, NULL, 0), EINVAL);
}

static void keys(void)
{
    key_t key = 0x5EED0000 + getpid();
    int id = shmget(key, 4096, IPC_CREAT | 0666);
    CHECK(id >= 0, "shmget(key, IPC_CREAT): errno %d", errno);
    CHECK(shmget(key, 100, 0) == id, "the key finds its segment");
    CHECK(shmget(key, 4096, IPC_CREAT | 0600) == id, "IPC_CREAT alone finds it too");
    FAILS_WITH(shmget(key, 4096, IPC_CREAT | IPC_EXCL | 0600), EEXIST);
    FAILS_WITH(shmget(key, 8192, 0), EINVAL); /* bigger than the segment */
    FAILS_WITH(shmget(key + 1, 4096, 0), ENOENT);
    FAILS_WITH(shmget(IPC_PRIVATE, 0, 0600), EINVAL);
    CHECK(stat_of(id).shm_perm.__key == key, "IPC_STAT shows the key");

    struct shmid_ds ds = stat_of(id);
    ds.shm_perm.mode = 0640;
    CHECK(shmctl(id, IPC_SET, &ds) == 0 && (stat_of(id).shm_perm.mode & 0777) == 0640, "IPC_SET mode");
    CHECK(shmctl(id, IPC_RMID, NULL) == 0, "IPC_RMID");
    FAILS_WITH(shmget(key, 4096, 0), ENOENT); /* removed with nothing attached: gone */
    FAILS_WITH(shmctl(id, IPC_RMID, NULL), EINVAL);
}

static void placement(void)
{
    int id = shmget(IPC_PRIVATE, 2 * PAGE, 0600);
    CHECK(id >= 0, "shmget: errno %d", errno);
    char *area = mmap(NULL, 8 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(area != MAP_FAILED, "mmap");
    /* onto a mapping: refused unless SHM_REMAP */
    FAILS_WITH(shmat(id, area + 2 * PAGE, 0), EINVAL);
    char *r = shmat(id, area + 2 * PAGE, SHM_REMAP);
    CHECK(r == area + 2 * PAGE, "SHM_REMAP at %p gave %p errno %d", area + 2 * PAGE, r, errno);
    r[0] = 'x';
    CHECK(area[2 * PAGE] == 'x' && area[PAGE] == 0, "the attachment replaced those pages only");
    CHECK(shmdt(r) == 0, "shmdt");
    CHECK(munmap(area, 8 * PAGE) == 0, "munmap");
    /* an unaligned address: EINVAL, or rounded down with SHM_RND */
    FAILS_WITH(shmat(id, area + 123, 0), EINVAL);
    r = shmat(id, area + PAGE + 123, SHM_RND);
    CHECK(r == area + PAGE, "SHM_RND: %p, wanted %p (errno %d)", r, area + PAGE, errno);
    CHECK(r[0] == 'x', "the same segment");
    FAILS_WITH(shmat(id, NULL, SHM_REMAP), EINVAL);
    CHECK(shmdt(r) == 0, "shmdt");
    /* read-only attachments fault on a store */
    char *ro = shmat(id, NULL, SHM_RDONLY);
    CHECK(ro != (void *)-1 && ro[0] == 'x', "SHM_RDONLY attach reads");
    expect_signal(write_ro, ro, SIGSEGV, "store to a SHM_RDONLY attachment");
    /* unmapping part of an attachment: the rest still counts and shmdt finds it */
    char *w = shmat(id, NULL, 0);
    CHECK(w != (void *)-1 && stat_of(id).shm_nattch == 2, "two attachments");
    CHECK(munmap(w + PAGE, PAGE) == 0 && stat_of(id).shm_nattch == 2, "a piece unmapped: still attached");
    CHECK(shmdt(w) == 0 && shmdt(ro) == 0 && stat_of(id).shm_nattch == 0, "all detached");
    CHECK(shmctl(id, IPC_RMID, NULL) == 0, "IPC_RMID");
}

static void control_errors(void)
{
    struct shmid_ds ds;
    FAILS_WITH(shmctl(-1, IPC_STAT, &ds), EINVAL);
    FAILS_WITH(shmctl(0x7FFF0000, IPC_STAT, &ds), EINVAL);
    int id = shmget(IPC_PRIVATE, PAGE, 0600);
    CHECK(id >= 0, "shmget");
    FAILS_WITH(shmctl(id, 77, &ds), EINVAL);
    /* a bad buffer (raw: glibc's wrapper copies through a buffer of its own and would fault itself) */
    FAILS_WITH(syscall(NR_SHMCTL, id, IPC_STAT, 8), EFAULT);
    /* the direct shmctl always uses the 64-bit layouts: an IPC_64 bit in the command is an unknown command */
    FAILS_WITH(syscall(NR_SHMCTL, id, IPC_STAT | 0x100, &ds), EINVAL);
    FAILS_WITH(shmat(-5, NULL, 0), EINVAL);
    struct shminfo info;
    CHECK(shmctl(0, IPC_INFO, (struct shmid_ds *)&info) >= 0 && info.shmmni == 4096 && info.shmmin == 1,
          "IPC_INFO: shmmni %lu", (unsigned long)info.shmmni);
    struct shm_info si;
    CHECK(shmctl(0, SHM_INFO, (struct shmid_ds *)&si) >= 0 && si.used_ids >= 1, "SHM_INFO: used %d", si.used_ids);

    /* the direct system calls reach the same segments */
    long did = syscall(NR_SHMGET, IPC_PRIVATE, PAGE, 0600);
    CHECK(did >= 0, "direct shmget: errno %d", errno);
    char *p = (char *)syscall(NR_SHMAT, did, 0, 0);
    CHECK(p != (char *)-1, "direct shmat: errno %d", errno);
    p[0] = 5;
    CHECK(syscall(NR_SHMCTL, did, IPC_STAT, &ds) == 0 && ds.shm_nattch == 1,
          "direct shmctl IPC_STAT: nattch %u", (unsigned)ds.shm_nattch);
#ifdef __i386__
    /* ipc(2) without IPC_64: the old layout (16-bit ids, a 16-bit attach count at byte 36) */
    unsigned char old[48];
    memset(old, 0xAA, sizeof old);
    CHECK(syscall(SYS_ipc, 24 /* SHMCTL */, did, IPC_STAT, 0, old) == 0, "old IPC_STAT: errno %d", errno);
    int32_t old_size;
    uint16_t old_nattch, old_mode;
    memcpy(&old_size, old + 16, 4);
    memcpy(&old_nattch, old + 36, 2);
    memcpy(&old_mode, old + 12, 2);
    CHECK(old_size == (int32_t)PAGE && old_nattch == 1 && (old_mode & 0777) == 0600,
          "old layout: size %d nattch %u mode %o", old_size, old_nattch, old_mode);
#endif
    CHECK(syscall(NR_SHMDT, p) == 0, "direct shmdt: errno %d", errno);
    CHECK(syscall(NR_SHMCTL, did, IPC_RMID, 0) == 0 && shmctl(id, IPC_RMID, NULL) == 0, "removed");
}

/* `t_shm reader KEY`: a program of its own (exec'd, sharing nothing inherited) finds the segment by key. */
static int reader(const char *keytext)
{
    key_t key = (key_t)strtol(keytext, NULL, 0);
    int id = shmget(key, 0, 0);
    if (id < 0)
        return 10;
    char *p = shmat(id, NULL, 0);
    if (p == (void *)-1)
        return 11;
    if (strcmp(p, "from the writer") != 0)
        return 12;
    strcpy(p, "from the reader");
    return shmdt(p) == 0 ? 0 : 13;
}

/* Two unrelated programs: the writer's segment, found by key in an exec'd reader. */
static void unrelated(const char *self)
{
    key_t key = 0x5EEE0000 + getpid();
    int id = shmget(key, 3 * PAGE, IPC_CREAT | IPC_EXCL | 0600);
    CHECK(id >= 0, "shmget: errno %d", errno);
    char *p = shmat(id, NULL, 0);
    CHECK(p != (void *)-1, "shmat");
    strcpy(p, "from the writer");
    CHECK(shmdt(p) == 0, "shmdt"); /* nothing attached while the reader runs: the segment stays by itself */
    char keytext[32];
    snprintf(keytext, sizeof keytext, "%d", (int)key);
    pid_t pid = fork();
    CHECK(pid >= 0, "fork");
    if (pid == 0) {
        execl(self, self, "reader", keytext, (char *)NULL);
        _exit(99);
    }
    int st = wait_for(pid);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "reader: status 0x%x", st);
    p = shmat(id, NULL, SHM_RDONLY);
    CHECK(p != (void *)-1 && strcmp(p, "from the reader") == 0, "the reader's answer");
    CHECK(shmdt(p) == 0 && shmctl(id, IPC_RMID, NULL) == 0, "cleanup");
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "reader") == 0)
        return reader(argv[2]);
    unrelated(argv[0]);
    basics();
    keys();
    placement();
    control_errors();
    pass();
}
