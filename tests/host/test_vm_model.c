/*
 * A randomized model check of the machine-independent VM (mm/vm/): random
 * mmap / munmap / mprotect / madvise / brk / fork / unref steps and byte
 * reads and writes (vm_copyin / vm_copyout) on up to four live address
 * spaces, each step compared with a small reference model, and the
 * invariants checked after every step (check_invariants).
 *
 * The model knows pages, not regions: per space and per page of two windows
 * (WIN_PAGES below MMAP_TOP where mmap puts things, HEAP_PAGES of brk heap),
 * whether it is mapped, its protection, shared or private, its fork advice,
 * and the expected bytes at NOFF fixed offsets ("a cell"). A private page
 * owns its cell; the pages of every space sharing shared memory point to one
 * cell, so a write is seen by all of them.
 *
 * Each seed is one test case. A failure names the seed, the step and what
 * the step did; replay it alone with
 *   VM_MODEL_SEED=<seed> [VM_MODEL_STEPS=<n>] [VM_MODEL_TRACE=1] build/host/test_vm_model
 * (TRACE prints every step on stderr).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "arch/i386/pmap/pmap.h"
#include "errno.h"
#include "mm/pmm/physmem.h"
#include "mm/pmm/pmm.h"
#include "mm/vm/anon.h"
#include "mm/vm/vm.h"
#include "mm/vm/vm_object.h"
#include "mm/vm/vm_region.h"
#include "mm/vm/vm_map.h"
#include "mm/vm/vm_space.h"
#include "mm/vm/vm_verbs.h"
#include "mmu.h"
#include "tests/host/sim.h"
#include "tests/host/vm_machine.h"
#include "uapi/mman.h"

#define NSEEDS 20
#define STEPS 2000
#define FULL_WALK_EVERY 100 /* steps between walks of every page table (not just the windows) */

#define RAM_END (32u << 20)
#define NSPACES 4
#define WIN_PAGES 512u  /* the mmap window: [WIN_BASE, MMAP_TOP) */
#define HEAP_PAGES 128u /* the heap window: [HEAP_BASE, HEAP_BASE + HEAP_PAGES pages) */
#define NPAGES (WIN_PAGES + HEAP_PAGES)
#define WIN_BASE (MMAP_TOP - WIN_PAGES * PAGE_SIZE)
#define HEAP_BASE 0x08000000u
#define MAX_PAGES_PER_MMAP 16u
#define NOFF 4

#define P(n) ((uint32_t)(n) * PAGE_SIZE)
#define PROT_RW (PROT_READ | PROT_WRITE)
#ifndef PROT_NONE
#define PROT_NONE 0u /* Linux's value; include/uapi/mman.h has no name for it */
#endif

static const uint32_t offsets[NOFF] = {0, 1, 2048, PAGE_SIZE - 1}; /* the bytes of each page the model follows */

/* ---- the model ---- */

struct cell {
    uint8_t byte[NOFF];
    uint32_t refs; /* model pages pointing here (> 1 only for shared memory) */
    uint32_t pass; /* check_page_tables: the pass that last saw it resident ... */
    paddr_t frame; /* ... and in which frame */
};

struct mpage {
    struct cell *cell; /* NULL: unmapped */
    uint8_t prot;      /* PROT_NONE, PROT_READ or PROT_RW */
    bool shared, wipeonfork, dontfork;
};

struct mspace {
    struct vmspace *vs;
    struct mpage page[NPAGES]; /* [0, WIN_PAGES): the mmap window; then the heap window */
    vaddr_t brk;
};

static struct mspace spaces[NSPACES];
static uint32_t nspaces;

/* The run: seed, step and what the step is doing, for failure messages. */
static uint32_t seed, step;
static uint64_t rng;
static char op[256];
static bool trace;
static struct vmm_usage baseline;

static vaddr_t page_va(uint32_t i) { return i < WIN_PAGES ? WIN_BASE + P(i) : HEAP_BASE + P(i - WIN_PAGES); }

PRINTF_LIKE(1, 2) static void model_fail(const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fail_msg("seed %u step %u: %s\n#   the step: %s\n#   replay: VM_MODEL_SEED=%u VM_MODEL_STEPS=%u VM_MODEL_TRACE=1 "
             "build/host/test_vm_model",
             seed, step, msg, op, seed, step + 1);
}

#define EXPECT(cond, ...)                                                                                             \
    do {                                                                                                              \
        if (!(cond))                                                                                                  \
            model_fail(__VA_ARGS__);                                                                                  \
    } while (0)

/* splitmix64: a fixed, portable sequence per seed */
static uint32_t rnd(void)
{
    uint64_t z = (rng += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return (uint32_t)((z ^ (z >> 31)) >> 32);
}

static uint32_t below(uint32_t n) { return rnd() % n; }
static bool chance(uint32_t percent) { return below(100) < percent; }

static struct cell *cell_new(void)
{
    struct cell *c = calloc(1, sizeof *c);
    assert_non_null(c);
    c->refs = 1;
    return c;
}

static void page_clear(struct mpage *p)
{
    if (p->cell && --p->cell->refs == 0)
        free(p->cell);
    memset(p, 0, sizeof *p);
}

static void model_unmap(struct mspace *s, uint32_t first, uint32_t n)
{
    for (uint32_t i = first; i < first + n; i++)
        page_clear(&s->page[i]);
}

static void model_map(struct mspace *s, uint32_t first, uint32_t n, uint8_t prot, bool shared)
{
    model_unmap(s, first, n);
    for (uint32_t i = first; i < first + n; i++)
        s->page[i] = (struct mpage){.cell = cell_new(), .prot = prot, .shared = shared};
}

static uint32_t model_mapped(const struct mspace *s, uint32_t first, uint32_t n)
{
    uint32_t mapped = 0;
    for (uint32_t i = first; i < first + n; i++)
        mapped += s->page[i].cell != NULL;
    return mapped;
}

/* fork: shared pages share the cell, private ones get a copy (zeroes if wipe-on-fork), don't-fork ones nothing. */
static void model_fork(struct mspace *child, const struct mspace *parent)
{
    child->brk = parent->brk;
    for (uint32_t i = 0; i < NPAGES; i++) {
        const struct mpage *p = &parent->page[i];
        struct mpage *c = &child->page[i];
        memset(c, 0, sizeof *c);
        if (!p->cell || p->dontfork)
            continue;
        *c = *p;
        if (p->shared) {
            p->cell->refs++;
            continue;
        }
        c->cell = cell_new();
        if (!p->wipeonfork)
            memcpy(c->cell->byte, p->cell->byte, NOFF);
    }
}

static void model_drop(struct mspace *s) { model_unmap(s, 0, NPAGES); }

/* The highest n free pages of the mmap window below MMAP_TOP, as mmap's top-down search finds them; -1 if none. */
static int model_find_gap(const struct mspace *s, uint32_t n)
{
    for (uint32_t top = WIN_PAGES; top >= n; top--) {
        if (top < WIN_PAGES && !s->page[top].cell)
            continue; /* not the top of a gap */
        if (model_mapped(s, top - n, n) == 0)
            return (int)(top - n);
    }
    return -1; /* the search would go below the window */
}

/* ---- invariants ---- */

/*
 * What every check sees: the held entries of every space's page tables in
 * the windows (collected by check_page_tables, in space order).
 */
struct held {
    uint32_t space, page;
    paddr_t frame;
    bool writable_private;
};
static struct held held[NSPACES * NPAGES];
static uint32_t nheld, pass;

static void check_maps(void)
{
    for (uint32_t s = 0; s < nspaces; s++) {
        EXPECT(vm_map_check(&spaces[s].vs->map) == 0, "space %u: vm_map_check fails", s);
        EXPECT(spaces[s].vs->brk == spaces[s].brk, "space %u: brk 0x%x, model 0x%x", s, spaces[s].vs->brk,
               spaces[s].brk);
    }
}

/* The frame the region of va keeps for it (an anon's, or the object's resident page), or 0. */
static paddr_t backing_frame(struct vmspace *vs, vaddr_t va)
{
    struct vm_region *r = vm_map_lookup(&vs->map, va);
    if (!r)
        return 0;
    struct vm_anon *a = r->amap ? amap_lookup(r->amap, vm_region_slot(r, va)) : NULL;
    if (a)
        return a->frame;
    if (r->obj && va - r->start < r->obj_bytes)
        return vm_object_lookup(r->obj, (r->obj_offset + (va - r->start)) / PAGE_SIZE);
    return 0;
}

/*
 * A page whose table entry holds a frame: the model maps it, the entry's
 * access agrees with the model's protection (PROT_NONE: not present; a
 * present entry is readable by user mode; writable only if the page is),
 * its bytes are the model's, and every space sharing the page maps the
 * same frame.
 */
static void check_held_page(uint32_t s, uint32_t i, pte_t e)
{
    const struct mpage *p = &spaces[s].page[i];
    vaddr_t va = page_va(i);
    EXPECT(p->cell, "space %u: 0x%x holds frame 0x%x but is not mapped", s, va, pte_frame(e));
    if (p->prot == PROT_NONE)
        EXPECT(!pte_present(e), "space %u: PROT_NONE page 0x%x is present", s, va);
    else
        EXPECT(pte_present(e) && pte_user(e), "space %u: page 0x%x (prot %u) is not user-present", s, va, p->prot);
    EXPECT(!pte_writable(e) || (p->prot & PROT_WRITE), "space %u: page 0x%x is writable with prot %u", s, va,
           p->prot);
    paddr_t frame = pte_frame(e);
    EXPECT(backing_frame(spaces[s].vs, va) == frame, "space %u: 0x%x maps frame 0x%x, its region keeps 0x%x", s, va,
           frame, backing_frame(spaces[s].vs, va)); /* page tables are a cache of the regions */
    const uint8_t *bytes = kmap(frame);
    for (uint32_t k = 0; k < NOFF; k++)
        EXPECT(bytes[offsets[k]] == p->cell->byte[k], "space %u: byte 0x%x of page 0x%x is 0x%02x, model 0x%02x", s,
               offsets[k], va, bytes[offsets[k]], p->cell->byte[k]);
    kunmap((void *)bytes);
    if (p->shared && p->cell->pass == pass)
        EXPECT(p->cell->frame == frame, "space %u: shared page 0x%x in frame 0x%x, another sharer's in 0x%x", s, va,
               frame, p->cell->frame);
    p->cell->pass = pass;
    p->cell->frame = frame;
    held[nheld++] = (struct held){s, i, frame, pte_writable(e) && !p->shared};
}

/*
 * A mapped page without a frame in the page tables: its data lives in the
 * region's backing (the anon in its amap slot, or the object's resident
 * page), or nowhere yet and it reads as zeroes. Either way the bytes are
 * the model's: dropping a page-table entry loses nothing.
 */
static void check_empty_page(uint32_t s, uint32_t i)
{
    const struct mpage *p = &spaces[s].page[i];
    if (!p->cell)
        return;
    paddr_t frame = backing_frame(spaces[s].vs, page_va(i));
    const uint8_t *bytes = frame ? kmap(frame) : NULL;
    for (uint32_t k = 0; k < NOFF; k++)
        EXPECT((bytes ? bytes[offsets[k]] : 0) == p->cell->byte[k],
               "space %u: page 0x%x (no entry, %s) reads 0x%02x at 0x%x, model 0x%02x", s, page_va(i),
               frame ? "in its backing" : "no backing page", bytes ? bytes[offsets[k]] : 0, offsets[k],
               p->cell->byte[k]);
    if (bytes)
        kunmap((void *)bytes);
}

/* Walk one window's page table entries of space s: the held entries counted. */
static uint32_t walk_window(uint32_t s, uint32_t first, uint32_t n)
{
    uint32_t count = 0;
    for (uint32_t i = first; i < first + n;) {
        vaddr_t va = page_va(i);
        uint32_t in_table = MIN(first + n - i, PT_ENTRIES - PTX(va)); /* the window's pages in this 4 MiB area */
        pte_t *pt = pmap_pte(&spaces[s].vs->pmap, va, false);        /* valid until the next pmap_pte call */
        for (uint32_t j = 0; j < in_table; j++, i++) {
            pte_t e = pt ? pt[j] : 0;
            if (pte_present(e) || (e & PTE_PROTNONE)) {
                check_held_page(s, i, e);
                count++;
            } else {
                check_empty_page(s, i);
            }
        }
    }
    return count;
}

/* The page tables of every space against the model; pmap.resident is exactly the entries holding frames. */
static void check_page_tables(void)
{
    pass++;
    nheld = 0;
    for (uint32_t s = 0; s < nspaces; s++) {
        uint32_t count = walk_window(s, 0, WIN_PAGES) + walk_window(s, WIN_PAGES, HEAP_PAGES);
        EXPECT(spaces[s].vs->pmap.resident == count, "space %u: pmap.resident %u, the windows hold %u frames", s,
               spaces[s].vs->pmap.resident, count);
    }
}

/* Every entry holding a frame anywhere in the user half of s (the windows are all the model maps). */
static uint32_t count_all_held(struct pmap *pm)
{
    uint32_t count = 0;
    for (vaddr_t area = 0; area < USER_TOP; area += BIG_PAGE_SIZE) {
        pte_t *pt = pmap_pte(pm, area, false);
        for (uint32_t j = 0; pt && j < PT_ENTRIES; j++)
            count += pte_present(pt[j]) || (pt[j] & PTE_PROTNONE);
    }
    return count;
}

static void check_nothing_outside_windows(void)
{
    for (uint32_t s = 0; s < nspaces; s++) {
        uint32_t all = count_all_held(&spaces[s].vs->pmap);
        EXPECT(all == spaces[s].vs->pmap.resident, "space %u: %u entries hold frames, pmap.resident %u", s, all,
               spaces[s].vs->pmap.resident);
    }
}

static int by_frame(const void *a, const void *b)
{
    paddr_t x = ((const struct held *)a)->frame, y = ((const struct held *)b)->frame;
    return x < y ? -1 : x > y;
}

/*
 * Frames across spaces (after check_page_tables): a frame some private page
 * maps writable is mapped nowhere else (copy-on-write never leaks a write),
 * and its anon is held once. Every user frame has one owner (an anon or an
 * object), and its reference count is that owner's plus one per entry
 * mapping it.
 */
static void check_frames(void)
{
    struct held sorted[NSPACES * NPAGES];
    memcpy(sorted, held, nheld * sizeof *held);
    qsort(sorted, nheld, sizeof *sorted, by_frame);
    uint32_t distinct = 0;
    for (uint32_t i = 0, j; i < nheld; i = j) {
        bool writable_private = false;
        for (j = i; j < nheld && sorted[j].frame == sorted[i].frame; j++)
            writable_private |= sorted[j].writable_private;
        distinct++;
        EXPECT(!writable_private || j - i == 1, "frame 0x%x is writable in space %u at 0x%x and mapped %u times",
               sorted[i].frame, sorted[i].space, page_va(sorted[i].page), j - i);
        const struct frame *f = pmm_frame(sorted[i].frame);
        bool owned = f && (f->flags & (FRAME_F_ANON | FRAME_F_OBJECT)) && f->owner;
        EXPECT(f && f->kind == FRAME_USER && owned && f->refcount == j - i + 1,
               "frame 0x%x (space %u at 0x%x): kind %d owned %d refcount %u, held by %u entries", sorted[i].frame,
               sorted[i].space, page_va(sorted[i].page), f ? f->kind : -1, owned, f ? f->refcount : 0, j - i);
        EXPECT(!writable_private || ((f->flags & FRAME_F_ANON) && ((struct vm_anon *)f->owner)->refs == 1),
               "frame 0x%x is writable in space %u at 0x%x but its page is not one anon held once", sorted[i].frame,
               sorted[i].space, page_va(sorted[i].page));
    }
    (void)distinct;
    struct pmm_stats st;
    pmm_get_stats(&st);
    EXPECT(st.by_kind[FRAME_USER] == anon_stats.anons + object_stats.pages,
           "%u user frames allocated, %u anons and %u object pages own frames", st.by_kind[FRAME_USER],
           anon_stats.anons, object_stats.pages);
}

/*
 * The invariants, run after every step in this order. Later work adds its
 * own here (amap/anon reference counts, the reverse map of each frame...);
 * each may use held[] as check_page_tables left it.
 */
/* A small tally: pointer -> count. */
#define TALLY_MAX 4096
struct tally {
    const void *key[TALLY_MAX];
    uint32_t n[TALLY_MAX];
    uint32_t len;
};

static uint32_t *tally_of(struct tally *t, const void *key)
{
    for (uint32_t i = 0; i < t->len; i++)
        if (t->key[i] == key)
            return &t->n[i];
    EXPECT(t->len < TALLY_MAX, "tally full");
    t->key[t->len] = key;
    t->n[t->len] = 0;
    return &t->n[t->len++];
}

/*
 * The object model's reference counts: every amap's is the number of
 * regions holding it, every anon's the number of amap slots holding it,
 * every object's the number of regions mapping it; each anon owns its
 * frame; a VM_NEEDS_COPY region's amap is held by some other region too,
 * or the flag is a harmless leftover (refs 1).
 */
static void check_objects(void)
{
    static struct tally amaps, anons, objs;
    amaps.len = anons.len = objs.len = 0;
    uint32_t nregions = 0;
    for (uint32_t s = 0; s < nspaces; s++) {
        for (struct vm_region *r = vm_map_first(&spaces[s].vs->map); r; r = vm_map_next(r), nregions++) {
            if (r->amap && (*tally_of(&amaps, r->amap))++ == 0) {
                uint32_t at;
                for (uint32_t from = 0; sparse_next(&r->amap->slots, from, &at); from = at + 1) {
                    struct vm_anon *a = amap_lookup(r->amap, at);
                    (*tally_of(&anons, a))++;
                    const struct frame *f = pmm_frame(a->frame);
                    EXPECT(f && (f->flags & FRAME_F_ANON) && f->owner == a, "anon %p does not own its frame 0x%x",
                           (void *)a, a->frame);
                }
            }
            if (r->obj)
                (*tally_of(&objs, r->obj))++;
            EXPECT(!(r->flags & VM_SHARED) || !r->amap, "space %u: shared region 0x%x has an amap", s, r->start);
        }
    }
    for (uint32_t i = 0; i < amaps.len; i++)
        EXPECT(((const struct vm_amap *)amaps.key[i])->refs == amaps.n[i], "amap %p: refs %u, held by %u regions",
               amaps.key[i], ((const struct vm_amap *)amaps.key[i])->refs, amaps.n[i]);
    for (uint32_t i = 0; i < anons.len; i++)
        EXPECT(((const struct vm_anon *)anons.key[i])->refs == anons.n[i], "anon %p: refs %u, held by %u slots",
               anons.key[i], ((const struct vm_anon *)anons.key[i])->refs, anons.n[i]);
    for (uint32_t i = 0; i < objs.len; i++)
        EXPECT(((const struct vm_object *)objs.key[i])->refs == objs.n[i], "object %p: refs %u, mapped by %u regions",
               objs.key[i], ((const struct vm_object *)objs.key[i])->refs, objs.n[i]);
    EXPECT(anon_stats.anons == anons.len && anon_stats.amaps == amaps.len && object_stats.objects == objs.len,
           "%u anons, %u amaps, %u objects live; the regions reach %u, %u, %u", anon_stats.anons, anon_stats.amaps,
           object_stats.objects, anons.len, amaps.len, objs.len);
    (void)nregions;
}

/* The reverse map: every entry holding a frame is on that frame's rmap, and the rmap names nothing else. */
static void check_rmap(void)
{
    for (uint32_t s = 0; s < nspaces; s++) {
        int n = pmap_rmap_check(&spaces[s].vs->pmap);
        EXPECT(n >= 0 && (uint32_t)n == spaces[s].vs->pmap.resident, "space %u: pmap_rmap_check %d, resident %u", s,
               n, spaces[s].vs->pmap.resident);
    }
}

static void (*const invariant_checks[])(void) = {
    check_maps,
    check_page_tables,
    check_frames,
    check_objects,
    check_rmap,
};

static void check_invariants(void)
{
    for (uint32_t i = 0; i < ARRAY_SIZE(invariant_checks); i++)
        invariant_checks[i]();
    if (step % FULL_WALK_EVERY == 0)
        check_nothing_outside_windows();
}

/* ---- the steps ---- */

PRINTF_LIKE(1, 2) static void describe(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(op, sizeof op, fmt, ap);
    va_end(ap);
    if (trace)
        fprintf(stderr, "[seed %u step %u] %s\n", seed, step, op);
}

static uint8_t random_prot(void)
{
    uint32_t r = below(10);
    return r < 6 ? PROT_RW : r < 8 ? PROT_READ : PROT_NONE;
}

static const char *prot_name(uint32_t prot)
{
    return prot == PROT_RW ? "RW" : prot == PROT_READ ? "R" : prot == PROT_NONE ? "NONE" : "?";
}

/* A random range of pages inside one window: [*first, *first + *n). */
static void random_range(uint32_t *first, uint32_t *n)
{
    bool heap = chance(25);
    uint32_t base = heap ? WIN_PAGES : 0, size = heap ? HEAP_PAGES : WIN_PAGES;
    uint32_t i = below(size), len = 1 + below(24);
    *first = base + i;
    *n = MIN(len, size - i);
}

/* A length covering n pages, not always a multiple of the page size. */
static uint32_t random_len(uint32_t n) { return P(n) - (chance(30) ? below(PAGE_SIZE) : 0); }

static void step_mmap(struct mspace *s)
{
    uint32_t n = 1 + below(MAX_PAGES_PER_MMAP);
    uint8_t prot = random_prot();
    bool shared = chance(30), fixed = chance(35);
    uint32_t flags = MAP_ANONYMOUS | (shared ? MAP_SHARED : MAP_PRIVATE);
    vaddr_t hint = 0;
    int at;
    if (fixed) {
        at = (int)below(WIN_PAGES - n + 1);
        hint = page_va((uint32_t)at);
        flags |= MAP_FIXED;
    } else {
        at = model_find_gap(s, n);
        if (chance(30)) { /* a hint: taken if free */
            uint32_t h = below(WIN_PAGES - n + 1);
            hint = page_va(h) + below(PAGE_SIZE);
            if (model_mapped(s, h, n) == 0)
                at = (int)h;
        }
        if (at < 0)
            return; /* mmap would look below the window: leave it */
    }
    describe("space %u: mmap(0x%x, %u pages, %s, %s%s)", (uint32_t)(s - spaces), hint, n, prot_name(prot),
             shared ? "shared" : "private", fixed ? " fixed" : "");
    int32_t r = vm_mmap(s->vs, hint, random_len(n), prot, flags, NULL, 0, 0);
    EXPECT(r == (int32_t)page_va((uint32_t)at), "vm_mmap returned 0x%x (%d), model 0x%x", (uint32_t)r, r,
           page_va((uint32_t)at));
    model_map(s, (uint32_t)at, n, prot, shared);
}

static void step_munmap(struct mspace *s)
{
    uint32_t first, n;
    random_range(&first, &n);
    bool unaligned = chance(5);
    vaddr_t va = page_va(first) + (unaligned ? 1 + below(PAGE_SIZE - 1) : 0);
    describe("space %u: munmap(0x%x, %u pages)", (uint32_t)(s - spaces), va, n);
    int r = vm_munmap(s->vs, va, random_len(n));
    EXPECT(r == (unaligned ? -EINVAL : 0), "vm_munmap: %d", r);
    if (!unaligned)
        model_unmap(s, first, n);
}

static void step_mprotect(struct mspace *s)
{
    uint32_t first, n;
    random_range(&first, &n);
    uint8_t prot = random_prot();
    describe("space %u: mprotect(0x%x, %u pages, %s)", (uint32_t)(s - spaces), page_va(first), n, prot_name(prot));
    int r = vm_mprotect(s->vs, page_va(first), random_len(n), prot);
    bool covered = model_mapped(s, first, n) == n;
    EXPECT(r == (covered ? 0 : -ENOMEM), "vm_mprotect: %d, model %d", r, covered ? 0 : -ENOMEM);
    for (uint32_t i = first; covered && i < first + n; i++)
        s->page[i].prot = prot;
}

static void step_madvise(struct mspace *s)
{
    static const uint32_t advice[] = {MADV_DONTNEED, MADV_WIPEONFORK, MADV_KEEPONFORK, MADV_DONTFORK, MADV_DOFORK};
    static const char *const names[] = {"DONTNEED", "WIPEONFORK", "KEEPONFORK", "DONTFORK", "DOFORK"};
    uint32_t first, n, a = below(ARRAY_SIZE(advice));
    random_range(&first, &n);
    describe("space %u: madvise(0x%x, %u pages, %s)", (uint32_t)(s - spaces), page_va(first), n, names[a]);
    int r = vm_madvise(s->vs, page_va(first), random_len(n), advice[a]);
    int want = 0;
    if (model_mapped(s, first, n) != n)
        want = -ENOMEM;
    for (uint32_t i = first; want == 0 && i < first + n; i++)
        if (advice[a] == MADV_WIPEONFORK && s->page[i].shared)
            want = -EINVAL; /* private anonymous memory only */
    EXPECT(r == want, "vm_madvise: %d, model %d", r, want);
    for (uint32_t i = first; want == 0 && i < first + n; i++) {
        struct mpage *p = &s->page[i];
        if (advice[a] == MADV_DONTNEED && !p->shared)
            memset(p->cell->byte, 0, NOFF);
        else if (advice[a] == MADV_WIPEONFORK || advice[a] == MADV_KEEPONFORK)
            p->wipeonfork = advice[a] == MADV_WIPEONFORK;
        else if (advice[a] == MADV_DONTFORK || advice[a] == MADV_DOFORK)
            p->dontfork = advice[a] == MADV_DONTFORK;
    }
}

static void step_brk(struct mspace *s)
{
    vaddr_t addr = chance(5) ? HEAP_BASE - 1 - below(P(4)) : HEAP_BASE + below(P(HEAP_PAGES) + 1);
    describe("space %u: brk(0x%x) from 0x%x", (uint32_t)(s - spaces), addr, s->brk);
    vaddr_t r = vm_brk(s->vs, addr);
    if (addr < HEAP_BASE) {
        EXPECT(r == s->brk, "vm_brk below the start: 0x%x, model 0x%x", r, s->brk);
        return;
    }
    EXPECT(r == addr, "vm_brk: 0x%x, model 0x%x", r, addr);
    uint32_t old_end = (ALIGN_UP(s->brk, PAGE_SIZE) - HEAP_BASE) / PAGE_SIZE;
    uint32_t new_end = (ALIGN_UP(addr, PAGE_SIZE) - HEAP_BASE) / PAGE_SIZE;
    if (new_end > old_end) {
        assert_int_equal(model_mapped(s, WIN_PAGES + old_end, new_end - old_end), 0); /* nothing above the break */
        model_map(s, WIN_PAGES + old_end, new_end - old_end, PROT_RW, false);
    } else {
        model_unmap(s, WIN_PAGES + new_end, old_end - new_end);
    }
    s->brk = addr;
}

/* A page to touch: usually a mapped one. */
static uint32_t random_page(const struct mspace *s)
{
    uint32_t i = below(NPAGES);
    for (uint32_t tries = 0; tries < 32 && chance(80) && !s->page[i].cell; tries++)
        i = below(NPAGES);
    return i;
}

/* Where a copy of len (1 or 2) bytes at offset index k of page i goes: page i, then page i + 1. */
static bool allows(const struct mpage *p, bool write)
{
    return p->cell && (write ? (p->prot & PROT_WRITE) : (p->prot & PROT_READ));
}

/* Read or write 1 byte at a followed offset, or 2 bytes across the end of page i into page i + 1. */
static void step_access(struct mspace *s, bool write)
{
    uint32_t i = random_page(s), k = below(NOFF);
    bool span = chance(15) && i + 1 != WIN_PAGES && i + 1 != NPAGES; /* both pages in one window */
    uint32_t len = span ? 2 : 1;
    if (span)
        k = NOFF - 1; /* the last byte of page i, then offset 0 of page i + 1 */
    vaddr_t va = page_va(i) + offsets[k];
    uint8_t buf[2] = {(uint8_t)rnd(), (uint8_t)rnd()};
    describe("space %u: %s %u byte(s) at 0x%x", (uint32_t)(s - spaces), write ? "write" : "read", len, va);
    int r = write ? vm_copyout(s->vs, va, buf, len) : vm_copyin(s->vs, buf, va, len);
    struct mpage *p[2] = {&s->page[i], span ? &s->page[i + 1] : NULL};
    uint32_t at[2] = {k, 0};
    int want = 0;
    for (uint32_t b = 0; b < len && want == 0; b++) {
        if (!allows(p[b], write)) {
            want = -EFAULT; /* the bytes before went through */
        } else if (write) {
            p[b]->cell->byte[at[b]] = buf[b];
        } else {
            EXPECT(r != 0 || buf[b] == p[b]->cell->byte[at[b]], "read 0x%02x at 0x%x, model 0x%02x", buf[b],
                   page_va(i + b) + offsets[at[b]], p[b]->cell->byte[at[b]]);
        }
    }
    EXPECT(r == want, "%s: %d, model %d", write ? "vm_copyout" : "vm_copyin", r, want);
}

static void space_new(void)
{
    struct mspace *s = &spaces[nspaces];
    memset(s, 0, sizeof *s);
    describe("space %u: create", nspaces);
    s->vs = vm_space_create();
    EXPECT(s->vs, "vm_space_create failed");
    s->vs->brk_start = s->vs->brk = s->brk = HEAP_BASE; /* as exec leaves it after the data segment */
    nspaces++;
}

static void step_fork(struct mspace *parent)
{
    struct mspace *child = &spaces[nspaces];
    describe("space %u: fork -> space %u", (uint32_t)(parent - spaces), nspaces);
    child->vs = vm_space_fork(parent->vs);
    EXPECT(child->vs, "vm_space_fork failed");
    model_fork(child, parent);
    nspaces++;
}

static void step_unref(struct mspace *s)
{
    uint32_t idx = (uint32_t)(s - spaces);
    describe("space %u: unref (space %u takes its place)", idx, nspaces - 1);
    vm_space_unref(s->vs);
    model_drop(s);
    *s = spaces[--nspaces]; /* the model's pages move along: cells stay referenced once */
    memset(&spaces[nspaces], 0, sizeof spaces[nspaces]);
}

static void one_step(void)
{
    struct mspace *s = &spaces[below(nspaces)];
    uint32_t r = below(100);
    bool crowded = model_mapped(s, 0, WIN_PAGES) > WIN_PAGES / 2;
    if (r < 14)
        crowded ? step_munmap(s) : step_mmap(s);
    else if (r < 22)
        step_munmap(s);
    else if (r < 32)
        step_mprotect(s);
    else if (r < 38)
        step_madvise(s);
    else if (r < 44)
        step_brk(s);
    else if (r < 49)
        nspaces < NSPACES ? step_fork(s) : step_access(s, false);
    else if (r < 52)
        nspaces > 1 ? step_unref(s) : step_access(s, true);
    else if (r < 53)
        nspaces < NSPACES ? space_new() : step_access(s, true);
    else if (r < 78)
        step_access(s, true);
    else
        step_access(s, false);
}

/* ---- the test cases: one per seed ---- */

static uint32_t env_u32(const char *name, uint32_t dflt)
{
    const char *v = getenv(name);
    return v && *v ? (uint32_t)strtoul(v, NULL, 0) : dflt;
}

static void drop_all(void)
{
    while (nspaces) {
        struct mspace *s = &spaces[--nspaces];
        vm_space_unref(s->vs);
        model_drop(s);
        s->vs = NULL;
    }
}

static int setup(void **state)
{
    (void)state;
    vmm_boot(RAM_END);
    vmm_usage(&baseline);
    nspaces = 0;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    drop_all(); /* after a failure too: the model's cells are host memory, and ASan checks for leaks */
    pmap_pte(&kernel_pmap, 0xFFC00000u, false); /* no table there: drops pmap_pte's window before the next boot */
    return 0;
}

static void test_seed(void **state)
{
    seed = (uint32_t)(uintptr_t)*state;
    rng = seed;
    trace = getenv("VM_MODEL_TRACE") != NULL;
    uint32_t steps = env_u32("VM_MODEL_STEPS", STEPS);
    op[0] = '\0';
    step = 0;
    space_new();
    check_invariants();
    for (step = 1; step < steps; step++) {
        one_step();
        check_invariants();
    }
    describe("the end: every space unref'd");
    check_nothing_outside_windows();
    drop_all();
    vmm_expect_usage(&baseline, "after the run");
}

int main(void)
{
    static struct CMUnitTest tests[NSEEDS];
    static char names[NSEEDS][32];
    uint32_t only = env_u32("VM_MODEL_SEED", 0), n = 0;
    sim_init();
    for (uint32_t s = 1; s <= NSEEDS || (only && n == 0); s++) {
        uint32_t sd = only ? only : s;
        snprintf(names[n], sizeof names[n], "seed_%u", sd);
        tests[n] = (struct CMUnitTest){names[n], test_seed, setup, teardown, (void *)(uintptr_t)sd};
        n++;
        if (only)
            break;
    }
    return _cmocka_run_group_tests("test_vm_model", tests, n, NULL, NULL);
}
