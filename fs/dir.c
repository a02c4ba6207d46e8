/*
 * Directory entries: a list per directory in creation order. Each entry
 * has a cookie, increasing along the list, that getdents keeps as its
 * offset, so entries added or removed during a listing never make it skip
 * or repeat the others.
 */
#include "fs/vfs.h"
#include "errno.h"
#include "kstring.h"
#include "mm/kmem/kheap.h"

struct dentry *dir_find(const struct vnode *dir, const char *name, uint32_t len)
{
    for (struct dentry *e = dir->entries; e; e = e->next)
        if (e->len == len && memcmp(e->name, name, len) == 0)
            return e;
    return NULL;
}

int dir_add(struct vnode *dir, const char *name, uint32_t len, struct vnode *v)
{
    struct dentry *e = kmalloc(sizeof *e + len + 1);
    if (!e)
        return -ENOMEM;
    e->next = NULL;
    e->v = v;
    e->dir = dir;
    e->cookie = dir->next_cookie++;
    e->len = (uint16_t)len;
    memcpy(e->name, name, len);
    e->name[len] = '\0';
    *dir->entries_tail = e;
    dir->entries_tail = &e->next;
    v->nlink++;
    if (!v->name)
        v->name = e;
    if (v->type == VNODE_DIR) {
        v->nlink++;   /* its own "." */
        dir->nlink++; /* its ".." */
        v->parent = dir;
    }
    return 0;
}

void dir_replace(struct dentry *e, struct vnode *v)
{
    struct vnode *old = e->v;
    old->nlink--;
    if (old->name == e)
        old->name = NULL;
    e->v = v;
    v->nlink++;
    if (!v->name)
        v->name = e;
    if (v->type == VNODE_DIR) { /* a new directory in a file's place */
        v->nlink++;
        e->dir->nlink++;
        v->parent = e->dir;
    }
}

void dir_remove(struct vnode *dir, struct dentry *e)
{
    struct dentry **pp = &dir->entries;
    while (*pp != e)
        pp = &(*pp)->next;
    *pp = e->next;
    if (dir->entries_tail == &e->next)
        dir->entries_tail = pp;
    struct vnode *v = e->v;
    v->nlink--;
    if (v->name == e)
        v->name = NULL;
    if (v->type == VNODE_DIR) {
        v->nlink--; /* "." goes with it: a removed directory has no links */
        dir->nlink--;
        v->parent = v; /* no longer anywhere: ".." of a removed directory is itself */
    }
    kfree(e);
}

bool dir_is_empty(const struct vnode *dir) { return dir->entries == NULL; }

struct dentry *dir_entry_from(const struct vnode *dir, uint32_t cookie)
{
    struct dentry *e = dir->entries;
    while (e && e->cookie < cookie)
        e = e->next;
    return e;
}
