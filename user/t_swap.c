/* t_swap: private memory paged out (MADV_PAGEOUT) and back keeps its data,
 * alone and shared copy-on-write across fork; mincore and VmSwap agree
 * about what is out; MADV_COLD and MADV_WILLNEED keep data; locked memory
 * refuses MADV_PAGEOUT/MADV_COLD with EINVAL; a process killed with pages
 * out leaves nothing behind. Passes on Linux with or without swap (with
 * none, nothing goes out and the checks of what went out agree on zero);
 * prints "paged out N pages" for the boot test. */
#define TEST_NAME "t_swap"
#include "include/utest.h"

#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>

#define PAGES 96u

/* Page i's contents for generation g: zero, a repeated word, text, or pseudo-random bytes. */
static void fill(uint8_t *p, unsigned i, unsigned g)
{
    uint32_t *w = (uint32_t *)p, s = (i + 1) * 2654435761u ^ (g * 97u + 1);
    static const char text[] = "the kernel pages out memory that was not used lately ";
    for (unsigned k = 0; k < PAGE / 4; k++) {
        switch (i % 4) {
        case 0: w[k] = g ? g : 0; break;
        case 1: w[k] = s; break;
        case 2: memcpy(&w[k], text + (k * 4 + g) % (sizeof text - 5), 4); break;
        default: s ^= s << 13; s ^= s >> 17; s ^= s << 5; w[k] = s;
        }
    }
}

static void verify(const uint8_t *mem, unsigned n, unsigned g, const char *what)
{
    static uint8_t want[PAGE];
    for (unsigned i = 0; i < n; i++) {
        fill(want, i, g);
        CHECK(memcmp(mem + i * PAGE, want, PAGE) == 0, "%s: page %u (generation %u) changed", what, i, g);
    }
}

/* Pages of [p, p + n pages) mincore reports not resident. */
static unsigned not_resident(void *p, unsigned n)
{
    unsigned char vec[PAGES];
    CHECK(mincore(p, n * PAGE, vec) == 0, "mincore errno %d", errno);
    unsigned out = 0;
    for (unsigned i = 0; i < n; i++)
        out += !(vec[i] & 1);
    return out;
}

/* VmSwap of /proc/self/status, in pages. */
static unsigned vm_swap_pages(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    CHECK(f, "open /proc/self/status: errno %d", errno);
    char line[256];
    unsigned kb = ~0u;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "VmSwap: %u kB", &kb) == 1)
            break;
    fclose(f);
    CHECK(kb != ~0u, "no VmSwap line");
    return kb / 4;
}

int main(void)
{
    uint8_t *mem = mmap(NULL, PAGES * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(mem != MAP_FAILED, "mmap");
    for (unsigned i = 0; i < PAGES; i++)
        fill(mem + i * PAGE, i, 1);

    /* Out and back alone; mincore and VmSwap agree. */
    CHECK(madvise(mem, PAGES * PAGE, MADV_PAGEOUT) == 0, "MADV_PAGEOUT errno %d", errno);
    unsigned out = not_resident(mem, PAGES), swapped = vm_swap_pages();
    CHECK(out == swapped, "mincore says %u pages out, VmSwap %u", out, swapped);
    say("paged out %u pages", out);
    verify(mem, PAGES, 1, "after MADV_PAGEOUT");
    CHECK(not_resident(mem, PAGES) == 0, "pages still out after being read");
    CHECK(vm_swap_pages() == 0, "VmSwap not back to 0 after every page came in");

    /* Shared copy-on-write: out before fork; each side writes its own copy; the other keeps its data. */
    CHECK(madvise(mem, PAGES * PAGE, MADV_PAGEOUT) == 0, "MADV_PAGEOUT before fork");
    pid_t pid = fork();
    CHECK(pid >= 0, "fork errno %d", errno);
    if (pid == 0) {
        verify(mem, PAGES, 1, "child reads the parent's paged-out pages");
        for (unsigned i = 0; i < PAGES; i += 2)
            fill(mem + i * PAGE, i, 2);
        if (madvise(mem, PAGES * PAGE, MADV_PAGEOUT) != 0)
            _exit(3);
        for (unsigned i = 0; i < PAGES; i++) {
            static uint8_t want[PAGE];
            fill(want, i, i % 2 ? 1 : 2);
            if (memcmp(mem + i * PAGE, want, PAGE))
                _exit(4);
        }
        _exit(0);
    }
    char buf[64];
    int st = wait_for(pid);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child: %s", status_str(st, buf, sizeof buf));
    verify(mem, PAGES, 1, "parent after the child wrote its copies");
    CHECK(madvise(mem, PAGES * PAGE, MADV_PAGEOUT) == 0, "MADV_PAGEOUT after the child");
    for (unsigned i = 1; i < PAGES; i += 2)
        fill(mem + i * PAGE, i, 3);
    for (unsigned i = 0; i < PAGES; i++) {
        static uint8_t want[PAGE];
        fill(want, i, i % 2 ? 3 : 1);
        CHECK(memcmp(mem + i * PAGE, want, PAGE) == 0, "parent's own writes: page %u", i);
    }
    for (unsigned i = 1; i < PAGES; i += 2)
        fill(mem + i * PAGE, i, 1);

    /* MADV_COLD and MADV_WILLNEED are hints: data stays. */
    CHECK(madvise(mem, PAGES * PAGE, MADV_COLD) == 0, "MADV_COLD errno %d", errno);
    verify(mem, PAGES, 1, "after MADV_COLD");
    CHECK(madvise(mem, PAGES * PAGE, MADV_PAGEOUT) == 0, "MADV_PAGEOUT");
    CHECK(madvise(mem, PAGES * PAGE, MADV_WILLNEED) == 0, "MADV_WILLNEED errno %d", errno);
    verify(mem, PAGES, 1, "after MADV_WILLNEED");

    /* Locked memory is not paged out: EINVAL, as Linux. */
    CHECK(mlock(mem, PAGE) == 0, "mlock errno %d", errno);
    FAILS_WITH(madvise(mem, PAGES * PAGE, MADV_PAGEOUT), EINVAL);
    FAILS_WITH(madvise(mem, PAGE, MADV_COLD), EINVAL);
    CHECK(munlock(mem, PAGE) == 0, "munlock");
    FAILS_WITH(madvise(mem + 1, PAGE, MADV_PAGEOUT), EINVAL);

    /* Killed with pages out. */
    pid = fork();
    CHECK(pid >= 0, "fork");
    if (pid == 0) {
        uint8_t *own = mmap(NULL, PAGES * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (own == MAP_FAILED)
            _exit(2);
        for (unsigned i = 0; i < PAGES; i++)
            fill(own + i * PAGE, i, 5);
        madvise(own, PAGES * PAGE, MADV_PAGEOUT);
        madvise(mem, PAGES * PAGE, MADV_PAGEOUT);
        raise(SIGKILL);
        _exit(1);
    }
    st = wait_for(pid);
    CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "killed child: %s", status_str(st, buf, sizeof buf));
    verify(mem, PAGES, 1, "after a child with pages out was killed");
    CHECK(munmap(mem, PAGES * PAGE) == 0, "munmap");
    pass();
}
