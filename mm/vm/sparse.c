/* The sparse array (see sparse.h). */
#include "mm/vm/sparse.h"
#include "errno.h"
#include "kstring.h"
#include "mm/kmem/kheap.h"
#include "mm/kmem/kpool.h"

static struct kpool chunk_pool = KPOOL_INIT("sparse chunk", sizeof(struct sparse_chunk));

void sparse_init(struct sparse *s)
{
    s->nchunks = 0;
    s->chunks = NULL;
    s->first = NULL;
    s->count = 0;
}

/* Install directory d of n entries, freeing the old one unless it was the inline entry. */
static void set_dir(struct sparse *s, struct sparse_chunk **d, uint32_t n)
{
    if (s->chunks != &s->first)
        kfree(s->chunks);
    s->chunks = d;
    s->nchunks = n;
}

/* Grow the directory to at least n chunks: 0 or -ENOMEM. */
static int grow_dir(struct sparse *s, uint32_t n)
{
    if (n <= s->nchunks)
        return 0;
    if (n == 1) { /* the inline entry */
        s->first = NULL;
        set_dir(s, &s->first, 1);
        return 0;
    }
    uint32_t want = MAX(n, s->nchunks * 2);
    struct sparse_chunk **d = kmalloc(want * sizeof *d);
    if (!d)
        return -ENOMEM;
    if (s->nchunks)
        memcpy(d, s->chunks, s->nchunks * sizeof *d);
    memset(d + s->nchunks, 0, (want - s->nchunks) * sizeof *d);
    set_dir(s, d, want);
    return 0;
}

int sparse_reserve(struct sparse *s, uint32_t i)
{
    uint32_t c = i / SPARSE_CHUNK;
    if (c >= s->nchunks && grow_dir(s, c + 1))
        return -ENOMEM;
    if (!s->chunks[c]) {
        struct sparse_chunk *ch = kpool_alloc(&chunk_pool);
        if (!ch)
            return -ENOMEM;
        memset(ch, 0, sizeof *ch);
        s->chunks[c] = ch;
    }
    return 0;
}

/* sparse_set when i's chunk does not exist yet. */
int sparse_set_slow(struct sparse *s, uint32_t i, void *p)
{
    if (sparse_reserve(s, i))
        return -ENOMEM;
    struct sparse_chunk *ch = s->chunks[i / SPARSE_CHUNK];
    void **slot = &ch->slot[i % SPARSE_CHUNK];
    if (!*slot) {
        ch->used++;
        s->count++;
    }
    *slot = p;
    return 0;
}

void *sparse_take(struct sparse *s, uint32_t i)
{
    uint32_t c = i / SPARSE_CHUNK;
    if (c >= s->nchunks || !s->chunks[c])
        return NULL;
    struct sparse_chunk *ch = s->chunks[c];
    void *p = ch->slot[i % SPARSE_CHUNK];
    if (!p)
        return NULL;
    ch->slot[i % SPARSE_CHUNK] = NULL;
    s->count--;
    if (--ch->used == 0) {
        kpool_free(&chunk_pool, ch);
        s->chunks[c] = NULL;
    }
    return p;
}

void sparse_chunk_free(struct sparse *s, uint32_t c)
{
    kpool_free(&chunk_pool, s->chunks[c]);
    s->chunks[c] = NULL;
}

bool sparse_next(const struct sparse *s, uint32_t from, uint32_t *at)
{
    for (uint32_t c = from / SPARSE_CHUNK; c < s->nchunks; c++) {
        const struct sparse_chunk *ch = s->chunks[c];
        if (!ch)
            continue;
        for (uint32_t k = c == from / SPARSE_CHUNK ? from % SPARSE_CHUNK : 0; k < SPARSE_CHUNK; k++) {
            if (ch->slot[k]) {
                *at = c * SPARSE_CHUNK + k;
                return true;
            }
        }
    }
    return false;
}

int sparse_shift_up(struct sparse *s, uint32_t n)
{
    if (n == 0)
        return 0;
    if (s->nchunks > UINT32_MAX / SPARSE_CHUNK - n)
        return -ENOMEM;
    struct sparse_chunk **d = kmalloc((s->nchunks + n) * sizeof *d);
    if (!d)
        return -ENOMEM;
    memset(d, 0, n * sizeof *d);
    if (s->nchunks)
        memcpy(d + n, s->chunks, s->nchunks * sizeof *d);
    set_dir(s, d, s->nchunks + n);
    return 0;
}

void sparse_destroy(struct sparse *s)
{
    for (uint32_t c = 0; c < s->nchunks; c++)
        if (s->chunks[c])
            kpool_free(&chunk_pool, s->chunks[c]);
    set_dir(s, NULL, 0);
    sparse_init(s);
}
