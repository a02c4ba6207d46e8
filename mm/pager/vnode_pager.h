/*
 * The vnode pager: a file's pages as a memory object — the page cache.
 * The file system makes one object per regular file (fs/file_data.c) on
 * its first use and keeps it as long as the file lives; read, write, exec
 * and every mapping share it. A page is filled on first use from the
 * bytes the file started with (the initrd archive, "backing"), zeroes
 * elsewhere. A written page is dirty: it exists only in memory (tmpfs),
 * so it stays; a clean page can be dropped and filled again. The pager
 * never names a file system: the file is an opaque pointer.
 */
#ifndef EYN_VNODE_PAGER_H
#define EYN_VNODE_PAGER_H

#include "types.h"

struct vm_object;

/*
 * A new object (one reference) for file, size bytes long, whose first
 * backing_size bytes are at backing (read-only memory that outlives the
 * object); NULL if out of memory.
 */
struct vm_object *vnode_pager_create(void *file, uint64_t size, const uint8_t *backing, uint32_t backing_size);
/* The file whose pages o holds, or NULL if o is not a file's object or the file is gone. */
void *vnode_pager_file(const struct vm_object *o);
/* The file is gone (removed and closed): o stays for its mappings, unnamed. */
void vnode_pager_forget_file(struct vm_object *o);
/* True if o is a file's object (even one whose file is gone). */
bool vnode_pager_is(const struct vm_object *o);

/*
 * Drop every file's clean, unmapped cached pages (they are read again when
 * needed): how many went. An object left with no page and no holder but
 * its file is offered to idle(file, o) (set by the file system), which may
 * let it go.
 */
uint32_t vnode_pager_drop_caches(void);
void vnode_pager_set_idle(void (*idle)(void *file, struct vm_object *o));

#endif
