/* t_hostname: sethostname and setdomainname change what uname reports
 * (exactly len bytes: the rest of the 65-byte field is zeroed; 64 bytes fit,
 * 65 or a negative length are EINVAL, a bad pointer EFAULT), for every
 * process; the old names are put back. unshare: 0 for the sharing flags a
 * single-threaded process has nothing to unshare of, EINVAL for an unknown
 * flag; namespaces work on Linux and are EINVAL here, as on a Linux built
 * without them. With a second thread: CLONE_THREAD, CLONE_SIGHAND and
 * CLONE_VM are EINVAL, CLONE_FILES gives the caller its own descriptor
 * table (a descriptor it opens then is not the other thread's). */
#define TEST_NAME "t_hostname"
#include "include/utest.h"
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>

static void check_names(const char *node, const char *domain)
{
    struct utsname u;
    CHECK(syscall(SYS_uname, &u) == 0, "uname");
    CHECK(strcmp(u.nodename, node) == 0, "nodename '%s', wanted '%s'", u.nodename, node);
    CHECK(strcmp(u.domainname, domain) == 0, "domainname '%s', wanted '%s'", u.domainname, domain);
}

static void test_names(void)
{
    struct utsname old;
    CHECK(syscall(SYS_uname, &old) == 0, "uname");
    CHECK(syscall(SYS_sethostname, "testhost-xyz", 8) == 0, "sethostname: errno %d", errno);
    CHECK(syscall(SYS_setdomainname, "example.org", 11) == 0, "setdomainname: errno %d", errno);
    check_names("testhost", "example.org");
    pid_t c = fork();
    CHECK(c >= 0, "fork");
    if (c == 0) { /* the names are the machine's: a child sees and changes the same ones */
        check_names("testhost", "example.org");
        _exit(syscall(SYS_sethostname, "fromchild", 9) == 0 ? 0 : 1);
    }
    CHECK(wait_for(c) == 0, "child");
    check_names("fromchild", "example.org");
    char longname[65];
    memset(longname, 'n', 64);
    longname[64] = 0;
    CHECK(syscall(SYS_sethostname, longname, 64) == 0, "64 bytes: errno %d", errno);
    check_names(longname, "example.org");
    CHECK(syscall(SYS_sethostname, "", 0) == 0, "empty name: errno %d", errno);
    check_names("", "example.org");
    FAILS_WITH(syscall(SYS_sethostname, longname, 65), EINVAL);
    FAILS_WITH(syscall(SYS_sethostname, longname, -1), EINVAL);
    FAILS_WITH(syscall(SYS_setdomainname, longname, 65), EINVAL);
    FAILS_WITH(syscall(SYS_sethostname, (void *)1, 4), EFAULT);
    FAILS_WITH(syscall(SYS_setdomainname, (void *)1, 4), EFAULT);
    CHECK(syscall(SYS_sethostname, old.nodename, strlen(old.nodename)) == 0, "restore the host name");
    CHECK(syscall(SYS_setdomainname, old.domainname, strlen(old.domainname)) == 0, "restore the domain name");
    check_names(old.nodename, old.domainname);
    say("host and domain names set, seen by children, restored to '%s' '%s'", old.nodename, old.domainname);
}

static void test_unshare(void)
{
    CHECK(syscall(SYS_unshare, 0) == 0, "unshare(0): errno %d", errno);
    CHECK(syscall(SYS_unshare, CLONE_FILES | CLONE_FS | CLONE_SYSVSEM) == 0, "unshare files/fs/sysvsem: errno %d",
          errno);
    CHECK(syscall(SYS_unshare, CLONE_THREAD | CLONE_SIGHAND | CLONE_VM) == 0, "single-threaded: errno %d", errno);
    FAILS_WITH(syscall(SYS_unshare, 0x1), EINVAL);
    FAILS_WITH(syscall(SYS_unshare, CLONE_PTRACE), EINVAL);
    if (is_eyn()) {
        FAILS_WITH(syscall(SYS_unshare, CLONE_NEWUTS), EINVAL);
        FAILS_WITH(syscall(SYS_unshare, CLONE_NEWNS), EINVAL);
    } else { /* in a child: it would move the test into a new namespace */
        pid_t c = fork();
        CHECK(c >= 0, "fork");
        if (c == 0)
            _exit(syscall(SYS_unshare, CLONE_NEWUTS) == 0 ? 0 : 1);
        CHECK(wait_for(c) == 0, "Linux refused CLONE_NEWUTS");
    }
    say("unshare: sharing flags 0, unknown flags EINVAL");
}

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static int stage, probe_fd = -1, probe_result;

/* The second thread: waits for stage 1, then reports whether probe_fd is open in its table. */
static void *second(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&lock);
    while (stage != 1)
        pthread_cond_wait(&cond, &lock);
    probe_result = fcntl(probe_fd, F_GETFD) < 0 && errno == EBADF ? 1 : 2;
    stage = 2;
    pthread_cond_broadcast(&cond);
    pthread_mutex_unlock(&lock);
    return NULL;
}

static void test_unshare_threads(void)
{
    pthread_t t;
    CHECK(pthread_create(&t, NULL, second, NULL) == 0, "pthread_create");
    FAILS_WITH(syscall(SYS_unshare, CLONE_THREAD), EINVAL);
    FAILS_WITH(syscall(SYS_unshare, CLONE_SIGHAND), EINVAL);
    FAILS_WITH(syscall(SYS_unshare, CLONE_VM), EINVAL);
    CHECK(syscall(SYS_unshare, CLONE_FILES | CLONE_FS) == 0, "unshare(CLONE_FILES|CLONE_FS) in a thread group: errno %d",
          errno);
    int fd = open("/dev/null", O_RDONLY);
    CHECK(fd >= 0, "open");
    pthread_mutex_lock(&lock);
    probe_fd = fd;
    stage = 1;
    pthread_cond_broadcast(&cond);
    while (stage != 2)
        pthread_cond_wait(&cond, &lock);
    pthread_mutex_unlock(&lock);
    CHECK(pthread_join(t, NULL) == 0, "pthread_join");
    CHECK(probe_result == 1, "the other thread sees the descriptor opened after unshare(CLONE_FILES)");
    close(fd);
    say("unshare with two threads: EINVAL for thread/sighand/vm, CLONE_FILES separates the tables");
}

int main(void)
{
    test_names();
    test_unshare();
    test_unshare_threads();
    pass();
}
