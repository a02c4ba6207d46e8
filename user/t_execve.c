/* t_execve: execve errors, and a successful execve of ourselves.
 * Errors: a missing file gives ENOENT, an empty path ENOENT, a directory
 * EACCES, a path through a regular file ENOTDIR. (ENOEXEC is not checked:
 * the EYN-OS initrd holds only ELF programs, so there is no non-ELF file to
 * try.) Success: a forked child (and a vfork()ed one) execs argv[0] as
 * "t_execve --child PID PPID TOKEN" with its own environment; the new image checks
 * argv, envp (exactly what was passed), that its pid and parent survived the
 * exec, that its .data is fresh, that the handler the parent set for SIGUSR1
 * is back to the default while the SIGUSR2 it ignores stays ignored, and that
 * an inherited pipe on fd 5 works, then exits with a code the parent checks. */
#define TEST_NAME "t_execve"
#include "include/utest.h"
#include <stdlib.h>

#define CHILD_FD 5

extern char **environ;
static int data_word = 1234; /* the exec'd image must see 1234 again */

static void on_usr1(int sig) { (void)sig; }

/* child_main: the exec'd image. argv = {self, "--child", pid, ppid, token}. */
static int child_main(int argc, char **argv)
{
    if (argc != 5 || strcmp(argv[1], "--child"))
        return 60;
    if (atoi(argv[2]) != getpid() || atoi(argv[3]) != getppid())
        return 61; /* exec keeps the pid and the parent */
    char **e = environ;
    if (!e || !e[0] || strcmp(e[0], "UTEST_A=alpha") || !e[1] ||
        strcmp(e[1], "UTEST_B=beta with spaces") || e[2])
        return 62;
    if (data_word != 1234)
        return 63;
    struct sigaction usr1, usr2;
    if (sigaction(SIGUSR1, NULL, &usr1) || usr1.sa_handler != SIG_DFL || sigaction(SIGUSR2, NULL, &usr2) ||
        usr2.sa_handler != SIG_IGN)
        return 65; /* exec resets handlers, keeps ignored signals ignored */
    const char *token = argv[4];
    if (write(CHILD_FD, token, strlen(token)) != (ssize_t)strlen(token))
        return 64;
    return 40 + atoi(token) % 10;
}

static void expect_errno(const char *path, int want, const char *what)
{
    char *argv[] = { (char *)path, NULL };
    errno = 0;
    int r = execve(path, argv, environ);
    CHECK(r == -1 && errno == want, "execve(%s) [%s]: got %d errno %d, want errno %d",
          path, what, r, errno, want);
}

/* exec_self: in the (v)forked child, put the pipe on CHILD_FD and exec. */
static void exec_self(const char *self, int wfd, const char *token)
{
    char pid[16], ppid[16];
    snprintf(pid, sizeof pid, "%d", (int)getpid());
    snprintf(ppid, sizeof ppid, "%d", (int)getppid());
    char *argv[] = { (char *)self, "--child", pid, ppid, (char *)token, NULL };
    char *envp[] = { "UTEST_A=alpha", "UTEST_B=beta with spaces", NULL };
    if (wfd != CHILD_FD && dup2(wfd, CHILD_FD) != CHILD_FD)
        _exit(70);
    execve(self, argv, envp);
    _exit(71);
}

/* run_exec: fork (or vfork) a child that execs self with token; checks its
 * exit code and what it wrote to the pipe. */
static void run_exec(const char *self, int use_vfork, const char *token)
{
    const char *how = use_vfork ? "vfork" : "fork";
    int fds[2];
    CHECK(pipe(fds) == 0, "pipe failed, errno %d", errno);
    data_word = 99; /* the new image must not inherit this */
    pid_t pid = use_vfork ? vfork() : fork();
    CHECK(pid >= 0, "%s failed, errno %d", how, errno);
    if (pid == 0)
        exec_self(self, fds[1], token);
    close(fds[1]);

    char got[32] = { 0 }, b[32];
    ssize_t n = read(fds[0], got, sizeof got - 1);
    close(fds[0]);
    int st = wait_for(pid);
    int want = 40 + atoi(token) % 10;
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == want,
          "%s+execve child: %s, want exit %d (60 argv, 61 pid/ppid, 62 envp, 63 .data, 64 fd %d, 65 signal "
          "dispositions, 71 exec failed)",
          how, status_str(st, b, sizeof b), want, CHILD_FD);
    CHECK(n == (ssize_t)strlen(token) && !strcmp(got, token),
          "%s+execve child wrote '%s' on fd %d, want '%s'", how, got, CHILD_FD, token);
    say("%s + execve(%s --child): argv, envp, pid, fd %d passed through; exit %d",
        how, self, CHILD_FD, want);
}

int main(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "--child"))
        return child_main(argc, argv);
    CHECK(argc == 1, "unexpected arguments");

    expect_errno("/no/such/file", ENOENT, "missing");
    expect_errno("/bin/no-such-program", ENOENT, "missing in /bin");
    expect_errno("", ENOENT, "empty path");
    expect_errno("/bin", EACCES, "directory");
    expect_errno("/", EACCES, "root directory");
    char sub[300];
    snprintf(sub, sizeof sub, "%s/x", argv[0]);
    expect_errno(sub, ENOTDIR, "file used as a directory");
    say("execve errors: ENOENT, EACCES, ENOTDIR");

    CHECK(getppid() != getpid(), "getppid == getpid");
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    sa.sa_flags = SA_RESTART;
    CHECK(sigaction(SIGUSR1, &sa, NULL) == 0 && signal(SIGUSR2, SIG_IGN) != SIG_ERR, "sigaction failed, errno %d",
          errno);
    run_exec(argv[0], 0, "17");
    run_exec(argv[0], 1, "23");
    signal(SIGUSR1, SIG_DFL);
    signal(SIGUSR2, SIG_DFL);
    pass();
}
