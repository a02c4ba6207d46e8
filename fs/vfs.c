/*
 * Path lookup and reads over the vnode tree. Lookup walks the path one
 * component at a time; a symlink is resolved by walking its target from the
 * directory holding it (a nested call, at most VFS_SYMLINK_DEPTH deep and
 * VFS_SYMLINK_TOTAL in all), so no path buffer is ever built.
 */
#include "fs/vfs.h"
#include "errno.h"
#include "kstring.h"

static struct vnode *root_node;

void vfs_set_root(struct vnode *root) { root_node = root; }

struct vnode *vfs_root(void) { return root_node; }

/* The child of dir called name[0..len), or NULL. */
static struct vnode *dir_lookup(struct vnode *dir, const char *name, uint32_t len)
{
    for (struct vnode *v = dir->children; v; v = v->next_sibling)
        if (strncmp(v->name, name, len) == 0 && v->name[len] == '\0')
            return v;
    return NULL;
}

/* One step of a walk: the node for component name[0..len) of directory dir, not following symlinks. */
static int step(struct vnode *dir, const char *name, uint32_t len, struct vnode **out)
{
    if (dir->type != VNODE_DIR)
        return -ENOTDIR;
    if (len > VFS_NAME_MAX)
        return -ENAMETOOLONG;
    if (len == 1 && name[0] == '.')
        *out = dir;
    else if (len == 2 && name[0] == '.' && name[1] == '.')
        *out = dir->parent; /* the root is its own parent */
    else if (!(*out = dir_lookup(dir, name, len)))
        return -ENOENT;
    return 0;
}

/*
 * Resolve the NUL-terminated path p from dir (from the root if p starts with
 * '/') into *out. depth: symlinks being resolved around this call; *total:
 * symlinks followed so far by the whole lookup. 0 or -ERRNO.
 */
static int walk(const char *p, struct vnode *dir, bool follow_last, uint32_t depth, uint32_t *total,
                struct vnode **out)
{
    struct vnode *v = *p == '/' ? root_node : dir;
    if (!*p)
        return -ENOENT; /* an empty path (or symlink target) names nothing */
    for (;;) {
        while (*p == '/')
            p++;
        if (!*p)
            break;
        const char *name = p;
        uint32_t len = 0;
        while (p[len] && p[len] != '/')
            len++;
        p += len;
        const char *rest = p;
        while (*rest == '/')
            rest++;
        bool last = !*rest, trailing_slash = last && *p == '/';
        struct vnode *next;
        int err = step(v, name, len, &next);
        if (err)
            return err;
        if (next->type == VNODE_SYMLINK && (!last || follow_last || trailing_slash)) {
            if (depth >= VFS_SYMLINK_DEPTH || ++*total > VFS_SYMLINK_TOTAL)
                return -ELOOP;
            if ((err = walk(next->link_target, v, true, depth + 1, total, &next)) != 0)
                return err;
        }
        if (trailing_slash && next->type != VNODE_DIR)
            return -ENOTDIR;
        v = next;
    }
    *out = v;
    return 0;
}

int vfs_lookup(const char *path, struct vnode *cwd, bool follow_last, struct vnode **out)
{
    uint32_t len = 0, total = 0;
    if (!path || !out)
        return -EINVAL;
    while (len < VFS_PATH_MAX && path[len])
        len++;
    if (len == VFS_PATH_MAX)
        return -ENAMETOOLONG; /* no room for the NUL within PATH_MAX, as on Linux */
    if (!root_node)
        return -ENOENT;
    struct vnode *start = cwd ? cwd : root_node;
    if (path[0] != '/' && start->type != VNODE_DIR)
        return -ENOTDIR;
    return walk(path, start, follow_last, 0, &total, out);
}

int vfs_read(struct vnode *v, void *buf, uint32_t len, uint32_t offset)
{
    if (!v || (!buf && len))
        return -EINVAL;
    if (v->type == VNODE_DIR)
        return -EISDIR;
    if (v->type != VNODE_FILE)
        return -EINVAL;
    if (offset >= v->size || len == 0)
        return 0;
    uint32_t n = MIN(MIN(len, v->size - offset), (uint32_t)INT32_MAX);
    memcpy(buf, v->data + offset, n);
    return (int)n;
}

struct vnode *vfs_child(struct vnode *dir, uint32_t i)
{
    if (!dir || dir->type != VNODE_DIR)
        return NULL;
    struct vnode *v = dir->children;
    while (v && i--)
        v = v->next_sibling;
    return v;
}
