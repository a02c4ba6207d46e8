/*
 * LZ4 block compressor and bounds-checked decompressor (format in lz4.h).
 *
 * Compressor: one greedy pass; a hash table of the last position of each
 * 4-byte sequence (multiplicative hash, 4096 entries in the caller's work
 * area) proposes a match, verified before use; matches are extended
 * backwards over pending literals and forwards a machine word at a time.
 * Where no match is found for a while the scan steps further (by 1 + misses/64)
 * so incompressible data passes quickly.
 *
 * Decompressor: every length is checked against what is left of the input
 * and of the output before any byte moves, so a hostile block can only make
 * it fail.
 */
#include "lib/lz4.h"

#include "errno.h"
#include "kstring.h"

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "lz4.c reads words as little-endian"
#endif

#define MINMATCH 4u
#define LASTLITERALS 5u /* the block's last 5 bytes are literals */
#define MFLIMIT 12u     /* no match starts in the block's last 12 bytes */
#define MAX_OFFSET 65535u
#define SKIP_SHIFT 6u   /* misses per extra byte of stride */

#ifdef LZ4_TEST_WORD32
typedef uint32_t word_t; /* host test of the i386 code paths (tests/host: test_lz4_w32) */
#define ctz_word __builtin_ctz
#else
typedef unsigned long word_t; /* the machine word: 4 bytes on i386, 8 on the 64-bit host */
#define ctz_word __builtin_ctzl
#endif
#define WSIZE ((uint32_t)sizeof(word_t))

static inline uint32_t read32(const uint8_t *p)
{
    uint32_t v;
    __builtin_memcpy(&v, p, 4);
    return v;
}

static inline word_t read_word(const uint8_t *p)
{
    word_t v;
    __builtin_memcpy(&v, p, sizeof v);
    return v;
}

static inline void write_word(uint8_t *p, word_t v) { __builtin_memcpy(p, &v, sizeof v); }

static inline uint32_t hash4(uint32_t v) { return (v * 2654435761u) >> (32u - LZ4_HASH_LOG); }

/* How many bytes at a equal those at b (b < a), not counting past limit (a's bound). */
static inline uint32_t common_len(const uint8_t *a, const uint8_t *b, const uint8_t *limit)
{
    const uint8_t *start = a;
    while ((uint32_t)(limit - a) >= WSIZE) {
        word_t x = read_word(a) ^ read_word(b);
        if (x)
            return (uint32_t)(a - start) + ((uint32_t)ctz_word(x) >> 3);
        a += WSIZE;
        b += WSIZE;
    }
    while (a < limit && *a == *b)
        a++, b++;
    return (uint32_t)(a - start);
}

/* Bytes an extended length field takes for a nibble-overflowing value v (>= 15). */
static inline uint32_t len_bytes(uint32_t v) { return v >= 15u ? (v - 15u) / 255u + 1u : 0u; }

/* Write the extra bytes of length v (>= 15): v - 15 as 255s and a remainder. */
static inline uint8_t *put_len(uint8_t *op, uint32_t v)
{
    v -= 15u;
    for (; v >= 255u; v -= 255u)
        *op++ = 255u;
    *op++ = (uint8_t)v;
    return op;
}

/*
 * Append one sequence: litlen literals from lit, then (when off != 0) a match
 * of mlen >= MINMATCH bytes at distance off. NULL when it does not fit before oend.
 */
static uint8_t *put_sequence(uint8_t *op, uint8_t *oend, const uint8_t *lit, uint32_t litlen, uint32_t off, uint32_t mlen)
{
    uint32_t need = 1u + len_bytes(litlen) + litlen;
    if (off)
        need += 2u + len_bytes(mlen - MINMATCH);
    if (need > (uint32_t)(oend - op))
        return NULL;
    uint8_t *token = op++;
    uint8_t t;
    if (litlen >= 15u) {
        t = 0xF0u;
        op = put_len(op, litlen);
    } else {
        t = (uint8_t)(litlen << 4);
    }
    if (off && (uint32_t)(oend - op) >= litlen + 2u + 2u * WSIZE) { /* a match follows (so do >= 12 input bytes) and there is room: whole words */
        for (uint32_t i = 0; i < litlen; i += WSIZE)
            write_word(op + i, read_word(lit + i));
    } else {
        memcpy(op, lit, litlen);
    }
    op += litlen;
    if (off) {
        *op++ = (uint8_t)off;
        *op++ = (uint8_t)(off >> 8);
        uint32_t m = mlen - MINMATCH;
        if (m >= 15u) {
            t |= 0x0Fu;
            op = put_len(op, m);
        } else {
            t |= (uint8_t)m;
        }
    }
    *token = t;
    return op;
}

/* The hash table holds 16-bit positions for inputs of at most 64 KiB (half the table to clear), else 32-bit ones. */
#define ALWAYS_INLINE inline __attribute__((always_inline))
static ALWAYS_INLINE uint32_t tab_get(const void *t, uint32_t h, bool wide)
{
    return wide ? ((const uint32_t *)t)[h] : ((const uint16_t *)t)[h];
}

static ALWAYS_INLINE void tab_put(void *t, uint32_t h, uint32_t pos, bool wide)
{
    if (wide)
        ((uint32_t *)t)[h] = pos;
    else
        ((uint16_t *)t)[h] = (uint16_t)pos;
}

/* lz4_compress for n > MFLIMIT, with the table's entry width a constant; returns the end of the output or NULL (no room). */
static ALWAYS_INLINE uint8_t *compress_body(const uint8_t *base, uint32_t n, uint8_t *op, uint8_t *oend, void *table,
                                            bool wide)
{
    const uint8_t *const end = base + n;
    const uint8_t *const mflimit = end - MFLIMIT;         /* a match starts at or before this */
    const uint8_t *const matchlimit = end - LASTLITERALS; /* and ends at or before this */
    const uint8_t *ip = base + 1, *anchor = base;
    uint32_t misses = 0;
    memset(table, 0, wide ? LZ4_WORK_SIZE : LZ4_WORK_SIZE / 2); /* every entry is position 0: a hint like any other */
    while (ip <= mflimit) {
        uint32_t seq = read32(ip);
        uint32_t h = hash4(seq);
        uint32_t pos = (uint32_t)(ip - base);
        const uint8_t *ref = base + tab_get(table, h, wide);
        tab_put(table, h, pos, wide);
        uint32_t off = pos - (uint32_t)(ref - base);
        if (off - 1u >= MAX_OFFSET || read32(ref) != seq) {
            ip += 1u + (misses++ >> SKIP_SHIFT);
            continue;
        }
        while (ip > anchor && ref > base && ip[-1] == ref[-1])
            ip--, ref--;
        uint32_t mlen = MINMATCH + common_len(ip + MINMATCH, ref + MINMATCH, matchlimit);
        op = put_sequence(op, oend, anchor, (uint32_t)(ip - anchor), off, mlen);
        if (!op)
            return NULL;
        ip += mlen;
        anchor = ip;
        misses = 0;
        if (ip <= mflimit) /* a position inside the match helps the next search */
            tab_put(table, hash4(read32(ip - 2)), (uint32_t)(ip - 2 - base), wide);
    }
    return put_sequence(op, oend, anchor, (uint32_t)(end - anchor), 0, 0);
}

int lz4_compress(const void *src, uint32_t n, void *dst, uint32_t cap, void *work)
{
    uint8_t *op = dst, *const oend = op + cap;
    if (n > LZ4_MAX_INPUT)
        return -EINVAL;
    if (n <= MFLIMIT)
        op = put_sequence(op, oend, src, n, 0, 0);
    else if (n <= 65536u)
        op = compress_body(src, n, op, oend, work, false);
    else
        op = compress_body(src, n, op, oend, work, true);
    if (!op)
        return -E2BIG;
    return (int)(op - (uint8_t *)dst);
}

/*
 * Add the extra bytes of a length field to *len, never past limit (which keeps
 * the sum far from overflowing). 0, or -EINVAL when the input ends first,
 * -E2BIG when the length exceeds limit.
 */
static inline int get_len(const uint8_t **ipp, const uint8_t *iend, uint32_t *len, uint32_t limit)
{
    const uint8_t *ip = *ipp;
    uint32_t b;
    do {
        if (ip >= iend)
            return -EINVAL;
        b = *ip++;
        *len += b;
        if (*len > limit)
            return -E2BIG;
    } while (b == 255u);
    *ipp = ip;
    return 0;
}

/*
 * Copy a match of mlen bytes from op - off (off <= bytes written) to op,
 * writing nothing at or past oend (op + mlen <= oend). With a word of room
 * past the match it copies whole words and overshoots (those bytes are
 * rewritten by what follows, or lie past the result); near the end it stops
 * exactly.
 */
static inline void copy_match(uint8_t *op, uint32_t off, uint32_t mlen, uint8_t *oend)
{
    uint8_t *const mend = op + mlen;
    const uint8_t *m = op - off;
    if (off < WSIZE) {
        /* Short period: copy one word's worth bytewise, then copy with a
         * distance that is a multiple of off and at least a word. */
        uint32_t head = mlen < WSIZE ? mlen : WSIZE;
        for (uint32_t i = 0; i < head; i++)
            *op++ = *m++;
        m = op - off * ((WSIZE + off - 1u) / off);
    }
    if ((uint32_t)(oend - mend) >= WSIZE) {
        while (op < mend) {
            write_word(op, read_word(m));
            op += WSIZE;
            m += WSIZE;
        }
        return;
    }
    while ((uint32_t)(mend - op) >= WSIZE) {
        write_word(op, read_word(m));
        op += WSIZE;
        m += WSIZE;
    }
    while (op < mend)
        *op++ = *m++;
}

int lz4_decompress(const void *src, uint32_t n, void *dst, uint32_t cap)
{
    const uint8_t *ip = src;
    uint8_t *op = dst;
    if (n > LZ4_MAX_INPUT)
        return -EINVAL;
    if (cap > LZ4_MAX_INPUT)
        cap = LZ4_MAX_INPUT;
    const uint8_t *const iend = ip + n;
    uint8_t *const ostart = op, *const oend = op + cap;

    for (;;) {
        if (ip >= iend)
            return -EINVAL; /* a block ends with a literals-only sequence */
        uint32_t token = *ip++;
        uint32_t lit = token >> 4;
        if (lit == 15u) {
            int err = get_len(&ip, iend, &lit, n);
            if (err)
                return -EINVAL;
        }
        if (lit > (uint32_t)(iend - ip))
            return -EINVAL;
        if (lit > (uint32_t)(oend - op))
            return -E2BIG;
        if (lit <= 2u * WSIZE && (uint32_t)(iend - ip) >= 2u * WSIZE && (uint32_t)(oend - op) >= 2u * WSIZE) {
            write_word(op, read_word(ip)); /* short literal run: two words, the excess overwritten later */
            write_word(op + WSIZE, read_word(ip + WSIZE));
        } else {
            memcpy(op, ip, lit);
        }
        op += lit;
        ip += lit;
        if (ip == iend)
            return (int)(op - ostart);

        if ((uint32_t)(iend - ip) < 2u)
            return -EINVAL;
        uint32_t off = (uint32_t)ip[0] | (uint32_t)ip[1] << 8;
        ip += 2;
        if (off == 0 || off > (uint32_t)(op - ostart))
            return -EINVAL;
        uint32_t mlen = token & 15u;
        if (mlen == 15u) {
            int err = get_len(&ip, iend, &mlen, cap);
            if (err)
                return err;
        }
        mlen += MINMATCH;
        if (mlen > (uint32_t)(oend - op))
            return -E2BIG;
        copy_match(op, off, mlen, oend);
        op += mlen;
    }
}
