/*
 * LZ4 block format (the publicly documented one): a block is a run of
 * sequences, each a token (high nibble: literal count, low nibble: match
 * length - 4; 15 means more length bytes follow, each added, 255 meaning
 * another), the literals, a 16-bit little-endian back offset (1..65535) and
 * the match length's extra bytes. The last sequence is literals only; a
 * compressor keeps the last 5 bytes literal and starts no match later than
 * 12 bytes before the end. Independent blocks only (no dictionary).
 *
 * Both functions are pure: no allocation, no static state, callable from
 * anywhere in the kernel (the compressor's hash table is the caller's work
 * area).
 */
#ifndef EYN_LZ4_H
#define EYN_LZ4_H

#include "types.h"

#define LZ4_HASH_LOG 12u                                /* 4096 hash entries */
#define LZ4_WORK_SIZE ((1u << LZ4_HASH_LOG) * 4u)       /* bytes of the compressor's work area (16 KiB) */
#define LZ4_BOUND(n) ((n) + (n) / 255u + 16u)           /* worst-case compressed size of n bytes */
#define LZ4_MAX_INPUT 0x7E000000u                       /* largest n either function takes */

/*
 * Compress src[0..n) into dst[0..cap) as one LZ4 block, using work
 * (LZ4_WORK_SIZE bytes, any alignment of 4) for the hash table. Returns the
 * block's size (> 0; at most LZ4_BOUND(n)), or -E2BIG when it does not fit in
 * cap (dst may then hold garbage), -EINVAL when n > LZ4_MAX_INPUT. n == 0
 * gives the one-byte empty block.
 */
int lz4_compress(const void *src, uint32_t n, void *dst, uint32_t cap, void *work);

/*
 * Decompress the LZ4 block src[0..n) into dst[0..cap). Returns the
 * decompressed size, or a negative error for any malformed block: -EINVAL
 * (truncated sequence, offset 0 or reaching before dst, trailing garbage),
 * -E2BIG (the output would exceed cap). Whatever the bytes, it reads nothing
 * outside src[0..n) and writes nothing outside dst[0..cap) (bytes of dst past
 * the returned size, or all of it on an error, may have been changed).
 */
int lz4_decompress(const void *src, uint32_t n, void *dst, uint32_t cap);

#endif
