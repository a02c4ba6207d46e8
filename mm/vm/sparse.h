/*
 * A sparse array: uint32_t index -> pointer, NULL where nothing is stored.
 * Two levels: a directory of chunk pointers, each chunk SPARSE_CHUNK slots,
 * allocated (from a pool) on the first store into it and freed when
 * emptied, so memory follows what is stored rather than the index range;
 * a one-chunk directory lives inside the struct. Lookups are O(1). The
 * array never owns what its slots point to. Not locked.
 */
#ifndef EYN_SPARSE_H
#define EYN_SPARSE_H

#include "types.h"

#define SPARSE_CHUNK 32u /* slots per chunk: 132 bytes on i386 */

struct sparse_chunk {
    uint32_t used; /* non-NULL slots */
    void *slot[SPARSE_CHUNK];
};

struct sparse {
    uint32_t nchunks;             /* directory length */
    struct sparse_chunk **chunks; /* NULL entries: chunks never stored into (or emptied) */
    struct sparse_chunk *first;   /* the directory while it has one entry (no allocation) */
    uint32_t count;               /* non-NULL slots in all */
};

/* An empty array (nothing allocated). */
void sparse_init(struct sparse *s);
/* The pointer at i, or NULL. */
static inline void *sparse_get(const struct sparse *s, uint32_t i)
{
    uint32_t c = i / SPARSE_CHUNK;
    if (c >= s->nchunks || !s->chunks[c])
        return NULL;
    return s->chunks[c]->slot[i % SPARSE_CHUNK];
}
/* Make sure slot i can be stored without allocating: 0 or -ENOMEM. */
int sparse_reserve(struct sparse *s, uint32_t i);
int sparse_set_slow(struct sparse *s, uint32_t i, void *p);

/* Store p (non-NULL) at i, replacing what was there: 0 or -ENOMEM (nothing changed). */
static inline int sparse_set(struct sparse *s, uint32_t i, void *p)
{
    uint32_t c = i / SPARSE_CHUNK;
    struct sparse_chunk *ch = c < s->nchunks ? s->chunks[c] : NULL;
    if (!ch)
        return sparse_set_slow(s, i, p); /* a chunk to allocate first */
    void **slot = &ch->slot[i % SPARSE_CHUNK];
    if (!*slot) {
        ch->used++;
        s->count++;
    }
    *slot = p;
    return 0;
}
/* Clear slot i; returns what was there (NULL if nothing). An emptied chunk is freed. */
void *sparse_take(struct sparse *s, uint32_t i);
/* Free chunk c (emptied) of s. */
void sparse_chunk_free(struct sparse *s, uint32_t c);

/* Clear slots [from, from + n) (n may run to UINT32_MAX), calling fn(pointer, arg) on each one that held one. */
static inline void sparse_take_range(struct sparse *s, uint32_t from, uint32_t n, void (*fn)(void *p, void *arg), void *arg)
{
    uint64_t end = (uint64_t)from + n;
    for (uint32_t c = from / SPARSE_CHUNK; c < s->nchunks && (uint64_t)c * SPARSE_CHUNK < end; c++) {
        struct sparse_chunk *ch = s->chunks[c];
        if (!ch)
            continue;
        uint64_t base = (uint64_t)c * SPARSE_CHUNK;
        uint32_t k = base < from ? from - (uint32_t)base : 0;
        uint32_t stop = end - base < SPARSE_CHUNK ? (uint32_t)(end - base) : SPARSE_CHUNK;
        for (; k < stop && ch->used; k++) {
            void *p = ch->slot[k];
            if (!p)
                continue;
            ch->slot[k] = NULL;
            ch->used--;
            s->count--;
            fn(p, arg);
        }
        if (!ch->used)
            sparse_chunk_free(s, c);
    }
}

/* The first index >= from holding a pointer, or false if none. */
bool sparse_next(const struct sparse *s, uint32_t from, uint32_t *at);
/* Move every slot up by n * SPARSE_CHUNK indexes (room below index 0): 0 or -ENOMEM (nothing changed). */
int sparse_shift_up(struct sparse *s, uint32_t nchunks);
/* Free the directory and every chunk (the caller has dealt with what they point to). */
void sparse_destroy(struct sparse *s);

#endif
