/* t_pipes: descriptors and pipes across processes.
 *
 * A read on an empty pipe sleeps until another process writes, and sees EOF
 * when the last writer exits; a full pipe puts its writer to sleep until the
 * reader drains it; writes of up to PIPE_BUF bytes never interleave; a
 * writer without readers gets SIGPIPE (or EPIPE when it ignores it), also
 * when the reader goes away while it sleeps; a signal interrupts a blocked
 * read or write with EINTR. fork shares open files and their offsets,
 * close in the child leaves the parent's descriptor alone, and exec closes
 * exactly the FD_CLOEXEC descriptors. Passes natively on Linux too. */
#define TEST_NAME "t_pipes"
#include "include/utest.h"

#include <fcntl.h>
#include <stdlib.h>

#define MSG 512          /* one atomic message (<= PIPE_BUF) */
#define MSGS 200         /* per writer */
#define BULK (256 * 1024) /* bytes through a pipe in the bulk test */

static const char *self;

/* Read exactly n bytes (or up to EOF): the count. */
static long read_full(int fd, char *buf, long n)
{
    long got = 0;
    while (got < n) {
        long r = read(fd, buf + got, n - got);
        CHECK(r >= 0, "read: errno %d", errno);
        if (r == 0)
            break;
        got += r;
    }
    return got;
}

static void test_blocking_read(void)
{
    int p[2];
    char buf[16];
    CHECK(pipe(p) == 0, "pipe: errno %d", errno);
    pid_t pid = fork();
    CHECK(pid >= 0, "fork: errno %d", errno);
    if (pid == 0) {
        close(p[0]);
        sleep_ms(50); /* the parent is asleep in read by now */
        CHECK(write(p[1], "ping", 4) == 4, "child write");
        sleep_ms(50);
        CHECK(write(p[1], "pong", 4) == 4, "child write");
        _exit(0);
    }
    close(p[1]);
    CHECK(read(p[0], buf, sizeof buf) == 4 && !memcmp(buf, "ping", 4), "first blocking read");
    CHECK(read(p[0], buf, sizeof buf) == 4 && !memcmp(buf, "pong", 4), "second blocking read");
    CHECK(read(p[0], buf, sizeof buf) == 0, "EOF once the writer exited");
    CHECK(WIFEXITED(wait_for(pid)), "child failed");
    close(p[0]);
}

static void test_bulk(void)
{
    int p[2];
    static char buf[8192];
    CHECK(pipe(p) == 0, "pipe: errno %d", errno);
    pid_t pid = fork();
    CHECK(pid >= 0, "fork: errno %d", errno);
    if (pid == 0) { /* writes far more than the pipe holds: sleeps while it is full */
        close(p[0]);
        for (long off = 0; off < BULK;) {
            char chunk[1000];
            long n = BULK - off < 1000 ? BULK - off : 1000;
            for (long i = 0; i < n; i++)
                chunk[i] = (char)((off + i) % 251);
            long w = write(p[1], chunk, n);
            CHECK(w > 0, "bulk write at %ld: errno %d", off, errno);
            off += w;
        }
        _exit(0);
    }
    close(p[1]);
    long total = 0, n;
    while ((n = read(p[0], buf, sizeof buf)) > 0) {
        for (long i = 0; i < n; i++)
            CHECK(buf[i] == (char)((total + i) % 251), "bulk data wrong at %ld", total + i);
        total += n;
    }
    CHECK(n == 0 && total == BULK, "bulk: %ld bytes, last read %ld", total, n);
    CHECK(WIFEXITED(wait_for(pid)), "bulk writer failed");
    close(p[0]);
}

static void writer(int fd, char c)
{
    char msg[MSG];
    memset(msg, c, sizeof msg);
    for (int i = 0; i < MSGS; i++)
        CHECK(write(fd, msg, MSG) == MSG, "atomic write %d: errno %d", i, errno);
    _exit(0);
}

static void test_atomic(void)
{
    int p[2], counts[2] = {0, 0};
    char msg[MSG];
    CHECK(pipe(p) == 0, "pipe: errno %d", errno);
    pid_t a = fork();
    if (a == 0)
        writer(p[1], 'A');
    pid_t b = fork();
    if (b == 0)
        writer(p[1], 'B');
    CHECK(a > 0 && b > 0, "fork: errno %d", errno);
    close(p[1]);
    while (read_full(p[0], msg, MSG) == MSG) {
        CHECK(msg[0] == 'A' || msg[0] == 'B', "message starts with %d", msg[0]);
        for (int i = 1; i < MSG; i++)
            CHECK(msg[i] == msg[0], "writes of %d bytes interleaved", MSG);
        counts[msg[0] == 'B']++;
    }
    CHECK(counts[0] == MSGS && counts[1] == MSGS, "messages: %d A, %d B", counts[0], counts[1]);
    CHECK(WIFEXITED(wait_for(a)) && WIFEXITED(wait_for(b)), "writers failed");
    close(p[0]);
}

static int pipe_fd;

static void write_to_closed(void *ignore)
{
    signal(SIGPIPE, ignore ? SIG_IGN : SIG_DFL);
    errno = 0;
    long r = write(pipe_fd, "x", 1);
    CHECK(ignore && r == -1 && errno == EPIPE, "write without a reader: %ld, errno %d", r, errno);
}

static void test_sigpipe(void)
{
    int p[2];
    CHECK(pipe(p) == 0, "pipe: errno %d", errno);
    close(p[0]);
    pipe_fd = p[1];
    expect_signal(write_to_closed, NULL, SIGPIPE, "write to a pipe without a reader");
    CHECK(WIFEXITED(run_child(write_to_closed, (void *)1)), "SIGPIPE ignored: EPIPE expected");
    close(p[1]);
    /* the reader goes away while the writer sleeps on a full pipe */
    CHECK(pipe(p) == 0, "pipe: errno %d", errno);
    pid_t pid = fork();
    CHECK(pid >= 0, "fork: errno %d", errno);
    if (pid == 0) {
        char chunk[1024] = {0};
        signal(SIGPIPE, SIG_IGN);
        close(p[0]);
        long r;
        while ((r = write(p[1], chunk, sizeof chunk)) > 0)
            ;
        CHECK(r == -1 && errno == EPIPE, "blocked writer woke with %ld, errno %d", r, errno);
        _exit(0);
    }
    close(p[1]);
    sleep_ms(100); /* let the child fill the pipe and sleep */
    close(p[0]);
    int st = wait_for(pid);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "blocked writer status 0x%x", st);
}

static void on_usr1(int sig) { (void)sig; }

/* fd sleeps in read (or write, for a full pipe) until SIGUSR1 from a child: EINTR. */
static void expect_eintr(int fd, int writing)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1; /* no SA_RESTART */
    CHECK(sigaction(SIGUSR1, &sa, NULL) == 0, "sigaction: errno %d", errno);
    pid_t parent = getpid(), pid = fork();
    CHECK(pid >= 0, "fork: errno %d", errno);
    if (pid == 0) {
        sleep_ms(100);
        kill(parent, SIGUSR1);
        _exit(0);
    }
    char buf[64] = {0};
    errno = 0;
    long r = writing ? write(fd, buf, sizeof buf) : read(fd, buf, sizeof buf);
    CHECK(r == -1 && errno == EINTR, "blocked %s: %ld, errno %d", writing ? "write" : "read", r, errno);
    wait_for(pid);
    signal(SIGUSR1, SIG_DFL);
}

static void test_eintr(void)
{
    int p[2];
    char chunk[1024] = {0};
    CHECK(pipe(p) == 0, "pipe: errno %d", errno);
    expect_eintr(p[0], 0); /* empty, and we hold the write end: sleeps */
    CHECK(fcntl(p[1], F_SETFL, O_NONBLOCK) == 0, "F_SETFL");
    while (write(p[1], chunk, sizeof chunk) > 0)
        ;
    while (write(p[1], chunk, 1) > 0) /* the last bytes of room */
        ;
    CHECK(errno == EAGAIN, "filling: errno %d", errno);
    CHECK(fcntl(p[1], F_SETFL, 0) == 0, "F_SETFL");
    expect_eintr(p[1], 1); /* full: a write of 64 bytes sleeps */
    close(p[0]);
    close(p[1]);
}

static void test_fork_shares_files(void)
{
    int fd = open(self, O_RDONLY);
    char c;
    CHECK(fd >= 0, "open %s: errno %d", self, errno);
    pid_t pid = fork();
    CHECK(pid >= 0, "fork: errno %d", errno);
    if (pid == 0) {
        CHECK(lseek(fd, 1234, SEEK_SET) == 1234, "child lseek");
        close(fd); /* closes only the child's descriptor */
        _exit(0);
    }
    wait_for(pid);
    CHECK(lseek(fd, 0, SEEK_CUR) == 1234, "offset not shared: %ld", (long)lseek(fd, 0, SEEK_CUR));
    CHECK(read(fd, &c, 1) == 1, "the parent's descriptor was closed by the child");
    close(fd);
}

/* After exec: fd a (FD_CLOEXEC) is closed, fd b is open at offset 77. */
static int exec_check(int a, int b)
{
    errno = 0;
    if (fcntl(a, F_GETFD) != -1 || errno != EBADF)
        return 1;
    if (fcntl(b, F_GETFD) != 0 || lseek(b, 0, SEEK_CUR) != 77)
        return 2;
    return 0;
}

static void test_exec_cloexec(void)
{
    int a = open(self, O_RDONLY | O_CLOEXEC), b = open(self, O_RDONLY);
    CHECK(a >= 0 && b >= 0 && lseek(b, 77, SEEK_SET) == 77, "open: errno %d", errno);
    pid_t pid = fork();
    CHECK(pid >= 0, "fork: errno %d", errno);
    if (pid == 0) {
        char sa[16], sb[16];
        snprintf(sa, sizeof sa, "%d", a);
        snprintf(sb, sizeof sb, "%d", b);
        execl(self, self, "--exec-check", sa, sb, (char *)NULL);
        _exit(99);
    }
    int st = wait_for(pid);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "after exec: status 0x%x (1: cloexec fd open, 2: other fd lost)", st);
    close(a);
    close(b);
}

int main(int argc, char **argv)
{
    if (argc == 4 && !strcmp(argv[1], "--exec-check"))
        return exec_check(atoi(argv[2]), atoi(argv[3]));
    self = argv[0];
    test_blocking_read();
    test_bulk();
    test_atomic();
    test_sigpipe();
    test_eintr();
    test_fork_shares_files();
    test_exec_cloexec();
    pass();
}
