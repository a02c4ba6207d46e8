/*
 * The region set's index (see vm_map_tree.h): an AVL tree with parent
 * links, each node caching its height and the largest gap in its subtree.
 * Every change walks from the changed node up to the root recomputing both
 * (rebalancing on the way), so the cached values are always exact.
 */
#include "mm/vm/vm_map_tree.h"
#include "mmu.h"
#include "errno.h"

static int height(const struct vm_region *n) { return n ? n->height : 0; }

/* The free space just below n: from the end of the region before it (or lo) to its start. */
static uint32_t own_gap(const struct vm_map *m, const struct vm_region *n)
{
    return n->start - (n->prev ? n->prev->end : m->lo);
}

/* Recompute n's height and subtree gap from its children: true if either changed. */
static inline bool update(const struct vm_map *m, struct vm_region *n)
{
    const struct vm_region *l = n->left, *r = n->right;
    int32_t hl = 0, hr = 0;
    uint32_t g = own_gap(m, n);
    if (l) {
        hl = l->height;
        g = MAX(g, l->gap_max);
    }
    if (r) {
        hr = r->height;
        g = MAX(g, r->gap_max);
    }
    int32_t h = (hl > hr ? hl : hr) + 1;
    if (h == n->height && g == n->gap_max)
        return false;
    n->height = h;
    n->gap_max = g;
    return true;
}

/* Make the link that pointed at old (in parent, or the root) point at new. */
static void replace_child(struct vm_map *m, struct vm_region *parent, struct vm_region *old, struct vm_region *new)
{
    if (!parent)
        m->root = new;
    else if (parent->left == old)
        parent->left = new;
    else
        parent->right = new;
}

/* Rotate x's right child up into x's place: the new subtree root. */
static struct vm_region *rotate_left(struct vm_map *m, struct vm_region *x)
{
    struct vm_region *y = x->right;
    x->right = y->left;
    if (y->left)
        y->left->parent = x;
    y->parent = x->parent;
    replace_child(m, x->parent, x, y);
    y->left = x;
    x->parent = y;
    update(m, x);
    update(m, y);
    return y;
}

/* Rotate x's left child up into x's place: the new subtree root. */
static struct vm_region *rotate_right(struct vm_map *m, struct vm_region *x)
{
    struct vm_region *y = x->left;
    x->left = y->right;
    if (y->right)
        y->right->parent = x;
    y->parent = x->parent;
    replace_child(m, x->parent, x, y);
    y->right = x;
    x->parent = y;
    update(m, x);
    update(m, y);
    return y;
}

/*
 * From n up: recompute each node and restore the AVL balance. Above a node
 * whose height and gap came out unchanged without a rotation nothing can
 * change, so the walk stops there (the caller's node itself is always
 * recomputed: its children changed).
 */
static void rebalance_up(struct vm_map *m, struct vm_region *n)
{
    while (n) {
        bool changed = update(m, n);
        int bf = height(n->left) - height(n->right);
        if (bf > 1) {
            if (height(n->left->left) < height(n->left->right))
                rotate_left(m, n->left);
            n = rotate_right(m, n);
        } else if (bf < -1) {
            if (height(n->right->right) < height(n->right->left))
                rotate_right(m, n->right);
            n = rotate_left(m, n);
        } else if (!changed) {
            return;
        }
        n = n->parent;
    }
}

/* From n up: recompute the cached values (the shape is unchanged), stopping where nothing changed. */
static void refresh_up(const struct vm_map *m, struct vm_region *n)
{
    while (n && update(m, n))
        n = n->parent;
}

void vm_map_tree_resized(struct vm_map *m, struct vm_region *r)
{
    uint32_t now = (r->end - r->start) / PAGE_SIZE;
    m->pages += now - r->counted; /* wraps and comes back when it shrank */
    r->counted = now;
    if (m->pages > m->pages_peak)
        m->pages_peak = m->pages;
}

void vm_map_tree_insert(struct vm_map *m, struct vm_region *r)
{
    r->counted = 0; /* a copy of another map's region counted there, not here */
    vm_map_tree_resized(m, r);
    struct vm_region *parent = NULL, **link = &m->root;
    while (*link) {
        parent = *link;
        link = r->start < parent->start ? &parent->left : &parent->right;
    }
    r->left = r->right = NULL;
    r->parent = parent;
    r->height = 0; /* so that the walk up sees a change at r */
    *link = r;
    /* the list: r sits just before its parent (went left) or just after it */
    if (!parent) {
        r->prev = r->next = NULL;
    } else if (link == &parent->left) {
        r->next = parent;
        r->prev = parent->prev;
    } else {
        r->prev = parent;
        r->next = parent->next;
    }
    if (r->prev)
        r->prev->next = r;
    else
        m->head = r;
    if (r->next)
        r->next->prev = r;
    else
        m->tail = r;
    rebalance_up(m, r);
    if (r->next)
        refresh_up(m, r->next); /* its gap now starts at r's end (the walk above may stop below it) */
}

void vm_map_tree_erase(struct vm_map *m, struct vm_region *r)
{
    struct vm_region *next = r->next, *fix;
    m->pages -= r->counted;
    r->counted = 0;
    /* the list first, so the gaps computed below already see r gone */
    if (r->prev)
        r->prev->next = next;
    else
        m->head = next;
    if (next)
        next->prev = r->prev;
    else
        m->tail = r->prev;
    if (m->hint == r)
        m->hint = NULL;

    if (r->left && r->right) {
        /* next is the leftmost node of r's right subtree: it takes r's place */
        struct vm_region *s = next;
        if (s->parent == r) {
            fix = s;
        } else {
            fix = s->parent;
            fix->left = s->right;
            if (s->right)
                s->right->parent = fix;
            s->right = r->right;
            r->right->parent = s;
        }
        s->left = r->left;
        r->left->parent = s;
        s->parent = r->parent;
        replace_child(m, r->parent, r, s);
        s->height = r->height; /* what the ancestors were computed from: the walks up compare with it */
        s->gap_max = r->gap_max;
    } else {
        struct vm_region *child = r->left ? r->left : r->right;
        fix = r->parent;
        replace_child(m, fix, r, child);
        if (child)
            child->parent = fix;
    }
    r->left = r->right = r->parent = r->prev = r->next = NULL;
    rebalance_up(m, fix);
    if (next)
        refresh_up(m, next); /* its gap now starts lower */
}

void vm_map_tree_moved(struct vm_map *m, struct vm_region *r)
{
    vm_map_tree_resized(m, r);
    refresh_up(m, r);
    if (r->next)
        refresh_up(m, r->next);
}

struct vm_region *vm_map_tree_first_after(const struct vm_map *m, vaddr_t addr)
{
    struct vm_region *best = NULL;
    for (struct vm_region *n = m->root; n;) {
        if (n->end > addr) { /* ends are sorted like starts: n or something to its left */
            best = n;
            n = n->left;
        } else {
            n = n->right;
        }
    }
    return best;
}

/*
 * The highest top t of a gap of at least size below limit in n's subtree:
 * t = min(gap end, limit), t - gap start >= size. 0 if none. Subtrees whose
 * largest gap is too small are skipped, and a right subtree only when every
 * gap in it starts at or above limit; so only the path along limit can
 * fail, and the search is O(log n).
 */
static vaddr_t gap_search(const struct vm_map *m, const struct vm_region *n, uint32_t size, vaddr_t limit)
{
    while (n && n->gap_max >= size) {
        if (n->right && n->right->gap_max >= size && n->end < limit) {
            vaddr_t t = gap_search(m, n->right, size, limit);
            if (t)
                return t;
        }
        vaddr_t lo = n->prev ? n->prev->end : m->lo, top = MIN(n->start, limit);
        if (top > lo && top - lo >= size)
            return top;
        n = n->left;
    }
    return 0;
}

vaddr_t vm_map_tree_gap_below(const struct vm_map *m, uint32_t size, vaddr_t limit)
{
    vaddr_t lo = m->tail ? m->tail->end : m->lo, top = MIN(m->hi, limit);
    if (top > lo && top - lo >= size)
        return top - size; /* above every region */
    vaddr_t t = gap_search(m, m->root, size, limit);
    return t ? t - size : 0;
}

bool vm_map_tree_holds(const struct vm_map *m, const struct vm_region *r)
{
    while (r->parent)
        r = r->parent;
    return r == m->root;
}

/* Check n's subtree: parents, order inside (lo, hi], heights, balance, gaps; its height or -1. */
static int check_subtree(const struct vm_map *m, const struct vm_region *n, const struct vm_region *parent,
                         uint32_t *count, uint32_t depth)
{
    if (!n)
        return 0;
    if (n->parent != parent || depth > 64)
        return -1;
    int hl = check_subtree(m, n->left, n, count, depth + 1);
    if (hl < 0)
        return -1;
    (*count)++;
    int hr = check_subtree(m, n->right, n, count, depth + 1);
    if (hr < 0)
        return -1;
    if (n->left && n->left->start >= n->start)
        return -1;
    if (n->right && n->right->start <= n->start)
        return -1;
    int h = (hl > hr ? hl : hr) + 1;
    if (n->height != h || hl - hr > 1 || hr - hl > 1)
        return -1;
    vaddr_t below = n->prev ? n->prev->end : m->lo; /* written out again: the check must not share update's code */
    uint32_t g = n->start - below;
    if (n->left && n->left->gap_max > g)
        g = n->left->gap_max;
    if (n->right && n->right->gap_max > g)
        g = n->right->gap_max;
    return n->gap_max == g ? h : -1;
}

int vm_map_tree_check(const struct vm_map *m)
{
    /* the list: sorted, linked both ways, ends at tail */
    const struct vm_region *prev = NULL;
    uint32_t listed = 0;
    for (const struct vm_region *r = m->head; r; prev = r, r = r->next, listed++) {
        if (r->prev != prev || (prev && prev->end > r->start) || listed > m->count)
            return -EINVAL;
    }
    if (prev != m->tail || listed != m->count)
        return -EINVAL;
    /* the tree: the same nodes in the same order (in-order successor == next) */
    uint32_t counted = 0;
    if (check_subtree(m, m->root, NULL, &counted, 0) < 0 || counted != m->count)
        return -EINVAL;
    for (const struct vm_region *r = m->head; r; r = r->next) {
        const struct vm_region *succ;
        if (r->right) {
            for (succ = r->right; succ->left; succ = succ->left)
                ;
        } else {
            const struct vm_region *c = r;
            for (succ = r->parent; succ && succ->right == c; succ = succ->parent)
                c = succ;
        }
        if (succ != r->next)
            return -EINVAL;
    }
    if (m->hint && !vm_map_tree_holds(m, m->hint))
        return -EINVAL;
    return 0;
}
