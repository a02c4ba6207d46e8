/*
 * Path lookup over the vnode tree. Lookup walks the path one
 * component at a time; a symlink is resolved by walking its target from the
 * directory holding it (a nested call, at most VFS_SYMLINK_DEPTH deep and
 * VFS_SYMLINK_TOTAL in all), so no path buffer is ever built.
 */
#include "fs/vfs.h"
#include "fs/perm.h"
#include "errno.h"
#include "kstring.h"
#include "mm/kmem/kheap.h"

static struct vnode *root_node;

struct vnode *vfs_root_new(void)
{
    struct vnode *root = vnode_new(VNODE_DIR, 0755, 0, 0);
    if (root) {
        root->ino = 1;
        root->nlink = 2; /* its "." and its own ".." */
        root->refs = 1;  /* the mount's */
    }
    return root;
}

void vfs_set_root(struct vnode *root) { root_node = root; }

struct vnode *vfs_root(void) { return root_node; }

/*
 * One step of a walk: the node for component name[0..len) of directory dir
 * (which c must be allowed to search), not following symlinks; ".." stops at root.
 */
static int step(const struct cred *c, struct vnode *root, struct vnode *dir, const char *name, uint32_t len,
                struct vnode **out)
{
    if (dir->type != VNODE_DIR)
        return -ENOTDIR;
    int err = vnode_permission(dir, MAY_EXEC, c);
    if (err)
        return err;
    if (len > VFS_NAME_MAX)
        return -ENAMETOOLONG;
    if (len == 1 && name[0] == '.')
        *out = dir;
    else if (len == 2 && name[0] == '.' && name[1] == '.')
        *out = dir == root ? dir : dir->parent; /* the root is its own parent, and a chroot's is too */
    else if (dir->ops && dir->ops->lookup)
        return dir->ops->lookup(dir, name, len, out);
    else {
        struct dentry *e = dir_find(dir, name, len);
        if (!e)
            return -ENOENT;
        *out = e->v;
    }
    return 0;
}

static int walk(const struct cred *c, struct vnode *root, const char *p, struct vnode *dir, bool follow_last,
                uint32_t depth, uint32_t *total, struct vnode **out);

/* Where symlink link (in directory dir) leads, into *out: its object for a magic link, else its target walked. */
static int follow(const struct cred *c, struct vnode *root, struct vnode *dir, struct vnode *link, uint32_t depth,
                  uint32_t *total, struct vnode **out)
{
    if (link->ops && link->ops->follow)
        return link->ops->follow(link, out);
    if (!link->ops || !link->ops->readlink)
        return walk(c, root, link->link_target, dir, true, depth + 1, total, out);
    char *target = kmalloc(VFS_PATH_MAX); /* made up now: /proc/self, /proc/PID/cwd... */
    if (!target)
        return -ENOMEM;
    int err = vnode_readlink(link, target, VFS_PATH_MAX);
    if (err >= 0)
        err = walk(c, root, target, dir, true, depth + 1, total, out);
    kfree(target);
    return err;
}

/*
 * Resolve the NUL-terminated path p from dir (from root if p starts with
 * '/') into *out, as c (NULL: the kernel, no permission checks). depth:
 * symlinks being resolved around this call; *total: symlinks followed so
 * far by the whole lookup. 0 or -ERRNO.
 */
static int walk(const struct cred *c, struct vnode *root, const char *p, struct vnode *dir, bool follow_last, uint32_t depth,
                uint32_t *total, struct vnode **out)
{
    struct vnode *v = *p == '/' ? root : dir;
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
        int err = step(c, root, v, name, len, &next);
        if (err)
            return err;
        if (next->type == VNODE_SYMLINK && (!last || follow_last || trailing_slash)) {
            if (depth >= VFS_SYMLINK_DEPTH || ++*total > VFS_SYMLINK_TOTAL)
                return -ELOOP;
            if ((err = follow(c, root, v, next, depth, total, &next)) != 0)
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
    return vfs_lookup_from(NULL, path, cwd, follow_last, out);
}

int vfs_lookup_from(struct vnode *root, const char *path, struct vnode *cwd, bool follow_last, struct vnode **out)
{
    return vfs_lookup_as(NULL, root, path, cwd, follow_last, out);
}

int vfs_lookup_as(const struct cred *c, struct vnode *root, const char *path, struct vnode *cwd, bool follow_last,
                  struct vnode **out)
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
    if (!root)
        root = root_node;
    struct vnode *start = cwd ? cwd : root;
    if (path[0] != '/' && start->type != VNODE_DIR)
        return -ENOTDIR;
    return walk(c, root, path, start, follow_last, 0, &total, out);
}

int vfs_lookup_parent(const char *path, struct vnode *cwd, struct vnode **dir, const char **name, uint32_t *len,
                      bool *trailing_slash)
{
    return vfs_lookup_parent_from(NULL, path, cwd, dir, name, len, trailing_slash);
}

int vfs_lookup_parent_from(struct vnode *root, const char *path, struct vnode *cwd, struct vnode **dir,
                           const char **name, uint32_t *len, bool *trailing_slash)
{
    return vfs_lookup_parent_as(NULL, root, path, cwd, dir, name, len, trailing_slash);
}

int vfs_lookup_parent_as(const struct cred *c, struct vnode *root, const char *path, struct vnode *cwd,
                         struct vnode **dir, const char **name, uint32_t *len, bool *trailing_slash)
{
    if (!path || !dir || !name || !len)
        return -EINVAL;
    uint32_t n = 0;
    while (n < VFS_PATH_MAX && path[n])
        n++;
    if (n == VFS_PATH_MAX)
        return -ENAMETOOLONG;
    if (n == 0)
        return -ENOENT;
    if (!root_node)
        return -ENOENT;
    if (!root)
        root = root_node;
    uint32_t end = n;
    while (end > 0 && path[end - 1] == '/')
        end--;
    *trailing_slash = end < n;
    uint32_t start = end;
    while (start > 0 && path[start - 1] != '/')
        start--;
    *name = path + start;
    *len = end - start;
    if (*len > VFS_NAME_MAX)
        return -ENAMETOOLONG;
    struct vnode *base = cwd ? cwd : root;
    if (start == 0) { /* no directory part: relative to the start directory (or "/" itself) */
        *dir = path[0] == '/' ? root : base;
        if ((*dir)->type != VNODE_DIR)
            return -ENOTDIR;
        if (*len && vnode_permission(*dir, MAY_EXEC, c))
            return -EACCES; /* the last component is looked up in it */
        return (*dir)->nlink ? 0 : -ENOENT;
    }
    char *prefix = kmalloc(start + 1);
    if (!prefix)
        return -ENOMEM;
    memcpy(prefix, path, start);
    prefix[start] = '\0';
    uint32_t total = 0;
    int err = path[0] != '/' && base->type != VNODE_DIR ? -ENOTDIR : walk(c, root, prefix, base, true, 0, &total, dir);
    kfree(prefix);
    if (!err && (*dir)->type != VNODE_DIR)
        err = -ENOTDIR;
    if (!err && *len)
        err = vnode_permission(*dir, MAY_EXEC, c); /* the last component is looked up in it */
    if (!err && !(*dir)->nlink)
        err = -ENOENT;
    return err;
}

/* Put name[0..len) and a '/' before *s (not before out): false if it does not fit. */
static bool prepend(char **s, char *out, const char *name, uint32_t len)
{
    if ((uint32_t)(*s - out) < len + 1)
        return false;
    *s -= len;
    memcpy(*s, name, len);
    *--*s = '/';
    return true;
}

char *vfs_path(const struct vnode *v, char *out, uint32_t cap) { return vfs_path_from(NULL, v, out, cap); }

char *vfs_path_from(const struct vnode *root, const struct vnode *v, char *out, uint32_t cap)
{
    static const char deleted[] = " (deleted)";
    if (!cap)
        return NULL;
    char *s = out + cap - 1;
    *s = '\0';
    bool gone = false;
    if (!root)
        root = root_node;
    for (; v && v != root; v = v->name ? v->name->dir : NULL) {
        if (v == root_node) { /* outside the caller's root: Linux's getcwd marks it so */
            static const char unreachable[] = "(unreachable)";
            if ((uint32_t)(s - out) < sizeof unreachable)
                return NULL;
            s -= sizeof unreachable - 1;
            memcpy(s, unreachable, sizeof unreachable - 1);
            return s;
        }
        if (!v->name || !v->nlink) {
            gone = true;
            break;
        }
        if (!prepend(&s, out, v->name->name, v->name->len))
            return NULL;
    }
    if (gone) { /* no name left: what Linux prints for a removed file */
        uint32_t tail = (uint32_t)strlen(s);
        if ((uint32_t)(s - out) < sizeof deleted + 1)
            return NULL;
        memmove(out, s, tail + 1);
        s = out;
        memcpy(s + tail, deleted, sizeof deleted);
        if (!tail) {
            memmove(s + 1, s, sizeof deleted);
            *s = '/';
        }
        return s;
    }
    if (!*s)
        *--s = '/'; /* the root itself */
    return s;
}
