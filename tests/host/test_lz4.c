/*
 * Unit tests: the LZ4 block codec (lib/lz4.c) and same-filled pages
 * (lib/page_fill.c). Every buffer handed to the codec is malloc'd at its
 * exact size, so ASan catches any byte read or written outside it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "errno.h"
#include "lib/lz4.h"
#include "lib/page_fill.h"
#include "mmu.h"

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

static uint32_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state >> 16);
}

static void fill_random(uint8_t *b, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        b[i] = (uint8_t)rnd();
}

/* English-like text: words from a small vocabulary, spaces, punctuation, newlines. */
static void fill_text(uint8_t *b, uint32_t n)
{
    static const char *words[] = {"the", "memory", "page", "of", "a", "process", "is", "compressed", "when",
                                  "kernel", "runs", "out", "and", "swap", "written", "to", "disk", "frame",
                                  "pool", "handle", "free", "which", "it", "returns", "every", "time"};
    uint32_t i = 0;
    while (i < n) {
        const char *w = words[rnd() % ARRAY_SIZE(words)];
        for (; *w && i < n; w++)
            b[i++] = (uint8_t)*w;
        if (i < n)
            b[i++] = (rnd() % 12 == 0) ? '\n' : (rnd() % 9 == 0 ? ',' : ' ');
    }
}

/* Repeat a period-byte pattern. */
static void fill_pattern(uint8_t *b, uint32_t n, uint32_t period)
{
    uint8_t pat[64];
    fill_random(pat, sizeof pat);
    for (uint32_t i = 0; i < n; i++)
        b[i] = pat[i % period];
}

/* Mostly random with copies of earlier stretches: many matches of all lengths and offsets. */
static void fill_mixed(uint8_t *b, uint32_t n)
{
    uint32_t i = 0;
    while (i < n) {
        if (i > 16 && rnd() % 2) {
            uint32_t off = 1 + rnd() % (i < 70000 ? i : 70000), len = 1 + rnd() % 300;
            for (uint32_t k = 0; k < len && i < n; k++, i++)
                b[i] = b[i - off];
        } else {
            uint32_t len = rnd() % 40;
            for (uint32_t k = 0; k < len && i < n; k++)
                b[i++] = (uint8_t)rnd();
        }
    }
}

/*
 * Walk a block and check the format rules the compressor promises: well
 * formed, offsets within the output, the last sequence literals only, the
 * last 5 bytes literals and no match starting in the last 12 bytes.
 */
static void check_rules(const uint8_t *blk, uint32_t size, uint32_t n)
{
    uint32_t ip = 0, out = 0;
    for (;;) {
        assert_true(ip < size);
        uint32_t token = blk[ip++], lit = token >> 4;
        if (lit == 15) {
            uint32_t b;
            do {
                assert_true(ip < size);
                b = blk[ip++];
                lit += b;
            } while (b == 255);
        }
        assert_true(lit <= size - ip);
        ip += lit;
        out += lit;
        if (ip == size)
            break;
        assert_true(size - ip >= 2);
        uint32_t off = blk[ip] | blk[ip + 1] << 8;
        ip += 2;
        assert_true(off >= 1 && off <= out);
        uint32_t mlen = token & 15;
        if (mlen == 15) {
            uint32_t b;
            do {
                assert_true(ip < size);
                b = blk[ip++];
                mlen += b;
            } while (b == 255);
        }
        mlen += 4;
        if (out + 12 > n)
            fail_msg("match at %u starts within 12 bytes of the end (%u)", out, n);
        out += mlen;
        if (out + 5 > n)
            fail_msg("match ends at %u, within 5 bytes of the end (%u)", out, n);
    }
    assert_int_equal(out, n);
}

/* Compress src[0..n) into an exact LZ4_BOUND buffer, check the rules, decompress into an exact buffer, compare. Returns the size. */
static uint32_t round_trip(const uint8_t *src, uint32_t n)
{
    static uint32_t work[LZ4_WORK_SIZE / 4];
    uint8_t *in = malloc(n ? n : 1), *blk = malloc(LZ4_BOUND(n)), *out = malloc(n ? n : 1);
    memcpy(in, src, n);
    int c = lz4_compress(in, n, blk, LZ4_BOUND(n), work);
    if (c <= 0 || (uint32_t)c > LZ4_BOUND(n))
        fail_msg("compress %u bytes: %d (bound %u)", n, c, LZ4_BOUND(n));
    check_rules(blk, (uint32_t)c, n);
    uint8_t *exact = malloc((size_t)c);
    memcpy(exact, blk, (size_t)c);
    int d = lz4_decompress(exact, (uint32_t)c, out, n);
    assert_int_equal(d, n);
    assert_memory_equal(out, in, n);
    if (n > 0) { /* one byte less room: refused, never overrun */
        uint8_t *small = malloc(n - 1 ? n - 1 : 1);
        assert_int_equal(lz4_decompress(exact, (uint32_t)c, small, n - 1), -E2BIG);
        free(small);
    }
    free(exact);
    free(in);
    free(blk);
    free(out);
    return (uint32_t)c;
}

static void test_random(void **state)
{
    (void)state;
    static const uint32_t sizes[] = {13, 100, 4095, 4096, 4097, 65535, 65536, 65537, 200000};
    for (uint32_t i = 0; i < ARRAY_SIZE(sizes); i++) {
        uint8_t *b = malloc(sizes[i]);
        fill_random(b, sizes[i]);
        round_trip(b, sizes[i]);
        fill_mixed(b, sizes[i]);
        round_trip(b, sizes[i]);
        free(b);
    }
    for (int k = 0; k < 200; k++) { /* many random mixed pages */
        uint8_t page[PAGE_SIZE];
        fill_mixed(page, PAGE_SIZE);
        round_trip(page, PAGE_SIZE);
    }
}

static void test_zero_pages(void **state)
{
    (void)state;
    uint8_t *z = calloc(1, 1 << 20);
    uint32_t c = round_trip(z, PAGE_SIZE);
    assert_true(c <= 32); /* one literal, one long match, the last five literals */
    round_trip(z, 1 << 20);
    free(z);
}

static void test_text(void **state)
{
    (void)state;
    FILE *f = fopen(__FILE__, "rb");
    assert_non_null(f);
    static uint8_t src[1 << 17];
    uint32_t n = (uint32_t)fread(src, 1, sizeof src, f);
    fclose(f);
    assert_true(n > 4096);
    uint32_t c = round_trip(src, n);
    assert_true(c < n * 7 / 10); /* C source compresses */
    for (uint32_t off = 0; off + PAGE_SIZE <= n; off += PAGE_SIZE)
        round_trip(src + off, PAGE_SIZE);
    fill_text(src, sizeof src);
    c = round_trip(src, sizeof src);
    assert_true(c < sizeof src / 2);
    round_trip(src, PAGE_SIZE);
}

static void test_patterns(void **state)
{
    (void)state;
    uint8_t b[3 * PAGE_SIZE];
    for (uint32_t period = 1; period <= 64; period++) {
        fill_pattern(b, sizeof b, period);
        uint32_t c = round_trip(b, sizeof b);
        assert_true(c < 200);
        round_trip(b, PAGE_SIZE);
        round_trip(b, 777);
    }
}

static void test_every_length(void **state)
{
    (void)state;
    uint8_t b[600];
    for (uint32_t n = 0; n <= 600; n++) {
        fill_random(b, n);
        round_trip(b, n);
        memset(b, 0, n);
        round_trip(b, n);
        fill_pattern(b, n, 1 + n % 7);
        round_trip(b, n);
        fill_text(b, n);
        round_trip(b, n);
        fill_mixed(b, n);
        round_trip(b, n);
    }
}

/*
 * Data whose best match ends exactly at, just before or just after the
 * end-of-block limits: a random prefix, then a copy of it reaching to
 * n - k for every k around 5 and 12, and matches starting near n - 12.
 */
static void test_end_limits(void **state)
{
    (void)state;
    uint8_t b[256];
    for (uint32_t n = 13; n <= 256; n += 7) {
        for (uint32_t k = 0; k <= 16 && k < n; k++) {
            fill_random(b, n);
            uint32_t half = (n - k) / 2;
            for (uint32_t i = half; i < n - k; i++) /* a match running to n - k */
                b[i] = b[i - half];
            round_trip(b, n);
            fill_random(b, n);
            uint32_t start = n - k;              /* a match starting at n - k */
            if (start >= 8) {
                for (uint32_t i = start; i < n; i++)
                    b[i] = b[i - start];
                round_trip(b, n);
            }
            memset(b, 'x', n); /* all one byte but the last k */
            fill_random(b + n - k, k);
            round_trip(b, n);
        }
    }
}

/* The worst case (incompressible data, no match at all) stays within LZ4_BOUND, and a smaller cap is refused cleanly. */
static void test_bound(void **state)
{
    (void)state;
    static uint32_t work[LZ4_WORK_SIZE / 4];
    static const uint32_t sizes[] = {0, 1, 5, 12, 13, 14, 15, 16, 270, 271, 4096, 70000};
    for (uint32_t i = 0; i < ARRAY_SIZE(sizes); i++) {
        uint32_t n = sizes[i];
        uint8_t *src = malloc(n + 1);
        fill_random(src, n);
        uint8_t *full = malloc(LZ4_BOUND(n));
        int c = lz4_compress(src, n, full, LZ4_BOUND(n), work);
        assert_true(c > 0 && (uint32_t)c <= LZ4_BOUND(n));
        if (n == 0)
            assert_int_equal(c, 1);
        for (uint32_t cap = 0; cap < (uint32_t)c; cap += 1 + cap / 8) {
            uint8_t *dst = malloc(cap ? cap : 1);
            assert_int_equal(lz4_compress(src, n, dst, cap, work), -E2BIG);
            free(dst);
        }
        uint8_t *exact = malloc((size_t)c);
        assert_int_equal(lz4_compress(src, n, exact, (uint32_t)c, work), c);
        free(exact);
        free(full);
        free(src);
    }
}

static int decomp_exact(const uint8_t *blk, uint32_t n, uint32_t cap)
{
    uint8_t *in = malloc(n ? n : 1), *out = malloc(cap ? cap : 1);
    memcpy(in, blk, n);
    int r = lz4_decompress(in, n, out, cap);
    free(in);
    free(out);
    return r;
}

static void test_malformed(void **state)
{
    (void)state;
    /* empty input, lone tokens, truncated lengths */
    assert_int_equal(decomp_exact((const uint8_t *)"", 0, 16), -EINVAL);
    assert_int_equal(decomp_exact((const uint8_t *)"\x00", 1, 16), 0);
    assert_int_equal(decomp_exact((const uint8_t *)"\x30" "abc", 4, 16), 3);
    assert_int_equal(decomp_exact((const uint8_t *)"\x30" "ab", 3, 16), -EINVAL);
    assert_int_equal(decomp_exact((const uint8_t *)"\xF0", 1, 16), -EINVAL);
    assert_int_equal(decomp_exact((const uint8_t *)"\xF0\xFF\xFF", 3, 16), -EINVAL);
    assert_int_equal(decomp_exact((const uint8_t *)"\x30" "abc", 4, 2), -E2BIG);
    /* offset 0, offset before the start, offset truncated */
    assert_int_equal(decomp_exact((const uint8_t *)"\x14" "a\x00\x00\x00", 5, 64), -EINVAL);
    assert_int_equal(decomp_exact((const uint8_t *)"\x14" "a\x02\x00\x00", 5, 64), -EINVAL);
    assert_int_equal(decomp_exact((const uint8_t *)"\x14" "a\x01", 3, 64), -EINVAL);
    assert_int_equal(decomp_exact((const uint8_t *)"\x14" "a\x01\x00\x00", 5, 64), 9); /* a + 8 copies */
    assert_int_equal(decomp_exact((const uint8_t *)"\x14" "a\x01\x00\x00", 5, 8), -E2BIG);
    /* a match as the last sequence (no closing literals) */
    assert_int_equal(decomp_exact((const uint8_t *)"\x14" "a\x01\x00", 4, 64), -EINVAL);
    /* match length running past the input, and enormous */
    assert_int_equal(decomp_exact((const uint8_t *)"\x1F" "a\x01\x00\xFF", 5, 1 << 16), -EINVAL);
    uint8_t big[4096];
    big[0] = 0x1F;
    big[1] = 'a';
    big[2] = 1;
    big[3] = 0;
    memset(big + 4, 0xFF, sizeof big - 5);
    big[sizeof big - 1] = 0;
    assert_int_equal(decomp_exact(big, sizeof big, 65536), -E2BIG);
    /* a literal length of 2^32 - something: refused, not wrapped */
    big[0] = 0xF0;
    memset(big + 1, 0xFF, sizeof big - 1);
    assert_int_equal(decomp_exact(big, sizeof big, 65536), -EINVAL);
}

/* Thousands of mutated valid blocks and random buffers: an error or a result within cap, never an overrun (ASan). */
static void test_fuzz(void **state)
{
    (void)state;
    static uint32_t work[LZ4_WORK_SIZE / 4];
    uint8_t page[PAGE_SIZE], blk[LZ4_BOUND(PAGE_SIZE)], mut[LZ4_BOUND(PAGE_SIZE) + 16];
    uint32_t ok = 0, err = 0;
    for (int iter = 0; iter < 3000; iter++) {
        switch (iter % 4) {
        case 0: fill_mixed(page, PAGE_SIZE); break;
        case 1: fill_text(page, PAGE_SIZE); break;
        case 2: fill_pattern(page, PAGE_SIZE, 1 + rnd() % 20); break;
        default: fill_random(page, PAGE_SIZE); break;
        }
        int c = lz4_compress(page, PAGE_SIZE, blk, sizeof blk, work);
        assert_true(c > 0);
        for (int m = 0; m < 6; m++) {
            uint32_t n = (uint32_t)c;
            memcpy(mut, blk, n);
            uint32_t edits = 1 + rnd() % 4;
            for (uint32_t e = 0; e < edits; e++) {
                switch (rnd() % 5) {
                case 0: mut[rnd() % n] ^= (uint8_t)(1u << (rnd() % 8)); break;
                case 1: mut[rnd() % n] = (uint8_t)rnd(); break;
                case 2: n = 1 + rnd() % n; break; /* truncate */
                case 3: mut[rnd() % n] = 0xFF; break;
                default: if (n < sizeof mut) mut[n++] = (uint8_t)rnd(); break; /* trailing garbage */
                }
            }
            uint32_t cap = (rnd() % 3 == 0) ? rnd() % (PAGE_SIZE + 64) : PAGE_SIZE;
            int r = decomp_exact(mut, n, cap);
            if (r >= 0) {
                assert_true((uint32_t)r <= cap);
                ok++;
            } else {
                assert_true(r == -EINVAL || r == -E2BIG);
                err++;
            }
        }
    }
    for (int iter = 0; iter < 5000; iter++) { /* random buffers */
        uint32_t n = rnd() % 300;
        fill_random(mut, n);
        if (iter % 2)
            for (uint32_t i = 0; i < n; i++)
                if (rnd() % 3 == 0)
                    mut[i] &= 0x1F; /* small tokens and offsets: more of them get far */
        int r = decomp_exact(mut, n, rnd() % 8192);
        assert_true(r >= 0 || r == -EINVAL || r == -E2BIG);
        r >= 0 ? ok++ : err++;
    }
    print_message("fuzz: %u decoded within bounds, %u refused\n", ok, err);
    assert_true(err > 0);
}

static void test_same_filled(void **state)
{
    (void)state;
    uint32_t *page = aligned_alloc(PAGE_SIZE, PAGE_SIZE), w = 1;
    memset(page, 0, PAGE_SIZE);
    assert_true(same_filled(page, &w));
    assert_int_equal(w, 0);
    page_fill(page, 0xDEADBEEF);
    for (uint32_t i = 0; i < PAGE_SIZE / 4; i++)
        assert_int_equal(page[i], 0xDEADBEEF);
    assert_true(same_filled(page, &w));
    assert_int_equal(w, 0xDEADBEEF);
    static const uint32_t spots[] = {0, 1, 2, 3, 4, 5, 7, 8, 100, 1000, 1022, 1023};
    for (uint32_t i = 0; i < ARRAY_SIZE(spots); i++) {
        page_fill(page, 0x01020304);
        ((uint8_t *)page)[spots[i] * 4 + 1] ^= 0x40;
        w = 7;
        assert_false(same_filled(page, &w));
        assert_int_equal(w, 7);
    }
    page_fill(page, 0x01010101); /* repeated byte: also a repeated word */
    assert_true(same_filled(page, &w));
    assert_int_equal(w, 0x01010101);
    free(page);
}

/* Run a shell command quietly; true on exit status 0. */
static bool sh(const char *cmd)
{
    char buf[1024];
    snprintf(buf, sizeof buf, "(%s) >/dev/null 2>&1", cmd);
    return system(buf) == 0;
}

static void put_le32(FILE *f, uint32_t v)
{
    uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    fwrite(b, 1, 4, f);
}

static uint32_t get_le32(const uint8_t *b) { return b[0] | b[1] << 8 | b[2] << 16 | (uint32_t)b[3] << 24; }

static uint8_t *read_all(const char *path, uint32_t *n)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *b = malloc((size_t)len + 1);
    assert_int_equal(fread(b, 1, (size_t)len, f), (size_t)len);
    fclose(f);
    *n = (uint32_t)len;
    return b;
}

#define LEGACY_MAGIC 0x184C2102u
#define LEGACY_BLOCK (8u << 20) /* uncompressed bytes per legacy-frame block */

/*
 * Interop with the reference lz4 tool through its legacy frame (magic, then
 * blocks as a 32-bit LE size and the block, each 8 MiB decompressed, the last
 * one less): our blocks decode with `lz4 -d`, blocks of `lz4 -l` decode with ours.
 */
static void interop_one(const uint8_t *src, uint32_t n, const char *dir)
{
    static uint32_t work[LZ4_WORK_SIZE / 4];
    char in[256], ours[256], back[256], theirs[256], cmd[1024];
    snprintf(in, sizeof in, "%s/in", dir);
    snprintf(ours, sizeof ours, "%s/ours.lz4", dir);
    snprintf(back, sizeof back, "%s/back", dir);
    snprintf(theirs, sizeof theirs, "%s/theirs.lz4", dir);

    FILE *f = fopen(in, "wb");
    fwrite(src, 1, n, f);
    fclose(f);
    f = fopen(ours, "wb");
    put_le32(f, LEGACY_MAGIC);
    uint8_t *blk = malloc(LZ4_BOUND(LEGACY_BLOCK));
    for (uint32_t o = 0; o < n; o += LEGACY_BLOCK) {
        uint32_t len = MIN(LEGACY_BLOCK, n - o);
        int c = lz4_compress(src + o, len, blk, LZ4_BOUND(len), work);
        assert_true(c > 0);
        put_le32(f, (uint32_t)c);
        fwrite(blk, 1, (size_t)c, f);
    }
    fclose(f);
    free(blk);
    snprintf(cmd, sizeof cmd, "lz4 -d -c -f '%s' > '%s'", ours, back);
    assert_true(sh(cmd));
    uint32_t bn;
    uint8_t *b = read_all(back, &bn);
    assert_int_equal(bn, n);
    assert_memory_equal(b, src, n);
    free(b);

    snprintf(cmd, sizeof cmd, "lz4 -l -c -f '%s' > '%s'", in, theirs);
    assert_true(sh(cmd));
    uint32_t tn;
    uint8_t *t = read_all(theirs, &tn), *out = malloc(LEGACY_BLOCK);
    assert_true(tn >= 4);
    assert_int_equal(get_le32(t), LEGACY_MAGIC);
    uint32_t pos = 4, got = 0;
    while (pos + 4 <= tn) {
        uint32_t c = get_le32(t + pos);
        pos += 4;
        assert_true(c <= tn - pos);
        uint8_t *exact = malloc(c ? c : 1);
        memcpy(exact, t + pos, c);
        int d = lz4_decompress(exact, c, out, LEGACY_BLOCK);
        free(exact);
        assert_true(d >= 0);
        assert_true(got + (uint32_t)d <= n);
        assert_memory_equal(out, src + got, (size_t)d);
        got += (uint32_t)d;
        pos += c;
    }
    assert_int_equal(got, n);
    free(out);
    free(t);
}

static void test_interop(void **state)
{
    (void)state;
    if (!sh("command -v lz4")) {
        print_message("interop skipped: no lz4 tool on this host (Debian package lz4; tools/deps.sh test installs it)\n");
        skip();
    }
    char dir[] = "/tmp/eyn-lz4-XXXXXX";
    assert_non_null(mkdtemp(dir));
    uint32_t n = 300000;
    uint8_t *b = malloc(n);
    fill_random(b, n);
    interop_one(b, n, dir);
    fill_mixed(b, n);
    interop_one(b, n, dir);
    fill_text(b, n);
    interop_one(b, n, dir);
    memset(b, 0, n);
    interop_one(b, n, dir);
    for (uint32_t len = 1; len < 40; len++) {
        fill_pattern(b, len, 3);
        interop_one(b, len, dir);
    }
    FILE *f = fopen(__FILE__, "rb"); /* a real text */
    uint32_t tn = (uint32_t)fread(b, 1, n, f);
    fclose(f);
    interop_one(b, tn, dir);
    free(b);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_true(sh(cmd));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random),      cmocka_unit_test(test_zero_pages), cmocka_unit_test(test_text),
        cmocka_unit_test(test_patterns),    cmocka_unit_test(test_every_length), cmocka_unit_test(test_end_limits),
        cmocka_unit_test(test_bound),       cmocka_unit_test(test_malformed),  cmocka_unit_test(test_fuzz),
        cmocka_unit_test(test_same_filled), cmocka_unit_test(test_interop),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
