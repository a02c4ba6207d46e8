/* t_shm_open: POSIX shared memory through glibc's shm_open/shm_unlink, which
 * are open/unlink of files in /dev/shm: create and size an object, share it
 * with a forked child and an exec'd reader that open it by name, unlink it
 * while mapped, and the errors (ENOENT, EEXIST, EACCES, and glibc's own
 * EINVAL for names with a slash inside).
 *
 * When /dev/shm is missing (Linux's devtmpfs has none until something makes
 * it) the test makes it, mode 1777, and removes it again at the end. The
 * checks run in a child; the parent removes what a failed check left. */
#define TEST_NAME "t_shm_open"
#include "include/utest.h"

#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>

static char name[64], name2[64]; /* "/t_shm_open.PID", "/t_shm_open.PID.b" */
static const char *self;

/* OK(call): the call must not return -1; gives its result. */
#define OK(call)                                                               \
    ({                                                                         \
        errno = 0;                                                             \
        long r_ = (long)(call);                                                \
        CHECK(r_ != -1, "%s failed: errno %d", #call, errno);                  \
        r_;                                                                    \
    })
/* EQ(a, b): a must equal b. */
#define EQ(a, b)                                                                                     \
    do {                                                                                             \
        long long a_ = (long long)(a), b_ = (long long)(b);                                          \
        CHECK(a_ == b_, "%s = %lld, wanted %lld (errno %d)", #a, a_, b_, errno);                     \
    } while (0)

static struct stat fstat_of(int fd)
{
    struct stat st;
    CHECK(fstat(fd, &st) == 0, "fstat %d: errno %d", fd, errno);
    return st;
}

static char *map(long len, int prot, int fd)
{
    char *p = mmap(NULL, len, prot, MAP_SHARED, fd, 0);
    CHECK(p != MAP_FAILED, "mmap %ld bytes prot %d: errno %d", len, prot, errno);
    return p;
}

/* The forked child opens the object by name: it sees the parent's store and adds its own. */
static void child_opens(void)
{
    int fd = shm_open(name, O_RDWR, 0);
    if (fd < 0)
        _exit(10);
    char *c = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (c == MAP_FAILED)
        _exit(11);
    if (strcmp(c, "from the parent") != 0)
        _exit(12);
    strcpy(c + PAGE, "from the child");
    c[3 * PAGE - 1] = 'e';
    _exit(0);
}

/* `t_shm_open reader NAME`: an exec'd program opens the object read-only by name. */
static int reader(const char *n)
{
    int fd = shm_open(n, O_RDONLY, 0);
    if (fd < 0)
        return 20;
    struct stat st;
    if (fstat(fd, &st) != 0 || st.st_size != 3 * PAGE)
        return 21;
    char *r = mmap(NULL, 3 * PAGE, PROT_READ, MAP_SHARED, fd, 0);
    if (r == MAP_FAILED)
        return 22;
    if (strcmp(r + PAGE, "from the child") != 0 || strcmp(r + 2 * PAGE, "for the reader") != 0)
        return 23;
    /* read-only: no writable shared mapping */
    if (mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) != MAP_FAILED || errno != EACCES)
        return 24;
    return 0;
}

static void share(void)
{
    mode_t orig = umask(022);
    int fd = OK(shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0666));
    struct stat st = fstat_of(fd);
    EQ(st.st_size, 0);
    EQ(st.st_mode, S_IFREG | 0644); /* 0666 minus the umask */
    EQ(st.st_nlink, 1);
    EQ(fcntl(fd, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC); /* glibc opens it O_CLOEXEC */
    char file[128];
    snprintf(file, sizeof file, "/dev/shm%s", name);
    struct stat fs;
    OK(stat(file, &fs));
    EQ(fs.st_ino, st.st_ino); /* it is a file in /dev/shm */
    FAILS_WITH(shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600), EEXIST);
    int again = OK(shm_open(name, O_RDWR | O_CREAT, 0600)); /* O_CREAT alone opens the existing one */
    EQ(fstat_of(again).st_ino, st.st_ino);
    close(again);
    OK(ftruncate(fd, 3 * PAGE));
    EQ(fstat_of(fd).st_size, 3 * PAGE);

    char *p = map(3 * PAGE, PROT_READ | PROT_WRITE, fd);
    EQ(p[0], 0);
    EQ(p[3 * PAGE - 1], 0);
    strcpy(p, "from the parent");
    char how[32];
    pid_t pid = fork();
    CHECK(pid >= 0, "fork: errno %d", errno);
    if (pid == 0)
        child_opens();
    int status = wait_for(pid);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child: %s", status_str(status, how, sizeof how));
    CHECK(strcmp(p + PAGE, "from the child") == 0, "the child's store: \"%.20s\"", p + PAGE);
    EQ(p[3 * PAGE - 1], 'e');
    char buf[16] = { 0 };
    EQ(pread(fd, buf, 14, PAGE), 14); /* and read() sees it */
    CHECK(strcmp(buf, "from the child") == 0, "read: \"%s\"", buf);

    strcpy(p + 2 * PAGE, "for the reader");
    pid = fork();
    CHECK(pid >= 0, "fork: errno %d", errno);
    if (pid == 0) {
        execl(self, self, "reader", name, (char *)NULL);
        _exit(99);
    }
    status = wait_for(pid);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "reader: %s", status_str(status, how, sizeof how));

    /* read-only opens cannot map it writable */
    int ro = OK(shm_open(name, O_RDONLY, 0));
    FAILS_WITH(mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0), EACCES);
    close(ro);
    /* a name without the leading slash is the same object (glibc strips it) */
    int bare = OK(shm_open(name + 1, O_RDONLY, 0));
    EQ(fstat_of(bare).st_ino, st.st_ino);
    close(bare);

    /* shm_unlink removes the name; the mapping and the fd stay usable */
    OK(shm_unlink(name));
    FAILS_WITH(shm_open(name, O_RDWR, 0), ENOENT);
    FAILS_WITH(shm_unlink(name), ENOENT);
    FAILS_WITH(stat(file, &fs), ENOENT);
    EQ(fstat_of(fd).st_nlink, 0);
    strcpy(p + 100, "after unlink");
    CHECK(strcmp(p + 100, "after unlink") == 0, "the mapping after shm_unlink");
    EQ(pread(fd, buf, 12, 100), 12);
    CHECK(memcmp(buf, "after unlink", 12) == 0, "read after shm_unlink: \"%.12s\"", buf);
    OK(munmap(p, 3 * PAGE));
    close(fd);

    /* O_TRUNC empties an existing object */
    fd = OK(shm_open(name2, O_RDWR | O_CREAT | O_EXCL, 0600));
    OK(ftruncate(fd, 2 * PAGE));
    close(fd);
    fd = OK(shm_open(name2, O_RDWR | O_TRUNC, 0));
    EQ(fstat_of(fd).st_size, 0);
    close(fd);
    OK(shm_unlink(name2));
    umask(orig);
}

static void errors(void)
{
    char missing[80], toolong[NAME_MAX + 8];
    snprintf(missing, sizeof missing, "%s.missing", name);
    FAILS_WITH(shm_open(missing, O_RDWR, 0), ENOENT);
    FAILS_WITH(shm_unlink(missing), ENOENT);
    /* glibc's own checks: a slash inside, or nothing after the slashes */
    FAILS_WITH(shm_open("/a/b", O_RDWR | O_CREAT, 0600), EINVAL);
    FAILS_WITH(shm_open("/", O_RDWR | O_CREAT, 0600), EINVAL);
    FAILS_WITH(shm_open("", O_RDWR | O_CREAT, 0600), EINVAL);
    FAILS_WITH(shm_unlink("/a/b"), ENOENT); /* glibc's shm_unlink turns its EINVAL into ENOENT */
    toolong[0] = '/';
    memset(toolong + 1, 'x', NAME_MAX + 1);
    toolong[NAME_MAX + 2] = 0;
    FAILS_WITH(shm_open(toolong, O_RDWR | O_CREAT, 0600), ENAMETOOLONG);
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "reader") == 0)
        return reader(argv[2]);
    self = argv[0];
    snprintf(name, sizeof name, "/t_shm_open.%d", (int)getpid());
    snprintf(name2, sizeof name2, "/t_shm_open.%d.b", (int)getpid());
    struct stat st;
    int made_dir = 0;
    if (stat("/dev/shm", &st) != 0) {
        CHECK(errno == ENOENT, "stat /dev/shm: errno %d", errno);
        CHECK(mkdir("/dev/shm", 0777) == 0 && chmod("/dev/shm", 01777) == 0, "mkdir /dev/shm: errno %d", errno);
        made_dir = 1;
    }
    pid_t pid = fork();
    CHECK(pid >= 0, "fork: errno %d", errno);
    if (pid == 0) {
        share();
        errors();
        _exit(0);
    }
    int status = wait_for(pid);
    char how[32];
    int left = shm_unlink(name) == 0;
    left |= shm_unlink(name2) == 0;
    if (made_dir)
        CHECK(rmdir("/dev/shm") == 0, "rmdir /dev/shm: errno %d", errno);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the checks ended with %s", status_str(status, how, sizeof how));
    CHECK(!left, "the checks passed but left an object in /dev/shm");
    pass();
}
