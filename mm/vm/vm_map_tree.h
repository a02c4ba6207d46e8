/*
 * The index of a region set (for vm_map.c only): an AVL tree of the
 * regions keyed by start, threaded by the sorted prev/next list, each node
 * augmented with the largest free gap in its subtree. A region's gap is the
 * free space just below it: [end of the region before it (or the map's lo),
 * start). Lookups, insertions, removals and gap searches are O(log n);
 * walking the list is O(1) per step.
 *
 * Whoever moves a region's start or end (without changing the order) calls
 * vm_map_tree_moved, so the gaps above stay right.
 */
#ifndef EYN_VM_MAP_TREE_H
#define EYN_VM_MAP_TREE_H

#include "mm/vm/vm_map.h"

/* Link r (its start and end set, not overlapping any region of m) into m's tree and list. */
void vm_map_tree_insert(struct vm_map *m, struct vm_region *r);
/* Unlink r from m's tree and list (the struct itself is the caller's). */
void vm_map_tree_erase(struct vm_map *m, struct vm_region *r);
/* r's start or end moved (the order unchanged): refresh the gaps that depend on them. */
void vm_map_tree_moved(struct vm_map *m, struct vm_region *r);
/* r (in m) changed size where no gap depends on it (a split's head): only the map's page total follows. */
void vm_map_tree_resized(struct vm_map *m, struct vm_region *r);
/* The first region with end > addr, or NULL: O(log n). */
struct vm_region *vm_map_tree_first_after(const struct vm_map *m, vaddr_t addr);
/*
 * The highest address a such that [a, a+size) is free, inside [lo, hi) and
 * a + size <= limit (<= hi); 0 if none (size > 0, page multiples).
 */
vaddr_t vm_map_tree_gap_below(const struct vm_map *m, uint32_t size, vaddr_t limit);
/* True if r is linked into m (O(log n): up the parents to m's root). */
bool vm_map_tree_holds(const struct vm_map *m, const struct vm_region *r);
/* The tree's invariants: order matching the list, parents, heights, balance, gaps: 0 or -EINVAL. */
int vm_map_tree_check(const struct vm_map *m);

#endif
