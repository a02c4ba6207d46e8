/* t_pgrp: process groups and sessions, kill()'s pid forms, prctl, sysinfo
 * and the old getrlimit.
 * - getpgrp/getpgid/getsid agree; unknown pids give ESRCH; setpgid's
 *   errors: EINVAL (negative pgid), ESRCH (not us, not our child), EPERM
 *   (no such group, another session, a session leader), EACCES (a child
 *   that has exec'd); setsid makes a new session, EPERM for a group leader.
 * - kill(-pgrp) reaches exactly that group, kill(0) the caller's group,
 *   kill(-1) everyone but the caller (only on EYN-OS: on Linux it would hit
 *   the whole machine), a group that does not exist gives ESRCH and kills
 *   nothing (not even with SIGKILL), a zombie can be signalled (0) until it
 *   is reaped, and a bad signal is EINVAL.
 * - prctl: name round trip (cut at 15 characters, read no further; exec
 *   names a process by the file's base name), dumpable,
 *   pdeathsig (not inherited by fork, delivered when the parent exits),
 *   no_new_privs (inherited), child subreaper, EINVAL for unknown options,
 *   EFAULT for bad pointers.
 * - sysinfo is plausible; old getrlimit (76) clamps to 0x7fffffff where
 *   ugetrlimit (191) says 0xffffffff; rlimits and the process group survive
 *   fork and exec.
 * Run with "--exec-helper FD" it is the exec'd child of the exec test. */
#define TEST_NAME "t_pgrp"
#include "include/utest.h"
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/sysinfo.h>

#define NO_SUCH 0x3FFFFFF0 /* above any pid_max (at most 2^22 on Linux) */

/* EXPECT_ERR: call must fail with errno want. */
#define EXPECT_ERR(call, want, what)                                                           \
    do {                                                                                       \
        errno = 0;                                                                             \
        long r_ = (long)(call);                                                                \
        CHECK(r_ == -1 && errno == (want), "%s: got %ld errno %d, want errno %d", what, r_,    \
              errno, want);                                                                    \
    } while (0)

/* EXPECT_OK: call must return 0. */
#define EXPECT_OK(call, what)                                                                  \
    do {                                                                                       \
        errno = 0;                                                                             \
        long r_ = (long)(call);                                                                \
        CHECK(r_ == 0, "%s: got %ld errno %d, want 0", what, r_, errno);                       \
    } while (0)

/* idle_child: fork a child that sleeps (10 s at most) until it is killed. */
static pid_t idle_child(void)
{
    pid_t pid = fork();
    CHECK(pid >= 0, "fork failed, errno %d", errno);
    if (pid == 0) {
        sleep_ms(10000);
        _exit(1);
    }
    return pid;
}

/* alive: pid is our child and has not ended. */
static int alive(pid_t pid)
{
    int st;
    return kill(pid, 0) == 0 && waitpid(pid, &st, WNOHANG) == 0;
}

/* expect_killed: reap pid, which must have died from sig. */
static void expect_killed(pid_t pid, int sig, const char *what)
{
    char b[32];
    int st = wait_for(pid);
    CHECK(WIFSIGNALED(st) && WTERMSIG(st) == sig, "%s: %s, want signal %d", what,
          status_str(st, b, sizeof b), sig);
}

/* finish: SIGKILL and reap an idle child. */
static void finish(pid_t pid)
{
    CHECK(kill(pid, SIGKILL) == 0, "kill(%d, SIGKILL): errno %d", (int)pid, errno);
    expect_killed(pid, SIGKILL, "idle child");
}

static void ids(void)
{
    pid_t me = getpid(), pg = (pid_t)syscall(SYS_getpgrp);
    CHECK(pg > 0 && pg == getpgid(0) && pg == getpgid(me), "getpgrp %d, getpgid(0) %d, getpgid(me) %d", (int)pg,
          (int)getpgid(0), (int)getpgid(me));
    CHECK(getsid(0) > 0 && getsid(0) == getsid(me), "getsid(0) %d, getsid(me) %d", (int)getsid(0), (int)getsid(me));
    if (is_eyn())
        CHECK(pg == me && getsid(0) == me, "started by the shell: pgid %d sid %d, want %d for both", (int)pg,
              (int)getsid(0), (int)me);
    EXPECT_ERR(getpgid(NO_SUCH), ESRCH, "getpgid(no such pid)");
    EXPECT_ERR(getsid(NO_SUCH), ESRCH, "getsid(no such pid)");
    EXPECT_ERR(getpgid(-5), ESRCH, "getpgid(-5)");
    EXPECT_ERR(setpgid(0, -1), EINVAL, "setpgid(0, -1)");
    if (getppid() != getpid()) /* EYN-OS says 1 for the shell; that may be us */
        EXPECT_ERR(setpgid(getppid(), 0), ESRCH, "setpgid(parent, 0)");
    EXPECT_ERR(setpgid(NO_SUCH, 0), ESRCH, "setpgid(no such pid, 0)");
    EXPECT_ERR(setpgid(-3, 0), EINVAL, "setpgid(-3, 0): pgid 0 means pid, which is negative");
    EXPECT_ERR(setpgid(-3, 5), ESRCH, "setpgid(-3, 5)");
    say("getpgrp/getpgid/getsid agree; ESRCH and EINVAL as on Linux");
}

/* groups: setpgid on children, and kill(-pgrp) reaching that group only. */
static void groups(void)
{
    pid_t pg = getpgrp();
    pid_t a = idle_child(), b = idle_child(), c = idle_child();
    CHECK(getpgid(a) == pg && getsid(a) == getsid(0), "a child inherits group %d and session %d: got %d, %d",
          (int)pg, (int)getsid(0), (int)getpgid(a), (int)getsid(a));
    EXPECT_OK(setpgid(a, a), "setpgid(a, a)");
    EXPECT_OK(setpgid(b, a), "setpgid(b, a)");
    CHECK(getpgid(a) == a && getpgid(b) == a, "group of a %d, of b %d, want %d", (int)getpgid(a), (int)getpgid(b),
          (int)a);
    EXPECT_ERR(setpgid(c, NO_SUCH), EPERM, "setpgid(c, no such group)");
    CHECK(getpgid(c) == pg, "a failed setpgid moved c to %d", (int)getpgid(c));

    EXPECT_OK(kill(-a, 0), "kill(-a, 0)");
    EXPECT_ERR(kill(-NO_SUCH, SIGKILL), ESRCH, "kill(-no such group, SIGKILL)");
    EXPECT_ERR(kill(-NO_SUCH, 0), ESRCH, "kill(-no such group, 0)");
    EXPECT_ERR(kill(-a, 65), EINVAL, "kill(-a, 65)");
    EXPECT_ERR(kill(a, -1), EINVAL, "kill(a, -1)");
    EXPECT_ERR(kill(NO_SUCH, 65), ESRCH, "kill(no such pid, 65)");
    CHECK(alive(a) && alive(b) && alive(c), "a failed kill hurt a child");

    EXPECT_OK(kill(-a, SIGTERM), "kill(-a, SIGTERM)");
    sleep_ms(50);
    EXPECT_OK(kill(-a, 0), "kill(-a, 0) with the group's members dead but not reaped");
    expect_killed(a, SIGTERM, "a, after kill(-a, SIGTERM)");
    expect_killed(b, SIGTERM, "b, after kill(-a, SIGTERM)");
    EXPECT_ERR(kill(-a, 0), ESRCH, "kill(-a, 0) once the group is reaped");
    EXPECT_ERR(setpgid(c, a), EPERM, "setpgid(c, reaped group)");
    CHECK(alive(c), "kill(-a) reached c in another group");
    finish(c);
    say("setpgid moves children; kill(-pgrp) reaches that group only; no such group: ESRCH");
}

/* kill_own_group (in a child): kill(0) reaches the caller's new group, not its parent's. */
static void kill_own_group(void *arg)
{
    (void)arg;
    if (setpgid(0, 0) != 0 || getpgrp() != getpid())
        _exit(10);
    pid_t g = idle_child();
    signal(SIGTERM, SIG_IGN);
    if (kill(0, 0) != 0)
        _exit(11);
    if (kill(0, SIGTERM) != 0)
        _exit(12);
    int st = wait_for(g);
    _exit(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM ? 0 : 13);
}

static void kill_zero_and_minus_one(void)
{
    char b[32];
    pid_t c = idle_child();
    int st = run_child(kill_own_group, NULL);
    CHECK(st == 0, "kill(0) in a child's own group: %s (10 setpgid, 11/12 kill, 13 grandchild not killed)",
          status_str(st, b, sizeof b));
    CHECK(alive(c), "kill(0) in another group reached our child");
    EXPECT_OK(kill(-1, 0), "kill(-1, 0) with a child alive");
    if (is_eyn()) { /* on Linux this would signal every process of the user */
        signal(SIGUSR1, SIG_IGN);
        pid_t k = fork();
        CHECK(k >= 0, "fork failed, errno %d", errno);
        if (k == 0) {
            signal(SIGUSR1, SIG_DFL);
            _exit(kill(-1, SIGUSR1) == 0 ? 0 : 1); /* a SIGUSR1 to itself would end it here */
        }
        st = wait_for(k);
        CHECK(st == 0, "kill(-1, SIGUSR1) caller: %s, want exit 0", status_str(st, b, sizeof b));
        expect_killed(c, SIGUSR1, "a sibling after kill(-1, SIGUSR1)");
        signal(SIGUSR1, SIG_DFL);
        say("kill(-1) reaches everyone but the caller");
    } else {
        finish(c);
    }
    say("kill(0) reaches the caller's group only");
}

static void zombies(void)
{
    pid_t z = fork();
    CHECK(z >= 0, "fork failed, errno %d", errno);
    if (z == 0)
        _exit(5);
    sleep_ms(100); /* it is a zombie now */
    EXPECT_OK(kill(z, 0), "kill(zombie, 0)");
    EXPECT_OK(kill(z, SIGKILL), "kill(zombie, SIGKILL)");
    EXPECT_OK(syscall(SYS_tkill, z, 0), "tkill(zombie, 0)");
    CHECK(getpgid(z) == getpgrp(), "getpgid(zombie) = %d, errno %d", (int)getpgid(z), errno);
    int st = wait_for(z);
    CHECK(st == 5 << 8, "zombie's status 0x%x, want exit 5 (a signal after death changes nothing)", st);
    EXPECT_ERR(kill(z, 0), ESRCH, "kill(reaped, 0)");
    EXPECT_ERR(syscall(SYS_tkill, 0, SIGTERM), EINVAL, "tkill(0)");
    EXPECT_ERR(syscall(SYS_tgkill, getpid(), 0, SIGTERM), EINVAL, "tgkill(me, 0)");
    EXPECT_ERR(syscall(SYS_tgkill, getpid(), NO_SUCH, SIGTERM), ESRCH, "tgkill(me, no such tid)");
    EXPECT_OK(syscall(SYS_tgkill, getpid(), getpid(), 0), "tgkill(me, me, 0)");
    say("a zombie can be signalled until it is reaped; tkill/tgkill checks");
}

/* leader_setsid (in a child): a group leader may not setsid. */
static void leader_setsid(void *arg)
{
    (void)arg;
    if (setpgid(0, 0) != 0)
        _exit(10);
    errno = 0;
    _exit(setsid() == -1 && errno == EPERM ? 0 : 11);
}

/* session_child: setsid and the rules for a session leader; reports one byte (0 = all good) on fd. */
static void session_child(int fd)
{
    char code = 0;
    pid_t me = getpid();
    if (setsid() != me)
        code = 1;
    else if (getsid(0) != me || getpgrp() != me)
        code = 2;
    else if (setsid() != -1 || errno != EPERM)
        code = 3;
    else if (setpgid(0, 0) != -1 || errno != EPERM)
        code = 4;
    else {
        pid_t g = idle_child();
        if (getsid(g) != me || getpgid(g) != me)
            code = 5;
        else if (setpgid(g, g) != 0 || getpgid(g) != g)
            code = 6;
        kill(g, SIGKILL);
        waitpid(g, NULL, 0);
    }
    if (write(fd, &code, 1) != 1)
        _exit(2);
    sleep_ms(10000);
    _exit(1);
}

static void sessions(void)
{
    char b[32], code;
    int fds[2];
    int st = run_child(leader_setsid, NULL);
    CHECK(st == 0, "setsid in a group leader: %s (11: not EPERM)", status_str(st, b, sizeof b));
    CHECK(pipe(fds) == 0, "pipe: errno %d", errno);
    pid_t s = fork();
    CHECK(s >= 0, "fork failed, errno %d", errno);
    if (s == 0) {
        close(fds[0]);
        session_child(fds[1]);
    }
    close(fds[1]);
    CHECK(read(fds[0], &code, 1) == 1, "session child did not report, errno %d", errno);
    close(fds[0]);
    CHECK(code == 0, "session child failed check %d (1 setsid, 2 ids, 3 setsid twice, 4 setpgid as leader, "
          "5/6 its child)", code);
    CHECK(getsid(s) == s && getpgid(s) == s, "after setsid: sid %d pgid %d, want %d", (int)getsid(s),
          (int)getpgid(s), (int)s);
    EXPECT_ERR(setpgid(s, s), EPERM, "setpgid(child in another session, itself)");
    EXPECT_ERR(setpgid(s, getpgrp()), EPERM, "setpgid(child in another session, our group)");
    pid_t c = idle_child();
    EXPECT_ERR(setpgid(c, s), EPERM, "setpgid(child, a group of another session)");
    finish(c);
    finish(s);
    say("setsid: new session; EPERM for leaders and across sessions");
}

/* exec_helper: the exec'd child; reports "NOFILE-soft pgrp name" on fd, then idles. */
static void exec_helper(int fd)
{
    uint32_t lim[2] = {0, 0};
    char msg[64];
    char name[16] = "?";
    syscall(SYS_ugetrlimit, RLIMIT_NOFILE, lim);
    prctl(PR_GET_NAME, name);
    int n = snprintf(msg, sizeof msg, "%u %d %.15s\n", (unsigned)lim[0], (int)getpgrp(), name);
    if (write(fd, msg, n) != n)
        _exit(2);
    sleep_ms(10000);
    _exit(1);
}

/* exec: setpgid works on a child until it execs (then EACCES); rlimits and the group survive fork and exec. */
static void exec_rules(const char *self)
{
    uint32_t lim[2], saved;
    int go[2], rep[2];
    char c = 'g', msg[64] = {0};
    CHECK(syscall(SYS_ugetrlimit, RLIMIT_NOFILE, lim) == 0, "ugetrlimit(NOFILE): errno %d", errno);
    CHECK(lim[1] >= 77, "RLIMIT_NOFILE hard limit %u too small", (unsigned)lim[1]);
    saved = lim[0];
    lim[0] = 77;
    EXPECT_OK(syscall(SYS_setrlimit, RLIMIT_NOFILE, lim), "setrlimit(NOFILE, 77)");
    CHECK(pipe(go) == 0 && pipe(rep) == 0, "pipe: errno %d", errno);
    pid_t pid = fork();
    CHECK(pid >= 0, "fork failed, errno %d", errno);
    if (pid == 0) {
        char fd[16];
        close(go[1]);
        close(rep[0]);
        if (read(go[0], &c, 1) != 1)
            _exit(70);
        snprintf(fd, sizeof fd, "%d", rep[1]);
        execl(self, self, "--exec-helper", fd, (char *)NULL);
        _exit(71);
    }
    close(go[0]);
    close(rep[1]);
    lim[0] = saved;
    EXPECT_OK(syscall(SYS_setrlimit, RLIMIT_NOFILE, lim), "setrlimit(NOFILE) back");
    EXPECT_OK(setpgid(pid, pid), "setpgid(child before exec)");
    CHECK(write(go[1], &c, 1) == 1, "write: errno %d", errno);
    close(go[1]);
    for (size_t n = 0; n < sizeof msg - 1 && !strchr(msg, '\n');) {
        ssize_t r = read(rep[0], msg + n, sizeof msg - 1 - n);
        CHECK(r > 0, "exec helper did not report (read %d, errno %d)", (int)r, errno);
        n += (size_t)r;
    }
    close(rep[0]);
    unsigned soft = 0;
    int pg = 0;
    char name[16] = "";
    CHECK(sscanf(msg, "%u %d %15s", &soft, &pg, name) == 3, "exec helper said '%s'", msg);
    CHECK(strcmp(name, "t_pgrp") == 0, "name after exec: '%s', want the file's base name t_pgrp", name);
    CHECK(soft == 77, "RLIMIT_NOFILE after fork + exec: %u, want 77", soft);
    CHECK(pg == pid, "group after exec: %d, want %d", pg, (int)pid);
    EXPECT_ERR(setpgid(pid, getpgrp()), EACCES, "setpgid(child after exec)");
    finish(pid);
    say("setpgid on a child: allowed before exec, EACCES after; rlimits and group survive fork + exec");
}

static void old_getrlimit(void)
{
    uint32_t u[2], o[2];
    for (int r = 0; r < 16; r++) {
        CHECK(syscall(SYS_ugetrlimit, r, u) == 0, "ugetrlimit(%d): errno %d", r, errno);
        CHECK(syscall(SYS_getrlimit, r, o) == 0, "getrlimit(%d): errno %d", r, errno);
        for (int i = 0; i < 2; i++)
            CHECK(o[i] == (u[i] > 0x7FFFFFFFu ? 0x7FFFFFFFu : u[i]),
                  "resource %d: old getrlimit says 0x%x where ugetrlimit says 0x%x", r, (unsigned)o[i],
                  (unsigned)u[i]);
    }
    if (is_eyn()) {
        CHECK(syscall(SYS_getrlimit, RLIMIT_CPU, o) == 0 && o[0] == 0x7FFFFFFFu && o[1] == 0x7FFFFFFFu,
              "old getrlimit(CPU) = 0x%x 0x%x, want 0x7fffffff", (unsigned)o[0], (unsigned)o[1]);
        CHECK(syscall(SYS_ugetrlimit, RLIMIT_CPU, u) == 0 && u[0] == 0xFFFFFFFFu, "ugetrlimit(CPU) = 0x%x",
              (unsigned)u[0]);
    }
    EXPECT_ERR(syscall(SYS_getrlimit, 16, o), EINVAL, "getrlimit(16)");
    EXPECT_ERR(syscall(SYS_getrlimit, RLIMIT_CPU, (void *)1), EFAULT, "getrlimit(CPU, bad pointer)");
    say("old getrlimit clamps to 0x7fffffff, ugetrlimit does not");
}

/* name_is: PR_GET_NAME gives want, NUL-terminated in 16 bytes. */
static void name_is(const char *want, int line)
{
    char name[32];
    memset(name, 'x', sizeof name);
    if (prctl(PR_GET_NAME, name) != 0)
        utest_fail(line, "PR_GET_NAME: errno %d", errno);
    if (name[15] != 0 || strcmp(name, want) != 0 || name[16] != 'x')
        utest_fail(line, "PR_GET_NAME: '%.16s', want '%s' in 16 bytes", name, want);
}

/* prctl_child: pdeathsig is not inherited; no_new_privs is, once set. */
static void prctl_child(void *arg)
{
    (void)arg;
    int v = -1;
    if (prctl(PR_GET_PDEATHSIG, &v) != 0 || v != 0)
        _exit(10);
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 || prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1)
        _exit(11);
    pid_t g = fork();
    if (g == 0)
        _exit(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1 ? 0 : 1);
    int st = wait_for(g);
    _exit(st == 0 ? 0 : 12);
}

static void prctls(void)
{
    char b[32], first[16];
    /* our name: "t_pgrp" from an exec; EYN-OS's shell names what it starts by the path it ran */
    CHECK(prctl(PR_GET_NAME, first) == 0, "PR_GET_NAME: errno %d", errno);
    CHECK(strcmp(first, "t_pgrp") == 0 || (is_eyn() && strcmp(first, "/bin/t_pgrp") == 0), "PR_GET_NAME: '%s'",
          first);
    EXPECT_OK(prctl(PR_SET_NAME, "abc"), "PR_SET_NAME abc");
    name_is("abc", __LINE__);
    EXPECT_OK(prctl(PR_SET_NAME, "a-name-longer-than-15"), "PR_SET_NAME long");
    name_is("a-name-longer-t", __LINE__);
    /* 15 characters and no NUL before an unmapped page: only 15 are read */
    char *two = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(two != MAP_FAILED && munmap(two + PAGE, PAGE) == 0, "mmap/munmap: errno %d", errno);
    memcpy(two + PAGE - 15, "0123456789abcde", 15);
    EXPECT_OK(prctl(PR_SET_NAME, two + PAGE - 15), "PR_SET_NAME 15 bytes before a hole");
    name_is("0123456789abcde", __LINE__);
    EXPECT_ERR(prctl(PR_SET_NAME, two + PAGE - 3), EFAULT, "PR_SET_NAME running into a hole");
    munmap(two, PAGE);
    EXPECT_ERR(prctl(PR_SET_NAME, (char *)1), EFAULT, "PR_SET_NAME(bad pointer)");
    EXPECT_ERR(prctl(PR_GET_NAME, (char *)1), EFAULT, "PR_GET_NAME(bad pointer)");
    EXPECT_OK(prctl(PR_SET_NAME, first), "PR_SET_NAME back");
    name_is(first, __LINE__);

    CHECK(prctl(PR_GET_DUMPABLE) == 1, "PR_GET_DUMPABLE = %d, want 1", prctl(PR_GET_DUMPABLE));
    EXPECT_OK(prctl(PR_SET_DUMPABLE, 0), "PR_SET_DUMPABLE 0");
    CHECK(prctl(PR_GET_DUMPABLE) == 0, "PR_GET_DUMPABLE after setting 0: %d", prctl(PR_GET_DUMPABLE));
    EXPECT_ERR(prctl(PR_SET_DUMPABLE, 2), EINVAL, "PR_SET_DUMPABLE 2");
    EXPECT_OK(prctl(PR_SET_DUMPABLE, 1), "PR_SET_DUMPABLE 1");

    int v = -1;
    CHECK(prctl(PR_GET_PDEATHSIG, &v) == 0 && v == 0, "PR_GET_PDEATHSIG = %d, errno %d", v, errno);
    EXPECT_ERR(prctl(PR_SET_PDEATHSIG, 65), EINVAL, "PR_SET_PDEATHSIG 65");
    EXPECT_OK(prctl(PR_SET_PDEATHSIG, SIGUSR2), "PR_SET_PDEATHSIG SIGUSR2");
    CHECK(prctl(PR_GET_PDEATHSIG, &v) == 0 && v == SIGUSR2, "PR_GET_PDEATHSIG = %d, want %d", v, SIGUSR2);
    EXPECT_ERR(prctl(PR_GET_PDEATHSIG, (int *)1), EFAULT, "PR_GET_PDEATHSIG(bad pointer)");
    int st = run_child(prctl_child, NULL);
    CHECK(st == 0, "prctl in a child: %s (10 pdeathsig inherited, 11/12 no_new_privs)", status_str(st, b, sizeof b));
    EXPECT_OK(prctl(PR_SET_PDEATHSIG, 0), "PR_SET_PDEATHSIG 0");

    int nnp = prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0);
    CHECK(nnp == 0 || nnp == 1, "PR_GET_NO_NEW_PRIVS = %d", nnp);
    EXPECT_ERR(prctl(PR_SET_NO_NEW_PRIVS, 0, 0, 0, 0), EINVAL, "PR_SET_NO_NEW_PRIVS 0");
    EXPECT_ERR(prctl(PR_GET_NO_NEW_PRIVS, 1, 0, 0, 0), EINVAL, "PR_GET_NO_NEW_PRIVS with an argument");

    EXPECT_OK(prctl(PR_SET_CHILD_SUBREAPER, 1), "PR_SET_CHILD_SUBREAPER 1");
    CHECK(prctl(PR_GET_CHILD_SUBREAPER, &v) == 0 && v == 1, "PR_GET_CHILD_SUBREAPER = %d", v);
    EXPECT_OK(prctl(PR_SET_CHILD_SUBREAPER, 0), "PR_SET_CHILD_SUBREAPER 0");
    CHECK(prctl(PR_GET_CHILD_SUBREAPER, &v) == 0 && v == 0, "PR_GET_CHILD_SUBREAPER = %d", v);
    EXPECT_ERR(prctl(PR_GET_CHILD_SUBREAPER, (int *)1), EFAULT, "PR_GET_CHILD_SUBREAPER(bad pointer)");
    EXPECT_ERR(prctl(0x7FFF1234, 0, 0, 0, 0), EINVAL, "prctl(unknown option)");
    say("prctl: name, dumpable, pdeathsig, no_new_privs, subreaper; EINVAL and EFAULT");
}

/* pdeathsig: a grandchild with PR_SET_PDEATHSIG(SIGTERM) dies when its parent exits. */
static void pdeathsig(void)
{
    int out[2];
    char c;
    CHECK(pipe(out) == 0, "pipe: errno %d", errno);
    pid_t mid = fork();
    CHECK(mid >= 0, "fork failed, errno %d", errno);
    if (mid == 0) {
        int ready[2];
        close(out[0]);
        if (pipe(ready) != 0)
            _exit(10);
        pid_t g = fork();
        if (g == 0) { /* holds out[1] open until it dies; writes 'L' if it outlives 5 s */
            close(ready[0]);
            if (prctl(PR_SET_PDEATHSIG, SIGTERM) != 0 || write(ready[1], "r", 1) != 1)
                _exit(1);
            sleep_ms(5000);
            if (write(out[1], "L", 1) != 1)
                _exit(2);
            _exit(0);
        }
        close(out[1]);
        close(ready[1]);
        _exit(g > 0 && read(ready[0], &c, 1) == 1 ? 0 : 11);
    }
    close(out[1]);
    int st = wait_for(mid);
    CHECK(st == 0, "middle process: raw status 0x%x", st);
    ssize_t r = read(out[0], &c, 1);
    close(out[0]);
    CHECK(r == 0, "the orphan with pdeathsig SIGTERM lived on (read %d '%c')", (int)r, r > 0 ? c : '-');
    say("PR_SET_PDEATHSIG: the signal arrives when the parent exits");
}

static void sysinfos(void)
{
    struct sysinfo si, si2;
    _Static_assert(sizeof si == 64, "struct sysinfo is 64 bytes on i386");
    memset(&si, 0xA5, sizeof si);
    CHECK(syscall(SYS_sysinfo, &si) == 0, "sysinfo: errno %d", errno);
    unsigned long long unit = si.mem_unit, total = si.totalram * unit;
    CHECK(unit >= 1 && (unit & (unit - 1)) == 0, "mem_unit %llu", unit);
    CHECK(unit == 1 || (unsigned long long)si.totalram * unit > 0xFFFFFFFFull,
          "mem_unit %llu although %lu units fit in bytes", unit, si.totalram);
    CHECK(total >= 1024 * 1024, "totalram %llu bytes", total);
    CHECK(si.freeram <= si.totalram && si.sharedram <= si.totalram && si.bufferram <= si.totalram,
          "free %lu shared %lu buffer %lu of total %lu", si.freeram, si.sharedram, si.bufferram, si.totalram);
    CHECK(si.freeswap <= si.totalswap, "freeswap %lu > totalswap %lu", si.freeswap, si.totalswap);
    CHECK(si.freehigh <= si.totalhigh && si.totalhigh <= si.totalram, "freehigh %lu totalhigh %lu totalram %lu",
          si.freehigh, si.totalhigh, si.totalram);
    CHECK(si.uptime > 0, "uptime %ld", si.uptime);
    CHECK(si.procs >= 1, "procs %u", si.procs);
    for (int i = 0; i < 3; i++)
        CHECK(si.loads[i] < (1000ul << 16), "loads[%d] = %lu", i, si.loads[i]);
    pid_t c = idle_child();
    CHECK(syscall(SYS_sysinfo, &si2) == 0, "sysinfo: errno %d", errno);
    CHECK(si2.uptime >= si.uptime && si2.mem_unit == si.mem_unit && si2.totalram == si.totalram,
          "second sysinfo: uptime %ld after %ld, unit %u, totalram %lu", si2.uptime, si.uptime, si2.mem_unit,
          si2.totalram);
    if (is_eyn())
        CHECK(si2.procs == si.procs + 1, "procs %u with one more child, %u before", si2.procs, si.procs);
    finish(c);
    EXPECT_ERR(syscall(SYS_sysinfo, (void *)1), EFAULT, "sysinfo(bad pointer)");
    say("sysinfo: %llu MiB RAM, %llu MiB free, uptime %ld s, %u procs, load %lu.%02lu", si.totalram * unit >> 20,
        si.freeram * unit >> 20, si.uptime, si.procs, si.loads[0] >> 16, (si.loads[0] & 0xFFFF) * 100 >> 16);
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "--exec-helper") == 0)
        exec_helper(atoi(argv[2]));
    ids();
    groups();
    kill_zero_and_minus_one();
    zombies();
    sessions();
    exec_rules(argv[0]);
    old_getrlimit();
    prctls();
    pdeathsig();
    sysinfos();
    pass();
}
