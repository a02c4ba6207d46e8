/* t_clear_tid: set_tid_address and clone's CHILD_SETTID / CHILD_CLEARTID /
 * PARENT_SETTID, as Linux 6.1 has them.
 * Linux writes 0 to the clear_child_tid word when the task exits (or execs)
 * only if its memory is still used by another task (mm_users > 1: a thread,
 * or a vfork parent waiting); a process with memory of its own leaves it
 * alone, since nobody could be waiting on it. So:
 *   - set_tid_address returns the caller's tid;
 *   - a fork child that set_tid_address()es a word in a MAP_SHARED page and
 *     exits (or is killed by SIGKILL) leaves its tid there;
 *   - a vfork child (sharing our memory) that sets its word (in the shared
 *     page) and exits, is killed by a signal, or execs, has it cleared to 0
 *     (looked at once the child is reaped);
 *   - raw clone(CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID |
 *     CLONE_PARENT_SETTID | SIGCHLD, 0, &ptid, NULL, ctid): ptid (ours) gets
 *     the child's pid before clone returns, ctid gets it in the child (seen
 *     by us through a MAP_SHARED page; in private memory only the child's
 *     copy changes), and its exit leaves it in place.
 * The futex wake that goes with the clearing is not checked. */
#define TEST_NAME "t_clear_tid"
#include "include/utest.h"
#include <sched.h>
#include <stdint.h>
#include <sys/mman.h>

#define JUNK 0x5a5a5a5a

/* A MAP_SHARED page: [0] a fork or clone child's tid word, [1] what its
 * set_tid_address returned, [2] a vfork child's tid word (in shared memory
 * so that we see it whether or not vfork shares the rest of memory). */
static volatile int *shared;
static volatile int word; /* our own tid word, and clone's parent_tid */
static volatile int private_ctid;

static void reset(void)
{
    shared[0] = shared[1] = shared[2] = JUNK;
    word = JUNK;
}

/* fork_child: set_tid_address(shared) in a fork child, then exit or die. */
static void fork_child(void *arg)
{
    int tid = (int)syscall(SYS_gettid);
    shared[0] = tid;
    shared[1] = (int)syscall(SYS_set_tid_address, &shared[0]);
    if (arg)
        raise(SIGKILL);
    _exit(0);
}

static void test_fork(void)
{
    char b[32];
    int tid = (int)syscall(SYS_set_tid_address, &word);
    CHECK(tid == getpid() && tid == (int)syscall(SYS_gettid),
          "set_tid_address returned %d, want our tid %d", tid, getpid());

    reset();
    pid_t pid = fork();
    CHECK(pid >= 0, "fork failed, errno %d", errno);
    if (pid == 0)
        fork_child(NULL);
    int st = wait_for(pid);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "fork child: %s", status_str(st, b, sizeof b));
    CHECK(shared[1] == pid, "set_tid_address in the child returned %d, want %d", shared[1], pid);
    CHECK(shared[0] == pid, "fork child's exit changed its clear_child_tid word to %d (Linux leaves "
          "the tid %d: its memory was not shared)", shared[0], pid);

    reset();
    pid = fork();
    CHECK(pid >= 0, "fork failed, errno %d", errno);
    if (pid == 0)
        fork_child((void *)1);
    st = wait_for(pid);
    CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "fork child: %s, want SIGKILL",
          status_str(st, b, sizeof b));
    CHECK(shared[0] == pid, "killed fork child's word is %d, want its tid %d left", shared[0], pid);
    say("fork child (own memory): exit and SIGKILL leave the tid word alone");
}

/* vfork_case: a vfork child sets shared[2] as its clear_child_tid and then
 * exits (how 0), kills itself (1) or execs self (2); shared[2] must be 0. */
static void vfork_case(const char *self, int how, const char *what)
{
    char b[32];
    reset();
    pid_t pid = vfork();
    CHECK(pid >= 0, "vfork failed, errno %d", errno);
    if (pid == 0) {
        shared[2] = (int)syscall(SYS_gettid);
        shared[1] = (int)syscall(SYS_set_tid_address, &shared[2]);
        if (how == 1)
            syscall(SYS_kill, syscall(SYS_getpid), SIGKILL);
        if (how == 2)
            execve(self, (char *[]){ (char *)self, "--exit", NULL }, (char *[]){ NULL });
        _exit(how == 2 ? 71 : 0);
    }
    int st = wait_for(pid);
    int seen = shared[2];
    int want_ok = how == 1 ? WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL
                           : WIFEXITED(st) && WEXITSTATUS(st) == (how == 2 ? 42 : 0);
    CHECK(want_ok, "vfork child (%s): %s", what, status_str(st, b, sizeof b));
    CHECK(shared[1] == pid, "set_tid_address in the vfork child returned %d, want %d", shared[1], pid);
    CHECK(seen == 0, "vfork child %s: its clear_child_tid word is %d (its tid %d: not cleared; "
          "%#x: never set), want 0", what, seen, (int)pid, JUNK);
}

static void test_vfork(const char *self)
{
    vfork_case(self, 0, "exits");
    vfork_case(self, 1, "killed by SIGKILL");
    vfork_case(self, 2, "execs");
    say("vfork child (our memory): exit, SIGKILL and execve clear the word");
}

/* raw_clone: i386 clone(flags, newsp, parent_tid, tls, child_tid). */
static long raw_clone(unsigned long flags, volatile int *ptid, volatile int *ctid)
{
    return syscall(SYS_clone, flags, 0, ptid, 0, ctid);
}

static void test_clone(void)
{
    char b[32];
    const unsigned long f = CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID | CLONE_PARENT_SETTID | SIGCHLD;

    reset();
    long pid = raw_clone(f, &word, &shared[0]);
    CHECK(pid >= 0, "clone failed, errno %d", errno);
    if (pid == 0) {
        /* CHILD_SETTID wrote our tid before we ran. */
        shared[1] = (shared[0] == (int)syscall(SYS_gettid)) ? 1 : 2;
        _exit(0);
    }
    int ptid = word;
    int st = wait_for(pid);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "clone child: %s", status_str(st, b, sizeof b));
    CHECK(ptid == pid, "CLONE_PARENT_SETTID: parent's word %d, want %ld", ptid, pid);
    CHECK(shared[1] == 1, "CLONE_CHILD_SETTID: the child saw %d in its word, not its tid", shared[0]);
    CHECK(shared[0] == pid, "clone child's exit changed its CHILD_CLEARTID word to %d (Linux "
          "leaves the tid %ld: its memory was not shared)", shared[0], pid);

    /* ctid in private memory: only the child's copy is set. */
    reset();
    private_ctid = JUNK;
    pid = raw_clone(CLONE_CHILD_SETTID | SIGCHLD, NULL, &private_ctid);
    CHECK(pid >= 0, "clone failed, errno %d", errno);
    if (pid == 0)
        _exit(private_ctid == (int)syscall(SYS_gettid) ? 0 : 1);
    st = wait_for(pid);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0,
          "CLONE_CHILD_SETTID into private memory: child %s (1: its copy not set)",
          status_str(st, b, sizeof b));
    CHECK(private_ctid == JUNK, "CLONE_CHILD_SETTID wrote into the parent's private copy");

    /* Killed by a signal: same as exit. */
    reset();
    pid = raw_clone(f, &word, &shared[0]);
    CHECK(pid >= 0, "clone failed, errno %d", errno);
    if (pid == 0) {
        syscall(SYS_kill, syscall(SYS_getpid), SIGKILL);
        _exit(3);
    }
    st = wait_for(pid);
    CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "clone child: %s, want SIGKILL",
          status_str(st, b, sizeof b));
    CHECK(shared[0] == pid, "killed clone child's word is %d, want its tid %ld left", shared[0], pid);
    say("clone: PARENT_SETTID, CHILD_SETTID (shared and private), CLEARTID left on exit and kill");
}

int main(int argc, char **argv)
{
    if (argc == 2 && !strcmp(argv[1], "--exit"))
        return 42;
    CHECK(argc == 1, "unexpected arguments");
    alarm(20);
    shared = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    CHECK(shared != MAP_FAILED, "mmap failed, errno %d", errno);
    test_fork();
    test_vfork(argv[0]);
    test_clone();
    pass();
}
