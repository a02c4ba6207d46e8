/*
 * POSIX threads on clone(CLONE_THREAD...) and futexes: 16 threads
 * contending for a mutex and a condition variable, join and exit values,
 * thread-local storage, getpid/gettid, pthread_cancel, /proc/self/task,
 * a process-directed signal taken by the one thread not blocking it and
 * tgkill to one thread, fork from a thread, exec from a thread (the others
 * end), exit_group from a thread; and vfork's shared memory and
 * posix_spawn reporting a missing program. Passes on Linux 6.1 too.
 */
#define TEST_NAME "t_pthread"
#include "include/utest.h"
#include <dirent.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#define THREADS 16
#define ROUNDS 2000

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static long counter, turn;
static __thread int tls_value;
static atomic_int tids_distinct;

static pid_t gettid_(void) { return (pid_t)syscall(SYS_gettid); }

/* Each worker adds under the mutex, and takes turns by a condition variable. */
static void *worker(void *arg)
{
    long id = (long)arg;
    tls_value = (int)id * 7;
    if (getpid() == (pid_t)syscall(SYS_getpid) && gettid_() != getpid())
        atomic_fetch_add(&tids_distinct, 1);
    for (int i = 0; i < ROUNDS; i++) {
        pthread_mutex_lock(&lock);
        counter++;
        pthread_mutex_unlock(&lock);
    }
    pthread_mutex_lock(&lock);
    while (turn != id)
        pthread_cond_wait(&cond, &lock);
    turn++;
    pthread_cond_broadcast(&cond);
    pthread_mutex_unlock(&lock);
    return (void *)(long)(tls_value + 1);
}

static void check_mutex_condvar(void)
{
    pthread_t t[THREADS];
    for (long i = 0; i < THREADS; i++)
        CHECK(pthread_create(&t[i], NULL, worker, (void *)i) == 0, "pthread_create %ld", i);
    for (long i = 0; i < THREADS; i++) {
        void *ret;
        CHECK(pthread_join(t[i], &ret) == 0, "join %ld", i);
        CHECK((long)ret == i * 7 + 1, "thread %ld returned %ld (its TLS)", i, (long)ret);
    }
    CHECK(counter == (long)THREADS * ROUNDS && turn == THREADS, "counter %ld, turn %ld", counter, turn);
    CHECK(atomic_load(&tids_distinct) == THREADS, "%d threads had their own tid and the process's pid",
          atomic_load(&tids_distinct));
    say("%d threads: mutex (%ld increments), condition variable turns, TLS, join values, tids", THREADS, counter);
}

static void *sleeper(void *arg)
{
    (void)arg;
    for (;;)
        pause(); /* a cancellation point */
    return NULL;
}

static void check_cancel_and_task_dir(void)
{
    pthread_t t;
    CHECK(pthread_create(&t, NULL, sleeper, NULL) == 0, "create");
    DIR *d = opendir("/proc/self/task");
    CHECK(d, "opendir /proc/self/task: errno %d", errno);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        n += e->d_name[0] != '.';
    closedir(d);
    CHECK(n == 2, "/proc/self/task lists %d threads, want 2", n);
    CHECK(pthread_cancel(t) == 0, "cancel");
    void *ret;
    CHECK(pthread_join(t, &ret) == 0 && ret == PTHREAD_CANCELED, "join of a cancelled thread: %p", ret);
    say("pthread_cancel ends a thread in pause(); /proc/self/task lists both threads");
}

static atomic_int got_sig, got_sig_tid;

static void on_usr1(int sig)
{
    (void)sig;
    atomic_store(&got_sig_tid, gettid_());
    atomic_fetch_add(&got_sig, 1);
}

static atomic_int ready_tid;

static void *signal_taker(void *arg)
{
    (void)arg;
    sigset_t none;
    sigemptyset(&none);
    pthread_sigmask(SIG_SETMASK, &none, NULL); /* the only thread that does not block SIGUSR1 */
    atomic_store(&ready_tid, gettid_());
    while (atomic_load(&got_sig) < 2)
        usleep(1000);
    return NULL;
}

static void check_signals(void)
{
    struct sigaction sa = {.sa_handler = on_usr1};
    sigaction(SIGUSR1, &sa, NULL);
    sigset_t usr1;
    sigemptyset(&usr1);
    sigaddset(&usr1, SIGUSR1);
    pthread_sigmask(SIG_BLOCK, &usr1, NULL);
    pthread_t t;
    CHECK(pthread_create(&t, NULL, signal_taker, NULL) == 0, "create");
    while (!atomic_load(&ready_tid))
        usleep(1000);
    kill(getpid(), SIGUSR1); /* to the process: the thread not blocking it takes it */
    while (atomic_load(&got_sig) < 1)
        usleep(1000);
    CHECK(atomic_load(&got_sig_tid) == atomic_load(&ready_tid), "kill's signal went to tid %d, not %d",
          atomic_load(&got_sig_tid), atomic_load(&ready_tid));
    CHECK(syscall(SYS_tgkill, getpid(), atomic_load(&ready_tid), SIGUSR1) == 0, "tgkill");
    pthread_join(t, NULL);
    CHECK(atomic_load(&got_sig) == 2, "two signals taken");
    FAILS_WITH(syscall(SYS_tgkill, getpid() + 100000, atomic_load(&ready_tid), SIGUSR1), ESRCH);
    pthread_sigmask(SIG_UNBLOCK, &usr1, NULL);
    say("kill to the process reaches the one thread not blocking it; tgkill reaches a thread; ESRCH");
}

static void *forker(void *arg)
{
    (void)arg;
    pid_t c = fork();
    if (c == 0)
        _exit(getppid() == (pid_t)(long)arg ? 5 : 6); /* the child's parent is the process */
    int st = 0;
    return (void *)(long)(waitpid(c, &st, 0) == c && WIFEXITED(st) ? WEXITSTATUS(st) : -1);
}

static void *exit_grouper(void *arg)
{
    (void)arg;
    usleep(10000);
    exit(42); /* exit_group: the whole process ends */
}

static void *execer(void *arg)
{
    char *argv[] = {"/bin/sh", "-c", "exit 7", NULL};
    (void)arg;
    execv(argv[0], argv);
    return NULL;
}

static void *blocker(void *arg)
{
    (void)arg;
    for (;;)
        pause();
    return NULL;
}

static void check_fork_exec_exit(void)
{
    pthread_t t;
    void *ret;
    CHECK(pthread_create(&t, NULL, forker, (void *)(long)getpid()) == 0 && pthread_join(t, &ret) == 0, "forker");
    CHECK((long)ret == 5, "a child forked by a thread: %ld (5: its parent is the process)", (long)ret);
    pid_t c = fork();
    if (c == 0) {
        pthread_t a, b;
        pthread_create(&a, NULL, blocker, NULL);
        pthread_create(&b, NULL, exit_grouper, NULL);
        for (;;)
            pause();
    }
    int st = wait_for(c);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 42, "exit from a thread ended the process with 42: 0x%x", st);
    c = fork();
    if (c == 0) {
        pthread_t a, b;
        pthread_create(&a, NULL, blocker, NULL);
        pthread_create(&b, NULL, execer, NULL);
        for (;;)
            pause();
    }
    st = wait_for(c);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 7, "exec from a thread (the others ended): 0x%x", st);
    say("fork from a thread (child of the process), exit_group from a thread, exec from a thread");
}

/* The state letter of every thread of pid in /proc/pid/task: how many are in state c. */
static int threads_in_state(pid_t pid, char c, int *all)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/task", pid);
    DIR *d = opendir(path);
    CHECK(d, "opendir %s", path);
    struct dirent *e;
    int n = 0;
    *all = 0;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char stat[300], buf[256];
        snprintf(stat, sizeof stat, "/proc/%d/task/%s/stat", pid, e->d_name);
        FILE *f = fopen(stat, "r");
        if (!f)
            continue;
        if (fgets(buf, sizeof buf, f) && strchr(buf, ')'))
            n += strchr(buf, ')')[2] == c;
        fclose(f);
        (*all)++;
    }
    closedir(d);
    return n;
}

static void check_group_stop(void)
{
    pid_t c = fork();
    if (c == 0) {
        pthread_t a, b;
        pthread_create(&a, NULL, blocker, NULL);
        pthread_create(&b, NULL, blocker, NULL);
        for (;;)
            pause();
    }
    int all = 0;
    for (int i = 0; i < 1000 && (threads_in_state(c, 'S', &all), all < 3); i++)
        usleep(1000);
    CHECK(all == 3, "the child has %d threads, want 3", all);
    kill(c, SIGSTOP);
    int st;
    CHECK(waitpid(c, &st, WUNTRACED) == c && WIFSTOPPED(st) && WSTOPSIG(st) == SIGSTOP, "stop report 0x%x", st);
    int stopped = 0;
    for (int i = 0; i < 1000 && (stopped = threads_in_state(c, 'T', &all)) < 3; i++)
        usleep(1000);
    CHECK(stopped == 3, "%d of %d threads stopped", stopped, all);
    kill(c, SIGCONT);
    CHECK(waitpid(c, &st, WCONTINUED) == c && WIFCONTINUED(st), "continue report 0x%x", st);
    for (int i = 0; i < 1000 && threads_in_state(c, 'T', &all) > 0; i++)
        usleep(1000);
    CHECK(threads_in_state(c, 'T', &all) == 0, "threads still stopped after SIGCONT");
    kill(c, SIGKILL);
    st = wait_for(c);
    CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "killed: 0x%x", st);
    say("SIGSTOP stops every thread of a process (one report), SIGCONT continues them all");
}

static pthread_mutex_t robust;

static void *lock_and_die(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&robust);
    return NULL; /* ends holding it */
}

static void check_robust_mutex(void)
{
    pthread_mutexattr_t a;
    pthread_mutexattr_init(&a);
    pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
    CHECK(pthread_mutex_init(&robust, &a) == 0, "robust mutex");
    pthread_t t;
    CHECK(pthread_create(&t, NULL, lock_and_die, NULL) == 0 && pthread_join(t, NULL) == 0, "lock_and_die");
    int r = pthread_mutex_lock(&robust);
    CHECK(r == EOWNERDEAD, "locking a robust mutex whose owner ended: %d, want EOWNERDEAD", r);
    CHECK(pthread_mutex_consistent(&robust) == 0 && pthread_mutex_unlock(&robust) == 0, "consistent");
    CHECK(pthread_mutex_lock(&robust) == 0 && pthread_mutex_unlock(&robust) == 0, "usable again");
    say("a robust mutex whose owner thread ended: EOWNERDEAD (the kernel walked its robust list)");
}

static void check_vfork_and_spawn(void)
{
    volatile int shared = 1;
    pid_t c = vfork();
    if (c == 0) {
        shared = 2; /* vfork's child runs in the parent's memory */
        _exit(0);
    }
    wait_for(c);
    CHECK(shared == 2, "vfork child's store not seen by the parent (%d)", shared);
    pid_t pid;
    char *argv[] = {"/nonexistent/program", NULL};
    int err = posix_spawn(&pid, argv[0], NULL, NULL, argv, NULL);
    CHECK(err == ENOENT, "posix_spawn of a missing program: %d, want ENOENT", err);
    say("vfork shares memory until exit; posix_spawn reports ENOENT");
}

int main(void)
{
    check_mutex_condvar();
    check_cancel_and_task_dir();
    check_signals();
    check_fork_exec_exit();
    check_robust_mutex();
    check_group_stop();
    check_vfork_and_spawn();
    pass();
}
