/* t_creds: user and group ids and the permission checks Linux makes with them.
 * Runs as root (natively the host runs it as uid 0). Checks the id calls
 * (32- and 16-bit forms) and their errors; then, in forked children that
 * drop to uid/gid 1000 (setgroups, setresgid, setresuid): root cannot be
 * regained, saved-id games with seteuid/setreuid/setfsuid, kill of a root
 * process and of a root-only group is EPERM (SIGCONT in the session is
 * not), raising a hard rlimit and prlimit on root are EPERM; files in a
 * private /tmp directory give EACCES/EPERM exactly where Linux does (open,
 * exec, search, create, sticky unlink/rename, chmod/chown/utimensat,
 * truncate, chdir, chroot); access() uses the real ids unless AT_EACCESS;
 * new files belong to fsuid/fsgid (or a set-group-ID directory's group);
 * and a copy of this program made set-user-ID / set-group-ID runs with
 * those effective ids and AT_SECURE ("t_creds --ids UID EUID GID EGID SECURE"
 * checks them in the exec'd image). */
#define TEST_NAME "t_creds"
#include "include/utest.h"
#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <stdlib.h>
#include <sys/auxv.h>
#include <sys/fsuid.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#define U 1000u  /* the unprivileged user */
#define G2 1001u /* its second group */
#define NR_setuid16 23
#define NR_getuid16 24
#define NR_setresuid16 164
#define NR_getresuid16 165
#define NR_getgroups16 80
#define NR_faccessat2 439

extern char **environ;
static char base[64];   /* the private directory under /tmp */
static const char *self; /* argv[0] */

/* path: base/name in a static buffer (one of four in rotation). */
static const char *path(const char *name)
{
    static char bufs[4][128];
    static int i;
    char *b = bufs[i++ % 4];
    snprintf(b, 128, "%s/%s", base, name);
    return b;
}

/* run_ok: fn in a forked child must exit 0 (its CHECKs print why not). */
static void run_ok_at(int line, void (*fn)(void *), void *arg, const char *what)
{
    char b[32];
    int st = run_child(fn, arg);
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
        utest_fail(line, "%s: child %s", what, status_str(st, b, sizeof b));
}
#define run_ok(fn, arg, what) run_ok_at(__LINE__, fn, arg, what)

/* become: the caller drops to uid/gid U with groups {U, G2}. */
static void become_user(void)
{
    gid_t groups[] = {G2, U}; /* unsorted: getgroups reports them sorted, as Linux */
    CHECK(setgroups(2, groups) == 0, "setgroups: errno %d", errno);
    CHECK(setresgid(U, U, U) == 0, "setresgid: errno %d", errno);
    CHECK(setresuid(U, U, U) == 0, "setresuid: errno %d", errno);
}

static void expect_res(uid_t r, uid_t e, uid_t s, const char *what)
{
    uid_t a, b, c;
    CHECK(getresuid(&a, &b, &c) == 0, "getresuid: errno %d", errno);
    CHECK(a == r && b == e && c == s, "%s: resuid %u %u %u, wanted %u %u %u", what, a, b, c, r, e, s);
}

/* make_file: a file at p with mode, owner and some bytes. */
static void make_file(const char *p, mode_t mode, uid_t uid, gid_t gid)
{
    int fd = open(p, O_CREAT | O_WRONLY | O_TRUNC, 0600);
    CHECK(fd >= 0, "create %s: errno %d", p, errno);
    CHECK(write(fd, "data\n", 5) == 5, "write %s", p);
    close(fd);
    CHECK(chown(p, uid, gid) == 0 && chmod(p, mode) == 0, "chown/chmod %s: errno %d", p, errno);
}

static void make_dir(const char *p, mode_t mode, uid_t uid, gid_t gid)
{
    CHECK(mkdir(p, 0700) == 0, "mkdir %s: errno %d", p, errno);
    CHECK(chown(p, uid, gid) == 0 && chmod(p, mode) == 0, "chown/chmod %s: errno %d", p, errno);
}

/* copy_self: this program's bytes into a new file dst with mode (root-owned). */
static void copy_self(const char *dst, mode_t mode, uid_t uid, gid_t gid)
{
    int in = open(self, O_RDONLY), out = open(dst, O_CREAT | O_WRONLY | O_TRUNC, 0700);
    CHECK(in >= 0 && out >= 0, "copy %s -> %s: errno %d", self, dst, errno);
    char buf[8192];
    ssize_t n;
    while ((n = read(in, buf, sizeof buf)) > 0)
        CHECK(write(out, buf, n) == n, "copy write: errno %d", errno);
    CHECK(n == 0, "copy read: errno %d", errno);
    close(in);
    close(out);
    CHECK(chown(dst, uid, gid) == 0 && chmod(dst, mode) == 0, "chown/chmod %s: errno %d", dst, errno);
}

/* ---- the id calls as root ---- */

static void root_ids(void)
{
    uid_t r, e, s;
    CHECK(getuid() == 0 && geteuid() == 0 && getgid() == 0 && getegid() == 0, "not root: %u %u %u %u", getuid(),
          geteuid(), getgid(), getegid());
    CHECK(getresuid(&r, &e, &s) == 0 && r == 0 && e == 0 && s == 0, "getresuid as root");
    CHECK(syscall(NR_getuid16) == 0, "getuid (16-bit) = %ld", syscall(NR_getuid16));
    unsigned short r16 = 9, e16 = 9, s16 = 9;
    CHECK(syscall(NR_getresuid16, &r16, &e16, &s16) == 0 && !r16 && !e16 && !s16, "getresuid16");
    FAILS_WITH(syscall(SYS_getresuid32, (void *)1, &e, &s), EFAULT);
    FAILS_WITH(syscall(SYS_setuid32, -1), EINVAL);
    FAILS_WITH(syscall(NR_setuid16, 0xFFFF), EINVAL); /* -1 in the 16-bit form */
    CHECK(syscall(NR_setresuid16, 0xFFFF, 0xFFFF, 0xFFFF) == 0, "setresuid16(-1, -1, -1): errno %d", errno);
    FAILS_WITH(syscall(SYS_getgroups32, -1, NULL), EINVAL);
    FAILS_WITH(syscall(SYS_setgroups32, 65537, NULL), EINVAL); /* past NGROUPS_MAX */
}

static void groups_child(void *arg)
{
    (void)arg;
    gid_t g[4] = {5, 3, 70000, 4}, out[8];
    FAILS_WITH(setgroups(2, (gid_t *)1), EFAULT);
    CHECK(setgroups(4, g) == 0, "setgroups: errno %d", errno);
    CHECK(getgroups(0, NULL) == 4, "getgroups(0) = %d", getgroups(0, NULL));
    FAILS_WITH(getgroups(3, out), EINVAL);
    CHECK(getgroups(8, out) == 4 && out[0] == 3 && out[1] == 4 && out[2] == 5 && out[3] == 70000,
          "getgroups: %u %u %u %u", out[0], out[1], out[2], out[3]);
    unsigned short g16[8];
    CHECK(syscall(NR_getgroups16, 8, g16) == 4 && g16[3] == 65534, "getgroups16 overflow id: %u", g16[3]);
    FAILS_WITH(syscall(NR_getgroups16, 8, (void *)1), EFAULT);
    CHECK(setgroups(0, NULL) == 0 && getgroups(0, NULL) == 0, "setgroups(0)");
    /* setfsuid returns the old fs uid; root may set any */
    CHECK(setfsuid(1234) == 0 && setfsuid(-1) == 1234 && geteuid() == 0, "setfsuid as root");
    CHECK(setfsgid(4321) == 0 && setfsgid(-1) == 4321, "setfsgid as root");
    /* a new file belongs to the fs ids (the directory is 0777) */
    int fd = open(path("d777/fsfile"), O_CREAT | O_WRONLY | O_EXCL, 0644);
    CHECK(fd >= 0, "create as fsuid 1234: errno %d", errno);
    struct stat st;
    CHECK(fstat(fd, &st) == 0 && st.st_uid == 1234 && st.st_gid == 4321, "fsfile owned %u:%u", st.st_uid,
          st.st_gid);
    close(fd);
    /* fs uid 1234 has no file-system privilege: a root 0600 file is closed to it */
    FAILS_WITH(open(path("f600"), O_RDONLY), EACCES);
    setfsuid(0);
    fd = open(path("f600"), O_RDONLY);
    CHECK(fd >= 0, "fsuid 0 again: errno %d", errno);
    close(fd);
}

/* ---- dropping root ---- */

static volatile int usr1_uid = -1, usr1_pid = -1;

static void on_usr1(int sig, siginfo_t *si, void *uc)
{
    (void)sig, (void)uc;
    usr1_uid = (int)si->si_uid;
    usr1_pid = (int)si->si_pid;
}

static void drop_child(void *arg)
{
    (void)arg;
    struct rlimit rl = {64, 128};
    CHECK(setrlimit(RLIMIT_NOFILE, &rl) == 0, "setrlimit as root: errno %d", errno);
    pid_t parent = getppid();
    become_user();
    expect_res(U, U, U, "after dropping");
    CHECK(getuid() == U && geteuid() == U && getgid() == U && getegid() == U, "ids after dropping");
    gid_t g[4];
    CHECK(getgroups(4, g) == 2 && g[0] == U && g[1] == G2, "groups after dropping");
    FAILS_WITH(setuid(0), EPERM);
    FAILS_WITH(seteuid(0), EPERM);
    FAILS_WITH(setresuid(-1, -1, 0), EPERM);
    FAILS_WITH(setreuid(0, -1), EPERM);
    FAILS_WITH(setgid(0), EPERM);
    FAILS_WITH(setresgid(-1, 0, -1), EPERM);
    FAILS_WITH(setgroups(0, NULL), EPERM);
    FAILS_WITH(syscall(SYS_setgroups32, 65537, NULL), EPERM); /* EPERM before EINVAL */
    CHECK(setfsuid(0) == (int)U && setfsuid(-1) == (int)U, "setfsuid(0) unprivileged must not take");
    CHECK(setuid(U) == 0, "setuid to itself: errno %d", errno);
    expect_res(U, U, U, "setuid(own)");
    /* limits */
    struct rlimit up = {64, 256}, down = {64, 100}, back = {64, 128};
    FAILS_WITH(setrlimit(RLIMIT_NOFILE, &up), EPERM);
    CHECK(setrlimit(RLIMIT_NOFILE, &down) == 0, "lower the hard limit: errno %d", errno);
    FAILS_WITH(setrlimit(RLIMIT_NOFILE, &back), EPERM);
    struct rlimit old;
    FAILS_WITH(prlimit(parent, RLIMIT_NOFILE, NULL, &old), EPERM);
    CHECK(prlimit(0, RLIMIT_NOFILE, NULL, &old) == 0 && old.rlim_max == 100, "prlimit on itself");
    /* signals */
    FAILS_WITH(kill(parent, 0), EPERM);
    FAILS_WITH(kill(parent, SIGUSR1), EPERM);
    CHECK(kill(parent, SIGCONT) == 0, "SIGCONT within the session: errno %d", errno);
    CHECK(kill(getpid(), 0) == 0, "kill itself: errno %d", errno);
    struct sigaction sa = {0};
    sa.sa_sigaction = on_usr1;
    sa.sa_flags = SA_SIGINFO;
    CHECK(sigaction(SIGUSR1, &sa, NULL) == 0, "sigaction");
    CHECK(kill(getpid(), SIGUSR1) == 0, "kill itself SIGUSR1: errno %d", errno);
    CHECK(usr1_uid == (int)U && usr1_pid == getpid(), "siginfo: si_uid %d si_pid %d", usr1_uid, usr1_pid);
    CHECK(kill(0, 0) == 0, "kill(0): itself is in the group");
    pid_t kid = fork();
    CHECK(kid >= 0, "fork");
    if (kid == 0) {
        pause();
        _exit(0);
    }
    CHECK(kill(kid, SIGKILL) == 0, "kill a process of the same user: errno %d", errno);
    int st = wait_for(kid);
    CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "same-user kill");
    FAILS_WITH(chroot("/"), EPERM);
}

/* Root's own group of one root process; an unprivileged process cannot signal it. */
static void group_kill_child(void *arg)
{
    pid_t g = *(pid_t *)arg;
    become_user();
    FAILS_WITH(kill(-g, 0), EPERM);
    FAILS_WITH(kill(-g, SIGTERM), EPERM);
}

/* Saved ids: root's euid can come back from the saved uid, not after the saved uid changes. */
static void saved_child(void *arg)
{
    (void)arg;
    CHECK(setresuid(1000, 2000, 0) == 0, "setresuid(1000, 2000, 0): errno %d", errno);
    expect_res(1000, 2000, 0, "setresuid");
    CHECK(seteuid(0) == 0 && geteuid() == 0, "seteuid(0) from the saved uid: errno %d", errno);
    CHECK(setreuid(-1, 2000) == 0, "setreuid(-1, 2000): errno %d", errno);
    expect_res(1000, 2000, 2000, "setreuid moves the saved uid"); /* euid != ruid: saved follows */
    FAILS_WITH(seteuid(0), EPERM);
    CHECK(setreuid(2000, 1000) == 0, "setreuid(2000, 1000): errno %d", errno);
    expect_res(2000, 1000, 1000, "setreuid swap");
    CHECK(setuid(2000) == 0, "setuid(2000) unprivileged: errno %d", errno);
    expect_res(2000, 2000, 1000, "setuid keeps the saved uid unprivileged");
    CHECK(setfsuid(1000) == 2000 && setfsuid(-1) == 1000, "setfsuid to the saved uid");
    CHECK(setfsuid(3000) == 1000 && setfsuid(-1) == 1000, "setfsuid to a foreign uid must not take");
    FAILS_WITH(setuid(3000), EPERM);
}

/* ---- files ---- */

static void files_child(void *arg)
{
    (void)arg;
    become_user();
    struct stat st;
    int fd;
    /* open */
    FAILS_WITH(open(path("f600"), O_RDONLY), EACCES);
    fd = open(path("f644"), O_RDONLY);
    CHECK(fd >= 0, "read a 0644 file: errno %d", errno);
    close(fd);
    FAILS_WITH(open(path("f644"), O_WRONLY), EACCES);
    FAILS_WITH(open(path("f644"), O_RDWR), EACCES);
    FAILS_WITH(open(path("f644"), O_RDONLY | O_TRUNC), EACCES);
    FAILS_WITH(open(path("f644"), O_RDONLY | O_NOATIME), EPERM);
    FAILS_WITH(truncate(path("f644"), 0), EACCES);
    fd = open(path("f666"), O_RDWR);
    CHECK(fd >= 0, "open a 0666 file read-write: errno %d", errno);
    close(fd);
    /* exec */
    char *av[] = {"x", NULL};
    FAILS_WITH(execve(path("x700"), av, environ), EACCES);
    FAILS_WITH(execve(path("f644"), av, environ), EACCES);
    /* directory search and read */
    FAILS_WITH(open(path("d700/in"), O_RDONLY), EACCES);
    FAILS_WITH(stat(path("d700/in"), &st), EACCES);
    FAILS_WITH(open(path("d700"), O_RDONLY | O_DIRECTORY), EACCES);
    FAILS_WITH(chdir(path("d700")), EACCES);
    FAILS_WITH(open(path("d711/in"), O_WRONLY), EACCES);
    fd = open(path("d711/in"), O_RDONLY); /* search without read */
    CHECK(fd >= 0, "search-only directory: errno %d", errno);
    close(fd);
    FAILS_WITH(open(path("d711"), O_RDONLY | O_DIRECTORY), EACCES);
    FAILS_WITH(stat(path("d711/missing"), &st), ENOENT);
    FAILS_WITH(stat(path("d700/missing"), &st), EACCES);
    /* creating and removing in a directory it cannot write */
    FAILS_WITH(open(path("d755/new"), O_CREAT | O_WRONLY, 0644), EACCES);
    FAILS_WITH(mkdir(path("d755/newdir"), 0755), EACCES);
    FAILS_WITH(mkdir(path("d755/sub"), 0755), EEXIST); /* EEXIST before EACCES */
    FAILS_WITH(mkfifo(path("d755/fifo"), 0644), EACCES);
    FAILS_WITH(symlink("x", path("d755/link")), EACCES);
    FAILS_WITH(unlink(path("d755/in")), EACCES);
    FAILS_WITH(rmdir(path("d755/sub")), EACCES);
    FAILS_WITH(rename(path("d755/in"), path("d777/moved")), EACCES);
    FAILS_WITH(rename(path("d777/gone"), path("d755/x")), ENOENT);
    fd = open(path("d755/in"), O_CREAT | O_RDONLY, 0644); /* exists: no write on the directory needed */
    CHECK(fd >= 0, "O_CREAT of an existing file: errno %d", errno);
    close(fd);
    /* a writable directory: new files belong to fsuid/fsgid */
    fd = open(path("d777/mine"), O_CREAT | O_WRONLY | O_EXCL, 0644);
    CHECK(fd >= 0, "create in a 0777 directory: errno %d", errno);
    CHECK(fstat(fd, &st) == 0 && st.st_uid == U && st.st_gid == U, "new file owned %u:%u", st.st_uid, st.st_gid);
    close(fd);
    CHECK(mkdir(path("d777/mydir"), 0755) == 0, "mkdir: errno %d", errno);
    CHECK(stat(path("d777/mydir"), &st) == 0 && st.st_uid == U && st.st_gid == U, "new dir owned %u:%u",
          st.st_uid, st.st_gid);
    /* a set-group-ID directory gives its group, and its bit to subdirectories */
    fd = open(path("gdir/f"), O_CREAT | O_WRONLY, 0644);
    CHECK(fd >= 0 && fstat(fd, &st) == 0 && st.st_gid == 4321 && st.st_uid == U, "file in sgid dir: %u:%u",
          st.st_uid, st.st_gid);
    close(fd);
    CHECK(mkdir(path("gdir/d"), 0755) == 0 && stat(path("gdir/d"), &st) == 0 && st.st_gid == 4321 &&
              (st.st_mode & S_ISGID),
          "dir in sgid dir: gid %u mode %o", st.st_gid, st.st_mode);
    /* sticky directory: another user's file stays; its own goes */
    FAILS_WITH(unlink(path("sticky/rootfile")), EPERM);
    FAILS_WITH(rename(path("sticky/rootfile"), path("sticky/x")), EPERM);
    FAILS_WITH(rmdir(path("sticky/rootdir")), EPERM);
    fd = open(path("sticky/mine"), O_CREAT | O_WRONLY, 0644);
    CHECK(fd >= 0, "create in a sticky directory: errno %d", errno);
    close(fd);
    CHECK(rename(path("sticky/mine"), path("sticky/mine2")) == 0, "rename own file in sticky dir: errno %d", errno);
    CHECK(unlink(path("sticky/mine2")) == 0, "unlink own file in sticky dir: errno %d", errno);
    /* chmod */
    FAILS_WITH(chmod(path("f644"), 0666), EPERM);
    CHECK(chmod(path("d777/mine"), 0640) == 0, "chmod own file: errno %d", errno);
    CHECK(chmod(path("owned"), 02755) == 0 && stat(path("owned"), &st) == 0 && (st.st_mode & 07777) == 0755,
          "chmod g+s by a non-member keeps mode %o", st.st_mode & 07777);
    CHECK(chmod(path("d777/mine"), 02640) == 0 && stat(path("d777/mine"), &st) == 0 &&
              (st.st_mode & 07777) == 02640,
          "chmod g+s by a member: mode %o", st.st_mode & 07777);
    /* chown */
    FAILS_WITH(chown(path("f644"), U, -1), EPERM);
    FAILS_WITH(chown(path("f644"), -1, U), EPERM);
    FAILS_WITH(chown(path("d777/mine"), 0, -1), EPERM);
    FAILS_WITH(chown(path("d777/mine"), -1, 5), EPERM);
    CHECK(chown(path("d777/mine"), U, G2) == 0, "chown to own group: errno %d", errno);
    CHECK(stat(path("d777/mine"), &st) == 0 && st.st_gid == G2, "group now %u", st.st_gid);
    /* times */
    struct timespec t[2] = {{1000, 0}, {2000, 0}}, now[2] = {{0, UTIME_NOW}, {0, UTIME_NOW}},
                    half[2] = {{0, UTIME_NOW}, {0, UTIME_OMIT}};
    FAILS_WITH(utimensat(AT_FDCWD, path("f644"), t, 0), EPERM);
    FAILS_WITH(utimensat(AT_FDCWD, path("f644"), NULL, 0), EACCES);
    FAILS_WITH(utimensat(AT_FDCWD, path("f644"), now, 0), EACCES);
    CHECK(utimensat(AT_FDCWD, path("f666"), NULL, 0) == 0, "touch a writable file: errno %d", errno);
    FAILS_WITH(utimensat(AT_FDCWD, path("f666"), t, 0), EPERM);
    CHECK(utimensat(AT_FDCWD, path("d777/mine"), t, 0) == 0, "set own file's times: errno %d", errno);
    CHECK(stat(path("d777/mine"), &st) == 0 && st.st_mtime == 2000, "mtime %ld", (long)st.st_mtime);
    (void)half;
    /* root-only things */
    FAILS_WITH(mknod(path("d777/null"), S_IFCHR | 0666, makedev(1, 3)), EPERM);
}

/* access: the real ids unless AT_EACCESS. */
static void access_child(void *arg)
{
    (void)arg;
    gid_t none[1] = {0};
    CHECK(setgroups(0, none) == 0, "setgroups");
    CHECK(setresuid(U, 0, 0) == 0, "setresuid(U, 0, 0): errno %d", errno);
    FAILS_WITH(access(path("f600"), R_OK), EACCES);
    FAILS_WITH(access(path("d700/in"), F_OK), EACCES); /* the lookup runs as the real uid too */
    CHECK(access(path("f644"), R_OK) == 0, "access(f644, R_OK): errno %d", errno);
    FAILS_WITH(access(path("f644"), W_OK), EACCES);
    CHECK(syscall(NR_faccessat2, AT_FDCWD, path("f600"), R_OK | W_OK, AT_EACCESS) == 0,
          "faccessat2 AT_EACCESS as euid 0: errno %d", errno);
    int fd = open(path("f600"), O_RDONLY);
    CHECK(fd >= 0, "open as euid 0: errno %d", errno);
    close(fd);
    CHECK(setresuid(0, U, 0) == 0, "setresuid(0, U, 0): errno %d", errno);
    FAILS_WITH(open(path("f600"), O_RDONLY), EACCES);
    CHECK(access(path("f600"), R_OK | W_OK) == 0, "access as real uid 0: errno %d", errno);
    FAILS_WITH(access(path("f644"), X_OK), EACCES); /* root too needs an x bit */
    CHECK(access(path("x700"), X_OK) == 0, "access x700 X_OK as root: errno %d", errno);
    FAILS_WITH(syscall(NR_faccessat2, AT_FDCWD, path("f600"), R_OK, AT_EACCESS), EACCES);
}

/* root: exec of a file without any x bit is EACCES, and root may search/read anything. */
static void root_files_child(void *arg)
{
    (void)arg;
    char *av[] = {"x", NULL};
    FAILS_WITH(execve(path("f644"), av, environ), EACCES);
    struct stat st;
    CHECK(stat(path("d700/in"), &st) == 0, "root searches a 0700 directory: errno %d", errno);
    CHECK(stat(path("d000"), &st) == 0, "stat d000");
    int fd = open(path("d000"), O_RDONLY | O_DIRECTORY);
    CHECK(fd >= 0, "root opens a 0000 directory: errno %d", errno);
    close(fd);
    CHECK(chdir(path("d000")) == 0, "root enters a 0000 directory: errno %d", errno);
    fd = open(path("f000"), O_RDWR);
    CHECK(fd >= 0, "root opens a 0000 file: errno %d", errno);
    close(fd);
}

/* Run base/name "--ids ..." as the current ids; the image's exit status says if it saw what was wanted. */
static void exec_ids(const char *name, unsigned uid, unsigned euid, unsigned gid, unsigned egid, int secure)
{
    char a[5][16];
    snprintf(a[0], 16, "%u", uid);
    snprintf(a[1], 16, "%u", euid);
    snprintf(a[2], 16, "%u", gid);
    snprintf(a[3], 16, "%u", egid);
    snprintf(a[4], 16, "%d", secure);
    char *av[] = {(char *)path(name), "--ids", a[0], a[1], a[2], a[3], a[4], NULL};
    pid_t pid = fork();
    CHECK(pid >= 0, "fork");
    if (pid == 0) {
        execve(av[0], av, environ);
        _exit(99);
    }
    int st = wait_for(pid);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "exec %s: status 0x%x (1x: uid/euid/gid/egid/secure %d wrong)",
          name, st, WEXITSTATUS(st) - 10);
}

static void setid_child(void *arg)
{
    (void)arg;
    exec_ids("suid", 0, 0, 0, 0, 0); /* root running a root set-user-ID program: nothing changes */
    exec_ids("suid_u", 0, U, 0, 0, 1); /* root running one owned by U */
    become_user();
    exec_ids("suid", U, 0, U, U, 1);
    exec_ids("sgid", U, U, U, 77, 1);
    exec_ids("plain", U, U, U, U, 0);
}

/* The exec'd image: are the ids and AT_SECURE as argv says? Exit 0, or 10 + which is wrong. */
static int ids_main(char **argv)
{
    unsigned want[5];
    for (int i = 0; i < 5; i++)
        want[i] = (unsigned)strtoul(argv[2 + i], NULL, 10);
    uid_t r, e, s;
    gid_t gr, ge, gs;
    if (getresuid(&r, &e, &s) || getresgid(&gr, &ge, &gs))
        return 20;
    unsigned got[5] = {getuid(), geteuid(), getgid(), getegid(), (unsigned)getauxval(AT_SECURE)};
    for (int i = 0; i < 5; i++)
        if (got[i] != want[i])
            return 10 + i;
    if (s != e || gs != ge)
        return 21; /* exec sets the saved ids to the effective ones */
    if (getauxval(AT_UID) != r || getauxval(AT_EUID) != e || getauxval(AT_GID) != gr || getauxval(AT_EGID) != ge)
        return 22;
    return 0;
}

/* ---- set-up ---- */

static void build_tree(void)
{
    snprintf(base, sizeof base, "/tmp/t_creds.XXXXXX");
    CHECK(mkdtemp(base), "mkdtemp: errno %d", errno);
    CHECK(chmod(base, 0755) == 0, "chmod base");
    make_file(path("f600"), 0600, 0, 0);
    make_file(path("f644"), 0644, 0, 0);
    make_file(path("f666"), 0666, 0, 0);
    make_file(path("f000"), 0000, 0, 0);
    make_file(path("owned"), 0755, U, 5);
    copy_self(path("x700"), 0700, 0, 0);
    copy_self(path("suid"), 04755, 0, 0);
    copy_self(path("suid_u"), 04755, U, 0);
    copy_self(path("sgid"), 02755, 0, 77);
    copy_self(path("plain"), 0755, 0, 0);
    make_dir(path("d700"), 0700, 0, 0);
    make_file(path("d700/in"), 0644, 0, 0);
    make_dir(path("d711"), 0711, 0, 0);
    make_file(path("d711/in"), 0644, 0, 0);
    make_dir(path("d000"), 0000, 0, 0);
    make_dir(path("d755"), 0755, 0, 0);
    make_file(path("d755/in"), 0666, 0, 0);
    make_dir(path("d755/sub"), 0777, 0, 0);
    make_dir(path("d777"), 0777, 0, 0);
    make_dir(path("gdir"), 02777, 0, 4321);
    make_dir(path("sticky"), 01777, 0, 0);
    make_file(path("sticky/rootfile"), 0666, 0, 0);
    make_dir(path("sticky/rootdir"), 0777, 0, 0);
}

/* rm -r of base, as root. */
static void remove_tree(const char *dir)
{
    DIR *d = opendir(dir);
    CHECK(d, "opendir %s: errno %d", dir, errno);
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        char p[600];
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        struct stat st;
        CHECK(lstat(p, &st) == 0, "lstat %s", p);
        if (S_ISDIR(st.st_mode))
            remove_tree(p);
        else
            CHECK(unlink(p) == 0, "unlink %s: errno %d", p, errno);
    }
    closedir(d);
    CHECK(rmdir(dir) == 0, "rmdir %s: errno %d", dir, errno);
}

int main(int argc, char **argv)
{
    if (argc == 7 && !strcmp(argv[1], "--ids"))
        return ids_main(argv);
    self = argv[0];
    root_ids();
    say("id calls as root: ok");
    struct stat st;
    CHECK(stat("/tmp", &st) == 0, "stat /tmp: errno %d", errno);
    CHECK(!is_eyn() || (st.st_mode & 07777) == 01777, "/tmp mode %o", st.st_mode & 07777); /* Linux test VMs vary */
    build_tree();
    run_ok(groups_child, NULL, "groups and fs ids");
    run_ok(drop_child, NULL, "dropping root");
    run_ok(saved_child, NULL, "saved ids");
    pid_t g = fork();
    CHECK(g >= 0, "fork");
    if (g == 0) {
        setpgid(0, 0);
        pause();
        _exit(0);
    }
    setpgid(g, g);
    run_ok(group_kill_child, &g, "group kill");
    kill(g, SIGKILL);
    wait_for(g);
    say("ids, signals and limits: ok");
    run_ok(files_child, NULL, "file permissions as uid 1000");
    run_ok(access_child, NULL, "access with real ids");
    run_ok(root_files_child, NULL, "root's file permissions");
    say("file permissions: ok");
    run_ok(setid_child, NULL, "set-id exec");
    say("set-user-ID and set-group-ID exec: ok");
    remove_tree(base);
    pass();
}
