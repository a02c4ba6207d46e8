/*
 * Physical frame allocator, the public side: the frame array and the bitmap
 * beside it (1 = in use), taking over RAM at boot, the frames' kinds,
 * reference counts, per-zone free counts and statistics, and which zone and
 * which list a request is served from. The free frames themselves are kept
 * by the buddy lists and small-block caches of mm/pmm/buddy.c; a cache is
 * drained entirely when an allocation finds no block otherwise.
 */
#include "mm/pmm/pmm.h"
#include "mm/pmm/buddy.h"
#include "errno.h"
#include "kstring.h"
#include "mmu.h"
#include "mm/pmm/physmem.h"
#include "printk.h"

struct frame *pmm_frames_;   /* [max_pfn]: pmm_frame() reads it inline */
#define frames pmm_frames_
static uint32_t *bitmap;      /* bit set = frame in use */
uint32_t pmm_max_pfn_;
#define max_pfn pmm_max_pfn_

static uint32_t free_count[ZONE_COUNT]; /* free frames: buddy lists + caches */
static struct pmm_stats stats;
static pmm_reclaim_fn reclaim_hook; /* asked for frames when none is free (pmm_set_reclaim) */
static bool reclaiming;             /* the hook is running: allocations inside it do not ask again */
static uint32_t reserve;            /* frames user pages leave free (pmm_set_reserve) */

static inline bool bit_test(uint32_t pfn) { return bitmap[pfn >> 5] & (1u << (pfn & 31)); }
static inline void bit_set(uint32_t pfn) { bitmap[pfn >> 5] |= 1u << (pfn & 31); }
static inline void bit_clear(uint32_t pfn) { bitmap[pfn >> 5] &= ~(1u << (pfn & 31)); }

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
    reclaim_hook = NULL;
    reclaiming = false;
    reserve = 0;
    buddy_init();
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
            buddy_free_range(pfn - run, run);
        run = 0;
    }
    if (run)
        buddy_free_range(max_pfn - run, run);
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
        hot_drain_zone(z); /* the free frames are in caches of larger blocks */
        pfn = buddy_take(z, 0);
        if (pfn == NO_PFN)
            panic("pmm: zone %u counts %u free frames but has none", z, free_count[z]);
    }
    return pfn;
}

void pmm_set_reclaim(pmm_reclaim_fn fn) { reclaim_hook = fn; }

/* Ask the reclaim hook for frames (at least want) unless flags forbid it or it is running: true if it freed any. */
static bool reclaim(uint32_t want, unsigned flags)
{
    if (!reclaim_hook || reclaiming || (flags & PMM_NORECLAIM))
        return false;
    reclaiming = true;
    stats.reclaim_asks++;
    uint32_t got = reclaim_hook(MAX(want, PMM_RECLAIM_BATCH), (flags & PMM_LOW) != 0);
    reclaiming = false;
    return got != 0;
}

/* The zone a single frame for flags comes from, or ZONE_COUNT when the zones allowed have none. */
static inline unsigned zone_with_free(unsigned flags)
{
    unsigned zone = (flags & (PMM_LOW | PMM_PREFER_LOW)) ? ZONE_LOW : ZONE_HIGH;
    if (free_count[zone])
        return zone;
    if (flags & PMM_LOW || free_count[zone ^ 1] == 0)
        return ZONE_COUNT;
    return zone ^ 1;
}

/* pmm_alloc's way when nothing is free: the reclaim hook, then the zone to retry in (ZONE_COUNT: none). */
static __attribute__((noinline)) unsigned zone_after_reclaim(unsigned flags)
{
    if (!reclaim(1, flags))
        return ZONE_COUNT;
    unsigned zone = zone_with_free(flags);
    if (zone != ZONE_COUNT)
        stats.reclaim_rescues++;
    return zone;
}

void pmm_set_reserve(uint32_t n) { reserve = n; }

static inline uint32_t free_total(void) { return free_count[ZONE_LOW] + free_count[ZONE_HIGH]; }
uint32_t pmm_reserve(void) { return reserve; }
uint32_t pmm_free_total(void) { return free_total(); }

/*
 * A user page would dip into the reserve: ask the hook, again while it
 * frees something (what it frees may be partly spent at once: paging out
 * into the compressed pool takes pool frames); true if free frames are
 * above the reserve after all.
 */
static __attribute__((noinline)) bool refill_reserve(unsigned flags)
{
    for (int i = 0; i < 16 && free_total() <= reserve; i++)
        if (!reclaim(reserve + 1 - free_total(), flags))
            break;
    if (free_total() <= reserve)
        return false;
    stats.reclaim_rescues++;
    return true;
}

paddr_t pmm_alloc(unsigned flags, enum frame_kind kind)
{
    if (kind == FRAME_USER && reserve && !reclaiming && free_total() <= reserve && !refill_reserve(flags))
        return 0;
    unsigned zone = zone_with_free(flags);
    if (zone == ZONE_COUNT && (zone = zone_after_reclaim(flags)) == ZONE_COUNT)
        return 0;
    uint32_t pfn = hot_pop(zone, 0);
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
 * the block the run leaves out go back to the free lists at once
 * (buddy_take_run); a whole small block may come from a cache.
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
            uint32_t pfn = whole ? hot_pop(z, k) : NO_PFN;
            if (pfn != NO_PFN)
                return pfn;
            pfn = buddy_take_run(z, k, n, align);
            if (pfn != NO_PFN)
                return pfn;
        }
        /* none on the buddy lists: what the caches hold may merge into one */
        bool any = false;
        for (int i = 0; i < nz; i++)
            any |= hot_drain_zone(zones[i]);
        if (!any)
            break;
    }
    return NO_PFN;
}

/* First fit of n free frames at a multiple of align, by the bitmap. */
static uint32_t contig_scan(uint32_t n, uint32_t align, unsigned flags)
{
    for (unsigned z = 0; z < ZONE_COUNT; z++)
        hot_drain_zone(z); /* every free frame in a buddy block, for buddy_carve */
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
            buddy_carve(pfn, n);
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
    if (pfn == NO_PFN && (pfn = contig_scan(n, align, flags)) == NO_PFN) {
        if (!reclaim(n, flags)) /* single frames come back: they may complete a run */
            return 0;
        pfn = k <= MAX_ORDER ? contig_buddy(n, align, k, flags) : NO_PFN;
        if (pfn == NO_PFN && (pfn = contig_scan(n, align, flags)) == NO_PFN)
            return 0;
        stats.reclaim_rescues++;
    }
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
        uint32_t pfn = hot_pop(zone, (unsigned)__builtin_ctz(n));
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
        buddy_free_range(pfn, n);
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

/* ---- introspection (tests, debugging; the lists' own are in buddy.c) ---- */

uint32_t pmm_zone_free(enum frame_zone zone) { return zone < ZONE_COUNT ? free_count[zone] : 0; }
