/* Two-level i386 page tables (4 KiB pages; 4 MiB PSE pages read-only here), and their reverse map. */
#include "arch/i386/pmap/pmap.h"
#include "arch/i386/pmap/pv.h"
#include "errno.h"
#include "kstring.h"
#include "mmu.h"
#include "mm/pmm/physmem.h"
#include "mm/pmm/pmm.h"
#include "printk.h"

struct pmap kernel_pmap;
static struct pmap *current_pmap = &kernel_pmap;
static pte_t *pte_window; /* pmap_pte's last temporary table mapping */

bool pte_present(pte_t e) { return e & PTE_P; }
bool pte_writable(pte_t e) { return e & PTE_W; }
bool pte_user(pte_t e) { return e & PTE_U; }
paddr_t pte_frame(pte_t e) { return e & PTE_FRAME; }

static pte_t prot_bits(unsigned prot)
{
    pte_t b = PTE_P;
    if (prot & PMAP_WRITE)
        b |= PTE_W;
    if (prot & PMAP_USER)
        b |= PTE_U;
    if (prot & PMAP_GLOBAL)
        b |= PTE_G;
    if (prot & PMAP_NOCACHE)
        b |= PTE_PCD;
    if (prot & PMAP_ACCESSED)
        b |= PTE_A;
    return b;
}

/* The entry for a page with prot at va: user-half pages without PMAP_USER are PROT_NONE. */
static pte_t entry_bits(vaddr_t va, unsigned prot)
{
    if (va < KERNEL_BASE && !(prot & PMAP_USER))
        return PTE_PROTNONE;
    return prot_bits(prot);
}

/* A user-half entry that holds a frame reference: present, or PROT_NONE. */
static bool holds_frame(pte_t e) { return e & (PTE_P | PTE_PROTNONE); }

/* The directory that holds va's PDE: kernel-half PDEs live in the kernel's. */
static paddr_t pd_for(struct pmap *pm, vaddr_t va)
{
    return va >= KERNEL_BASE ? kernel_pmap.pd : pm->pd;
}

static void flush_if_live(struct pmap *pm, vaddr_t va)
{
    if (va >= KERNEL_BASE || pm == current_pmap)
        arch_tlb_flush_page(va);
}

void pmap_init_kernel(paddr_t pd)
{
    kernel_pmap.pd = pd;
    kernel_pmap.tables = kernel_pmap.resident = 0;
    current_pmap = &kernel_pmap;
}

int pmap_create(struct pmap *pm)
{
    paddr_t pd = pmm_alloc(PMM_PREFER_LOW, FRAME_PGTABLE);
    if (!pd)
        return -ENOMEM;
    pte_t *dst = kmap(pd);
    pte_t *src = kmap(kernel_pmap.pd);
    memset(dst, 0, KERNEL_PDE_FIRST * sizeof(pte_t));
    memcpy(dst + KERNEL_PDE_FIRST, src + KERNEL_PDE_FIRST, (PT_ENTRIES - KERNEL_PDE_FIRST) * sizeof(pte_t));
    kunmap(src);
    kunmap(dst);
    pm->pd = pd;
    pm->tables = pm->resident = pm->resident_peak = 0;
    return 0;
}

/*
 * The user-half entry at va that held old's frame is gone (already cleared
 * and flushed): take it off the frame's rmap, then drop its reference.
 */
static void drop_held(struct pmap *pm, vaddr_t va, pte_t old)
{
    struct frame *f = pmm_frame(pte_frame(old));
    if (f)
        pv_remove(f, pm, va);
    pm->resident--;
    pmm_unref(pte_frame(old));
}

/* Drop every mapping of one user page table (mapping [base, base + 4 MiB)), then the table itself. */
static void destroy_table(struct pmap *pm, paddr_t table, vaddr_t base)
{
    pte_t *pt = kmap(table);
    for (uint32_t i = 0; i < PT_ENTRIES; i++)
        if (holds_frame(pt[i]))
            drop_held(pm, base + i * PAGE_SIZE, pt[i]);
    kunmap(pt);
    pmm_free(table);
    pm->tables--;
}

void pmap_destroy(struct pmap *pm)
{
    if (pm == &kernel_pmap || pm == current_pmap)
        panic("pmap_destroy: directory 0x%x is the kernel's or in use", pm->pd);
    pte_t *pd = kmap(pm->pd);
    for (uint32_t i = 0; i < KERNEL_PDE_FIRST; i++) {
        if (pd[i] & PTE_P) {
            destroy_table(pm, pte_frame(pd[i]), i * BIG_PAGE_SIZE);
            pd[i] = 0;
        }
    }
    kunmap(pd);
    pmm_free(pm->pd);
    pm->pd = 0;
}

/* Read va's PDE from the directory that owns it. */
static pte_t read_pde(struct pmap *pm, vaddr_t va)
{
    pte_t *pd = kmap(pd_for(pm, va));
    pte_t pde = pd[PDX(va)];
    kunmap(pd);
    return pde;
}

/*
 * Physical address of va's page table, allocating a zeroed one if make.
 * 0 with *err set when absent, out of memory, or va sits in a big page.
 */
static paddr_t table_for(struct pmap *pm, vaddr_t va, bool make, int *err)
{
    pte_t pde = read_pde(pm, va);
    *err = 0;
    if (pde & PTE_P) {
        if (pde & PTE_PS) {
            *err = -EBUSY;
            return 0;
        }
        return pte_frame(pde);
    }
    if (!make || va >= KERNEL_BASE) {
        *err = make ? -EINVAL : -ENOENT; /* kernel tables exist from boot */
        return 0;
    }
    paddr_t table = pmm_alloc(PMM_PREFER_LOW | PMM_ZERO, FRAME_PGTABLE);
    if (!table) {
        *err = -ENOMEM;
        return 0;
    }
    pte_t *pd = kmap(pm->pd);
    pd[PDX(va)] = table | PTE_P | PTE_W | PTE_U;
    kunmap(pd);
    pm->tables++;
    return table;
}

/*
 * A spare pv entry in *spare if entering pa at user va needs one (pa's frame
 * is mapped already, and not by this very entry): 0, or -ENOMEM.
 */
static int enter_prepare(struct pmap *pm, vaddr_t va, paddr_t pa, struct pv_entry **spare)
{
    struct frame *f = va < KERNEL_BASE ? pmm_frame(pa) : NULL;
    paddr_t cur;
    *spare = NULL;
    if (!f || !pv_full(f) || (pmap_extract(pm, va, &cur) && cur == pa))
        return 0;
    *spare = pv_alloc();
    return *spare ? 0 : -ENOMEM;
}

/*
 * The user-half entry at va now holds pa instead of old: move the rmap entry
 * from old's frame to pa's (unless it is the same frame), count a new page,
 * or drop the reference the old entry held (pmap_enter consumed the caller's).
 */
static void enter_account(struct pmap *pm, vaddr_t va, pte_t old, paddr_t pa, struct pv_entry **spare)
{
    bool same = holds_frame(old) && pte_frame(old) == pa;
    struct frame *f = pmm_frame(pa);
    if (f && !same)
        pv_add(f, pm, va, spare);
    if (!holds_frame(old)) {
        pm->resident++;
        pm->resident_peak = MAX(pm->resident_peak, pm->resident);
        return;
    }
    struct frame *of = pmm_frame(pte_frame(old));
    if (of && !same)
        pv_remove(of, pm, va);
    pmm_unref(pte_frame(old));
}

int pmap_enter(struct pmap *pm, vaddr_t va, paddr_t pa, unsigned prot)
{
    int err;
    struct pv_entry *spare;
    if (va < PAGE_SIZE || (pa & PAGE_MASK) || (va & PAGE_MASK))
        return -EINVAL;
    if ((err = enter_prepare(pm, va, pa, &spare)) != 0)
        return err;
    paddr_t table = table_for(pm, va, true, &err);
    if (!table) {
        pv_free(spare);
        return err;
    }
    pte_t *pt = kmap(table);
    pte_t old = pt[PTX(va)];
    pt[PTX(va)] = pa | entry_bits(va, prot);
    kunmap(pt);
    if (old & PTE_P)
        flush_if_live(pm, va);
    if (va < KERNEL_BASE)
        enter_account(pm, va, old, pa, &spare);
    pv_free(spare);
    return 0;
}

void pmap_remove(struct pmap *pm, vaddr_t va)
{
    int err;
    paddr_t table = table_for(pm, va, false, &err);
    if (!table)
        return;
    pte_t *pt = kmap(table);
    pte_t old = pt[PTX(va)];
    pt[PTX(va)] = 0;
    kunmap(pt);
    if (old & PTE_P)
        flush_if_live(pm, va);
    if (va < KERNEL_BASE && holds_frame(old))
        drop_held(pm, va, old);
}

/*
 * Call fn(pm, va, entry, arg) for every user entry of [start, end) that holds
 * a frame; a 4 MiB area without a page table costs one PDE read.
 */
static void walk_held(struct pmap *pm, vaddr_t start, vaddr_t end, void (*fn)(struct pmap *, vaddr_t, pte_t *, void *),
                      void *arg)
{
    end = MIN(end, (vaddr_t)KERNEL_BASE);
    for (vaddr_t va = start; va < end;) {
        vaddr_t chunk_end = MIN(ALIGN_DOWN(va, BIG_PAGE_SIZE) + BIG_PAGE_SIZE, end);
        pte_t pde = read_pde(pm, va);
        if ((pde & PTE_P) && !(pde & PTE_PS)) {
            pte_t *pt = kmap(pte_frame(pde));
            for (vaddr_t a = va; a < chunk_end; a += PAGE_SIZE)
                if (holds_frame(pt[PTX(a)]))
                    fn(pm, a, &pt[PTX(a)], arg);
            kunmap(pt);
        }
        va = chunk_end;
    }
}

static void remove_one(struct pmap *pm, vaddr_t va, pte_t *e, void *unused)
{
    (void)unused;
    pte_t old = *e;
    *e = 0;
    if (old & PTE_P)
        flush_if_live(pm, va);
    drop_held(pm, va, old);
}

void pmap_remove_range(struct pmap *pm, vaddr_t start, vaddr_t end) { walk_held(pm, start, end, remove_one, NULL); }

int pmap_protect(struct pmap *pm, vaddr_t va, unsigned prot)
{
    int err;
    paddr_t table = table_for(pm, va, false, &err);
    if (!table)
        return err;
    pte_t *pt = kmap(table);
    pte_t old = pt[PTX(va)];
    bool held = va < KERNEL_BASE ? holds_frame(old) : (old & PTE_P) != 0;
    if (held)
        pt[PTX(va)] = pte_frame(old) | (old & (PTE_A | PTE_D | PTE_G)) | entry_bits(va, prot);
    kunmap(pt);
    if (!held)
        return -ENOENT;
    if (old & PTE_P)
        flush_if_live(pm, va);
    return 0;
}

struct protect_args {
    unsigned prot;
    bool (*may_write)(paddr_t pa, void *arg);
    void *arg;
};

static void protect_one(struct pmap *pm, vaddr_t va, pte_t *e, void *arg)
{
    const struct protect_args *pa = arg;
    pte_t old = *e;
    unsigned p = pa->prot;
    if ((p & PMAP_WRITE) && pa->may_write && !pa->may_write(pte_frame(old), pa->arg))
        p &= ~PMAP_WRITE; /* e.g. still shared copy-on-write: the first write copies */
    *e = pte_frame(old) | (old & (PTE_A | PTE_D | PTE_G)) | entry_bits(va, p);
    if (old & PTE_P)
        flush_if_live(pm, va);
}

void pmap_protect_range(struct pmap *pm, vaddr_t start, vaddr_t end, unsigned prot,
                        bool (*may_write)(paddr_t pa, void *arg), void *arg)
{
    struct protect_args pa = {prot, may_write, arg};
    walk_held(pm, start, end, protect_one, &pa);
}

void pmap_query(struct pmap *pm, vaddr_t va, struct pmap_info *info)
{
    memset(info, 0, sizeof *info);
    pte_t pde = read_pde(pm, va);
    if (!(pde & PTE_P))
        return;
    if (pde & PTE_PS) {
        info->present = info->big = true;
        info->writable = pde & PTE_W;
        info->user = pde & PTE_U;
        info->reserved_bits = (pde & PDE_BIG_RSVD) != 0;
        info->pa = (pde & PDE_BIG_FRAME) | (va & (BIG_PAGE_SIZE - 1));
        return;
    }
    pte_t *pt = kmap(pte_frame(pde));
    pte_t e = pt[PTX(va)];
    kunmap(pt);
    if (!(e & PTE_P)) {
        if (va < KERNEL_BASE && (e & PTE_PROTNONE)) {
            info->protnone = true;
            info->pa = pte_frame(e) | (va & PAGE_MASK);
        }
        return;
    }
    info->present = true;
    info->accessed = e & PTE_A;
    info->dirty = e & PTE_D;
    info->writable = (e & PTE_W) && (pde & PTE_W);
    info->user = (e & PTE_U) && (pde & PTE_U);
    info->pa = pte_frame(e) | (va & PAGE_MASK);
}

/* Enter pa (a new reference, taken here) into hole e of pm at user va: 0, or -ENOMEM (no rmap entry; nothing changed). */
static int enter_hole(struct pmap *pm, vaddr_t va, pte_t *e, paddr_t pa, unsigned prot)
{
    struct frame *f = pmm_frame(pa);
    struct pv_entry *spare = NULL;
    pmm_ref(pa); /* first: held, the frame is no candidate for a reclaim the allocation below may run */
    if (f && pv_full(f) && !(spare = pv_alloc())) {
        pmm_unref(pa);
        return -ENOMEM;
    }
    *e = pa | entry_bits(va, prot); /* was not present: nothing to flush */
    if (f)
        pv_add(f, pm, va, &spare);
    pv_free(spare);
    pm->resident++;
    pm->resident_peak = MAX(pm->resident_peak, pm->resident);
    return 0;
}

uint32_t pmap_enter_holes(struct pmap *pm, vaddr_t va, uint32_t n, paddr_t (*pick)(vaddr_t va, unsigned *prot, void *arg),
                          void *arg)
{
    if (n == 0 || n > 32 || va < PAGE_SIZE || (va & PAGE_MASK) || va + (n - 1) * PAGE_SIZE >= KERNEL_BASE ||
        PDX(va) != PDX(va + (n - 1) * PAGE_SIZE))
        panic("pmap_enter_holes: %u pages from 0x%x are not in one user page table", n, va);
    pte_t pde = read_pde(pm, va);
    if (!(pde & PTE_P) || (pde & PTE_PS))
        return 0;
    pte_t *pt = kmap(pte_frame(pde));
    uint32_t entered = 0;
    for (uint32_t i = 0; i < n; i++) {
        pte_t *e = &pt[PTX(va) + i];
        unsigned prot = 0;
        paddr_t pa = holds_frame(*e) ? 0 : pick(va + i * PAGE_SIZE, &prot, arg);
        if (!pa)
            continue;
        if (enter_hole(pm, va + i * PAGE_SIZE, e, pa, prot))
            break; /* reclaim in the allocation only removes entries: e is still a hole, left as it was */
        entered++;
    }
    kunmap(pt);
    return entered;
}

bool pmap_extract(struct pmap *pm, vaddr_t va, paddr_t *pa)
{
    struct pmap_info info;
    pmap_query(pm, va, &info);
    bool held = info.present || info.protnone;
    if (held && pa)
        *pa = info.pa;
    return held;
}

pte_t *pmap_pte(struct pmap *pm, vaddr_t va, bool make)
{
    int err;
    if (pte_window) {
        kunmap(pte_window);
        pte_window = NULL;
    }
    paddr_t table = table_for(pm, va, make, &err);
    if (!table)
        return NULL;
    pte_window = kmap(table);
    return &pte_window[PTX(va)];
}

int pmap_reserve(struct pmap *pm, vaddr_t start, vaddr_t end)
{
    for (vaddr_t va = ALIGN_DOWN(start, BIG_PAGE_SIZE); va < end && va < KERNEL_BASE; va += BIG_PAGE_SIZE) {
        int err;
        if (!table_for(pm, MAX(va, start), true, &err))
            return err;
        if (va + BIG_PAGE_SIZE < va)
            break;
    }
    return 0;
}

void pmap_activate(struct pmap *pm)
{
    current_pmap = pm;
    arch_load_page_directory(pm->pd);
}

struct pmap *pmap_current(void) { return current_pmap; }

/*
 * Copy src's held entries of one table range [lo, hi) into dst's table
 * (which maps from base), each a new mapping on its frame's rmap: 0, or
 * -ENOMEM when a pv entry cannot be had (the entries before it are copied).
 */
static int fork_table(struct pmap *dst, vaddr_t base, pte_t *dpt, pte_t *spt, uint32_t lo, uint32_t hi, bool shared)
{
    for (uint32_t i = lo; i < hi; i++) {
        pte_t e = spt[i];
        if (!holds_frame(e))
            continue;
        struct frame *f = pmm_frame(pte_frame(e));
        struct pv_entry *spare = NULL;
        if (f && pv_full(f)) {
            if (!(spare = pv_alloc()))
                return -ENOMEM;
            e = spt[i]; /* allocating may have reclaimed the page (its every mapping removed): look again */
            if (!holds_frame(e)) {
                pv_free(spare);
                continue;
            }
        }
        if (!shared)
            e &= ~PTE_W;
        spt[i] = e;
        dpt[i] = e & ~(PTE_A | PTE_D);
        if (f)
            pv_add(f, dst, base + i * PAGE_SIZE, &spare);
        pmm_ref(pte_frame(e));
        dst->resident++;
        dst->resident_peak = MAX(dst->resident_peak, dst->resident);
    }
    return 0;
}

int pmap_fork(struct pmap *dst, struct pmap *src, vaddr_t start, vaddr_t end, bool shared)
{
    int err = 0;
    end = MIN(end, (vaddr_t)KERNEL_BASE);
    for (vaddr_t va = start; !err && va < end;) {
        vaddr_t chunk_end = MIN(ALIGN_DOWN(va, BIG_PAGE_SIZE) + BIG_PAGE_SIZE, end);
        pte_t spde = read_pde(src, va);
        if ((spde & PTE_P) && !(spde & PTE_PS)) {
            paddr_t dtable = table_for(dst, va, true, &err);
            if (!dtable)
                break;
            pte_t *spt = kmap(pte_frame(spde));
            pte_t *dpt = kmap(dtable);
            err = fork_table(dst, ALIGN_DOWN(va, BIG_PAGE_SIZE), dpt, spt, PTX(va),
                             chunk_end - va >= BIG_PAGE_SIZE ? PT_ENTRIES : PTX(chunk_end - 1) + 1, shared);
            kunmap(dpt);
            kunmap(spt);
        }
        va = chunk_end;
    }
    if (!shared && src == current_pmap)
        arch_load_page_directory(src->pd); /* the write-protected entries must not linger in the TLB, even on failure */
    return err;
}

/* ---- the reverse map: every user mapping of a frame ---- */

/* The metadata of the managed frame holding pa, or NULL. */
static struct frame *rmap_frame(paddr_t pa) { return pmm_frame(ALIGN_DOWN(pa, PAGE_SIZE)); }

/*
 * pm's page table holding user va, kmapped, with *e its entry, which the rmap
 * says holds frame pa: a broken invariant (panic) if it does not.
 */
static pte_t *rmap_entry(struct pmap *pm, vaddr_t va, paddr_t pa, pte_t **e)
{
    int err;
    paddr_t table = va < KERNEL_BASE ? table_for(pm, va, false, &err) : 0;
    pte_t *pt = table ? kmap(table) : NULL;
    if (!pt || !holds_frame(pt[PTX(va)]) || pte_frame(pt[PTX(va)]) != pa)
        panic("rmap: frame 0x%x lists pmap %p va 0x%x, which does not map it", pa, (void *)pm, va);
    *e = &pt[PTX(va)];
    return pt;
}

void pmap_page_remove(paddr_t pa)
{
    struct frame *f = rmap_frame(pa);
    struct pmap *pm;
    vaddr_t va;
    pa = ALIGN_DOWN(pa, PAGE_SIZE);
    while (f && pv_first(f, &pm, &va)) { /* the last one may free the frame: its rmap is empty by then */
        pte_t *e;
        pte_t *pt = rmap_entry(pm, va, pa, &e);
        remove_one(pm, va, e, NULL);
        kunmap(pt);
    }
}

/* The entry e lowered to at most prot: write or user access that prot lacks goes (no user access: PROT_NONE). */
static pte_t lower_entry(pte_t e, unsigned prot)
{
    if (!(e & PTE_P))
        return e; /* PROT_NONE already */
    if (!(prot & PMAP_USER))
        return pte_frame(e) | (e & (PTE_A | PTE_D | PTE_G)) | PTE_PROTNONE;
    return prot & PMAP_WRITE ? e : e & ~PTE_W;
}

struct page_protect_args {
    paddr_t pa;
    unsigned prot;
};

static int page_protect_one(struct pmap *pm, vaddr_t va, void *arg)
{
    const struct page_protect_args *a = arg;
    pte_t *e;
    pte_t *pt = rmap_entry(pm, va, a->pa, &e);
    pte_t old = *e, lowered = lower_entry(old, a->prot);
    *e = lowered;
    kunmap(pt);
    if (lowered != old && (old & PTE_P))
        flush_if_live(pm, va);
    return 0;
}

void pmap_page_protect(paddr_t pa, unsigned prot)
{
    struct frame *f = rmap_frame(pa);
    struct page_protect_args a = {ALIGN_DOWN(pa, PAGE_SIZE), prot};
    if (f)
        pv_each(f, page_protect_one, &a);
}

struct referenced_args {
    paddr_t pa;
    bool seen;
};

/* One mapping of frame a->pa: clear its accessed bit, noting whether it was set. Always 0: every mapping is visited. */
static int clear_referenced_one(struct pmap *pm, vaddr_t va, void *arg)
{
    struct referenced_args *a = arg;
    pte_t *e;
    pte_t *pt = rmap_entry(pm, va, a->pa, &e);
    pte_t old = *e;
    *e = old & ~PTE_A;
    kunmap(pt);
    if (old & PTE_A) {
        flush_if_live(pm, va); /* else the TLB's copy, accessed already, would never set it again */
        a->seen = true;
    }
    return 0;
}

bool pmap_page_clear_referenced(paddr_t pa)
{
    struct frame *f = rmap_frame(pa);
    struct referenced_args a = {ALIGN_DOWN(pa, PAGE_SIZE), false};
    if (f)
        pv_each(f, clear_referenced_one, &a);
    return a.seen;
}

int pmap_page_each(paddr_t pa, int (*fn)(struct pmap *pm, vaddr_t va, void *arg), void *arg)
{
    struct frame *f = rmap_frame(pa);
    return f ? pv_each(f, fn, arg) : 0;
}

uint32_t pmap_page_mapcount(paddr_t pa)
{
    struct frame *f = rmap_frame(pa);
    return f ? pv_count(f) : 0;
}

void pmap_rmap_stats(struct pmap_rmap_stats *st)
{
    st->entries = pv_entries();
    st->entries_peak = pv_entries_peak();
    st->entry_bytes = (uint32_t)sizeof(struct pv_entry);
}

/* ---- pmap_rmap_check ---- */

struct rmap_check {
    paddr_t pa;       /* the frame whose rmap is being checked */
    uint32_t held;    /* user entries of the pmap that hold a frame */
    uint32_t checked; /* of those, mappings of managed frames (on an rmap) */
    bool bad;
};

/* Whether pm looks like a live pmap (one whose tables can be walked). */
static bool pmap_alive(const struct pmap *pm)
{
    const struct frame *d = pm->pd && !(pm->pd & PAGE_MASK) ? pmm_frame(pm->pd) : NULL;
    return pm == &kernel_pmap || (d && d->kind == FRAME_PGTABLE);
}

/* One rmap entry of frame c->pa: pm must map that frame at va (a walk of pm's tables). 0 or -EINVAL. */
static int check_target(struct pmap *pm, vaddr_t va, void *arg)
{
    const struct rmap_check *c = arg;
    paddr_t got;
    if (va >= KERNEL_BASE || (va & PAGE_MASK) || !pmap_alive(pm)) {
        kprintf("rmap check: frame 0x%x lists pmap %p va 0x%x, not a live user mapping\n", c->pa, (void *)pm, va);
        return -EINVAL;
    }
    if (!pmap_extract(pm, va, &got) || ALIGN_DOWN(got, PAGE_SIZE) != c->pa) {
        kprintf("rmap check: frame 0x%x lists pmap %p va 0x%x, which does not map it\n", c->pa, (void *)pm, va);
        return -EINVAL;
    }
    return 0;
}

/* walk_held callback: (pm, va) is on its frame's rmap exactly once, and every mapping listed there is real. */
static void check_held(struct pmap *pm, vaddr_t va, pte_t *e, void *arg)
{
    struct rmap_check *c = arg;
    struct frame *f = pmm_frame(pte_frame(*e));
    c->held++;
    if (c->bad || !f)
        return;
    c->pa = pte_frame(*e);
    c->checked++;
    uint32_t n = pv_sane(f) ? pv_find(f, pm, va) : 0;
    if (!pv_sane(f))
        kprintf("rmap check: frame 0x%x has a malformed rmap\n", c->pa);
    else if (n != 1)
        kprintf("rmap check: pmap %p va 0x%x maps frame 0x%x, listed %u times on its rmap\n", (void *)pm, va, c->pa, n);
    else if (f->refcount < pv_count(f))
        kprintf("rmap check: frame 0x%x has %u mappings but %u references\n", c->pa, pv_count(f), f->refcount);
    else if (pv_each(f, check_target, c) == 0)
        return;
    c->bad = true;
}

struct named_args {
    const struct pmap *pm;
    struct rmap_check c;
};

static int check_if_named(struct pmap *pm, vaddr_t va, void *arg)
{
    struct named_args *a = arg;
    return pm == a->pm ? check_target(pm, va, &a->c) : 0;
}

/* Every rmap entry naming pm, over every managed frame, is one of pm's real mappings: 0 or -EINVAL. */
static int check_named(struct pmap *pm)
{
    struct frame *f;
    for (uint32_t pfn = 0; pfn < (1u << (32 - PAGE_SHIFT)) && (f = pmm_frame((paddr_t)pfn << PAGE_SHIFT)); pfn++) {
        struct named_args a = {pm, {.pa = (paddr_t)pfn << PAGE_SHIFT}};
        if (!pv_sane(f)) {
            kprintf("rmap check: frame 0x%x has a malformed rmap\n", a.c.pa);
            return -EINVAL;
        }
        if (pv_each(f, check_if_named, &a))
            return -EINVAL;
    }
    return 0;
}

int pmap_rmap_check(struct pmap *pm)
{
    struct rmap_check c = {0};
    walk_held(pm, 0, KERNEL_BASE, check_held, &c);
    if (!c.bad && c.held != pm->resident) {
        kprintf("rmap check: pmap %p holds %u pages but counts %u resident\n", (void *)pm, c.held, pm->resident);
        c.bad = true;
    }
    if (c.bad || check_named(pm))
        return -EINVAL;
    return (int)c.checked;
}
