/* Two-level i386 page tables (4 KiB pages; 4 MiB PSE pages read-only here). */
#include "arch/i386/pmap/pmap.h"
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
    pm->tables = pm->resident = 0;
    return 0;
}

/* Drop every mapping of one user page table, then the table itself. */
static void destroy_table(struct pmap *pm, paddr_t table)
{
    pte_t *pt = kmap(table);
    for (uint32_t i = 0; i < PT_ENTRIES; i++) {
        if (holds_frame(pt[i])) {
            pmm_unref(pte_frame(pt[i]));
            pm->resident--;
        }
    }
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
            destroy_table(pm, pte_frame(pd[i]));
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

int pmap_enter(struct pmap *pm, vaddr_t va, paddr_t pa, unsigned prot)
{
    int err;
    if (va < PAGE_SIZE || (pa & PAGE_MASK) || (va & PAGE_MASK))
        return -EINVAL;
    paddr_t table = table_for(pm, va, true, &err);
    if (!table)
        return err;
    pte_t *pt = kmap(table);
    pte_t old = pt[PTX(va)];
    pt[PTX(va)] = pa | entry_bits(va, prot);
    kunmap(pt);
    bool user = va < KERNEL_BASE;
    if (old & PTE_P)
        flush_if_live(pm, va);
    if (user && !holds_frame(old))
        pm->resident++;
    if (user && holds_frame(old))
        pmm_unref(pte_frame(old));
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
    if (va < KERNEL_BASE && holds_frame(old)) {
        pm->resident--;
        pmm_unref(pte_frame(old));
    }
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
    pm->resident--;
    pmm_unref(pte_frame(old));
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
    info->writable = (e & PTE_W) && (pde & PTE_W);
    info->user = (e & PTE_U) && (pde & PTE_U);
    info->pa = pte_frame(e) | (va & PAGE_MASK);
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

/* Copy src's present entries of one table range [lo, hi) into dst's table. */
static void fork_table(struct pmap *dst, pte_t *dpt, pte_t *spt, uint32_t lo, uint32_t hi, bool shared)
{
    for (uint32_t i = lo; i < hi; i++) {
        pte_t e = spt[i];
        if (!holds_frame(e))
            continue;
        if (!shared)
            e &= ~PTE_W;
        spt[i] = e;
        dpt[i] = e & ~(PTE_A | PTE_D);
        pmm_ref(pte_frame(e));
        dst->resident++;
    }
}

int pmap_fork(struct pmap *dst, struct pmap *src, vaddr_t start, vaddr_t end, bool shared)
{
    for (vaddr_t va = start; va < end && va >= start;) {
        vaddr_t chunk_end = MIN(ALIGN_DOWN(va, BIG_PAGE_SIZE) + BIG_PAGE_SIZE, end);
        if (chunk_end <= va) /* wrapped at the top of the address space */
            chunk_end = end;
        pte_t spde = read_pde(src, va);
        if ((spde & PTE_P) && !(spde & PTE_PS)) {
            int err;
            paddr_t dtable = table_for(dst, va, true, &err);
            if (!dtable)
                return err;
            pte_t *spt = kmap(pte_frame(spde));
            pte_t *dpt = kmap(dtable);
            fork_table(dst, dpt, spt, PTX(va), chunk_end - va >= BIG_PAGE_SIZE ? PT_ENTRIES : PTX(chunk_end - 1) + 1,
                       shared);
            kunmap(dpt);
            kunmap(spt);
        }
        va = chunk_end;
    }
    if (!shared && src == current_pmap)
        arch_load_page_directory(src->pd); /* the write-protected entries must not linger in the TLB */
    return 0;
}
