/*
 * Self-test of the descriptor-table API process code relies on: the console
 * table, fork sharing files, exec closing FD_CLOEXEC descriptors, EMFILE,
 * and release returning every heap byte. Uses bare struct procs: the table
 * calls touch only fds and cwd.
 */
#include "mm/kmem/kheap.h"
#include "errno.h"
#include "fs/file.h"
#include "kstring.h"
#include "fs/pipe.h"
#include "printk.h"
#include "kern/proc.h"
#include "tests/kern/selftest.h"

static int failed;
#define CHECK(cond)                                                                                                    \
    do {                                                                                                               \
        if (!(cond)) {                                                                                                 \
            kprintf("  check failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__);                                        \
            failed++;                                                                                                  \
        }                                                                                                              \
    } while (0)

static uint32_t heap_in_use(void)
{
    struct kheap_stats st;
    kheap_get_stats(&st);
    return st.bytes_in_use;
}

/* Fill a's table to FD_MAX: the next install is EMFILE; then close what was added. */
static void check_emfile(struct proc *a, struct file *f)
{
    int fd, last = -1;
    while ((fd = fd_install(a, f, 0, false)) >= 0)
        last = fd;
    CHECK(fd == -EMFILE && last == FD_MAX - 1);
    CHECK(fd_install(a, f, FD_MAX, false) == -EMFILE);
    for (fd = 5; fd < FD_MAX; fd++)
        CHECK(fd_close(a, fd) == 0);
    CHECK(fd_close(a, FD_MAX) == -EBADF && fd_close(a, -1) == -EBADF && fd_close(a, 5) == -EBADF);
}

/* Fork and exec on a table holding the console (0-2) and a pipe (3 cloexec, 4). */
static void check_fork_exec(struct proc *a, struct proc *b)
{
    struct file *rd, *wr;
    CHECK(pipe_create(0, &rd, &wr) == 0);
    CHECK(fd_install(a, rd, 0, true) == 3 && fd_install(a, wr, 0, false) == 4);
    file_unref(rd);
    file_unref(wr);
    CHECK(rd->refs == 1 && fd_get_cloexec(a, 3) == 1 && fd_get_cloexec(a, 4) == 0);
    CHECK(fdtable_fork(b, a) == 0); /* the working directory is proc fork's, with its reference */
    CHECK(b->fds && b->fds != a->fds && b->fds->file[3] == rd && rd->refs == 2 && wr->refs == 2);
    CHECK(b->fds->file[0]->refs == 6 && fd_get_cloexec(b, 3) == 1);
    fdtable_exec(b);
    CHECK(!b->fds->file[3] && b->fds->file[4] == wr && rd->refs == 1 && a->fds->file[3] == rd);
    CHECK(file_vnode_for_fd(a, 0) == NULL && file_vnode_for_fd(a, 3) == NULL && file_vnode_for_fd(a, 99) == NULL);
    check_emfile(a, wr);
    fdtable_release(b);
    CHECK(!b->fds && rd->refs == 1 && wr->refs == 1);
}

int selftest_fdtable(void)
{
    failed = 0;
    uint32_t before = heap_in_use();
    struct proc *a = kmalloc(sizeof *a), *b = kmalloc(sizeof *b);
    if (!a || !b) {
        kfree(a);
        kfree(b);
        return 1;
    }
    memset(a, 0, sizeof *a);
    memset(b, 0, sizeof *b);
    uint32_t base = heap_in_use();
    CHECK(fdtable_create_console(a) == 0 && a->fds);
    struct file *tty = a->fds->file[0];
    CHECK(tty && a->fds->file[1] == tty && a->fds->file[2] == tty && tty->refs == 3 && !a->fds->file[3]);
    CHECK(fd_get_cloexec(a, 0) == 0 && fd_get_cloexec(a, 3) == -EBADF);
    check_fork_exec(a, b);
    fdtable_release(a);
    fdtable_release(a); /* NULL-safe twice over */
    fdtable_release(NULL);
    CHECK(!a->fds && heap_in_use() == base);
    kfree(a);
    kfree(b);
    CHECK(heap_in_use() == before);
    return failed;
}
