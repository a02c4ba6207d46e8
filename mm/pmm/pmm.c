/*
 * Physical frame allocator: a binary buddy system per zone over the frame
 * array, a bitmap beside it, and per-zone caches of small freed blocks.
 *
 * Every free frame is in exactly one place: inside a block on a buddy list
 * (free_head[zone][order], the block's first frame carries the order), or
 * inside a block on a cache list (hot[zone][order], orders < PMM_HOT_ORDERS,
 * the head's order field says PMM_NO_ORDER so that no buddy merges with it).
 * Buddy lists hold no two free buddies of one order and zone (they are merged
 * on free); caches are drained to the buddy lists in batches when they pass
 * their limit, and entirely when an allocation finds no block otherwise.
 */
#include "mm/pmm/pmm.h"
#include "errno.h"
#include "kstring.h"
#include "mmu.h"
#include "mm/pmm/physmem.h"
#include "printk.h"

#define NO_PFN 0u /* pfn 0 is never free, so it ends a list */
#define MAX_ORDER PMM_MAX_ORDER
#define HOT_ORDERS PMM_HOT_ORDERS
#define NO_ORDER PMM_NO_ORDER

struct frame *pmm_frames_;   /* [max_pfn]: pmm_frame() reads it inline */
#define frames pmm_frames_
static uint32_t *bitmap;      /* bit set = frame in use */
uint32_t pmm_max_pfn_;
#define max_pfn pmm_max_pfn_

static uint32_t free_head[ZONE_COUNT][MAX_ORDER + 1]; /* buddy lists */
static uint32_t free_mask[ZONE_COUNT];                /* bit k: free_head[z][k] is not empty */

/* Whole freed blocks of one small order, newest at the head; drained from the tail. */
struct hot_list {
    uint32_t head, tail, count;
};
static struct hot_list hot[ZONE_COUNT][HOT_ORDERS];
/* Blocks a cache holds before it gives half of them to the buddy lists:
 * at most 64 frames per order, 160 per zone. */
static const uint32_t hot_limit[HOT_ORDERS] = {64, 16, 8, 4};

static uint32_t free_count[ZONE_COUNT]; /* free frames: buddy lists + caches */
static struct pmm_stats stats;

static inline bool bit_test(uint32_t pfn) { return bitmap[pfn >> 5] & (1u << (pfn & 31)); }
static inline void bit_set(uint32_t pfn) { bitmap[pfn >> 5] |= 1u << (pfn & 31); }
static inline void bit_clear(uint32_t pfn) { bitmap[pfn >> 5] &= ~(1u << (pfn & 31)); }

/* ---- buddy lists ---- */

/* Put the free block [pfn, pfn + 2^k) of zone z at the head of its list. */
static inline void buddy_push(uint32_t pfn, unsigned k, unsigned z)
{
    struct frame *f = &frames[pfn];
    uint32_t head = free_head[z][k];
    f->order = (uint8_t)k;
    f->prev = NO_PFN;
    f->next = head;
    if (head != NO_PFN)
        frames[head].prev = pfn;
    free_head[z][k] = pfn;
    free_mask[z] |= 1u << k;
}

/* Take the block headed by pfn off its list (anywhere in it). */
static inline void buddy_unlink(uint32_t pfn, unsigned k, unsigned z)
{
    struct frame *f = &frames[pfn];
    f->order = NO_ORDER;
    if (f->prev != NO_PFN) {
        frames[f->prev].next = f->next;
    } else {
        free_head[z][k] = f->next;
        if (f->next == NO_PFN)
            free_mask[z] &= ~(1u << k);
    }
    if (f->next != NO_PFN)
        frames[f->next].prev = f->prev;
}

/*
 * Give the free block [pfn, pfn + 2^k) (frames marked free, on no list) to the
 * buddy lists, merged with its buddy for as long as the buddy is a free block
 * of the same order on a list of the same zone.
 */
static void buddy_free(uint32_t pfn, unsigned k)
{
    unsigned z = frames[pfn].zone;
    while (k < MAX_ORDER) {
        uint32_t b = pfn ^ (1u << k);
        if (b >= max_pfn || frames[b].order != k || frames[b].zone != z)
            break;
        buddy_unlink(b, k, z);
        pfn &= ~(1u << k);
        k++;
    }
    buddy_push(pfn, k, z);
}

/*
 * An aligned block of 2^k frames off zone z's buddy lists, split from the
 * smallest larger block if need be (the lower halves go back, the top is
 * taken), or NO_PFN when the zone has none.
 */
static uint32_t buddy_take(unsigned z, unsigned k)
{
    uint32_t m = free_mask[z] & (~0u << k);
    if (!m)
        return NO_PFN;
    unsigned j = (unsigned)__builtin_ctz(m);
    uint32_t pfn = free_head[z][j];
    buddy_unlink(pfn, j, z);
    while (j > k) {
        j--;
        buddy_push(pfn, j, z);
        pfn += 1u << j;
    }
    return pfn;
}

/* Give the free frames [pfn, pfn + n) (on no list) to the buddy lists as the
 * largest aligned blocks that stay inside one zone. */
static void free_range(uint32_t pfn, uint32_t n)
{
    while (n) {
        unsigned k = pfn ? (unsigned)__builtin_ctz(pfn) : MAX_ORDER;
        if (k > MAX_ORDER)
            k = MAX_ORDER;
        while ((1u << k) > n)
            k--;
        while (k && frames[pfn].zone != frames[pfn + (1u << k) - 1].zone)
            k--;
        buddy_free(pfn, k);
        pfn += 1u << k;
        n -= 1u << k;
    }
}

/* ---- caches of small blocks ---- */

static inline uint32_t hot_pop(struct hot_list *h)
{
    uint32_t pfn = h->head;
    if (pfn != NO_PFN) {
        uint32_t next = frames[pfn].next;
        h->head = next;
        if (next != NO_PFN)
            frames[next].prev = NO_PFN;
        else
            h->tail = NO_PFN;
        h->count--;
    }
    return pfn;
}

/* Move up to n blocks from the cold end of a cache to the buddy lists. */
static void hot_drain(struct hot_list *h, unsigned k, uint32_t n)
{
    while (n-- && h->tail != NO_PFN) {
        uint32_t pfn = h->tail, prev = frames[pfn].prev;
        h->tail = prev;
        if (prev != NO_PFN)
            frames[prev].next = NO_PFN;
        else
            h->head = NO_PFN;
        h->count--;
        buddy_free(pfn, k);
    }
}

static inline void hot_push(unsigned z, unsigned k, uint32_t pfn)
{
    struct hot_list *h = &hot[z][k];
    struct frame *f = &frames[pfn];
    f->prev = NO_PFN;
    f->next = h->head;
    if (h->head != NO_PFN)
        frames[h->head].prev = pfn;
    else
        h->tail = pfn;
    h->head = pfn;
    if (++h->count > hot_limit[k])
        hot_drain(h, k, hot_limit[k] / 2);
}

/* Every cached block of zone z to the buddy lists; true if there was any. */
static bool drain_zone(unsigned z)
{
    bool any = false;
    for (unsigned k = 0; k < HOT_ORDERS; k++) {
        any |= hot[z][k].count != 0;
        hot_drain(&hot[z][k], k, ~0u);
    }
    return any;
}

/* ---- boot ---- */

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

/* Mark the whole frames of one RAM range free (the lists are built afterwards). */
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
        free_count[frames[pfn].zone]++;
    }
}

int pmm_init(const struct phys_range *avail, int navail, const struct phys_range *reserved, int nreserved)
{
    memset(&stats, 0, sizeof stats);
    memset(free_head, 0, sizeof free_head);
    memset(free_mask, 0, sizeof free_mask);
    memset(hot, 0, sizeof hot);
    memset(free_count, 0, sizeof free_count);
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
        frames[pfn] = (struct frame){.kind = FRAME_RESERVED,
                                     .zone = ((paddr_t)pfn << PAGE_SHIFT) < lowmem_end ? ZONE_LOW : ZONE_HIGH,
                                     .order = NO_ORDER};
    }
    struct phys_range resv[nreserved + 1];
    if (nreserved > 0)
        memcpy(resv, reserved, sizeof(struct phys_range) * (size_t)nreserved);
    resv[nreserved] = (struct phys_range){at, (uint64_t)at + meta};
    for (int i = 0; i < navail; i++)
        release_range(&avail[i], resv, nreserved + 1);
    /* every maximal stretch of free frames becomes the largest aligned blocks it holds */
    uint32_t run = 0;
    for (uint32_t pfn = 0; pfn < max_pfn; pfn++) {
        if (frames[pfn].refcount == 0xFFFF)
            frames[pfn].refcount = 0;
        if (frames[pfn].kind == FRAME_FREE) {
            run++;
            continue;
        }
        if (run)
            free_range(pfn - run, run);
        run = 0;
    }
    if (run)
        free_range(max_pfn - run, run);
    stats.meta_bytes = meta;
    return 0;
}

/* ---- allocation ---- */

/* Mark a free frame (on no list) allocated to kind with one reference; the
 * caller counts it (free_count, by_kind, used_frames). */
static inline void take(uint32_t pfn, enum frame_kind kind)
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
}

/* Add sign * 1 to the free count of each frame's zone in [pfn, pfn + n). */
static inline void count_run(uint32_t pfn, uint32_t n, int sign)
{
    unsigned z = frames[pfn].zone;
    if (frames[pfn + n - 1].zone == z) {
        free_count[z] += (uint32_t)sign * n;
    } else { /* a scanned run across the zone boundary */
        for (uint32_t i = 0; i < n; i++)
            free_count[frames[pfn + i].zone] += (uint32_t)sign;
    }
}

/* A frame of zone z (which has free frames) when its order-0 cache is empty. */
static uint32_t alloc_one_slow(unsigned z)
{
    uint32_t pfn = buddy_take(z, 0);
    if (pfn == NO_PFN) {
        drain_zone(z); /* the free frames are in caches of larger blocks */
        pfn = buddy_take(z, 0);
        if (pfn == NO_PFN)
            panic("pmm: zone %u counts %u free frames but has none", z, free_count[z]);
    }
    return pfn;
}

paddr_t pmm_alloc(unsigned flags, enum frame_kind kind)
{
    unsigned zone = (flags & (PMM_LOW | PMM_PREFER_LOW)) ? ZONE_LOW : ZONE_HIGH;
    if (free_count[zone] == 0) {
        if (flags & PMM_LOW)
            return 0;
        zone ^= 1;
        if (free_count[zone] == 0)
            return 0;
    }
    uint32_t pfn = hot_pop(&hot[zone][0]);
    if (pfn == NO_PFN)
        pfn = alloc_one_slow(zone);
    take(pfn, kind);
    free_count[zone]--;
    stats.by_kind[kind]++;
    stats.used_frames++;
    paddr_t pa = (paddr_t)pfn << PAGE_SHIFT;
    if (flags & PMM_ZERO)
        pmm_zero(pa);
    return pa;
}

/* The zones a request may use, in the order to try them; returns how many. */
static int zones_for(unsigned flags, unsigned zones[ZONE_COUNT])
{
    if (flags & PMM_LOW) {
        zones[0] = ZONE_LOW;
        return 1;
    }
    zones[0] = (flags & PMM_PREFER_LOW) ? ZONE_LOW : ZONE_HIGH;
    zones[1] = zones[0] ^ 1;
    return 2;
}

/*
 * n frames at a multiple of align out of a buddy block of order k (2^k >= n,
 * 2^k >= align), NO_PFN if no zone allowed has such a block. The frames of
 * the block the run leaves out go back to the free lists at once. The run
 * sits at the end of the block that faces the block's buddy, so the leftovers
 * of two buddies lie at the outer ends of their pair, next to the leftovers of
 * the neighbouring pairs: runs of odd sizes leave free stretches that other
 * odd runs (the bitmap scan) can still use.
 */
static uint32_t contig_buddy(uint32_t n, uint32_t align, unsigned k, unsigned flags)
{
    unsigned zones[ZONE_COUNT];
    int nz = zones_for(flags, zones);
    bool whole = k < HOT_ORDERS && n == (1u << k);
    for (int pass = 0; pass < 2; pass++) {
        for (int i = 0; i < nz; i++) {
            unsigned z = zones[i];
            if (free_count[z] < n)
                continue;
            uint32_t pfn = whole ? hot_pop(&hot[z][k]) : NO_PFN;
            if (pfn != NO_PFN)
                return pfn;
            pfn = buddy_take(z, k);
            if (pfn != NO_PFN) {
                uint32_t size = 1u << k, at = (pfn & size) ? 0 : ALIGN_DOWN(size - n, align);
                if (at)
                    free_range(pfn, at);
                if (at + n < size)
                    free_range(pfn + at + n, size - at - n);
                return pfn + at;
            }
        }
        /* none on the buddy lists: what the caches hold may merge into one */
        bool any = false;
        for (int i = 0; i < nz; i++)
            any |= drain_zone(zones[i]);
        if (!any)
            break;
    }
    return NO_PFN;
}

/* Take the free frames [start, start + n) out of the buddy blocks holding
 * them (caches drained), giving the rest of those blocks back. */
static void carve(uint32_t start, uint32_t n)
{
    uint32_t end = start + n, p = start;
    while (p < end) {
        unsigned k = 0;
        uint32_t h = p;
        while (frames[h].order != k) {
            if (++k > MAX_ORDER)
                panic("pmm: free frame 0x%x is in no free block", p << PAGE_SHIFT);
            h = p & ~((1u << k) - 1);
        }
        buddy_unlink(h, k, frames[h].zone);
        uint32_t bend = h + (1u << k);
        if (h < p)
            free_range(h, p - h);
        if (bend > end)
            free_range(end, bend - end);
        p = bend;
    }
}

/* First fit of n free frames at a multiple of align, by the bitmap. */
static uint32_t contig_scan(uint32_t n, uint32_t align, unsigned flags)
{
    for (unsigned z = 0; z < ZONE_COUNT; z++)
        drain_zone(z); /* every free frame in a buddy block, for carve */
    uint32_t limit = max_pfn;
    if (flags & PMM_LOW)
        limit = MIN(limit, (uint32_t)(ALIGN_DOWN((uint64_t)lowmem_end, (uint64_t)PAGE_SIZE) >> PAGE_SHIFT));
    for (uint32_t pfn = align; pfn < limit && n <= limit - pfn; pfn += align) {
        if (bit_test(pfn))
            continue;
        uint32_t i = 1;
        while (i < n && !bit_test(pfn + i))
            i++;
        if (i == n) {
            carve(pfn, n);
            return pfn;
        }
        /* the frame at pfn + i is in use: no run starts before it */
        pfn = ALIGN_DOWN(pfn + i, align);
    }
    return NO_PFN;
}

/* Hand out the free frames [pfn, pfn + n), on no list and counted out of
 * free_count, to kind. */
static inline paddr_t give_run(uint32_t pfn, uint32_t n, unsigned flags, enum frame_kind kind)
{
    for (uint32_t i = 0; i < n; i++)
        take(pfn + i, kind);
    stats.by_kind[kind] += n;
    stats.used_frames += n;
    paddr_t pa = (paddr_t)pfn << PAGE_SHIFT;
    if (flags & PMM_ZERO)
        for (uint32_t i = 0; i < n; i++)
            pmm_zero(pa + i * PAGE_SIZE);
    return pa;
}

static __attribute__((noinline)) paddr_t alloc_contig_slow(uint32_t n, uint32_t align, unsigned flags,
                                                           enum frame_kind kind)
{
    if (n == 0 || align == 0 || (align & (align - 1)) || n > max_pfn)
        return 0;
    unsigned k = n == 1 ? 0 : 32 - (unsigned)__builtin_clz(n - 1); /* 2^k >= n */
    unsigned ka = (unsigned)__builtin_ctz(align);
    if (ka > k)
        k = ka;
    uint32_t pfn = k <= MAX_ORDER ? contig_buddy(n, align, k, flags) : NO_PFN;
    if (pfn == NO_PFN && (pfn = contig_scan(n, align, flags)) == NO_PFN)
        return 0;
    count_run(pfn, n, -1);
    return give_run(pfn, n, flags, kind);
}

/* n is 1, 2, 4 or 8: a block a cache may hold. */
static inline bool hot_size(uint32_t n) { return n < (1u << HOT_ORDERS) && n && (n & (n - 1)) == 0; }

paddr_t pmm_alloc_contig(uint32_t n, uint32_t align, unsigned flags, enum frame_kind kind)
{
    if (hot_size(n) && align - 1 < n && (align & (align - 1)) == 0) {
        /* a small whole block (the heap's 2- and 4-frame slabs and blocks): the first zone's cache */
        unsigned zone = (flags & (PMM_LOW | PMM_PREFER_LOW)) ? ZONE_LOW : ZONE_HIGH;
        uint32_t pfn = hot_pop(&hot[zone][__builtin_ctz(n)]);
        if (pfn != NO_PFN) {
            free_count[zone] -= n;
            return give_run(pfn, n, flags, kind);
        }
    }
    return alloc_contig_slow(n, align, flags, kind);
}

/* ---- freeing ---- */

/* Panic unless f (frame pfn) is an allocated frame nothing maps or owns. */
static inline void check_allocated(const struct frame *f, uint32_t pfn, const char *who)
{
    if (f->kind == FRAME_FREE || f->kind == FRAME_RESERVED)
        panic("%s: frame 0x%x is not an allocated frame", who, pfn << PAGE_SHIFT);
    if (f->pv_pmap || f->owner)
        panic("%s: frame 0x%x is still mapped (pmap %p) or owned (%p)", who, pfn << PAGE_SHIFT, (void *)f->pv_pmap,
              f->owner);
}

/* Mark a checked allocated frame free, on no list yet; the caller counts it
 * in free_count and used_frames. */
static inline void mark_free(struct frame *f, uint32_t pfn)
{
    stats.by_kind[f->kind]--;
    f->kind = FRAME_FREE;
    f->refcount = 0;
    bit_clear(pfn);
}

/* Return one allocated frame to its zone's order-0 cache; checks the caller's claim. */
static void give_back(uint32_t pfn, const char *who)
{
    if (pfn >= max_pfn)
        panic("%s: frame 0x%x is not an allocated frame", who, pfn << PAGE_SHIFT);
    struct frame *f = &frames[pfn];
    check_allocated(f, pfn, who);
    mark_free(f, pfn);
    unsigned z = f->zone;
    free_count[z]++;
    stats.used_frames--;
    hot_push(z, 0, pfn);
}

void pmm_free(paddr_t pa)
{
    uint32_t pfn = pa >> PAGE_SHIFT;
    if ((pa & PAGE_MASK) || (pfn < max_pfn && frames[pfn].refcount > 1))
        panic("pmm_free: bad frame 0x%x (refcount %u)", pa, pfn < max_pfn ? frames[pfn].refcount : 0);
    give_back(pfn, "pmm_free");
}

void pmm_free_contig(paddr_t pa, uint32_t n)
{
    uint32_t pfn = pa >> PAGE_SHIFT;
    if (n == 0)
        return;
    if ((pa & PAGE_MASK) || n > max_pfn || pfn > max_pfn - n)
        panic("pmm_free_contig: frames 0x%x + %u are not an allocated run", pa, n);
    struct frame *f = &frames[pfn];
    for (uint32_t i = 0; i < n; i++) /* all of it is checked before any is freed */
        check_allocated(f + i, pfn + i, "pmm_free_contig");
    for (uint32_t i = 0; i < n; i++)
        mark_free(f + i, pfn + i);
    stats.used_frames -= n;
    unsigned z = f->zone;
    if (hot_size(n) && (pfn & (n - 1)) == 0 && f[n - 1].zone == z) {
        free_count[z] += n;
        hot_push(z, (unsigned)__builtin_ctz(n), pfn); /* a whole small block, likely wanted again soon */
    } else {
        count_run(pfn, n, 1);
        free_range(pfn, n);
    }
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

/* ---- introspection (tests, debugging) ---- */

uint32_t pmm_buddy_head(enum frame_zone zone, unsigned order)
{
    return zone < ZONE_COUNT && order <= MAX_ORDER ? free_head[zone][order] : NO_PFN;
}

uint32_t pmm_buddy_mask(enum frame_zone zone) { return zone < ZONE_COUNT ? free_mask[zone] : 0; }

uint32_t pmm_hot_head(enum frame_zone zone, unsigned order, uint32_t *count)
{
    if (zone >= ZONE_COUNT || order >= HOT_ORDERS) {
        *count = 0;
        return NO_PFN;
    }
    *count = hot[zone][order].count;
    return hot[zone][order].head;
}

uint32_t pmm_zone_free(enum frame_zone zone) { return zone < ZONE_COUNT ? free_count[zone] : 0; }
