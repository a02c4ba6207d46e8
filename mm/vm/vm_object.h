/*
 * Memory objects: pages that belong to something other than one address
 * space — a file's pages (the vnode pager), shared anonymous memory (the
 * anonymous-object pager, later tmpfs and shm) — indexed by page offset.
 * Regions that map an object hold a reference; the object owns its
 * resident pages (one frame reference each) and frees them when the last
 * reference goes. How a page is filled or written back is the pager's
 * business, reached only through the object's ops. Not locked.
 */
#ifndef EYN_VM_OBJECT_H
#define EYN_VM_OBJECT_H

#include "mm/vm/sparse.h"
#include "types.h"

struct vm_object;

/* What a pager does for its objects. */
struct vm_pager_ops {
    const char *name;
    /*
     * A resident page without FRAME_F_DIRTY may be dropped at any time and
     * filled again by get with the same bytes (a file's page cache). Such
     * pages are on the page LRU and reclaim takes them when memory runs
     * out; pages of other pagers (anonymous memory: no swap yet) never go.
     */
    bool clean_refetchable;
    /* Fill frame pa (the caller's) with page idx (inside the object's size): 0 or -errno (-EIO...). */
    int (*get)(struct vm_object *o, uint32_t idx, paddr_t pa);
    /* Write page idx (frame pa) back to the backing store: 0, or -errno (-EROFS: nothing can be written). */
    int (*put)(struct vm_object *o, uint32_t idx, paddr_t pa);
    /* The object is to shrink to size bytes (NULL: nothing to do): 0, or -errno and nothing changes. */
    int (*truncate)(struct vm_object *o, uint64_t size);
    /* The last reference is gone and the pages are freed: release the pager's own state (and the object). */
    void (*release)(struct vm_object *o);
};

struct vm_object {
    const struct vm_pager_ops *ops;
    uint32_t refs;
    uint64_t size;       /* bytes (files reach 16 TiB); pages wholly past the size do not exist (SIGBUS) */
    struct sparse pages; /* resident pages: page index -> frame (a paddr_t in a pointer) */
    void *priv;          /* the pager's (the vnode of a file) */
    void (*on_death)(void *arg); /* if set: called as the last reference goes (whoever tracks the object forgets it) */
    void *death_arg;
};

struct object_stats {
    uint32_t objects;   /* live objects */
    uint32_t pages;     /* pages resident in objects */
    uint32_t dirty;     /* of which dirty: written, differing from (or without) a backing store */
};
extern struct object_stats object_stats;

/* Set up o (one reference) for pager ops with size bytes. */
void vm_object_init(struct vm_object *o, const struct vm_pager_ops *ops, uint64_t size, void *priv);
void vm_object_ref(struct vm_object *o);
/* Have fn(arg) called when o's last reference goes, before its pages do (one watcher; NULL clears it). */
void vm_object_on_death(struct vm_object *o, void (*fn)(void *arg), void *arg);
/* Drop a reference; the last frees every resident page and calls the pager's release. */
void vm_object_unref(struct vm_object *o);
/* Number of pages the object spans (its size rounded up to pages). */
uint32_t vm_object_pages(const struct vm_object *o);
/* The resident frame of page idx, or 0. */
paddr_t vm_object_lookup(const struct vm_object *o, uint32_t idx);
/*
 * The frame holding page idx, filled through the pager on first use and
 * kept resident in the object (no reference for the caller: pmm_ref it to
 * map it). 0, -ENXIO past the object's size, -ENOMEM, or the pager's error.
 * A page of a clean_refetchable pager becomes the most recently used on
 * the page LRU. Reclaim may drop a clean page during any frame allocation:
 * a caller that allocates (or copies to or from user memory) while it uses
 * the page holds a pmm_ref on it meanwhile (reclaim leaves a page alone
 * while anyone but its object and its mappings holds it).
 */
int vm_object_get_page(struct vm_object *o, uint32_t idx, paddr_t *pa);
/*
 * vm_object_get_page for prefetching (readahead): brings page idx in only
 * if a frame is free without reclaiming anything. 1 if it filled the page
 * now, 0 if it was resident already, or -ENXIO past the size, -ENOMEM (no
 * free frame), the pager's error.
 */
int vm_object_prefetch(struct vm_object *o, uint32_t idx);
/*
 * True if frame pa, a resident page of o, is clean and o's pager could
 * drop it: a mapping that may write must map it read-only, so that the
 * first write faults and marks it FRAME_F_DIRTY.
 */
bool vm_object_page_clean(const struct vm_object *o, paddr_t pa);
/*
 * Drop resident page idx: every mapping of it goes (through the frame's
 * reverse map), then the object's hold; the pager fills it again on its
 * next use. Only for a page the pager can fetch again unchanged (reclaim
 * checks: clean, unwired, not busy), or whose contents are to become what
 * the pager gives (a hole punched in a file).
 */
void vm_object_evict(struct vm_object *o, uint32_t idx);
/*
 * Fill frame pa (the caller's) with a copy of page idx: from the resident
 * page if there is one, else straight from the pager without keeping it.
 * 0, -ENXIO past the size, or the pager's error.
 */
int vm_object_read_page(struct vm_object *o, uint32_t idx, paddr_t pa);
/*
 * Shrink (or grow) o to size bytes. Pages wholly past the new size leave
 * every mapping (through the frames' reverse map) and the object, so an
 * access there raises SIGBUS; the rest of a partial last page reads as
 * zeroes. 0, or the pager's refusal (-EROFS...) with nothing changed.
 */
int vm_object_truncate(struct vm_object *o, uint64_t size);
/* Drop o's resident pages that are clean, unmapped and not pinned (the pager can fill them again): how many went. */
uint32_t vm_object_drop_clean(struct vm_object *o);
/*
 * Whether pages more object pages may become dirty (the only copy of a
 * file's data: tmpfs's space), as the file system that set the rule says
 * (always, until one does). A shared mapping's write fault asks first.
 */
bool vm_object_dirty_room(uint32_t pages);
void vm_object_set_dirty_room(bool (*room)(uint32_t pages));
/* Mark resident page pa of o dirty (it must be kept or written back before it may go). */
void vm_object_mark_dirty(struct vm_object *o, paddr_t pa);
/* Zero the resident pages of [idx, idx + n) in place (MADV_REMOVE): every mapping sees zeroes. */
void vm_object_zero_range(struct vm_object *o, uint32_t idx, uint32_t n);

#endif
