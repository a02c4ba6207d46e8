/* t_sched_sleepers: many sleepers on different channels, each woken by its
 * own event. 160 children each block reading a pipe of their own; the
 * parent writes to them one at a time in a scrambled order, and after each
 * write exactly that child must report (the others stay asleep: a wakeup
 * reaches only its channel's sleepers). 40 more children block on one
 * shared pipe: each byte written lets exactly one of them through. 10
 * children blocked in read get a signal without SA_RESTART and must see
 * EINTR. Everything is reaped; the statuses say each child saw what it
 * should. */
#define TEST_NAME "t_sched_sleepers"
#include "include/utest.h"
#include <stdlib.h>

#define NOWN 160
#define NSHARED 40
#define NINTR 10

static int report[2];
static volatile sig_atomic_t got_usr1;

static void on_usr1(int sig) { (void)sig; got_usr1 = 1; }

static void put(char tag, int i)
{
    char msg[4] = {tag, (char)(i & 0xFF), (char)(i >> 8), 0};
    if (write(report[1], msg, 3) != 3)
        _exit(90);
}

/* read one 3-byte report: its tag and index */
static void get(char *tag, int *i)
{
    unsigned char msg[3];
    ssize_t n = 0;
    while (n < 3) {
        ssize_t r = read(report[0], msg + n, 3 - (size_t)n);
        CHECK(r > 0 || (r < 0 && errno == EINTR), "report read: %d, errno %d", (int)r, errno);
        if (r > 0)
            n += r;
    }
    *tag = (char)msg[0];
    *i = msg[1] | (msg[2] << 8);
}

int main(void)
{
    static pid_t own[NOWN], shared[NSHARED], intr[NINTR];
    static int wfd[NOWN];
    int sh[2], ip[2];
    CHECK(pipe(report) == 0 && pipe(sh) == 0 && pipe(ip) == 0, "pipe: errno %d", errno);

    for (int i = 0; i < NOWN; i++) {
        int p[2];
        CHECK(pipe(p) == 0, "pipe %d: errno %d", i, errno);
        own[i] = fork();
        CHECK(own[i] >= 0, "fork %d: errno %d", i, errno);
        if (own[i] == 0) {
            char c;
            close(p[1]);
            put('R', i);
            ssize_t r = read(p[0], &c, 1);
            if (r != 1 || (unsigned char)c != (unsigned char)(i * 7))
                _exit(91);
            put('W', i);
            _exit(0);
        }
        close(p[0]);
        wfd[i] = p[1];
    }
    for (int i = 0; i < NSHARED; i++) {
        shared[i] = fork();
        CHECK(shared[i] >= 0, "fork shared %d: errno %d", i, errno);
        if (shared[i] == 0) {
            char c;
            close(sh[1]);
            put('R', 1000 + i);
            if (read(sh[0], &c, 1) != 1 || c != 's')
                _exit(92);
            put('S', i);
            _exit(0);
        }
    }
    close(sh[0]);
    for (int i = 0; i < NINTR; i++) {
        intr[i] = fork();
        CHECK(intr[i] >= 0, "fork intr %d: errno %d", i, errno);
        if (intr[i] == 0) {
            struct sigaction sa;
            char c;
            memset(&sa, 0, sizeof sa);
            sa.sa_handler = on_usr1; /* no SA_RESTART: the read ends with EINTR */
            sigaction(SIGUSR1, &sa, NULL);
            close(ip[1]);
            put('R', 2000 + i);
            ssize_t r = read(ip[0], &c, 1);
            if (r != -1 || errno != EINTR || !got_usr1)
                _exit(93);
            put('I', i);
            _exit(0);
        }
    }
    close(ip[0]);

    for (int n = 0; n < NOWN + NSHARED + NINTR; n++) {
        char tag;
        int i;
        get(&tag, &i);
        CHECK(tag == 'R', "report %d: '%c' %d before everyone was ready", n, tag, i);
    }
    sleep_ms(100); /* let the last ones reach their read */
    say("%d sleepers ready", NOWN + NSHARED + NINTR);

    /* each private pipe in a scrambled order: only its reader may answer */
    for (int n = 0; n < NOWN; n++) {
        int i = (n * 67) % NOWN; /* 67 is prime to 160: a permutation */
        char c = (char)(i * 7), tag;
        int who;
        CHECK(write(wfd[i], &c, 1) == 1, "write to child %d: errno %d", i, errno);
        get(&tag, &who);
        CHECK(tag == 'W' && who == i, "woke child %d, but '%c' %d answered", i, tag, who);
    }
    /* the shared channel: one byte, one reader */
    for (int n = 0; n < NSHARED; n++) {
        char tag;
        int who;
        CHECK(write(sh[1], "s", 1) == 1, "shared write: errno %d", errno);
        get(&tag, &who);
        CHECK(tag == 'S' && who >= 0 && who < NSHARED, "shared byte %d: '%c' %d answered", n, tag, who);
    }
    /* signals interrupt the sleeps */
    for (int i = 0; i < NINTR; i++) {
        char tag;
        int who;
        CHECK(kill(intr[i], SIGUSR1) == 0, "kill intr %d: errno %d", i, errno);
        get(&tag, &who);
        CHECK(tag == 'I' && who == i, "signalled child %d, but '%c' %d answered", i, tag, who);
    }
    for (int i = 0; i < NOWN; i++) {
        char b[32];
        int st = wait_for(own[i]);
        CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child %d: %s", i, status_str(st, b, sizeof b));
    }
    for (int i = 0; i < NSHARED; i++) {
        char b[32];
        int st = wait_for(shared[i]);
        CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "shared child %d: %s", i, status_str(st, b, sizeof b));
    }
    for (int i = 0; i < NINTR; i++) {
        char b[32];
        int st = wait_for(intr[i]);
        CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "interrupted child %d: %s", i, status_str(st, b, sizeof b));
    }
    CHECK(waitpid(-1, NULL, 0) == -1 && errno == ECHILD, "children left over");
    pass();
}
