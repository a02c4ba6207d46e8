/*
 * swapwork: a working set that may not fit in RAM, every page verified.
 *
 *   swapwork MIB [OPS [SEED]] [--pageout] [--hold]
 *
 * Maps MIB MiB of private anonymous memory whose pages are, in turn, zero
 * (a later write fills them with one repeated word), compressible text
 * (words from a small vocabulary) and random bytes. Phases:
 *   write   every page written, in order (zero pages with zeroes);
 *   read    every page read back in order and checked;
 *   random  OPS (default 20000) random pages, each read and checked or
 *           rewritten with new contents (half and half).
 * --pageout: after the write phase, MADV_PAGEOUT the whole set (pages go
 * to the compressed pool or swap now). --hold: then print "SWAPWORK
 * holding" and wait for SIGUSR1 before reading back (so a test can swapoff
 * or kill meanwhile).
 * A page's contents follow from its index, kind and version (one byte per
 * page, bumped by each rewrite), so any page can be checked at any time.
 * Prints "SWAPWORK <phase> cycles_per_page N" for each phase (rdtsc,
 * deterministic under qemu -icount shift=0), then "SWAPWORK PASS" or
 * "SWAPWORK FAIL ..." (exit status 1).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/mman.h>

#define PAGE 4096u

static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi)::"memory");
    return ((uint64_t)hi << 32) | lo;
}

/* xorshift32, never zero. */
static uint32_t next(uint32_t *s)
{
    uint32_t x = *s;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return *s = x;
}

static uint32_t seed_of(uint32_t base, uint32_t page, uint32_t version)
{
    uint32_t s = base ^ (page * 2654435761u) ^ (version * 40503u) ^ 0x9e3779b9u;
    return s ? s : 1;
}

static const char *const words[] = {
    "memory", "page", "frame", "the", "kernel", "swap", "of", "and", "a", "compressed", "pool", "to", "is",
    "process", "fault", "region", "object", "anonymous", "file", "cache", "in", "with", "map", "table",
    "entry", "slot", "disk", "write", "read", "back", "when", "which", "virtual", "physical", "address",
};

/* Page idx's expected contents for version v into buf. */
static void fill(uint8_t *buf, uint32_t base, uint32_t idx, uint8_t v)
{
    uint32_t s = seed_of(base, idx, v);
    switch (idx % 3) {
    case 0: { /* zero until written, then one word repeated */
        uint32_t word = v ? s : 0, *w = (uint32_t *)buf;
        for (uint32_t i = 0; i < PAGE / 4; i++)
            w[i] = word;
        break;
    }
    case 1: { /* text */
        uint32_t at = 0;
        while (at < PAGE) {
            const char *wd = words[next(&s) % (sizeof words / sizeof words[0])];
            for (; *wd && at < PAGE; wd++)
                buf[at++] = (uint8_t)*wd;
            if (at < PAGE)
                buf[at++] = (next(&s) % 11) ? ' ' : '\n';
        }
        break;
    }
    default: { /* random */
        uint32_t *w = (uint32_t *)buf;
        for (uint32_t i = 0; i < PAGE / 4; i++)
            w[i] = next(&s);
    }
    }
}

static int check(const uint8_t *page, uint8_t *want, uint32_t base, uint32_t idx, uint8_t v, const char *phase)
{
    fill(want, base, idx, v);
    if (memcmp(page, want, PAGE) == 0)
        return 0;
    uint32_t at = 0;
    while (page[at] == want[at])
        at++;
    printf("SWAPWORK FAIL %s: page %u (kind %u, version %u) differs at byte %u: 0x%02x, want 0x%02x\n", phase, idx,
           idx % 3, v, at, page[at], want[at]);
    return 1;
}

static void report(const char *phase, uint64_t cycles, uint32_t pages)
{
    printf("SWAPWORK %s cycles_per_page %llu\n", phase, (unsigned long long)(cycles / (pages ? pages : 1)));
    fflush(stdout);
}

/* Wait for SIGUSR1 (blocked, so one sent early is not lost). */
static void hold(void)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    sigprocmask(SIG_BLOCK, &set, NULL);
    printf("SWAPWORK holding\n");
    fflush(stdout);
    int sig;
    sigwait(&set, &sig);
}

int main(int argc, char **argv)
{
    const char *num[3] = {NULL, NULL, NULL};
    int nums = 0, pageout = 0, holding = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--pageout"))
            pageout = 1;
        else if (!strcmp(argv[i], "--hold"))
            holding = 1;
        else if (nums < 3)
            num[nums++] = argv[i];
    }
    if (!num[0] || atoi(num[0]) <= 0) {
        fprintf(stderr, "usage: swapwork MIB [OPS [SEED]] [--pageout] [--hold]\n");
        return 2;
    }
    uint32_t pages = (uint32_t)atoi(num[0]) * (1u << 20) / PAGE;
    uint32_t ops = num[1] ? (uint32_t)atoi(num[1]) : 20000u;
    uint32_t base = num[2] ? (uint32_t)strtoul(num[2], NULL, 0) : 12345u;
    uint8_t *mem = mmap(NULL, (size_t)pages * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    uint8_t *version = calloc(pages, 1);
    static uint8_t want[PAGE] __attribute__((aligned(4)));
    if (mem == MAP_FAILED || !version) {
        perror("swapwork: mmap");
        return 2;
    }
    printf("SWAPWORK pages %u ops %u\n", pages, ops);
    fflush(stdout);

    uint64_t t = rdtsc();
    for (uint32_t i = 0; i < pages; i++) /* zero pages too: written with zeroes, so they are real pages */
        fill(mem + (size_t)i * PAGE, base, i, 0);
    report("write", rdtsc() - t, pages);
    if (pageout && madvise(mem, (size_t)pages * PAGE, MADV_PAGEOUT) != 0)
        perror("swapwork: MADV_PAGEOUT");
    if (holding)
        hold();

    t = rdtsc();
    for (uint32_t i = 0; i < pages; i++)
        if (check(mem + (size_t)i * PAGE, want, base, i, 0, "read"))
            return 1;
    report("read", rdtsc() - t, pages);

    uint32_t s = base | 1;
    t = rdtsc();
    for (uint32_t n = 0; n < ops; n++) {
        uint32_t i = next(&s) % pages;
        uint8_t *p = mem + (size_t)i * PAGE;
        if (next(&s) & 1) {
            if (check(p, want, base, i, version[i], "random read"))
                return 1;
        } else {
            version[i] = (uint8_t)(version[i] % 255 + 1);
            fill(p, base, i, version[i]);
        }
    }
    report("random", rdtsc() - t, ops);

    for (uint32_t i = 0; i < pages; i++) /* every page, at the end too */
        if (check(mem + (size_t)i * PAGE, want, base, i, version[i], "final"))
            return 1;
    printf("SWAPWORK PASS %u pages verified\n", pages);
    return 0;
}
