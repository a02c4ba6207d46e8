/* The page LRU (see page_lru.h). */
#include "mm/vm/page_lru.h"
#include "errno.h"
#include "mm/pmm/pmm.h"
#include "mmu.h"
#include "printk.h"

struct page_list lru_file, lru_anon;

static inline struct frame *at(uint32_t pfn) { return pmm_frame((paddr_t)pfn << PAGE_SHIFT); }

void page_lru_reset(struct page_list *l) { l->hot = l->cold = l->members = 0; }

void page_lru_insert(struct page_list *l, paddr_t pa)
{
    uint32_t pfn = pa >> PAGE_SHIFT;
    struct frame *f = at(pfn);
    if (!f || pfn == 0 || (f->flags & FRAME_F_LRU))
        panic("page_lru_insert: frame 0x%x cannot join the LRU", pa);
    f->flags |= FRAME_F_LRU;
    f->prev = 0;
    f->next = l->hot;
    if (l->hot)
        at(l->hot)->prev = pfn;
    else
        l->cold = pfn;
    l->hot = pfn;
    l->members++;
}

/* Unlink member f from its neighbours and the ends; its own links are left as they were. */
static void lru_unlink(struct page_list *l, struct frame *f)
{
    if (f->prev)
        at(f->prev)->next = f->next;
    else
        l->hot = f->next; /* f was the hot end */
    if (f->next)
        at(f->next)->prev = f->prev;
    else
        l->cold = f->prev; /* f was the cold end */
}

void page_lru_remove(struct page_list *l, paddr_t pa)
{
    uint32_t pfn = pa >> PAGE_SHIFT;
    struct frame *f = at(pfn);
    if (!f || !(f->flags & FRAME_F_LRU))
        return;
    lru_unlink(l, f);
    f->next = f->prev = 0;
    f->flags &= (uint8_t)~FRAME_F_LRU;
    l->members--;
}

void page_lru_rotate(struct page_list *l, paddr_t pa)
{
    uint32_t pfn = pa >> PAGE_SHIFT;
    struct frame *f = at(pfn);
    if (!f || !(f->flags & FRAME_F_LRU))
        panic("page_lru_rotate: frame 0x%x is not on the LRU", pa);
    if (l->hot == pfn)
        return;
    lru_unlink(l, f);
    f->prev = 0;
    f->next = l->hot;
    at(l->hot)->prev = pfn; /* hot != pfn: the list had another member */
    l->hot = pfn;
}

void page_lru_make_coldest(struct page_list *l, paddr_t pa)
{
    uint32_t pfn = pa >> PAGE_SHIFT;
    struct frame *f = at(pfn);
    if (!f || !(f->flags & FRAME_F_LRU))
        panic("page_lru_make_coldest: frame 0x%x is not on the LRU", pa);
    if (l->cold == pfn)
        return;
    lru_unlink(l, f);
    f->next = 0;
    f->prev = l->cold;
    at(l->cold)->next = pfn; /* cold != pfn: the list had another member */
    l->cold = pfn;
}

bool page_lru_member(paddr_t pa)
{
    struct frame *f = pmm_frame(pa);
    return f && (f->flags & FRAME_F_LRU);
}

paddr_t page_lru_coldest(const struct page_list *l) { return (paddr_t)l->cold << PAGE_SHIFT; }

paddr_t page_lru_hotter(paddr_t pa)
{
    struct frame *f = pmm_frame(pa);
    return f && (f->flags & FRAME_F_LRU) ? (paddr_t)f->prev << PAGE_SHIFT : 0;
}

uint32_t page_lru_count(const struct page_list *l) { return l->members; }

int page_lru_check(const struct page_list *l)
{
    uint32_t n = 0, prev = 0;
    for (uint32_t pfn = l->hot; pfn; prev = pfn, pfn = at(pfn)->next) {
        struct frame *f = at(pfn);
        if (!f || !(f->flags & FRAME_F_LRU) || f->prev != prev || ++n > l->members) {
            kprintf("page lru: bad member pfn 0x%x after 0x%x (%u of %u)\n", pfn, prev, n, l->members);
            return -EINVAL;
        }
    }
    if (n != l->members || l->cold != prev) {
        kprintf("page lru: %u members found, %u counted; cold end 0x%x, last 0x%x\n", n, l->members, l->cold, prev);
        return -EINVAL;
    }
    return (int)n;
}
