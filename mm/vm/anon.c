/* Anons and amaps (see anon.h). */
#include "mm/vm/anon.h"
#include "errno.h"
#include "mm/kmem/kheap.h"
#include "mm/pmm/pmm.h"

struct anon_stats anon_stats;

struct vm_anon *anon_alloc(paddr_t pa)
{
    struct vm_anon *a = kmalloc(sizeof *a);
    if (!a)
        return NULL;
    a->refs = 1;
    a->frame = pa;
    struct frame *f = pmm_frame(pa);
    if (f) {
        f->flags = (uint8_t)((f->flags & ~FRAME_F_OBJECT) | FRAME_F_ANON);
        f->owner = a;
        f->index = 0;
    }
    anon_stats.anons++;
    return a;
}

void anon_ref(struct vm_anon *a) { a->refs++; }

void anon_unref(struct vm_anon *a)
{
    if (--a->refs)
        return;
    struct frame *f = pmm_frame(a->frame);
    if (f && f->owner == a) {
        f->flags &= (uint8_t)~FRAME_F_ANON;
        f->owner = NULL;
    }
    pmm_unref(a->frame);
    anon_stats.anons--;
    kfree(a);
}

struct vm_amap *amap_alloc(void)
{
    struct vm_amap *m = kmalloc(sizeof *m);
    if (!m)
        return NULL;
    m->refs = 1;
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
    kfree(m);
}

struct vm_anon *amap_lookup(const struct vm_amap *m, uint32_t slot) { return sparse_get(&m->slots, slot); }

int amap_set(struct vm_amap *m, uint32_t slot, struct vm_anon *a)
{
    struct vm_anon *old = sparse_get(&m->slots, slot);
    if (sparse_set(&m->slots, slot, a))
        return -ENOMEM;
    if (old)
        anon_unref(old);
    return 0;
}

void amap_wipe(struct vm_amap *m, uint32_t slot, uint32_t n)
{
    uint32_t at, end = n > UINT32_MAX - slot ? UINT32_MAX : slot + n;
    while (sparse_next(&m->slots, slot, &at) && at < end) {
        anon_unref(sparse_take(&m->slots, at));
        slot = at + 1;
    }
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
            kfree(c);
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
            kfree(c);
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
    return sparse_shift_up(&m->slots, chunks) ? 0 : chunks * SPARSE_CHUNK;
}

uint32_t amap_count(const struct vm_amap *m) { return m->slots.count; }
