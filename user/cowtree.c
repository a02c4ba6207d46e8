/*
 * cowtree [CHILDREN] [KIB] [SECONDS]: a family of processes sharing memory in
 * every way fork allows, alive long enough for the shell's `memory check`.
 * The parent touches KIB of heap (default 256), a 64 KiB shared anonymous
 * mapping and a PROT_NONE page, then forks CHILDREN (default 4) children,
 * the first of which forks a grandchild. Each writes every fourth heap page
 * (copying it) and leaves the rest shared copy-on-write. When all are ready
 * the parent prints "cowtree: N processes ready" and holds until SIGUSR1
 * or for SECONDS (default 30); then everyone checks its memory, the
 * children exit and the parent prints "cowtree: done" (or "cowtree: FAIL").
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PAGE 4096u
#define SHARED_BYTES (64u << 10)

static unsigned char *heap, *shared, *none;
static size_t heap_bytes;

static void out(const char *s) { (void)!write(1, s, strlen(s)); }

/* Write every fourth heap page with tag (each write copies a shared page). */
static void scribble(unsigned char tag)
{
    for (size_t off = 0; off < heap_bytes; off += PAGE)
        if ((off / PAGE) % 4 == 0)
            memset(heap + off, tag, PAGE);
}

/* True if the heap holds tag on every fourth page and the parent's bytes elsewhere, and the shared mapping is intact. */
static int memory_ok(unsigned char tag)
{
    for (size_t off = 0; off < heap_bytes; off += PAGE) {
        unsigned char want = (off / PAGE) % 4 == 0 ? tag : 0x5A;
        if (heap[off] != want || heap[off + PAGE - 1] != want)
            return 0;
    }
    return shared[0] == 0x33 && shared[SHARED_BYTES - 1] == 0x33;
}

static void on_usr1(int sig) { (void)sig; }

/*
 * A child's life (tag: its heap pattern; g: its own child or -1): copy some
 * pages, report ready, hold until the parent closes the go pipe, check.
 */
static void live(unsigned char tag, pid_t g, int ready_fd, int go_fd)
{
    char c;
    scribble(tag);
    (void)!write(ready_fd, "r", 1);
    while (read(go_fd, &c, 1) != 0)
        ;
    int st = 0;
    if (g > 0 && (waitpid(g, &st, 0) != g || !WIFEXITED(st) || WEXITSTATUS(st) != 0))
        _exit(3);
    _exit(memory_ok(tag) ? 0 : 2);
}

/* Child i: the first one forks a grandchild, which lives with another pattern. */
static void child(int i, int ready_fd, int go[2])
{
    unsigned char tag = (unsigned char)(i + 1);
    close(go[1]);
    pid_t g = i == 0 ? fork() : -1;
    if (g == 0)
        live((unsigned char)(tag + 0x40), -1, ready_fd, go[0]);
    if (i == 0 && g < 0) { /* the parent still counts on the grandchild's ready */
        (void)!write(ready_fd, "r", 1);
        _exit(4);
    }
    live(tag, g, ready_fd, go[0]);
}

int main(int argc, char **argv)
{
    int children = argc > 1 ? atoi(argv[1]) : 4;
    heap_bytes = (argc > 2 ? (size_t)atoi(argv[2]) : 256) * 1024;
    int seconds = argc > 3 ? atoi(argv[3]) : 30;
    int fds[2], go[2];
    heap = malloc(heap_bytes);
    shared = mmap(NULL, SHARED_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    none = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (!heap || shared == MAP_FAILED || none == MAP_FAILED || pipe(fds) || pipe(go) || children < 1 || children > 64) {
        out("cowtree: FAIL setup\n");
        return 1;
    }
    memset(heap, 0x5A, heap_bytes);
    memset(shared, 0x33, SHARED_BYTES);
    memset(none, 1, 2 * PAGE);
    mprotect(none, PAGE, PROT_NONE); /* a PROT_NONE page still holding its frame */
    pid_t pids[64];
    for (int i = 0; i < children; i++)
        if ((pids[i] = fork()) == 0)
            child(i, fds[1], go);
    char c, msg[64];
    for (int n = 0; n < children + 1; n++)
        if (read(fds[0], &c, 1) != 1) {
            out("cowtree: FAIL ready pipe\n");
            return 1;
        }
    snprintf(msg, sizeof msg, "cowtree: %d processes ready\n", children + 2);
    struct sigaction sa = {.sa_handler = on_usr1}; /* no SA_RESTART: the signal cuts the hold short */
    sigaction(SIGUSR1, &sa, NULL);
    out(msg);
    struct timespec t = {seconds, 0};
    nanosleep(&t, NULL);
    close(go[1]); /* the children's reads see end of file */
    int bad = 0, st;
    for (int i = 0; i < children; i++)
        if (waitpid(pids[i], &st, 0) != pids[i] || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
            bad++;
    bad += !memory_ok(0x5A) || none[PAGE] != 1;
    out(bad ? "cowtree: FAIL a child or the parent saw wrong memory\n" : "cowtree: done\n");
    return bad != 0;
}
