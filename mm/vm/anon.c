/* Anons and amaps (see anon.h). */
#include "mm/vm/anon.h"
#include "errno.h"
#include "mm/kmem/kpool.h"
#include "mm/pmm/pmm.h"
#include "mm/reclaim/swap.h"
#include "mm/reclaim/zswap.h"
#include "mm/vm/page_lru.h"

struct anon_stats anon_stats;
static struct kpool anon_pool = KPOOL_INIT("anon", sizeof(struct vm_anon));
static struct kpool amap_pool = KPOOL_INIT("amap", sizeof(struct vm_amap));

struct vm_anon *anon_alloc_frame(paddr_t pa, struct frame *f)
{
    struct vm_anon *a = kpool_alloc(&anon_pool);
    if (!a)
        return NULL;
    a->refs = 1;
    a->frame = 0;
    a->z = NULL;
    a->slot = 0;
    if (f)
        anon_take_frame(a, pa);
    else
        a->frame = pa; /* no metadata (host tests' unmanaged frames): not on the LRU */
    anon_stats.anons++;
    return a;
}

void anon_take_frame(struct vm_anon *a, paddr_t pa)
{
    struct frame *f = pmm_frame(pa);
    a->frame = pa;
    f->flags = (uint8_t)((f->flags & ~FRAME_F_OBJECT) | FRAME_F_ANON);
    f->owner = a;
    f->index = 0;
    page_lru_insert(&lru_anon, pa);
}

void anon_release_frame(struct vm_anon *a)
{
    struct frame *f = pmm_frame(a->frame);
    if (f && f->owner == a) {
        page_lru_remove(&lru_anon, a->frame); /* the links must be off the list before the frame can be freed */
        f->flags &= (uint8_t)~FRAME_F_ANON;
        f->owner = NULL;
    }
    pmm_unref(a->frame);
    a->frame = 0;
}

/* The last reference to a is gone: give up its page (frame or paged-out copy), free it. */
void anon_free(struct vm_anon *a)
{
    if (a->frame)
        anon_release_frame(a);
    if (a->z)
        zswap_drop(a->z);
    if (a->slot)
        swap_free(a->slot);
    anon_stats.anons--;
    kpool_free(&anon_pool, a);
}

struct vm_amap *amap_alloc(void)
{
    struct vm_amap *m = kpool_alloc(&amap_pool);
    if (!m)
        return NULL;
    m->refs = 1;
    m->stale = false;
    sparse_init(&m->slots);
    anon_stats.amaps++;
    return m;
}

void amap_ref(struct vm_amap *m) { m->refs++; }

void amap_unref(struct vm_amap *m)
{
    if (--m->refs)
        return;
    amap_wipe(m, 0, UINT32_MAX);
    sparse_destroy(&m->slots);
    anon_stats.amaps--;
    kpool_free(&amap_pool, m);
}

static void unref_one(void *a, void *unused)
{
    (void)unused;
    anon_unref(a);
}

void amap_wipe(struct vm_amap *m, uint32_t slot, uint32_t n)
{
    if (m->slots.count)
        sparse_take_range(&m->slots, slot, n, unref_one, NULL);
}

struct vm_amap *amap_copy(const struct vm_amap *m, uint32_t slot, uint32_t n, uint32_t base)
{
    struct vm_amap *c = amap_alloc();
    if (!c)
        return NULL;
    uint32_t at;
    for (uint32_t from = slot; sparse_next(&m->slots, from, &at) && at - slot < n; from = at + 1) {
        struct vm_anon *a = sparse_get(&m->slots, at);
        if (sparse_set(&c->slots, base + (at - slot), a)) {
            sparse_destroy(&c->slots); /* nothing referenced yet: the anons are m's */
            anon_stats.amaps--;
            kpool_free(&amap_pool, c);
            return NULL;
        }
    }
    for (uint32_t from = 0; sparse_next(&c->slots, from, &at); from = at + 1)
        anon_ref(sparse_get(&c->slots, at));
    return c;
}

struct vm_amap *amap_extract(struct vm_amap *m, uint32_t slot, uint32_t n, uint32_t base)
{
    struct vm_amap *c = amap_alloc();
    if (!c)
        return NULL;
    uint32_t at;
    for (uint32_t from = slot; sparse_next(&m->slots, from, &at) && at - slot < n; from = at + 1) {
        if (sparse_reserve(&c->slots, base + (at - slot))) {
            sparse_destroy(&c->slots);
            anon_stats.amaps--;
            kpool_free(&amap_pool, c);
            return NULL;
        }
    }
    while (sparse_next(&m->slots, slot, &at) && at - slot < n)
        sparse_set(&c->slots, base + (at - slot), sparse_take(&m->slots, at)); /* reserved: cannot fail */
    return c;
}

uint32_t amap_shift_up(struct vm_amap *m, uint32_t slots)
{
    uint32_t chunks = (slots + SPARSE_CHUNK - 1) / SPARSE_CHUNK;
    chunks = MAX(chunks, m->slots.nchunks); /* at least double: a stack growing a page at a time shifts rarely */
    return sparse_shift_up(&m->slots, chunks) ? 0 : chunks * SPARSE_CHUNK;
}
