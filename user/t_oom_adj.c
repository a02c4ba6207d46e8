/* t_oom_adj: /proc/PID/oom_score_adj, oom_adj and oom_score as Linux 6.1
 * has them: ranges and EINVAL, the legacy -17..15 scaling, the 0..2000
 * score, one number per process (a thread's write is the process's),
 * inherited by fork, and lowering below oom_score_adj_min needing
 * privilege (EACCES for an unprivileged writer). Runs as root. */
#define TEST_NAME "t_oom_adj"
#include "include/utest.h"
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/prctl.h>

/* Write text to a /proc file: 0, or -errno. */
static int put(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY);
    if (fd < 0)
        return -errno;
    ssize_t w = write(fd, text, strlen(text));
    int e = errno;
    close(fd);
    return w == (ssize_t)strlen(text) ? 0 : w < 0 ? -e : -EIO;
}

/* The number a /proc file holds. */
static long get(const char *path)
{
    char buf[32] = {0};
    int fd = open(path, O_RDONLY);
    CHECK(fd >= 0, "open %s: errno %d", path, errno);
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    CHECK(n > 0 && buf[n - 1] == '\n', "read %s: %zd", path, n);
    return strtol(buf, NULL, 10);
}

#define ADJ "/proc/self/oom_score_adj"
#define OADJ "/proc/self/oom_adj"
#define SCORE "/proc/self/oom_score"

static void *thread_writes(void *arg)
{
    (void)arg;
    CHECK(put("/proc/thread-self/oom_score_adj", "300") == 0, "thread's write");
    return NULL;
}

static void ranges(void)
{
    CHECK(get(ADJ) == 0 && get(OADJ) == 0, "initial adj %ld / %ld", get(ADJ), get(OADJ));
    long s0 = get(SCORE);
    CHECK(s0 >= 600 && s0 <= 700, "oom_score at adj 0: %ld", s0);
    CHECK(put(ADJ, "500") == 0 && get(ADJ) == 500, "500");
    CHECK(get(OADJ) == 8, "oom_adj for 500: %ld", get(OADJ));
    long s1 = get(SCORE);
    CHECK(s1 >= 950 && s1 <= 1050, "oom_score at adj 500: %ld", s1);
    CHECK(put(ADJ, "1001") == -EINVAL && put(ADJ, "-1001") == -EINVAL, "outside -1000..1000");
    CHECK(put(ADJ, "abc") == -EINVAL && put(ADJ, "") == -EINVAL && put(ADJ, "12x") == -EINVAL, "not a number");
    CHECK(get(ADJ) == 500, "a refused write changed it: %ld", get(ADJ));
    CHECK(put(ADJ, " 42\n") == 0 && get(ADJ) == 42, "blanks around");
    CHECK(put(ADJ, "0x10") == 0 && get(ADJ) == 16, "hex");
    CHECK(put(ADJ, "010") == 0 && get(ADJ) == 8, "octal");
    CHECK(put(ADJ, "1000") == 0 && get(OADJ) == 15 && get(SCORE) >= 1300 && get(SCORE) <= 1400, "1000: oom_adj %ld score %ld",
          get(OADJ), get(SCORE));
    CHECK(put(ADJ, "-1000") == 0 && get(OADJ) == -17 && get(SCORE) == 0, "-1000: oom_adj %ld score %ld",
          get(OADJ), get(SCORE));
    /* the legacy view */
    CHECK(put(OADJ, "15") == 0 && get(ADJ) == 1000, "oom_adj 15: %ld", get(ADJ));
    CHECK(put(OADJ, "-17") == 0 && get(ADJ) == -1000, "oom_adj -17: %ld", get(ADJ));
    CHECK(put(OADJ, "-16") == 0 && get(ADJ) == -941 && get(OADJ) == -15, "oom_adj -16: %ld %ld", get(ADJ),
          get(OADJ));
    CHECK(put(OADJ, "4") == 0 && get(ADJ) == 235, "oom_adj 4: %ld", get(ADJ));
    CHECK(put(OADJ, "16") == -EINVAL && put(OADJ, "-18") == -EINVAL, "oom_adj outside -17..15");
}

static void per_process(void)
{
    CHECK(put(ADJ, "0") == 0, "reset");
    pthread_t t;
    CHECK(pthread_create(&t, NULL, thread_writes, NULL) == 0, "pthread_create");
    pthread_join(t, NULL);
    CHECK(get(ADJ) == 300, "a thread's write is the process's: %ld", get(ADJ));
    char path[64];
    snprintf(path, sizeof path, "/proc/self/task/%d/oom_score_adj", (int)getpid());
    CHECK(get(path) == 300, "the leader's task dir: %ld", get(path));
    CHECK(put(ADJ, "200") == 0, "200");
    pid_t pid = fork();
    CHECK(pid >= 0, "fork");
    if (pid == 0) {
        if (get(ADJ) != 200)
            _exit(2);
        _exit(put(ADJ, "400") == 0 ? 0 : 3);
    }
    int st = wait_for(pid);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "fork child: status 0x%x", st);
    CHECK(get(ADJ) == 200, "the child's write reached its parent: %ld", get(ADJ));
    snprintf(path, sizeof path, "/proc/%d/oom_score_adj", (int)getpid());
    CHECK(get(path) == 200, "by pid");
}

/* An unprivileged writer may not go below oom_score_adj_min (the last privileged write). */
static void unprivileged(void)
{
    CHECK(put(ADJ, "100") == 0, "root sets 100 (the minimum now)");
    pid_t pid = fork();
    CHECK(pid >= 0, "fork");
    if (pid == 0) {
        if (setgid(65534) || setuid(65534) || prctl(PR_SET_DUMPABLE, 1, 0, 0, 0))
            _exit(2);
        if (put(ADJ, "150") || get(ADJ) != 150)
            _exit(3);
        if (put(ADJ, "100") || get(ADJ) != 100)
            _exit(4); /* back down to the minimum: allowed */
        if (put(ADJ, "99") != -EACCES || put(ADJ, "-5") != -EACCES || get(ADJ) != 100)
            _exit(5);
        if (put(OADJ, "-17") != -EACCES)
            _exit(6);
        if (put(ADJ, "1000") || get(ADJ) != 1000)
            _exit(7);
        _exit(0);
    }
    int st = wait_for(pid);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "unprivileged child: status 0x%x", st);
    CHECK(put(ADJ, "-500") == 0 && get(ADJ) == -500, "root lowers it");
    CHECK(put(ADJ, "0") == 0, "reset");
}

int main(void)
{
    CHECK(getuid() == 0, "run me as root");
    ranges();
    per_process();
    unprivileged();
    pass();
}
