/* t_tty: the console as a controlling terminal, with job control.
 *
 * As a session leader the test opens /dev/ttyS0 (which makes it its
 * controlling terminal if it has none; on EYN-OS the kernel shell already
 * lent it the console). Then: TIOCGSID is its session; TIOCSPGRP refuses a
 * negative group (EINVAL), a missing one (ESRCH) and one of another session
 * (EPERM); in another session the terminal is no controlling terminal
 * (ENOTTY). A background read stops with SIGTTIN (EIO when SIGTTIN is
 * ignored or blocked, or the group is orphaned); a background write goes
 * through unless TOSTOP, then SIGTTOU stops it (unless ignored), and so
 * does a background tcsetattr; tcsetpgrp moves the foreground and, with
 * SIGTTOU ignored, back. Without a terminal to own the test is skipped.
 * Passes natively on Linux too. */
#define TEST_NAME "t_tty"
#include "include/utest.h"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <termios.h>

static int tty;

/* Run fn in a child put in a process group of its own (the background); its wait status (stops reported). */
static int in_background(void (*fn)(void))
{
    pid_t pid = fork();
    CHECK(pid >= 0, "fork: errno %d", errno);
    if (pid == 0) {
        setpgid(0, 0);
        fn();
        _exit(0);
    }
    setpgid(pid, pid);
    int st = 0;
    pid_t r;
    do
        r = waitpid(pid, &st, WUNTRACED);
    while (r < 0 && errno == EINTR);
    CHECK(r == pid, "waitpid: errno %d", errno);
    if (WIFSTOPPED(st)) {
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
    }
    return st;
}

static void expect_stop(int st, int sig, const char *what)
{
    CHECK(WIFSTOPPED(st) && WSTOPSIG(st) == sig, "%s: status 0x%x, wanted a stop by %d", what, st, sig);
}

static void expect_ok(int st, const char *what)
{
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s: status 0x%x", what, st);
}

static void bg_read(void)
{
    char c;
    read(tty, &c, 1);
    _exit(4); /* not reached: SIGTTIN stops it first */
}

static void bg_read_ignored(void)
{
    char c;
    signal(SIGTTIN, SIG_IGN);
    _exit(read(tty, &c, 1) == -1 && errno == EIO ? 0 : 1);
}

static void bg_read_blocked(void)
{
    char c;
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGTTIN);
    sigprocmask(SIG_BLOCK, &s, NULL);
    _exit(read(tty, &c, 1) == -1 && errno == EIO ? 0 : 1);
}

static void bg_write(void) { _exit(write(tty, "", 0) == 0 && write(tty, " ", 1) == 1 ? 0 : 1); }

static void bg_write_ignored(void)
{
    signal(SIGTTOU, SIG_IGN);
    bg_write();
}

static void bg_setattr(void)
{
    struct termios t;
    tcgetattr(tty, &t); /* reading the settings is allowed */
    tcsetattr(tty, TCSANOW, &t);
    _exit(4);
}

static int verdict_fd;

/* A grandchild whose parent has exited: its group is orphaned, its background read gets EIO (verdict 'y'). */
static void bg_orphan_read(void)
{
    pid_t g = fork();
    if (g == 0) {
        setpgid(0, 0);
        sleep_ms(50); /* its parent has gone: the group is orphaned */
        char c;
        errno = 0;
        long r = read(tty, &c, 1);
        char verdict = r == -1 && errno == EIO ? 'y' : 'n';
        _exit(write(verdict_fd, &verdict, 1) == 1 ? 0 : 1);
    }
    _exit(0);
}

static void test_ioctls(void)
{
    pid_t sid = 0;
    CHECK(ioctl(tty, TIOCGSID, &sid) == 0 && sid == getsid(0), "TIOCGSID %d, session %d", sid, getsid(0));
    CHECK(ioctl(tty, TIOCSCTTY, 0) == 0, "TIOCSCTTY on our own terminal: errno %d", errno);
    FAILS_WITH(tcsetpgrp(tty, -1), EINVAL);
    FAILS_WITH(tcsetpgrp(tty, 0x3ffffff0), ESRCH);
    int ready[2], go[2];
    CHECK(pipe(ready) == 0 && pipe(go) == 0, "pipes");
    pid_t pid = fork();
    CHECK(pid >= 0, "fork");
    if (pid == 0) {
        char c = 'r';
        int ok = setsid() == getpid();
        pid_t pg = 0;
        ok = ok && tcgetpgrp(tty) == -1 && errno == ENOTTY;
        ok = ok && ioctl(tty, TIOCGSID, &pg) == -1 && errno == ENOTTY;
        ok = ok && tcsetpgrp(tty, getpid()) == -1 && errno == ENOTTY;
        if (write(ready[1], &c, 1) != 1 || read(go[0], &c, 1) != 1)
            _exit(3);
        _exit(ok ? 0 : 1);
    }
    char c;
    CHECK(read(ready[0], &c, 1) == 1, "child not ready");
    FAILS_WITH(tcsetpgrp(tty, pid), EPERM); /* a group of another session */
    CHECK(write(go[1], "g", 1) == 1, "go");
    expect_ok(wait_for(pid), "another session: ENOTTY for TIOCGPGRP, TIOCGSID, TIOCSPGRP");
    close(ready[0]);
    close(ready[1]);
    close(go[0]);
    close(go[1]);
    say("TIOCGSID, TIOCSCTTY, TIOCSPGRP's EINVAL/ESRCH/EPERM, ENOTTY from another session");
}

static void test_background(void)
{
    expect_stop(in_background(bg_read), SIGTTIN, "background read");
    expect_ok(in_background(bg_read_ignored), "background read, SIGTTIN ignored: EIO");
    expect_ok(in_background(bg_read_blocked), "background read, SIGTTIN blocked: EIO");
    int p[2];
    CHECK(pipe(p) == 0, "pipe");
    verdict_fd = p[1];
    expect_ok(in_background(bg_orphan_read), "the orphan's parent");
    char verdict = 0;
    CHECK(read(p[0], &verdict, 1) == 1 && verdict == 'y', "an orphaned group's background read: %c", verdict);
    close(p[0]);
    close(p[1]);
    say("background reads: SIGTTIN, EIO when ignored, blocked or orphaned");

    expect_ok(in_background(bg_write), "background write without TOSTOP");
    struct termios t, old;
    CHECK(tcgetattr(tty, &old) == 0, "tcgetattr: errno %d", errno);
    t = old;
    t.c_lflag |= TOSTOP;
    CHECK(tcsetattr(tty, TCSANOW, &t) == 0, "tcsetattr TOSTOP: errno %d", errno);
    int st = in_background(bg_write);
    int st2 = in_background(bg_write_ignored);
    CHECK(tcsetattr(tty, TCSANOW, &old) == 0, "tcsetattr back: errno %d", errno);
    expect_stop(st, SIGTTOU, "background write with TOSTOP");
    expect_ok(st2, "background write with TOSTOP, SIGTTOU ignored");
    expect_stop(in_background(bg_setattr), SIGTTOU, "background tcsetattr");
    say("background writes with TOSTOP and tcsetattr: SIGTTOU");
}

static void test_foreground_moves(void)
{
    int go[2];
    CHECK(pipe(go) == 0, "pipe");
    pid_t pid = fork();
    CHECK(pid >= 0, "fork");
    if (pid == 0) {
        setpgid(0, 0);
        char c;
        _exit(read(go[0], &c, 1) == 1 ? 0 : 1);
    }
    setpgid(pid, pid);
    CHECK(tcsetpgrp(tty, pid) == 0, "tcsetpgrp to the child's group: errno %d", errno);
    CHECK(tcgetpgrp(tty) == pid, "foreground %d, wanted %d", tcgetpgrp(tty), pid);
    signal(SIGTTOU, SIG_IGN); /* as a shell does: from the background, take the terminal back */
    CHECK(tcsetpgrp(tty, getpgrp()) == 0, "tcsetpgrp back: errno %d", errno);
    signal(SIGTTOU, SIG_DFL);
    CHECK(tcgetpgrp(tty) == getpgrp(), "the foreground is not back");
    CHECK(write(go[1], "g", 1) == 1, "go");
    expect_ok(wait_for(pid), "foreground child");
    close(go[0]);
    close(go[1]);
    say("tcsetpgrp moves the foreground and takes it back");
}

int main(void)
{
    if (getsid(0) != getpid() && setsid() < 0)
        FAIL("not a session leader and setsid failed: errno %d", errno);
    tty = open("/dev/ttyS0", O_RDWR);
    if (tty < 0 || tcgetpgrp(tty) != getpgrp()) {
        say("no controlling terminal to own (open %d, errno %d): skipped", tty, errno);
        pass();
    }
    test_ioctls();
    test_background();
    test_foreground_moves();
    pass();
}
