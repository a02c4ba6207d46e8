/* Kernel heap: slab caches for small sizes, whole frames for large ones. */
#include "mm/kmem/kheap.h"
#include "mm/kmem/kpool.h"
#include "irqsave.h"
#include "kstring.h"
#include "ksyms.h"
#include "mmu.h"
#include "mm/pmm/physmem.h"
#include "mm/pmm/pmm.h"
#include "printk.h"

#define SLAB_MAGIC 0x51AB51ABu
#define REDZONE 8u           /* guard bytes after the largest request of a slot */
#define POISON_REDZONE 0xCBu /* slack + redzone of a live block */
#define POISON_FREE 0xDFu    /* a freed slot */
#define MAX_OBJS 256u
#define NO_OBJ 0xFFFFu
#define LARGE_MAX_SMALL 2048u

enum heap_sub { HEAP_SLAB = 1, HEAP_LARGE_HEAD, HEAP_LARGE_TAIL };

struct slab;

struct kmem_cache {
    uint32_t size;       /* largest request served */
    uint32_t stride;     /* size + REDZONE */
    uint32_t pages;      /* frames per slab */
    uint32_t count;      /* objects per slab */
    uint32_t obj_offset; /* first object, from the slab start */
    struct slab *partial, *full;
    uint32_t empty;      /* wholly free slabs kept on the partial list */
};

/* Header at the start of every slab; per-object request sizes and callers follow. */
struct slab {
    uint32_t magic;
    struct kmem_cache *cache;
    struct slab *next, *prev;
    uint16_t inuse, free_head;
    uint32_t used[MAX_OBJS / 32];
};

static const uint32_t class_sizes[] = {16, 32, 64, 128, 256, 512, 1024, 2048};
static struct kmem_cache caches[ARRAY_SIZE(class_sizes)];
static struct kheap_stats stats;
static int last_error = -1;

static uint16_t *slab_req(struct slab *s) { return (uint16_t *)(s + 1); }
static uint32_t *slab_caller(struct slab *s) { return (uint32_t *)ALIGN_UP((uintptr_t)(slab_req(s) + s->cache->count), 4); }
static uint8_t *slab_obj(struct slab *s, uint32_t i) { return (uint8_t *)s + s->cache->obj_offset + i * s->cache->stride; }

/* Lay out a cache: objects per slab and where they start. */
static void cache_setup(struct kmem_cache *c, uint32_t size)
{
    c->size = size;
    c->stride = size + REDZONE;
    c->pages = size <= 512 ? 1 : size == 1024 ? 2 : 4;
    uint32_t bytes = c->pages * PAGE_SIZE;
    uint32_t n = MIN(MAX_OBJS, (bytes - sizeof(struct slab)) / (c->stride + 6));
    for (;; n--) {
        uint32_t meta = ALIGN_UP(sizeof(struct slab) + n * 2, 4) + n * 4;
        uint32_t off = ALIGN_UP(meta, 8);
        if (off + n * c->stride <= bytes) {
            c->count = n;
            c->obj_offset = off;
            break;
        }
    }
    c->partial = c->full = NULL;
    c->empty = 0;
}

void kheap_init(void)
{
    for (uint32_t i = 0; i < ARRAY_SIZE(class_sizes); i++)
        cache_setup(&caches[i], class_sizes[i]);
    memset(&stats, 0, sizeof stats);
    last_error = -1;
    kpool_reset_all();
}

static void list_add(struct slab **head, struct slab *s)
{
    s->prev = NULL;
    s->next = *head;
    if (*head)
        (*head)->prev = s;
    *head = s;
}

static void list_del(struct slab **head, struct slab *s)
{
    if (s->prev)
        s->prev->next = s->next;
    else
        *head = s->next;
    if (s->next)
        s->next->prev = s->prev;
}

static void count_frames(int delta)
{
    stats.frames += (uint32_t)delta;
    if (stats.frames > stats.frames_peak)
        stats.frames_peak = stats.frames;
}

/* Take frames for a slab and thread its free list; NULL when out of memory. */
static struct slab *slab_create(struct kmem_cache *c)
{
    paddr_t pa = c->pages == 1 ? pmm_alloc(PMM_LOW, FRAME_HEAP) : pmm_alloc_contig(c->pages, 1, PMM_LOW, FRAME_HEAP);
    if (!pa)
        return NULL;
    struct slab *s = phys_to_virt(pa);
    for (uint32_t i = 0; i < c->pages; i++) {
        struct frame *f = pmm_frame(pa + i * PAGE_SIZE);
        f->sub = HEAP_SLAB;
        f->priv = (uint32_t)(uintptr_t)s;
    }
    memset(s, 0, sizeof *s);
    s->magic = SLAB_MAGIC;
    s->cache = c;
    s->free_head = 0;
    for (uint32_t i = 0; i < c->count; i++) {
        uint8_t *o = slab_obj(s, i);
        memset(o, POISON_FREE, c->stride);
        *(uint16_t *)o = (uint16_t)(i + 1 < c->count ? i + 1 : NO_OBJ);
    }
    count_frames((int)c->pages);
    c->empty++;
    list_add(&c->partial, s);
    return s;
}

static void slab_destroy(struct slab *s)
{
    struct kmem_cache *c = s->cache;
    paddr_t pa = virt_to_phys(s);
    s->magic = 0;
    count_frames(-(int)c->pages);
    if (c->pages == 1)
        pmm_free(pa);
    else
        pmm_free_contig(pa, c->pages);
}

static void account_alloc(uint32_t size)
{
    stats.allocs++;
    stats.bytes_in_use += size;
    if (stats.bytes_in_use > stats.bytes_peak)
        stats.bytes_peak = stats.bytes_in_use;
}

static void *slab_alloc(struct kmem_cache *c, uint32_t size, uint32_t caller)
{
    struct slab *s = c->partial;
    if (!s && !(s = slab_create(c)))
        return NULL;
    uint16_t i = s->free_head;
    uint8_t *o = slab_obj(s, i);
    s->free_head = *(uint16_t *)o;
    if (s->inuse++ == 0)
        c->empty--;
    if (s->free_head == NO_OBJ) {
        list_del(&c->partial, s);
        list_add(&c->full, s);
    }
    s->used[i >> 5] |= 1u << (i & 31);
    slab_req(s)[i] = (uint16_t)size;
    slab_caller(s)[i] = caller;
    memset(o + size, POISON_REDZONE, c->stride - size);
    account_alloc(size);
    return o;
}

static void *large_alloc(uint32_t size, uint32_t caller)
{
    uint32_t pages = (size + REDZONE + PAGE_SIZE - 1) / PAGE_SIZE;
    paddr_t pa = pages == 1 ? pmm_alloc(PMM_LOW, FRAME_HEAP) : pmm_alloc_contig(pages, 1, PMM_LOW, FRAME_HEAP);
    if (!pa)
        return NULL;
    struct frame *head = pmm_frame(pa);
    head->sub = HEAP_LARGE_HEAD;
    head->next = pages;
    head->prev = size;
    head->priv = caller;
    for (uint32_t i = 1; i < pages; i++) {
        struct frame *f = pmm_frame(pa + i * PAGE_SIZE);
        f->sub = HEAP_LARGE_TAIL;
        f->priv = pa >> PAGE_SHIFT;
    }
    uint8_t *p = phys_to_virt(pa);
    memset(p + size, POISON_REDZONE, REDZONE); /* the redzone right after the request */
    count_frames((int)pages);
    account_alloc(size);
    return p;
}

/* The allocator behind every kmalloc_*: caller is the return address to blame. */
static void *heap_alloc(uint32_t size, bool page_aligned, uint32_t caller)
{
    if (size == 0 || size > 0x10000000u)
        return NULL;
    void *p = NULL;
    uint32_t flags = irq_save();
    if (!page_aligned && size <= LARGE_MAX_SMALL) {
        uint32_t c = 0;
        while (class_sizes[c] < size)
            c++;
        p = slab_alloc(&caches[c], size, caller);
    } else {
        p = large_alloc(size, caller);
    }
    irq_restore(flags);
    return p;
}

void *kmalloc(uint32 size) { return heap_alloc(size, false, (uint32_t)(uintptr_t)__builtin_return_address(0)); }
void *kmalloc_a(uint32 size) { return heap_alloc(size, true, (uint32_t)(uintptr_t)__builtin_return_address(0)); }

void *kmalloc_p(uint32 size, uint32 *physical)
{
    void *p = heap_alloc(size, false, (uint32_t)(uintptr_t)__builtin_return_address(0));
    if (p && physical)
        *physical = virt_to_phys(p);
    return p;
}

void *kmalloc_ap(uint32 size, uint32 *physical)
{
    void *p = heap_alloc(size, true, (uint32_t)(uintptr_t)__builtin_return_address(0));
    if (p && physical)
        *physical = virt_to_phys(p);
    return p;
}

static const char *const error_names[] = {"double free", "free of a pointer the heap never returned",
                                          "write past the end of a block"};

/* Report a heap error; the block involved is left alone (quarantined). */
static void heap_error(enum kheap_error e, const void *ptr, uint32_t size, uint32_t alloc_caller, uint32_t caller)
{
    char by[64], from[64];
    stats.errors[e]++;
    last_error = (int)e;
    ksym_format(caller, by, sizeof by);
    if (alloc_caller) {
        ksym_format(alloc_caller, from, sizeof from);
        kprintf("kheap: %s: %p (%u bytes, allocated by %s), kfree called from %s\n", error_names[e], ptr, size, from, by);
    } else {
        kprintf("kheap: %s: %p, kfree called from %s\n", error_names[e], ptr, by);
    }
}

static bool poison_intact(const uint8_t *p, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        if (p[i] != POISON_REDZONE)
            return false;
    return true;
}

static void slab_free(struct slab *s, uint8_t *ptr, uint32_t caller)
{
    struct kmem_cache *c = s->cache;
    uint32_t off = (uint32_t)(ptr - slab_obj(s, 0));
    uint32_t i = off / c->stride;
    if (ptr < slab_obj(s, 0) || off % c->stride || i >= c->count)
        {
        heap_error(KHEAP_BAD_POINTER, ptr, 0, 0, caller);
        return;
    }
    uint32_t size = slab_req(s)[i], by = slab_caller(s)[i];
    if (!(s->used[i >> 5] & (1u << (i & 31))))
        {
        heap_error(KHEAP_DOUBLE_FREE, ptr, size, by, caller);
        return;
    }
    if (!poison_intact(ptr + size, c->stride - size))
        {
        heap_error(KHEAP_OVERFLOW, ptr, size, by, caller);
        return;
    }
    s->used[i >> 5] &= ~(1u << (i & 31));
    memset(ptr, POISON_FREE, c->stride);
    *(uint16_t *)ptr = s->free_head;
    if (s->free_head == NO_OBJ) {
        list_del(&c->full, s);
        list_add(&c->partial, s);
    }
    s->free_head = (uint16_t)i;
    stats.frees++;
    stats.bytes_in_use -= size;
    if (--s->inuse == 0 && c->empty++ > 0) {
        c->empty--;
        list_del(&c->partial, s);
        slab_destroy(s); /* keep just one empty slab per cache */
    }
}

static void large_free(struct frame *head, uint8_t *ptr, uint32_t caller)
{
    uint32_t pages = head->next, size = head->prev;
    if (!poison_intact(ptr + size, REDZONE))
        {
        heap_error(KHEAP_OVERFLOW, ptr, size, head->priv, caller);
        return;
    }
    stats.frees++;
    stats.bytes_in_use -= size;
    count_frames(-(int)pages);
    paddr_t pa = virt_to_phys(ptr);
    if (pages == 1)
        pmm_free(pa);
    else
        pmm_free_contig(pa, pages);
}

/* Identify the block ptr claims to be and release it, or report why not. */
static void heap_free(void *ptr, uint32_t caller)
{
    uintptr_t va = (uintptr_t)ptr;
    struct frame *f = NULL;
    if (va >= (uintptr_t)phys_to_virt(0) && va < (uintptr_t)phys_to_virt(0) + lowmem_end)
        f = pmm_frame(virt_to_phys(ptr));
    if (f && f->kind == FRAME_FREE && f->sub == HEAP_LARGE_HEAD && (va & PAGE_MASK) == 0)
        {
        heap_error(KHEAP_DOUBLE_FREE, ptr, 0, 0, caller);
        return;
    }
    if (!f || f->kind != FRAME_HEAP)
        {
        heap_error(KHEAP_BAD_POINTER, ptr, 0, 0, caller);
        return;
    }
    if (f->sub == HEAP_SLAB) {
        struct slab *s = (struct slab *)(uintptr_t)f->priv;
        if (s->magic != SLAB_MAGIC)
            {
        heap_error(KHEAP_BAD_POINTER, ptr, 0, 0, caller);
        return;
    }
        {
        slab_free(s, ptr, caller);
        return;
    }
    }
    if (f->sub == HEAP_LARGE_HEAD && (va & PAGE_MASK) == 0)
        {
        large_free(f, ptr, caller);
        return;
    }
    if (f->sub == HEAP_LARGE_HEAD || f->sub == HEAP_LARGE_TAIL) {
        /* inside a large block: it was never returned, but say whose block it is */
        struct frame *h = f->sub == HEAP_LARGE_HEAD ? f : pmm_frame(f->priv << PAGE_SHIFT);
        {
        heap_error(KHEAP_BAD_POINTER, ptr, h->prev, h->priv, caller);
        return;
    }
    }
    /* a large block already freed and not yet reused is no longer FRAME_HEAP */
    heap_error(KHEAP_BAD_POINTER, ptr, 0, 0, caller);
}

void kfree(void *ptr)
{
    if (!ptr)
        return;
    uint32_t flags = irq_save();
    heap_free(ptr, (uint32_t)(uintptr_t)__builtin_return_address(0));
    irq_restore(flags);
}

uint32_t kheap_trim(void)
{
    uint32_t freed = kpool_release_spares();
    for (uint32_t i = 0; i < ARRAY_SIZE(caches); i++) {
        struct kmem_cache *c = &caches[i];
        for (struct slab *s = c->partial, *next; s && c->empty; s = next) {
            next = s->next;
            if (s->inuse)
                continue;
            list_del(&c->partial, s);
            c->empty--;
            freed += c->pages;
            slab_destroy(s);
        }
    }
    return freed;
}

void kheap_get_stats(struct kheap_stats *st)
{
    *st = stats;
    st->cached_frames = 0;
    for (uint32_t i = 0; i < ARRAY_SIZE(class_sizes); i++)
        st->cached_frames += caches[i].empty * caches[i].pages;
    st->cached_frames += kpool_spare_frames(); /* the object pools' pages count as the heap's */
    st->frames += kpool_frames();
}
int kheap_last_error(void) { return last_error; }
