/*
 * Compressed-page pool (scheme in zpool.h): size classes of zspages, a
 * handle table for indirection, compaction by moving blobs.
 *
 * A zspage's descriptor lives in the kernel heap, not in its frames, so the
 * frames hold blob bytes only. Its slot[] array says, per slot, which handle
 * owns the slot (compaction needs that to move blobs) or, for a free slot,
 * the next free slot: free slots are a LIFO list threaded through slot[].
 * Each class keeps its zspages on two lists: partial (a slot free, new blobs
 * go to the head) and full.
 */
#include "mm/zpool/zpool.h"

#include "errno.h"
#include "kstring.h"
#include "mm/kmem/kheap.h"
#include "mm/pmm/physmem.h"
#include "mm/pmm/pmm.h"
#include "mmu.h"

#define NCLASSES (ZPOOL_MAX_BLOB / ZPOOL_ALIGN)
#define SLOT_FREE 0x80000000u /* slot[] of a free slot: SLOT_FREE | the next free slot */
#define SLOT_END 0xFFFFu      /* end of a free-slot list */
#define HCHUNK 256u           /* handle-table entries per kmalloc'd chunk */
#define BOUNCE 256u           /* bytes compaction moves at a time */

struct zspage {
    struct zspage *next, *prev; /* on its class's partial or full list */
    uint16_t cls;               /* index into zpool.cls */
    uint16_t inuse;             /* slots holding a blob */
    uint16_t free_head;         /* first free slot, SLOT_END if none */
    paddr_t frames[ZPOOL_MAX_ZSPAGE];
    uint32_t slot[];            /* per slot: its blob's handle, or SLOT_FREE | next free slot */
};

struct zclass {
    uint16_t size;    /* bytes per slot */
    uint16_t objs;    /* slots per zspage */
    uint8_t nframes;  /* frames per zspage */
    struct zspage *partial, *full;
};

struct zentry {
    struct zspage *zp; /* NULL: a free entry */
    union {
        struct {
            uint16_t slot, len; /* where the blob is, how long */
        };
        uint32_t next_free; /* free entry: the next free handle (0: none) */
    };
};

struct zpool {
    struct zclass cls[NCLASSES];
    uint8_t class_of[NCLASSES]; /* blob of (i+1)*ZPOOL_ALIGN bytes or less: the class serving it */
    struct zentry **dir;        /* handle table: chunks of HCHUNK entries */
    uint32_t dir_cap, nchunks;
    uint32_t free_handle;       /* first free handle, 0 if none */
    uint32_t frames, max_frames, zspages, blobs, blob_bytes, meta_bytes;
    uint32_t stores, fails_full, fails_nomem, moved;
};

/* Lay out each class: the frames per zspage (1..ZPOOL_MAX_ZSPAGE) that fill them best, fewest on a tie; merge look-alikes. */
static void init_classes(struct zpool *p)
{
    for (uint32_t i = 0; i < NCLASSES; i++) {
        uint32_t size = (i + 1) * ZPOOL_ALIGN, best_k = 1, best_objs = PAGE_SIZE / size;
        for (uint32_t k = 2; k <= ZPOOL_MAX_ZSPAGE; k++) {
            uint32_t objs = k * PAGE_SIZE / size;
            if (objs * best_k > best_objs * k) {
                best_k = k;
                best_objs = objs;
            }
        }
        p->cls[i] = (struct zclass){.size = (uint16_t)size, .objs = (uint16_t)best_objs, .nframes = (uint8_t)best_k};
    }
    p->class_of[NCLASSES - 1] = NCLASSES - 1;
    for (int i = (int)NCLASSES - 2; i >= 0; i--) {
        uint32_t j = p->class_of[i + 1];
        bool same = p->cls[i].objs == p->cls[j].objs && p->cls[i].nframes == p->cls[j].nframes;
        p->class_of[i] = (uint8_t)(same ? j : (uint32_t)i);
    }
}

static void list_add(struct zspage **head, struct zspage *zp)
{
    zp->prev = NULL;
    zp->next = *head;
    if (*head)
        (*head)->prev = zp;
    *head = zp;
}

static void list_del(struct zspage **head, struct zspage *zp)
{
    if (zp->prev)
        zp->prev->next = zp->next;
    else
        *head = zp->next;
    if (zp->next)
        zp->next->prev = zp->prev;
    zp->next = zp->prev = NULL;
}

/* Copy len bytes between buf and the zspage's bytes at offset off (to the zspage when write), a frame at a time. */
static void zs_copy(const struct zspage *zp, uint32_t off, void *buf, uint32_t len, bool write)
{
    uint8_t *b = buf;
    while (len) {
        uint32_t in = off & PAGE_MASK, chunk = MIN(len, PAGE_SIZE - in);
        uint8_t *va = kmap(zp->frames[off >> PAGE_SHIFT]);
        if (write)
            memcpy(va + in, b, chunk);
        else
            memcpy(b, va + in, chunk);
        kunmap(va);
        b += chunk;
        off += chunk;
        len -= chunk;
    }
}

static uint32_t zspage_bytes(const struct zclass *c) { return (uint32_t)sizeof(struct zspage) + c->objs * 4u; }

/* A new empty zspage of class ci on its partial list, or NULL (past max_frames, or out of memory). */
static struct zspage *zspage_new(struct zpool *p, uint32_t ci)
{
    struct zclass *c = &p->cls[ci];
    if (p->frames + c->nframes > p->max_frames) { /* (the bound may have been lowered below frames) */
        p->fails_full++;
        return NULL;
    }
    struct zspage *zp = kmalloc(zspage_bytes(c));
    if (!zp)
        goto nomem;
    for (uint32_t k = 0; k < c->nframes; k++) {
        zp->frames[k] = pmm_alloc(PMM_NORECLAIM, FRAME_ZPOOL);
        if (!zp->frames[k]) {
            while (k--)
                pmm_free(zp->frames[k]);
            kfree(zp);
            goto nomem;
        }
    }
    zp->cls = (uint16_t)ci;
    zp->inuse = 0;
    zp->free_head = 0;
    for (uint32_t s = 0; s < c->objs; s++)
        zp->slot[s] = SLOT_FREE | (s + 1 < c->objs ? s + 1 : SLOT_END);
    p->frames += c->nframes;
    p->zspages++;
    p->meta_bytes += zspage_bytes(c);
    list_add(&c->partial, zp);
    return zp;
nomem:
    p->fails_nomem++;
    return NULL;
}

/* Give an empty zspage's frames and descriptor back. */
static void zspage_release(struct zpool *p, struct zspage *zp)
{
    struct zclass *c = &p->cls[zp->cls];
    list_del(&c->partial, zp);
    for (uint32_t k = 0; k < c->nframes; k++)
        pmm_free(zp->frames[k]);
    p->frames -= c->nframes;
    p->zspages--;
    p->meta_bytes -= zspage_bytes(c);
    kfree(zp);
}

/* Take a free slot of zp (it has one) for handle h; a zspage that fills up moves to the full list. */
static uint32_t slot_take(struct zpool *p, struct zspage *zp, zhandle_t h)
{
    struct zclass *c = &p->cls[zp->cls];
    uint32_t s = zp->free_head;
    zp->free_head = (uint16_t)(zp->slot[s] & SLOT_END);
    zp->slot[s] = h;
    if (++zp->inuse == c->objs) {
        list_del(&c->partial, zp);
        list_add(&c->full, zp);
    }
    return s;
}

/* Free slot s of zp: a full zspage goes back to the partial list, an empty one is released. */
static void slot_put(struct zpool *p, struct zspage *zp, uint32_t s)
{
    struct zclass *c = &p->cls[zp->cls];
    if (zp->inuse == c->objs) {
        list_del(&c->full, zp);
        list_add(&c->partial, zp);
    }
    zp->slot[s] = SLOT_FREE | zp->free_head;
    zp->free_head = (uint16_t)s;
    if (--zp->inuse == 0)
        zspage_release(p, zp);
}

/* The entry of handle h, live or free; NULL if h is outside the table. */
static struct zentry *entry_at(const struct zpool *p, zhandle_t h)
{
    uint32_t i = h - 1u;
    if (h == 0 || i / HCHUNK >= p->nchunks)
        return NULL;
    return &p->dir[i / HCHUNK][i % HCHUNK];
}

/* The entry of a live handle h, else NULL. */
static struct zentry *entry_live(const struct zpool *p, zhandle_t h)
{
    struct zentry *e = entry_at(p, h);
    return e && e->zp ? e : NULL;
}

/* Add a chunk of free entries to the handle table; false when out of memory. */
static bool handles_grow(struct zpool *p)
{
    if (p->nchunks == p->dir_cap) {
        uint32_t cap = p->dir_cap ? 2 * p->dir_cap : 8;
        struct zentry **dir = kmalloc(cap * (uint32_t)sizeof(*dir));
        if (!dir)
            return false;
        if (p->nchunks)
            memcpy(dir, p->dir, p->nchunks * sizeof(*dir));
        kfree(p->dir);
        p->meta_bytes += (cap - p->dir_cap) * (uint32_t)sizeof(*dir);
        p->dir = dir;
        p->dir_cap = cap;
    }
    struct zentry *chunk = kmalloc(HCHUNK * (uint32_t)sizeof(*chunk));
    if (!chunk)
        return false;
    uint32_t first = p->nchunks * HCHUNK + 1; /* handle of chunk[0] */
    for (uint32_t j = 0; j < HCHUNK; j++) {
        chunk[j].zp = NULL;
        chunk[j].next_free = j + 1 < HCHUNK ? first + j + 1 : p->free_handle;
    }
    p->dir[p->nchunks++] = chunk;
    p->free_handle = first;
    p->meta_bytes += HCHUNK * (uint32_t)sizeof(*chunk);
    return true;
}

/* A free handle taken off the free list, or 0 when out of memory. */
static zhandle_t handle_alloc(struct zpool *p)
{
    if (!p->free_handle && !handles_grow(p))
        return 0;
    zhandle_t h = p->free_handle;
    p->free_handle = entry_at(p, h)->next_free;
    return h;
}

static void handle_free(struct zpool *p, zhandle_t h)
{
    struct zentry *e = entry_at(p, h);
    e->zp = NULL;
    e->next_free = p->free_handle;
    p->free_handle = h;
}

struct zpool *zpool_create(uint32_t max_frames)
{
    struct zpool *p = kmalloc(sizeof(*p));
    if (!p)
        return NULL;
    memset(p, 0, sizeof(*p));
    init_classes(p);
    p->max_frames = max_frames;
    p->meta_bytes = sizeof(*p);
    return p;
}

/* The pool holds no blob: give the whole handle table back (it grows again on the next store). */
static void handles_release(struct zpool *p)
{
    for (uint32_t i = 0; i < p->nchunks; i++)
        kfree(p->dir[i]);
    kfree(p->dir);
    p->meta_bytes -= p->nchunks * HCHUNK * (uint32_t)sizeof(struct zentry) + p->dir_cap * (uint32_t)sizeof(*p->dir);
    p->dir = NULL;
    p->nchunks = p->dir_cap = 0;
    p->free_handle = 0;
}

void zpool_set_max(struct zpool *p, uint32_t max_frames) { p->max_frames = max_frames; }

void zpool_destroy(struct zpool *p)
{
    if (!p)
        return;
    for (uint32_t ci = 0; ci < NCLASSES; ci++) {
        struct zclass *c = &p->cls[ci];
        struct zspage **lists[2] = {&c->partial, &c->full};
        for (int l = 0; l < 2; l++) {
            while (*lists[l]) {
                struct zspage *zp = *lists[l];
                *lists[l] = zp->next;
                for (uint32_t k = 0; k < c->nframes; k++)
                    pmm_free(zp->frames[k]);
                kfree(zp);
            }
        }
    }
    handles_release(p);
    kfree(p);
}

zhandle_t zpool_store(struct zpool *p, const void *data, uint32_t len)
{
    p->stores++;
    if (len == 0 || len > ZPOOL_MAX_BLOB)
        return 0;
    uint32_t ci = p->class_of[(len + ZPOOL_ALIGN - 1) / ZPOOL_ALIGN - 1];
    struct zclass *c = &p->cls[ci];
    zhandle_t h = handle_alloc(p);
    if (!h) {
        p->fails_nomem++;
        return 0;
    }
    struct zspage *zp = c->partial;
    if (!zp && !(zp = zspage_new(p, ci))) {
        handle_free(p, h);
        return 0;
    }
    uint32_t s = slot_take(p, zp, h);
    zs_copy(zp, s * c->size, (void *)(uintptr_t)data, len, true);
    struct zentry *e = entry_at(p, h);
    e->zp = zp;
    e->slot = (uint16_t)s;
    e->len = (uint16_t)len;
    p->blobs++;
    p->blob_bytes += len;
    return h;
}

int zpool_load(struct zpool *p, zhandle_t h, void *dst)
{
    struct zentry *e = entry_live(p, h);
    if (!e)
        return -EINVAL;
    zs_copy(e->zp, e->slot * p->cls[e->zp->cls].size, dst, e->len, false);
    return e->len;
}

uint32_t zpool_size(const struct zpool *p, zhandle_t h)
{
    struct zentry *e = entry_live(p, h);
    return e ? e->len : 0;
}

int zpool_free(struct zpool *p, zhandle_t h)
{
    struct zentry *e = entry_live(p, h);
    if (!e)
        return -EINVAL;
    p->blobs--;
    p->blob_bytes -= e->len;
    slot_put(p, e->zp, e->slot);
    handle_free(p, h);
    if (!p->blobs)
        handles_release(p); /* an idle pool keeps no metadata beyond itself */
    return 0;
}

/* Move the blob in slot s of src into a free slot of dst (same class), through a small bounce buffer. */
static void move_blob(struct zpool *p, struct zspage *src, uint32_t s, struct zspage *dst)
{
    uint8_t buf[BOUNCE];
    uint32_t size = p->cls[src->cls].size;
    zhandle_t h = src->slot[s];
    struct zentry *e = entry_at(p, h);
    uint32_t d = slot_take(p, dst, h);
    for (uint32_t o = 0; o < e->len; o += BOUNCE) {
        uint32_t chunk = MIN(BOUNCE, e->len - o);
        zs_copy(src, s * size + o, buf, chunk, false);
        zs_copy(dst, d * size + o, buf, chunk, true);
    }
    e->zp = dst;
    e->slot = (uint16_t)d;
    p->moved++;
    slot_put(p, src, s); /* releases src after its last blob */
}

/* Empty the least used partial zspage of class ci into the others if they have room; false if they have not. */
static bool compact_one(struct zpool *p, struct zclass *c)
{
    struct zspage *src = NULL;
    uint32_t spare = 0;
    for (struct zspage *zp = c->partial; zp; zp = zp->next) {
        spare += c->objs - zp->inuse;
        if (!src || zp->inuse < src->inuse)
            src = zp;
    }
    if (!src || spare - (c->objs - src->inuse) < src->inuse)
        return false;
    uint32_t left = src->inuse;
    for (uint32_t s = 0; left; s++) {
        if (src->slot[s] & SLOT_FREE)
            continue;
        struct zspage *dst = NULL; /* the fullest other zspage with room */
        for (struct zspage *zp = c->partial; zp; zp = zp->next)
            if (zp != src && (!dst || zp->inuse > dst->inuse))
                dst = zp;
        left--;
        move_blob(p, src, s, dst);
    }
    return true;
}

uint32_t zpool_compact(struct zpool *p)
{
    uint32_t before = p->frames;
    for (uint32_t ci = 0; ci < NCLASSES; ci++)
        while (compact_one(p, &p->cls[ci]))
            ;
    return before - p->frames;
}

void zpool_get_stats(const struct zpool *p, struct zpool_stats *st)
{
    *st = (struct zpool_stats){
        .blobs = p->blobs,
        .blob_bytes = p->blob_bytes,
        .frames = p->frames,
        .max_frames = p->max_frames,
        .zspages = p->zspages,
        .meta_bytes = p->meta_bytes,
        .ratio_x100 = p->frames ? (uint32_t)((uint64_t)p->blobs * 100u / p->frames) : 0,
        .density_x100 = p->frames ? (uint32_t)((uint64_t)p->blob_bytes * 100u / ((uint64_t)p->frames * PAGE_SIZE)) : 0,
        .stores = p->stores,
        .store_fails_full = p->fails_full,
        .store_fails_nomem = p->fails_nomem,
        .moved = p->moved,
    };
}
