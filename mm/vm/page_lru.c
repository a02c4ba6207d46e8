/* The page LRUs (see page_lru.h). */
#include "mm/vm/page_lru.h"
#include "errno.h"
#include "mm/pmm/pmm.h"
#include "mmu.h"
#include "printk.h"

struct page_lru lru_file, lru_anon;

static inline struct frame *at(uint32_t pfn) { return pmm_frame((paddr_t)pfn << PAGE_SHIFT); }

/* The list of l member f is on. */
static inline struct page_list *list_of(struct page_lru *l, const struct frame *f)
{
    return (f->flags & FRAME_F_ACTIVE) ? &l->active : &l->inactive;
}

void page_lru_reset(struct page_lru *l)
{
    l->inactive = (struct page_list){0, 0, 0};
    l->active = (struct page_list){0, 0, 0};
}

/* Link frame f (pfn) at list's hot end. */
static void link_hot(struct page_list *list, uint32_t pfn, struct frame *f)
{
    f->prev = 0;
    f->next = list->hot;
    if (list->hot)
        at(list->hot)->prev = pfn;
    else
        list->cold = pfn;
    list->hot = pfn;
    list->members++;
}

/* Link frame f (pfn) at list's cold end. */
static void link_cold(struct page_list *list, uint32_t pfn, struct frame *f)
{
    f->next = 0;
    f->prev = list->cold;
    if (list->cold)
        at(list->cold)->next = pfn;
    else
        list->hot = pfn;
    list->cold = pfn;
    list->members++;
}

/* Unlink member f from list; its own links are left as they were. */
static void unlink(struct page_list *list, struct frame *f)
{
    if (f->prev)
        at(f->prev)->next = f->next;
    else
        list->hot = f->next; /* f was the hot end */
    if (f->next)
        at(f->next)->prev = f->prev;
    else
        list->cold = f->prev; /* f was the cold end */
    list->members--;
}

/* The metadata of member pa, or a panic naming what went wrong. */
static struct frame *member(paddr_t pa, const char *what)
{
    struct frame *f = pmm_frame(pa);
    if (!f || !(f->flags & FRAME_F_LRU))
        panic("%s: frame 0x%x is not on the LRU", what, pa);
    return f;
}

void page_lru_insert(struct page_lru *l, paddr_t pa)
{
    uint32_t pfn = pa >> PAGE_SHIFT;
    struct frame *f = pmm_frame(pa);
    if (!f || pfn == 0 || (f->flags & FRAME_F_LRU))
        panic("page_lru_insert: frame 0x%x cannot join the LRU", pa);
    f->flags = (uint8_t)((f->flags | FRAME_F_LRU) & ~FRAME_F_ACTIVE);
    link_hot(&l->inactive, pfn, f);
}

void page_lru_remove(struct page_lru *l, paddr_t pa)
{
    struct frame *f = pmm_frame(pa);
    if (!f || !(f->flags & FRAME_F_LRU))
        return;
    unlink(list_of(l, f), f);
    f->next = f->prev = 0;
    f->flags &= (uint8_t)~(FRAME_F_LRU | FRAME_F_ACTIVE);
}

/* Move member pa to the hot (or cold) end of l's active or inactive list. */
static void move(struct page_lru *l, paddr_t pa, bool active, bool cold, const char *what)
{
    struct frame *f = member(pa, what);
    uint32_t pfn = pa >> PAGE_SHIFT;
    unlink(list_of(l, f), f);
    f->flags = (uint8_t)(active ? f->flags | FRAME_F_ACTIVE : f->flags & ~FRAME_F_ACTIVE);
    if (cold)
        link_cold(list_of(l, f), pfn, f);
    else
        link_hot(list_of(l, f), pfn, f);
}

void page_lru_activate(struct page_lru *l, paddr_t pa) { move(l, pa, true, false, "page_lru_activate"); }
void page_lru_deactivate(struct page_lru *l, paddr_t pa) { move(l, pa, false, false, "page_lru_deactivate"); }
void page_lru_make_coldest(struct page_lru *l, paddr_t pa) { move(l, pa, false, true, "page_lru_make_coldest"); }

void page_lru_rotate(struct page_lru *l, paddr_t pa)
{
    struct frame *f = member(pa, "page_lru_rotate");
    move(l, pa, (f->flags & FRAME_F_ACTIVE) != 0, false, "page_lru_rotate");
}

bool page_lru_member(paddr_t pa)
{
    struct frame *f = pmm_frame(pa);
    return f && (f->flags & FRAME_F_LRU);
}

bool page_lru_active(paddr_t pa)
{
    struct frame *f = pmm_frame(pa);
    return f && (f->flags & FRAME_F_LRU) && (f->flags & FRAME_F_ACTIVE);
}

paddr_t page_list_coldest(const struct page_list *list) { return (paddr_t)list->cold << PAGE_SHIFT; }

paddr_t page_list_hotter(paddr_t pa)
{
    struct frame *f = pmm_frame(pa);
    return f && (f->flags & FRAME_F_LRU) ? (paddr_t)f->prev << PAGE_SHIFT : 0;
}

uint32_t page_lru_count(const struct page_lru *l) { return l->inactive.members + l->active.members; }

/* Check one list: the members, or -EINVAL. */
static int check_list(const struct page_list *list, bool active)
{
    uint32_t n = 0, prev = 0;
    for (uint32_t pfn = list->hot; pfn; prev = pfn, pfn = at(pfn)->next) {
        struct frame *f = at(pfn);
        if (!f || !(f->flags & FRAME_F_LRU) || ((f->flags & FRAME_F_ACTIVE) != 0) != active || f->prev != prev ||
            ++n > list->members) {
            kprintf("page lru: bad member pfn 0x%x after 0x%x (%u of %u, %s list)\n", pfn, prev, n, list->members,
                    active ? "active" : "inactive");
            return -EINVAL;
        }
    }
    if (n != list->members || list->cold != prev) {
        kprintf("page lru: %u members found, %u counted; cold end 0x%x, last 0x%x (%s list)\n", n, list->members,
                list->cold, prev, active ? "active" : "inactive");
        return -EINVAL;
    }
    return (int)n;
}

int page_lru_check(const struct page_lru *l)
{
    int a = check_list(&l->inactive, false), b = check_list(&l->active, true);
    return a < 0 || b < 0 ? -EINVAL : a + b;
}
