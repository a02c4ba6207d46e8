/*
 * Compressed-memory measurement (not a test: nothing is asserted). For each
 * input, page by page as the pool will see them: same-filled pages, LZ4
 * compression ratio and speed (MB/s of uncompressed data), and, unless built
 * with ZBENCH_NO_POOL, how many frames the compressed pages take in a zpool.
 *   zbench [ELF-FILE [TEXT-FILE...]]
 * Built by `make -C tests/host zbench` (host, -O2, no sanitizers) and
 * `make -C tests/host zbench32` (i386, the kernel's code generation, no pool).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/lz4.h"
#include "lib/page_fill.h"
#include "mmu.h"
#ifndef ZBENCH_NO_POOL
#include "mm/kmem/kheap.h"
#include "mm/pmm/pmm.h"
#include "mm/zpool/zpool.h"
#include "tests/host/sim.h"
#endif

#define STORE_MAX (PAGE_SIZE * 3 / 4) /* pages compressing worse than this are "incompressible" */

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static uint8_t *load_file(const char *path, uint32_t max, uint32_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    uint8_t *b = malloc(max);
    *n = (uint32_t)fread(b, 1, max, f);
    fclose(f);
    return b;
}

static void report(const char *name, const uint8_t *data, uint32_t n)
{
    static uint32_t work[LZ4_WORK_SIZE / 4];
    static uint8_t blk[LZ4_BOUND(PAGE_SIZE)], out[PAGE_SIZE];
    uint32_t pages = n / PAGE_SIZE, same = 0, stored = 0, incompressible = 0;
    uint64_t csize = 0;
    uint16_t *sizes = malloc(pages * sizeof *sizes);
    for (uint32_t p = 0; p < pages; p++) {
        uint32_t w;
        const uint8_t *pg = data + (size_t)p * PAGE_SIZE;
        int c = lz4_compress(pg, PAGE_SIZE, blk, sizeof blk, work);
        sizes[p] = (uint16_t)c;
        csize += (uint32_t)c < PAGE_SIZE ? (uint32_t)c : PAGE_SIZE;
        if (same_filled(pg, &w))
            same++;
        else if ((uint32_t)c <= STORE_MAX)
            stored++;
        else
            incompressible++;
    }
    /* speed: passes over the whole input for 0.3 s, the fastest pass counts (the machine is shared) */
    double t0 = now(), best = 1e9;
    do {
        double t = now();
        for (uint32_t p = 0; p < pages; p++)
            lz4_compress(data + (size_t)p * PAGE_SIZE, PAGE_SIZE, blk, sizeof blk, work);
        best = MIN(best, now() - t);
    } while (now() - t0 < 0.3);
    double cspeed = (double)n / best / 1e6;
    /* decompression of the first page's block is not representative: compress each page again before timing its decompression */
    uint8_t *blocks = malloc((size_t)pages * LZ4_BOUND(PAGE_SIZE));
    for (uint32_t p = 0; p < pages; p++)
        lz4_compress(data + (size_t)p * PAGE_SIZE, PAGE_SIZE, blocks + (size_t)p * LZ4_BOUND(PAGE_SIZE), LZ4_BOUND(PAGE_SIZE), work);
    t0 = now();
    best = 1e9;
    do {
        double t = now();
        for (uint32_t p = 0; p < pages; p++)
            if (lz4_decompress(blocks + (size_t)p * LZ4_BOUND(PAGE_SIZE), sizes[p], out, PAGE_SIZE) != PAGE_SIZE)
                printf("%s: page %u did not decompress\n", name, p);
        best = MIN(best, now() - t);
    } while (now() - t0 < 0.3);
    double dspeed = (double)n / best / 1e6;
    t0 = now();
    best = 1e9;
    do {
        double t = now();
        uint32_t w;
        for (uint32_t p = 0; p < pages; p++)
            (void)same_filled(data + (size_t)p * PAGE_SIZE, &w);
        best = MIN(best, now() - t);
    } while (now() - t0 < 0.1);
    double sspeed = (double)n / best / 1e6;

    printf("%-8s %6u pages  lz4 ratio %5.2f  compress %6.0f MB/s  decompress %6.0f MB/s  same_filled check %6.0f MB/s\n",
           name, pages, (double)n / (double)csize, cspeed, dspeed, sspeed);
    printf("         same-filled %u, compressible (<= %u B) %u, incompressible %u\n", same, STORE_MAX, stored,
           incompressible);
#ifndef ZBENCH_NO_POOL
    /* the compressible pages into a pool once, then 8 times over (a larger pool with the same sizes: the
     * partly filled last zspage of each size class weighs less) */
    for (uint32_t copies = 1; copies <= 8; copies *= 8) {
        struct zpool *pool = zpool_create(1u << 20);
        for (uint32_t k = 0; k < copies; k++)
            for (uint32_t p = 0; p < pages; p++) {
                uint32_t w;
                const uint8_t *pg = data + (size_t)p * PAGE_SIZE;
                if (!same_filled(pg, &w) && sizes[p] <= STORE_MAX &&
                    !zpool_store(pool, blocks + (size_t)p * LZ4_BOUND(PAGE_SIZE), sizes[p]))
                    printf("%s: zpool_store failed\n", name);
            }
        struct zpool_stats st;
        zpool_get_stats(pool, &st);
        printf("         zpool x%u: %u pages in %u frames (ratio %u.%02u, frames %u%% full, meta %u B)\n", copies, st.blobs,
               st.frames, st.ratio_x100 / 100, st.ratio_x100 % 100, st.density_x100, st.meta_bytes);
        zpool_destroy(pool);
    }
#endif
    free(blocks);
    free(sizes);
}

int main(int argc, char **argv)
{
#ifndef ZBENCH_NO_POOL
    static const struct phys_range avail[] = {{0x100000, 0x8000000}};
    sim_init();
    sim_reset(16u << 20);
    pmm_init(avail, 1, NULL, 0);
    kheap_init();
#endif
    const uint32_t size = 4u << 20;
    uint8_t *zero = calloc(1, size);
    report("zero", zero, size);
    free(zero);

    /* text: the given text files (or this file) concatenated */
    uint8_t *text = malloc(size);
    uint32_t tn = 0;
    for (int i = 2; i < argc && tn < size; i++) {
        uint32_t n;
        uint8_t *b = load_file(argv[i], size - tn, &n);
        if (b) {
            n = n < size - tn ? n : size - tn;
            memcpy(text + tn, b, n);
            tn += n;
            free(b);
        }
    }
    if (tn)
        report("text", text, tn & ~(PAGE_SIZE - 1));
    free(text);

    uint32_t en = 0;
    uint8_t *elf = argc > 1 ? load_file(argv[1], size, &en) : NULL;
    if (elf && en >= PAGE_SIZE)
        report("elf", elf, en & ~(PAGE_SIZE - 1));
    else
        printf("elf: no file given or readable (build/rootfs/bin/busybox after make)\n");
    free(elf);

    uint8_t *rnd = malloc(size);
    uint64_t s = 88172645463325252ull;
    for (uint32_t i = 0; i < size; i++) {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        rnd[i] = (uint8_t)(s >> 24);
    }
    report("random", rnd, size);
    free(rnd);
    return 0;
}
