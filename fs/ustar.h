/*
 * The initrd file system: a POSIX ustar archive in memory turned into a
 * vnode tree (fs/vfs.h). Reads GNU tar, busybox tar and pax output: ustar
 * prefix field, GNU long names and link names ('L', 'K'), pax 'path' and
 * 'linkpath' records, "./" prefixes, missing directory entries (created
 * implicitly), symlinks and hard links. Checksums are verified; a malformed
 * or truncated entry ends the archive early, it never makes mount read past
 * the buffer.
 *
 * The archive must stay in memory, unchanged, as long as the tree exists:
 * file data is not copied, vnodes point into it.
 */
#ifndef EYN_USTAR_H
#define EYN_USTAR_H

#include "types.h"
#include "fs/vfs.h"

#define USTAR_BLOCK 512u

/*
 * Build the tree of archive[0..size) into *root_out (ino 1). 0, -EINVAL (no
 * valid header and no end-of-archive marker: not a ustar archive at all) or
 * -ENOMEM (nothing is left allocated).
 */
int ustar_mount(const void *archive, uint32_t size, struct vnode **root_out);

/*
 * Add the members of another archive to the tree at root (a later
 * initrd module): 0, -EINVAL (not an archive: nothing added) or -ENOMEM
 * (what was added stays).
 */
int ustar_add(const void *archive, uint32_t size, struct vnode *root);
/* Free a tree from ustar_mount (NULL is ignored); the archive is untouched. */
void ustar_unmount(struct vnode *root);

#endif
