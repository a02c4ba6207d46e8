/*
 * The region set of a user address space (see vm_map.h): the regions'
 * bounds, backing and splitting rules. Finding and linking regions is
 * vm_map_tree.c's: a range operation finds its first region in O(log n)
 * and then walks the list, touching each region it affects once. Every
 * bound is exclusive and at most hi <= 0xFFFFF000, so `end - start` and
 * `start + len` never wrap once a range has been validated.
 */
#include "mm/vm/vm_map.h"
#include "errno.h"
#include "mm/vm/vm_map_tree.h"
#include "mm/vm/vm_region.h"
#include "mmu.h"

static bool page_aligned(vaddr_t a) { return (a & PAGE_MASK) == 0; }

/* [start,end) is a non-empty page-aligned range. */
static bool range_valid(vaddr_t start, vaddr_t end)
{
    return page_aligned(start) && page_aligned(end) && start < end;
}

/*
 * The first region with end > addr, or NULL. The hint (the last region
 * found) answers repeated and sequential lookups without the tree.
 */
static struct vm_region *first_after(struct vm_map *m, vaddr_t addr)
{
    struct vm_region *h = m->hint;
    if (h && h->end > addr && (!h->prev || h->prev->end <= addr))
        return h;
    if (h && h->end <= addr && h->next && h->next->end > addr)
        return m->hint = h->next;
    struct vm_region *r = vm_map_tree_first_after(m, addr);
    if (r)
        m->hint = r;
    return r;
}

/* Move r's start up to at (r not linked yet): the amap slots and the object window move with it. */
static void advance_start(struct vm_region *r, vaddr_t at)
{
    uint32_t d = at - r->start;
    r->amap_slot += d / PAGE_SIZE;
    if (r->obj) {
        r->obj_offset += d;
        r->obj_bytes = r->obj_bytes > d ? r->obj_bytes - d : 0;
    }
    r->start = at;
}

/* Cut r (in m) down to [at, end), dropping the private pages of what is cut off. */
static void trim_start(struct vm_map *m, struct vm_region *r, vaddr_t at)
{
    vm_region_wipe(r, r->start, at);
    advance_start(r, at);
    vm_map_tree_moved(m, r);
}

/* Cut r (in m) down to [start, at), dropping the private pages of what is cut off. */
static void trim_end(struct vm_map *m, struct vm_region *r, vaddr_t at)
{
    vm_region_wipe(r, at, r->end);
    r->obj_bytes = MIN(r->obj_bytes, at - r->start);
    r->end = at;
    vm_map_tree_moved(m, r);
}

/* Split r at start < at < end, using tail (a fresh struct) for [at, end); both keep their pages. */
static void split_at(struct vm_map *m, struct vm_region *r, vaddr_t at, struct vm_region *tail)
{
    *tail = *r;
    vm_region_ref_backing(tail);
    advance_start(tail, at);
    r->obj_bytes = MIN(r->obj_bytes, at - r->start);
    r->end = at; /* only the gap below tail depends on it: the insertion computes that */
    vm_map_tree_resized(m, r);
    vm_map_tree_insert(m, tail);
    m->count++;
}

/* Unlink nothing; free r and its references. */
static void free_region(struct vm_region *r)
{
    vm_region_unref_backing(r);
    vm_region_free(r);
}

void vm_map_init(struct vm_map *m, vaddr_t lo, vaddr_t hi)
{
    hi = ALIGN_DOWN(hi, PAGE_SIZE);
    lo = MAX(lo, PAGE_SIZE);
    lo = lo >= hi ? hi : ALIGN_UP(lo, PAGE_SIZE); /* lo < hi <= 0xFFFFF000: no wrap */
    m->root = m->head = m->tail = m->hint = NULL;
    m->count = 0;
    m->pages = m->pages_peak = 0;
    m->lo = lo;
    m->hi = hi;
    m->stack_max = VM_STACK_DEFAULT;
    m->as_max = VM_AS_UNLIMITED;
}

int vm_map_insert(struct vm_map *m, vaddr_t start, vaddr_t end, uint32_t prot, uint32_t flags,
                  struct vm_object *obj, uint32_t obj_offset, uint32_t obj_bytes)
{
    if (!range_valid(start, end) || start < m->lo || end > m->hi)
        return -EINVAL;
    if (obj && obj_offset > UINT32_MAX - (end - start))
        return -EINVAL;
    struct vm_region *next = first_after(m, start);
    if (next && next->start < end)
        return -EEXIST;
    struct vm_region *r = vm_region_alloc();
    if (!r)
        return -ENOMEM;
    *r = (struct vm_region){
        .start = start,
        .end = end,
        .prot = prot,
        .flags = flags & ~VM_NEEDS_COPY,
        .obj = obj,
        .obj_offset = obj ? obj_offset : 0,
        .obj_bytes = obj ? MIN(obj_bytes, end - start) : 0,
    };
    vm_region_ref_backing(r);
    vm_map_tree_insert(m, r);
    m->count++;
    m->hint = r; /* the next lookup is likely a fault in it, or its munmap */
    return 0;
}

struct vm_region *vm_map_lookup(struct vm_map *m, vaddr_t addr)
{
    struct vm_region *r = first_after(m, addr);
    return r && r->start <= addr ? r : NULL;
}

struct vm_region *vm_map_first_after(struct vm_map *m, vaddr_t addr) { return first_after(m, addr); }

int vm_map_remove(struct vm_map *m, vaddr_t start, vaddr_t end)
{
    if (!range_valid(start, end))
        return -EINVAL;
    struct vm_region *r = first_after(m, start);
    if (r && r->start < start && r->end > end) { /* a hole inside one region */
        struct vm_region *tail = vm_region_alloc();
        if (!tail)
            return -ENOMEM;
        split_at(m, r, end, tail);
        trim_end(m, r, start);
        return 0;
    }
    if (r && r->start < start) { /* keep the head of the first region */
        trim_end(m, r, start);
        r = r->next;
    }
    while (r && r->end <= end) { /* wholly covered */
        struct vm_region *next = r->next;
        vm_map_tree_erase(m, r);
        vm_region_wipe(r, r->start, r->end);
        free_region(r);
        m->count--;
        r = next;
    }
    if (r && r->start < end) /* keep the tail of the last region */
        trim_start(m, r, end);
    return 0;
}

/* The region holding end - 1 if [start,end) is mapped without holes from first on, else NULL. */
static struct vm_region *covered_until(struct vm_region *first, vaddr_t start, vaddr_t end)
{
    vaddr_t at = start;
    for (struct vm_region *r = first; r && r->start <= at; r = r->next) {
        if (r->end >= end)
            return r;
        at = r->end;
    }
    return NULL;
}

bool vm_map_covers(struct vm_map *m, vaddr_t start, vaddr_t end)
{
    return range_valid(start, end) && covered_until(first_after(m, start), start, end) != NULL;
}

/* Same attributes and continuous backing: b may be folded into a (a->end == b->start). */
static bool can_merge(const struct vm_region *a, const struct vm_region *b)
{
    return a->end == b->start && a->prot == b->prot && a->flags == b->flags && vm_region_backing_continues(a, b);
}

/* Fold together mergeable neighbours whose shared boundary lies in [start, end]. */
static void merge_range(struct vm_map *m, vaddr_t start, vaddr_t end)
{
    struct vm_region *r = first_after(m, start ? start - 1 : 0), *n;
    while (r && (n = r->next) && n->start <= end) {
        if (!can_merge(r, n)) {
            r = n;
            continue;
        }
        vm_map_tree_erase(m, n);
        r->obj_bytes += n->obj_bytes;
        r->end = n->end;
        vm_map_tree_moved(m, r);
        free_region(n);
        m->count--;
    }
}

/* What a range change does to one region: a new prot (unless keep_prot), flags set and cleared. */
struct region_change {
    uint32_t prot, set, clear;
    bool keep_prot;
};

static void apply_change(struct vm_region *r, const struct region_change *c)
{
    if (!c->keep_prot)
        r->prot = c->prot;
    r->flags = (r->flags | c->set) & ~c->clear;
}

static bool changes(const struct vm_region *r, const struct region_change *c)
{
    struct vm_region after = *r;
    apply_change(&after, c);
    return after.prot != r->prot || after.flags != r->flags;
}

/*
 * Apply c to [start,end), splitting at the edges (both spares allocated
 * first, so a failure changes nothing) and merging neighbours that become
 * identical. -EINVAL if unaligned or empty; -ENOMEM if any part of the
 * range is unmapped or a split cannot be allocated.
 */
static int change_range(struct vm_map *m, vaddr_t start, vaddr_t end, const struct region_change *c)
{
    if (!range_valid(start, end))
        return -EINVAL;
    struct vm_region *r = first_after(m, start);
    struct vm_region *last = covered_until(r, start, end);
    if (!last)
        return -ENOMEM;
    bool split_head = r->start < start && changes(r, c);
    bool split_tail = last->end > end && changes(last, c);
    struct vm_region *spare[2] = {NULL, NULL};
    for (int i = 0; i < split_head + split_tail; i++) {
        if (!(spare[i] = vm_region_alloc())) {
            if (spare[0])
                vm_region_free(spare[0]);
            return -ENOMEM;
        }
    }
    int used = 0;
    if (split_head) {
        split_at(m, r, start, spare[used++]);
        r = r->next;
    }
    for (; r && r->start < end; r = r->next) {
        if (r->end > end && changes(r, c))
            split_at(m, r, end, spare[used++]);
        apply_change(r, c);
    }
    merge_range(m, start, end);
    return 0;
}

int vm_map_protect(struct vm_map *m, vaddr_t start, vaddr_t end, uint32_t prot)
{
    struct region_change c = {.prot = prot};
    return change_range(m, start, end, &c);
}

int vm_map_set_flags(struct vm_map *m, vaddr_t start, vaddr_t end, uint32_t set, uint32_t clear)
{
    if ((set | clear) & ~VM_ADVICE_FLAGS)
        return -EINVAL;
    struct region_change c = {.set = set, .clear = clear, .keep_prot = true};
    return change_range(m, start, end, &c);
}

vaddr_t vm_map_find_gap(struct vm_map *m, uint32_t size, vaddr_t hint, vaddr_t below)
{
    if (size == 0 || size > m->hi - m->lo)
        return 0;
    size = ALIGN_UP(size, PAGE_SIZE); /* size <= hi - lo < 4 GiB - 4 KiB: no wrap */
    if (hint && hint <= m->hi) {
        hint = ALIGN_UP(hint, PAGE_SIZE);
        struct vm_region *r = first_after(m, hint);
        if (hint >= m->lo && size <= m->hi - hint && (!r || r->start >= hint + size))
            return hint;
    }
    vaddr_t limit = below == 0 || below > m->hi ? m->hi : ALIGN_DOWN(below, PAGE_SIZE);
    return vm_map_tree_gap_below(m, size, limit);
}

uint32_t vm_map_pages_in(const struct vm_map *m, vaddr_t start, vaddr_t end)
{
    uint32_t pages = 0;
    for (struct vm_region *r = vm_map_first_after((struct vm_map *)m, start); r && r->start < end; r = r->next)
        pages += (MIN(r->end, end) - MAX(r->start, start)) / PAGE_SIZE;
    return pages;
}

int vm_map_clone(struct vm_map *dst, struct vm_map *src)
{
    vm_map_init(dst, src->lo, src->hi);
    dst->stack_max = src->stack_max;
    dst->as_max = src->as_max;
    for (struct vm_region *s = src->head; s; s = s->next) {
        if (s->flags & VM_DONTFORK)
            continue; /* MADV_DONTFORK: the child has nothing there */
        struct vm_region *r = vm_region_alloc();
        if (!r) {
            vm_map_destroy(dst);
            return -ENOMEM;
        }
        bool wipe = s->flags & VM_WIPEONFORK;
        if (s->amap && !(s->flags & VM_SHARED) && !wipe)
            s->flags |= VM_NEEDS_COPY; /* parent and child share the anons until one writes */
        *r = *s;
        r->flags &= ~(VM_LOCKED | VM_LOCKONFAULT); /* memory locks are not inherited, as on Linux */
        if (wipe) { /* MADV_WIPEONFORK: the child's pages start as zeroes */
            r->amap = NULL;
            r->flags &= ~VM_NEEDS_COPY;
        }
        vm_region_ref_backing(r);
        vm_map_tree_insert(dst, r); /* at the end of the list */
        dst->count++;
    }
    dst->pages_peak = MAX(dst->pages_peak, src->pages_peak); /* a fork inherits the peak, as Linux's hiwater_vm */
    return 0;
}

void vm_map_destroy(struct vm_map *m)
{
    struct vm_region *r = m->head;
    while (r) {
        struct vm_region *next = r->next;
        free_region(r);
        r = next;
    }
    m->root = m->head = m->tail = m->hint = NULL;
    m->count = 0;
    m->pages = 0;
}

/* Extend r's start down to start (< r->start; checked): an object region maps the object from further back. */
static void grow_start(struct vm_map *m, struct vm_region *r, vaddr_t start)
{
    uint32_t d = r->start - start;
    if (r->obj) {
        r->obj_offset -= d;
        r->obj_bytes += d;
    }
    r->amap_slot -= d / PAGE_SIZE;
    r->start = start;
    vm_map_tree_moved(m, r);
}

int vm_map_set_bounds(struct vm_map *m, struct vm_region *r, vaddr_t start, vaddr_t end)
{
    if (!range_valid(start, end) || start < m->lo || end > m->hi)
        return -EINVAL;
    if (!vm_map_tree_holds(m, r))
        return -EINVAL;
    if ((r->prev && r->prev->end > start) || (r->next && r->next->start < end))
        return -EEXIST;
    if (start < r->start && r->obj && r->obj_offset < r->start - start)
        return -EINVAL; /* the object offset would go below 0 */
    if (vm_region_prepare_growth(r, start, end))
        return -ENOMEM;
    if (start < r->start)
        grow_start(m, r, start);
    if (start > r->start)
        trim_start(m, r, start);
    if (end < r->end)
        trim_end(m, r, end);
    r->end = end;
    vm_map_tree_moved(m, r);
    return 0;
}

/* One region's own invariants, given the end of the region before it. */
static bool region_ok(const struct vm_map *m, const struct vm_region *r, vaddr_t prev_end)
{
    if (!range_valid(r->start, r->end) || r->start < prev_end || r->start < m->lo || r->end > m->hi)
        return false;
    if ((r->flags & VM_NEEDS_COPY) && (!r->amap || (r->flags & VM_SHARED)))
        return false;
    if ((r->flags & VM_FILE) && !r->obj)
        return false;
    if (r->obj)
        return r->obj_bytes <= r->end - r->start && !(r->obj_offset & PAGE_MASK);
    return !r->obj_offset && !r->obj_bytes;
}

int vm_map_check(const struct vm_map *m)
{
    uint32_t n = 0, pages = 0;
    vaddr_t prev_end = 0;
    for (const struct vm_region *r = m->head; r; r = r->next, n++) {
        if (n >= m->count || !region_ok(m, r, prev_end) || r->counted != (r->end - r->start) / PAGE_SIZE)
            return -EINVAL;
        prev_end = r->end;
        pages += r->counted;
    }
    if (pages != m->pages || m->pages > m->pages_peak)
        return -EINVAL;
    return n == m->count ? vm_map_tree_check(m) : -EINVAL;
}
