/*
 * File contents through the page cache: every regular file's bytes are
 * the pages of its memory object (the vnode pager), so read, write, mmap
 * and exec see one copy. Reads fill pages from the initrd archive on first
 * use; writes make pages dirty — tmpfs has no disk, so dirty pages are the
 * file's only copy and count against the file system's space (half of RAM
 * by default, as Linux's tmpfs): beyond it, or when no frame is left,
 * writes fail with ENOSPC.
 */
#include "fs/vfs.h"
#include "errno.h"
#include "fs/uio.h"
#include "kstring.h"
#include "mm/pager/vnode_pager.h"
#include "mm/pmm/physmem.h"
#include "mm/pmm/pmm.h"
#include "mm/vm/readahead.h"
#include "mm/vm/vm_object.h"
#include "mmu.h"

/* An empty cache nobody maps: the file lets it go (its size and archive bytes are the vnode's). */
static void cache_idle(void *file, struct vm_object *o)
{
    struct vnode *v = file;
    if (v->obj == o) {
        v->obj = NULL;
        vm_object_unref(o);
    }
}

/* Bytes the file's object spans: its size, or more where fallocate(KEEP_SIZE) allocated past it. */
static uint64_t extent(const struct vnode *v) { return MAX(v->size, v->alloc_end); }

/* The object of regular file v (made on first use; v holds it), or NULL if out of memory. */
static bool room_for(uint32_t n);

static struct vm_object *file_obj(struct vnode *v)
{
    if (!v->obj) {
        vnode_pager_set_idle(cache_idle);
        vm_object_set_dirty_room(room_for); /* shared mappings' write faults keep to the same space */
        v->obj = vnode_pager_create(v, extent(v), v->backing, v->backing_size);
    }
    return v->obj;
}

struct vm_object *vnode_object(struct vnode *v)
{
    struct vm_object *o = file_obj(v);
    if (o)
        vm_object_ref(o);
    return o;
}

uint32_t vfs_file_pages(const struct vnode *v)
{
    uint32_t backed = (uint32_t)(((uint64_t)v->backing_size + PAGE_SIZE - 1) / PAGE_SIZE);
    return MAX(backed, v->obj ? v->obj->pages.count : 0);
}

uint32_t vfs_data_pages(void) { return object_stats.dirty; }

uint32_t vfs_data_pages_max(void)
{
    struct pmm_stats st;
    pmm_get_stats(&st);
    return st.total_frames / 2;
}

/*
 * May n more pages of file data be made? Not past the file system's size,
 * and not into the last 1/32 of RAM, which stays for page tables, stacks
 * and the processes themselves: a full file system is the writer's ENOSPC,
 * not an out-of-memory kill of whoever faults next.
 */
static bool room_for(uint32_t n)
{
    struct pmm_stats st;
    pmm_get_stats(&st);
    return vfs_data_pages() + n <= st.total_frames / 2 && st.free_frames >= n + st.total_frames / 32;
}

static const uint8_t zero_page[PAGE_SIZE];

/* Moves n bytes between a cache page (kernel address) and the caller's buffer at position done: bytes moved or -errno. */
typedef int (*page_copy_fn)(uint8_t *page, uint32_t n, uint32_t done, void *ctx);

/*
 * Walk [off, off + len) of v's pages calling copy on each piece: the bytes
 * moved, or the first error if none. A write marks pages dirty (ENOSPC when
 * the file system is full) and grows the file to what was written.
 */
static int page_io(struct vnode *v, uint64_t off, uint32_t len, bool write, page_copy_fn copy, void *ctx,
                   struct readahead_state *ra)
{
    if (v->type == VNODE_DIR)
        return -EISDIR;
    if (v->type != VNODE_FILE || v->ops)
        return -EINVAL; /* made-up contents are read through their own open files */
    if (write) {
        if (off >= VFS_FILE_MAX)
            return len ? -EFBIG : 0;
        len = (uint32_t)MIN((uint64_t)len, VFS_FILE_MAX - off);
    } else {
        if (off >= v->size)
            return 0;
        len = (uint32_t)MIN((uint64_t)len, v->size - off);
    }
    len = MIN(len, (uint32_t)INT32_MAX);
    if (!len)
        return 0;
    struct vm_object *o = file_obj(v);
    if (!o)
        return -ENOMEM;
    uint64_t old_size = v->size, end = off + len;
    if (write && end > o->size)
        vm_object_truncate(o, end); /* room for the pages written; trimmed to what was written below */
    uint32_t done = 0;
    int err = 0;
    while (done < len) {
        uint64_t pos = off + done;
        uint32_t idx = (uint32_t)(pos / PAGE_SIZE), in_page = (uint32_t)(pos & PAGE_MASK);
        uint32_t n = MIN(len - done, PAGE_SIZE - in_page);
        paddr_t pa;
        if (!write && !vm_object_lookup(o, idx) && pos >= v->backing_size) {
            /* a hole: zeroes, without making a page for them (it stays a hole, as on Linux) */
            int got = copy((uint8_t *)zero_page, n, done, ctx);
            if (got < 0) {
                err = got;
                break;
            }
            done += (uint32_t)got;
            if ((uint32_t)got < n)
                break;
            continue;
        }
        if (ra && pos < v->backing_size)
            readahead_on_access(o, ra, idx); /* the archive's bytes, read in order: fill ahead */
        if ((err = vm_object_get_page(o, idx, &pa)) != 0) {
            err = err == -ENOMEM && write ? -ENOSPC : err;
            break;
        }
        struct frame *f = pmm_frame(pa);
        if (write && !(f->flags & FRAME_F_DIRTY) && !room_for(1)) {
            err = -ENOSPC;
            break;
        }
        pmm_ref(pa); /* the page stays while a user copy may fault */
        uint8_t *page = kmap(pa);
        int got = copy(page + in_page, n, done, ctx);
        kunmap(page);
        if (write && got > 0)
            vm_object_mark_dirty(o, pa);
        pmm_unref(pa);
        if (got < 0) {
            err = got;
            break;
        }
        done += (uint32_t)got;
        if ((uint32_t)got < n)
            break;
    }
    if (write) {
        v->size = done ? MAX(old_size, off + done) : old_size;
        if (o->size != extent(v))
            vm_object_truncate(o, extent(v));
        if (done)
            vnode_touch(v, VNODE_MTIME | VNODE_CTIME);
    }
    return done ? (int)done : err;
}

static int copy_to_kernel(uint8_t *page, uint32_t n, uint32_t done, void *buf)
{
    memcpy((uint8_t *)buf + done, page, n);
    return (int)n;
}

static int copy_from_kernel(uint8_t *page, uint32_t n, uint32_t done, void *buf)
{
    memcpy(page, (const uint8_t *)buf + done, n);
    return (int)n;
}

static int copy_to_user_buf(uint8_t *page, uint32_t n, uint32_t done, void *ubuf)
{
    return uio_copy_out(*(vaddr_t *)ubuf + done, page, n);
}

static int copy_from_user_buf(uint8_t *page, uint32_t n, uint32_t done, void *ubuf)
{
    return uio_copy_in(page, *(vaddr_t *)ubuf + done, n);
}

int vfs_read(struct vnode *v, void *buf, uint32_t len, uint64_t offset)
{
    if (!v || (!buf && len))
        return -EINVAL;
    return page_io(v, offset, len, false, copy_to_kernel, buf, NULL);
}

int vfs_write(struct vnode *v, const void *buf, uint32_t len, uint64_t offset)
{
    if (!v || (!buf && len))
        return -EINVAL;
    return page_io(v, offset, len, true, copy_from_kernel, (void *)buf, NULL);
}

int vfs_read_user(struct vnode *v, vaddr_t ubuf, uint32_t len, uint64_t offset, struct readahead_state *ra)
{
    return page_io(v, offset, len, false, copy_to_user_buf, &ubuf, ra);
}

int vfs_write_user(struct vnode *v, vaddr_t ubuf, uint32_t len, uint64_t offset)
{
    return page_io(v, offset, len, true, copy_from_user_buf, &ubuf, NULL);
}

int vfs_truncate(struct vnode *v, uint64_t size)
{
    if (v->ops)
        return 0; /* made-up contents (/proc) have no size to set: nothing happens, as on Linux */
    if (v->type == VNODE_DIR)
        return -EISDIR;
    if (v->type != VNODE_FILE)
        return -EINVAL;
    if (size > VFS_FILE_MAX)
        return -EFBIG;
    if (v->running)
        return -ETXTBSY; /* a running program's file */
    uint64_t alloc_end = size < v->size ? 0 : v->alloc_end; /* a cut drops what fallocate kept past the end */
    if (v->obj) {
        int err = vm_object_truncate(v->obj, MAX(size, alloc_end));
        if (err)
            return err;
    }
    if (size < v->backing_size)
        v->backing_size = (uint32_t)size; /* a later object must not show the cut bytes again */
    v->size = size;
    v->alloc_end = alloc_end;
    vnode_touch(v, VNODE_MTIME | VNODE_CTIME);
    return 0;
}

int vfs_allocate(struct vnode *v, uint64_t off, uint64_t len, bool keep_size)
{
    if (v->ops)
        return -EPERM; /* made-up contents (/proc) have no size to set */
    if (v->type == VNODE_DIR)
        return -EISDIR;
    if (v->type != VNODE_FILE)
        return -ENODEV;
    if (off > VFS_FILE_MAX || len > VFS_FILE_MAX - off)
        return -EFBIG;
    uint64_t end = off + len;
    uint32_t first = (uint32_t)(off / PAGE_SIZE), last = (uint32_t)((end + PAGE_SIZE - 1) / PAGE_SIZE);
    struct vm_object *o = file_obj(v);
    if (!o)
        return -ENOMEM;
    uint32_t need = 0;
    for (uint32_t i = first; i < last && need <= last - first; i++) {
        paddr_t pa = vm_object_lookup(o, i);
        need += !pa || !(pmm_frame(pa)->flags & FRAME_F_DIRTY);
    }
    if (!room_for(need))
        return -ENOSPC;
    if (end > o->size)
        vm_object_truncate(o, end);
    for (uint32_t i = first; i < last; i++) {
        paddr_t pa;
        if (vm_object_get_page(o, i, &pa) != 0) {
            vm_object_truncate(o, extent(v)); /* what was added beyond the file goes */
            return -ENOSPC;
        }
        vm_object_mark_dirty(o, pa); /* allocated: it stays, and counts as used space */
    }
    if (!keep_size && end > v->size)
        v->size = end;
    else if (keep_size && end > extent(v))
        v->alloc_end = end; /* kept past the end: they count in st_blocks until a truncate */
    if (o->size != extent(v))
        vm_object_truncate(o, extent(v));
    vnode_touch(v, VNODE_CTIME | (keep_size ? 0 : VNODE_MTIME));
    return 0;
}

int vfs_punch_hole(struct vnode *v, uint64_t off, uint64_t len)
{
    if (v->type != VNODE_FILE)
        return v->type == VNODE_DIR ? -EISDIR : -ENODEV;
    if (off >= extent(v))
        return 0;
    uint64_t end = MIN(off + len, extent(v));
    struct vm_object *o = file_obj(v);
    if (!o)
        return -ENOMEM;
    for (uint64_t pos = off; pos < end;) {
        uint32_t idx = (uint32_t)(pos / PAGE_SIZE), in_page = (uint32_t)(pos & PAGE_MASK);
        uint32_t n = (uint32_t)MIN(end - pos, (uint64_t)(PAGE_SIZE - in_page));
        paddr_t pa = vm_object_lookup(o, idx);
        bool archived = (uint64_t)idx * PAGE_SIZE < v->backing_size;
        if (n == PAGE_SIZE && !archived) {
            if (pa)
                vm_object_evict(o, idx); /* a whole page of the hole: gone, as tmpfs frees it */
        } else if (pa || archived) {
            /* part of a page, or the archive's bytes under it: zeroes written over them */
            if (!pa && vm_object_get_page(o, idx, &pa) != 0)
                return -ENOSPC;
            uint8_t *page = kmap(pa);
            memset(page + in_page, 0, n);
            kunmap(page);
            vm_object_mark_dirty(o, pa); /* it no longer matches the archive */
        }
        pos += n;
    }
    vnode_touch(v, VNODE_MTIME | VNODE_CTIME);
    return 0;
}

int vfs_seek_data(struct vnode *v, uint64_t pos, bool hole, uint64_t *out)
{
    if (pos >= v->size)
        return -ENXIO;
    uint32_t idx = (uint32_t)(pos / PAGE_SIZE);
    uint32_t archived = (uint32_t)(((uint64_t)v->backing_size + PAGE_SIZE - 1) / PAGE_SIZE);
    const struct sparse *pages = v->obj ? &v->obj->pages : NULL;
    uint32_t at;
    if (!hole) { /* the first page holding data at or after pos */
        if (idx < archived || (pages && sparse_get(pages, idx)))
            at = idx;
        else if (!pages || !sparse_next(pages, idx, &at))
            return -ENXIO;
        if ((uint64_t)at * PAGE_SIZE >= v->size)
            return -ENXIO;
        *out = MAX(pos, (uint64_t)at * PAGE_SIZE);
        return 0;
    }
    at = idx; /* the first page without data; the end of the file counts as a hole */
    while ((uint64_t)at * PAGE_SIZE < v->size && (at < archived || (pages && sparse_get(pages, at))))
        at++;
    *out = MIN(MAX(pos, (uint64_t)at * PAGE_SIZE), v->size);
    return 0;
}
