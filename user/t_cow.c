/* t_cow: copy-on-write across two generations of fork.
 * Five buffers (brk heap, stack array, .data, .bss, private mmap) get a
 * pattern 'P' in the parent. After fork the parent at once rewrites them 'Q';
 * the child must still see 'P', rewrites them 'C' and forks a grandchild,
 * then rewrites its own copy 'D'. The grandchild must see 'C', writes 'G' and
 * exits 7; the child checks it got 7 and still sees 'D', exits 5; the parent
 * checks 5 and still sees 'Q'. Every generation's view is its own. */
#define TEST_NAME "t_cow"
#include "include/utest.h"
#include <stdlib.h>
#include <sys/mman.h>

#define HEAP_SZ (96u << 10) /* below glibc's mmap threshold: brk heap */
#define STACK_SZ (16u << 10)
#define DATA_SZ (16u << 10)
#define BSS_SZ (64u << 10)
#define MMAP_SZ (64u << 10)

static char data_buf[DATA_SZ] = { 1 }; /* initialised: lives in .data */
static char bss_buf[BSS_SZ];

struct bufs {
    char *p[5];
    size_t len[5];
};
static const char *const names[5] = { "heap", "stack", ".data", ".bss", "mmap" };
static const char *who = "parent";

/* fill: write pattern tag into every buffer (byte i = tag + i % 251). */
static void fill(struct bufs *b, char tag)
{
    for (int k = 0; k < 5; k++)
        for (size_t i = 0; i < b->len[k]; i++)
            b->p[k][i] = (char)(tag + i % 251);
}

/* verify: every buffer holds pattern tag, else FAIL naming the generation. */
static void verify(struct bufs *b, char tag)
{
    for (int k = 0; k < 5; k++) {
        volatile char *p = b->p[k];
        for (size_t i = 0; i < b->len[k]; i++)
            CHECK(p[i] == (char)(tag + i % 251),
                  "%s: %s byte %zu is 0x%02x, want pattern '%c' (0x%02x)", who, names[k],
                  i, (unsigned char)p[i], tag, (unsigned char)(tag + i % 251));
    }
}

/* expect_exit: reap pid, which must have exited with code. */
static void expect_exit(pid_t pid, int code)
{
    char b[32];
    int st = wait_for(pid);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == code, "%s: its child ended with %s, want exit %d",
          who, status_str(st, b, sizeof b), code);
}

/* grandchild: sees the child's version, writes its own, exits 7. */
static void grandchild(struct bufs *b)
{
    who = "grandchild";
    verify(b, 'C');
    fill(b, 'G');
    verify(b, 'G');
    _exit(7);
}

/* child: sees the pre-fork version, forks a grandchild, keeps its own view. */
static void child(struct bufs *b)
{
    who = "child";
    verify(b, 'P');
    fill(b, 'C');
    pid_t g = fork();
    CHECK(g >= 0, "child: fork failed, errno %d", errno);
    if (g == 0)
        grandchild(b);
    fill(b, 'D');
    expect_exit(g, 7);
    verify(b, 'D');
    _exit(5);
}

int main(void)
{
    char stack_buf[STACK_SZ];
    struct bufs b = {
        { malloc(HEAP_SZ), stack_buf, data_buf, bss_buf,
          mmap(NULL, MMAP_SZ, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) },
        { HEAP_SZ, STACK_SZ, DATA_SZ, BSS_SZ, MMAP_SZ },
    };
    CHECK(b.p[0] && b.p[4] != MAP_FAILED, "allocation failed");
    CHECK(data_buf[0] == 1 && data_buf[DATA_SZ - 1] == 0 && bss_buf[BSS_SZ / 2] == 0,
          ".data/.bss initial values wrong");

    fill(&b, 'P');
    pid_t pid = fork();
    CHECK(pid >= 0, "fork failed, errno %d", errno);
    if (pid == 0)
        child(&b);
    fill(&b, 'Q');
    expect_exit(pid, 5);
    verify(&b, 'Q');
    say("heap, stack, .data, .bss and mmap copies stayed private over two generations");

    /* Pages nobody writes after fork stay readable and shared-equal. */
    pid = fork();
    CHECK(pid >= 0, "fork failed, errno %d", errno);
    if (pid == 0) {
        who = "read-only child";
        verify(&b, 'Q');
        _exit(9);
    }
    expect_exit(pid, 9);
    verify(&b, 'Q');
    pass();
}
