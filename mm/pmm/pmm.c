/* Physical frame allocator: bitmap + per-zone O(1) free lists. */
#include "mm/pmm/pmm.h"
#include "errno.h"
#include "kstring.h"
#include "mmu.h"
#include "mm/pmm/physmem.h"
#include "printk.h"

#define NO_PFN 0u /* pfn 0 is never free, so it ends a list */

struct frame *pmm_frames_;   /* [max_pfn]: pmm_frame() reads it inline */
#define frames pmm_frames_
static uint32_t *bitmap;      /* bit set = frame in use */
uint32_t pmm_max_pfn_;
#define max_pfn pmm_max_pfn_
static uint32_t list_head[ZONE_COUNT];
static uint32_t free_count[ZONE_COUNT];
static struct pmm_stats stats;

static inline bool bit_test(uint32_t pfn) { return bitmap[pfn >> 5] & (1u << (pfn & 31)); }
static inline void bit_set(uint32_t pfn) { bitmap[pfn >> 5] |= 1u << (pfn & 31); }
static inline void bit_clear(uint32_t pfn) { bitmap[pfn >> 5] &= ~(1u << (pfn & 31)); }

/* Link pfn at the head of its zone's free list. */
static void list_push(uint32_t pfn)
{
    struct frame *f = &frames[pfn];
    uint32_t head = list_head[f->zone];
    f->prev = NO_PFN;
    f->next = head;
    if (head != NO_PFN)
        frames[head].prev = pfn;
    list_head[f->zone] = pfn;
    free_count[f->zone]++;
}

/* Unlink pfn from whichever place of its zone's free list it is in. */
static void list_remove(uint32_t pfn)
{
    struct frame *f = &frames[pfn];
    if (f->prev != NO_PFN)
        frames[f->prev].next = f->next;
    else
        list_head[f->zone] = f->next;
    if (f->next != NO_PFN)
        frames[f->next].prev = f->prev;
    free_count[f->zone]--;
}

static bool overlaps(uint64_t s, uint64_t e, const struct phys_range *r, int n, uint64_t *skip_to)
{
    for (int i = 0; i < n; i++) {
        if (s < r[i].end && r[i].start < e) {
            *skip_to = r[i].end;
            return true;
        }
    }
    return false;
}

/* Find size bytes of page-aligned lowmem RAM clear of every reserved range. */
static paddr_t find_meta_space(uint32_t size, const struct phys_range *avail, int navail,
                               const struct phys_range *resv, int nresv)
{
    for (int i = 0; i < navail; i++) {
        uint64_t s = ALIGN_UP(MAX(avail[i].start, (uint64_t)PAGE_SIZE), (uint64_t)PAGE_SIZE);
        uint64_t end = MIN(avail[i].end, (uint64_t)lowmem_end), skip;
        while (s + size <= end) {
            if (!overlaps(s, s + size, resv, nresv, &skip))
                return (paddr_t)s;
            s = ALIGN_UP(skip, (uint64_t)PAGE_SIZE);
        }
    }
    return 0;
}

static uint32_t highest_pfn(const struct phys_range *avail, int navail)
{
    uint64_t top = 0;
    for (int i = 0; i < navail; i++) {
        uint64_t e = MIN(avail[i].end, 0x100000000ull);
        if (avail[i].start < 0x100000000ull && e > top)
            top = e;
        if (avail[i].end > 0x100000000ull)
            stats.ignored_bytes += avail[i].end - MAX(avail[i].start, 0x100000000ull);
    }
    return (uint32_t)(top >> PAGE_SHIFT);
}

/* Hand the whole frames of one RAM range to the free lists. */
static void release_range(const struct phys_range *r, const struct phys_range *resv, int nresv)
{
    uint64_t s = ALIGN_UP(r->start, (uint64_t)PAGE_SIZE);
    uint64_t e = ALIGN_DOWN(MIN(r->end, (uint64_t)max_pfn << PAGE_SHIFT), (uint64_t)PAGE_SIZE);
    for (uint64_t a = s; a < e; a += PAGE_SIZE) {
        uint32_t pfn = (uint32_t)(a >> PAGE_SHIFT);
        uint64_t skip;
        if (frames[pfn].kind != FRAME_RESERVED || !bit_test(pfn) || frames[pfn].refcount == 0xFFFF)
            continue; /* counted already (overlapping map entries) */
        stats.total_frames++;
        if (pfn == 0 || overlaps(a, a + PAGE_SIZE, resv, nresv, &skip)) {
            frames[pfn].refcount = 0xFFFF; /* RAM, but never handed out */
            stats.reserved_frames++;
            continue;
        }
        frames[pfn].kind = FRAME_FREE;
        frames[pfn].refcount = 0;
        bit_clear(pfn);
        list_push(pfn);
    }
}

int pmm_init(const struct phys_range *avail, int navail, const struct phys_range *reserved, int nreserved)
{
    memset(&stats, 0, sizeof stats);
    max_pfn = highest_pfn(avail, navail);
    uint32_t bitmap_bytes = ALIGN_UP(max_pfn, 32) / 8;
    uint32_t meta = ALIGN_UP(max_pfn * (uint32_t)sizeof(struct frame) + bitmap_bytes, PAGE_SIZE);
    paddr_t at = find_meta_space(meta, avail, navail, reserved, nreserved);
    if (!at)
        return -ENOMEM;
    frames = phys_to_virt(at);
    bitmap = (uint32_t *)(frames + max_pfn);
    memset(bitmap, 0xFF, bitmap_bytes);
    for (uint32_t pfn = 0; pfn < max_pfn; pfn++) {
        frames[pfn] = (struct frame){.kind = FRAME_RESERVED, .zone = ((paddr_t)pfn << PAGE_SHIFT) < lowmem_end ? ZONE_LOW : ZONE_HIGH};
    }
    list_head[ZONE_LOW] = list_head[ZONE_HIGH] = NO_PFN;
    free_count[ZONE_LOW] = free_count[ZONE_HIGH] = 0;
    struct phys_range resv[nreserved + 1];
    if (nreserved > 0)
        memcpy(resv, reserved, sizeof(struct phys_range) * (size_t)nreserved);
    resv[nreserved] = (struct phys_range){at, (uint64_t)at + meta};
    for (int i = 0; i < navail; i++)
        release_range(&avail[i], resv, nreserved + 1);
    for (uint32_t pfn = 0; pfn < max_pfn; pfn++)
        if (frames[pfn].refcount == 0xFFFF)
            frames[pfn].refcount = 0;
    stats.meta_bytes = meta;
    return 0;
}

/* Mark a free frame allocated to kind with one reference. */
static void take(uint32_t pfn, enum frame_kind kind)
{
    struct frame *f = &frames[pfn];
    bit_set(pfn);
    f->kind = (uint8_t)kind;
    f->refcount = 1;
    f->next = f->prev = f->priv = 0;
    f->sub = 0;
    f->flags = 0;
    f->owner = NULL;
    f->index = 0;
    f->pv_pmap = NULL;
    f->pv_va = 0;
    f->pv_more = NULL;
    stats.by_kind[kind]++;
    stats.used_frames++;
}

paddr_t pmm_alloc(unsigned flags, enum frame_kind kind)
{
    int zone = (flags & (PMM_LOW | PMM_PREFER_LOW)) ? ZONE_LOW : ZONE_HIGH;
    if (list_head[zone] == NO_PFN) {
        if (flags & PMM_LOW)
            return 0;
        zone ^= 1;
        if (list_head[zone] == NO_PFN)
            return 0;
    }
    uint32_t pfn = list_head[zone];
    list_remove(pfn);
    take(pfn, kind);
    paddr_t pa = (paddr_t)pfn << PAGE_SHIFT;
    if (flags & PMM_ZERO)
        pmm_zero(pa);
    return pa;
}

/* Return one allocated frame to its free list; checks the caller's claim. */
static void give_back(uint32_t pfn, const char *who)
{
    if (pfn >= max_pfn || !bit_test(pfn) || frames[pfn].kind == FRAME_FREE || frames[pfn].kind == FRAME_RESERVED)
        panic("%s: frame 0x%x is not an allocated frame", who, pfn << PAGE_SHIFT);
    struct frame *f = &frames[pfn];
    if (f->pv_pmap || f->owner)
        panic("%s: frame 0x%x is still mapped (pmap %p) or owned (%p)", who, pfn << PAGE_SHIFT, (void *)f->pv_pmap,
              f->owner);
    stats.by_kind[f->kind]--;
    stats.used_frames--;
    f->kind = FRAME_FREE;
    f->refcount = 0;
    bit_clear(pfn);
    list_push(pfn);
}

void pmm_free(paddr_t pa)
{
    uint32_t pfn = pa >> PAGE_SHIFT;
    if ((pa & PAGE_MASK) || (pfn < max_pfn && frames[pfn].refcount > 1))
        panic("pmm_free: bad frame 0x%x (refcount %u)", pa, pfn < max_pfn ? frames[pfn].refcount : 0);
    give_back(pfn, "pmm_free");
}

/* True if frames [pfn, pfn+n) are all free and in the zones flags allow. */
static bool run_is_free(uint32_t pfn, uint32_t n, unsigned flags)
{
    if (pfn == 0 || pfn + n > max_pfn)
        return false;
    if ((flags & PMM_LOW) && ((uint64_t)(pfn + n) << PAGE_SHIFT) > lowmem_end)
        return false;
    for (uint32_t i = 0; i < n; i++)
        if (bit_test(pfn + i))
            return false;
    return true;
}

paddr_t pmm_alloc_contig(uint32_t n, uint32_t align, unsigned flags, enum frame_kind kind)
{
    if (n == 0 || align == 0 || (align & (align - 1)))
        return 0;
    for (uint32_t pfn = align; pfn + n <= max_pfn; pfn += align) {
        if (bit_test(pfn))
            continue;
        if (!run_is_free(pfn, n, flags))
            continue;
        for (uint32_t i = 0; i < n; i++) {
            list_remove(pfn + i);
            take(pfn + i, kind);
        }
        paddr_t pa = (paddr_t)pfn << PAGE_SHIFT;
        if (flags & PMM_ZERO)
            for (uint32_t i = 0; i < n; i++)
                pmm_zero(pa + i * PAGE_SIZE);
        return pa;
    }
    return 0;
}

void pmm_free_contig(paddr_t pa, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        give_back((pa >> PAGE_SHIFT) + i, "pmm_free_contig");
}

bool pmm_is_free(paddr_t pa)
{
    uint32_t pfn = pa >> PAGE_SHIFT;
    return pfn < max_pfn && !bit_test(pfn);
}

/* Only frames the allocator handed out carry references. */
static struct frame *counted_frame(paddr_t pa)
{
    struct frame *f = pmm_frame(pa);
    if (!f || f->kind == FRAME_FREE || f->kind == FRAME_RESERVED)
        return NULL;
    return f;
}

/* pmm_ref's way for a frame it does not count, or one about to overflow. */
void pmm_ref_slow(paddr_t pa)
{
    struct frame *f = counted_frame(pa);
    if (f) {
        if (f->refcount == 0xFFFF)
            panic("pmm_ref: refcount overflow on frame 0x%x", pa);
        f->refcount++;
    }
}

/* pmm_unref's way for the last reference (the frame is freed) or a frame it does not count. */
uint32_t pmm_unref_slow(paddr_t pa)
{
    struct frame *f = counted_frame(pa);
    if (!f)
        return 0;
    if (--f->refcount == 0) {
        f->refcount = 1;
        give_back(pa >> PAGE_SHIFT, "pmm_unref");
        return 0;
    }
    return f->refcount;
}

void pmm_zero(paddr_t pa)
{
    void *va = kmap(pa & ~PAGE_MASK);
    arch_page_zero(va);
    kunmap(va);
}

void pmm_get_stats(struct pmm_stats *st)
{
    *st = stats;
    st->free_frames = free_count[ZONE_LOW] + free_count[ZONE_HIGH];
    st->free_low_frames = free_count[ZONE_LOW];
}

paddr_t pmm_phys_end(void) { return (paddr_t)max_pfn << PAGE_SHIFT; }
