/*
 * Directory entries: a list per directory, newest first (the order Linux's
 * tmpfs lists them in). Each entry has a cookie, increasing along the
 * list — a new entry gets one below all others — that getdents keeps as
 * its offset: entries removed during a listing never make it skip or
 * repeat the others, and entries made during it land before the place it
 * has reached, so a listing always ends.
 */
#include "fs/vfs.h"
#include "errno.h"
#include "kstring.h"
#include "mm/kmem/kheap.h"

void dir_set_parent(struct vnode *v, struct vnode *parent)
{
    struct vnode *old = v->parent;
    if (old == parent)
        return;
    vnode_ref(parent);
    v->parent = parent;
    if (old != v)
        vnode_unref(old);
}

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
    e->v = v;
    e->dir = dir;
    e->cookie = dir->next_cookie ? dir->next_cookie-- : 0; /* after 2^31 entries made: ties (listed still) */
    e->len = (uint16_t)len;
    memcpy(e->name, name, len);
    e->name[len] = '\0';
    e->next = dir->entries;
    dir->entries = e;
    v->nlink++;
    if (!v->name)
        v->name = e;
    if (v->type == VNODE_DIR) {
        v->nlink++;   /* its own "." */
        dir->nlink++; /* its ".." */
        dir_set_parent(v, dir);
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
        dir_set_parent(v, e->dir);
    }
}

void dir_remove(struct vnode *dir, struct dentry *e)
{
    struct dentry **pp = &dir->entries;
    while (*pp != e)
        pp = &(*pp)->next;
    *pp = e->next;
    struct vnode *v = e->v;
    v->nlink--;
    if (v->name == e)
        v->name = NULL;
    if (v->type == VNODE_DIR) {
        v->nlink--; /* "." goes with it: a removed directory has no links */
        dir->nlink--;
        /* v keeps its parent: ".." of a removed directory still leads there, as on Linux */
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
