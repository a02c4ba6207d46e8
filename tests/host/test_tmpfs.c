/*
 * Host tests of the in-memory file system and its page cache (fs/vnode.c,
 * fs/dir.c, fs/vfs_names.c, fs/file_data.c, mm/pager/vnode_pager.c): names
 * and link counts through every operation, Linux's errors, file contents
 * through the cache (holes, truncation, files that start in an archive),
 * one object shared by read/write and mappings, ENOSPC without losing
 * data, and every frame and heap byte back when the files go.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "errno.h"
#include "fs/vfs.h"
#include "fs/perm.h"
#include "kern/cred.h"
#include "fs/vnode_object.h"
#include "mm/kmem/kheap.h"
#include "mm/pager/vnode_pager.h"
#include "mm/pmm/physmem.h"
#include "mm/pmm/pmm.h"
#include "mm/vm/vm_object.h"
#include "tests/host/sim.h"

static const struct phys_range avail[] = {{0x1000, 0x9F000}, {0x100000, 0x1000000}};
static const struct phys_range resv[] = {{0x100000, 0x200000}};

static struct vnode *root;
static uint32_t free_at_start, heap_at_start;

static uint32_t heap_in_use(void)
{
    struct kheap_stats st;
    kheap_get_stats(&st);
    return st.bytes_in_use;
}

static uint32_t free_frames(void)
{
    struct pmm_stats st;
    pmm_get_stats(&st);
    return st.free_frames;
}

/* Frames free or held by the heap (which keeps empty slabs for reuse): what leaks would lower. */
static uint32_t free_or_heap_frames(void)
{
    struct pmm_stats st;
    pmm_get_stats(&st);
    return st.free_frames + st.by_kind[FRAME_HEAP];
}

static int setup(void **state)
{
    (void)state;
    sim_reset(16u << 20);
    assert_int_equal(pmm_init(avail, ARRAY_SIZE(avail), resv, ARRAY_SIZE(resv)), 0);
    kheap_init();
    heap_at_start = heap_in_use();
    free_at_start = free_or_heap_frames();
    root = vfs_root_new();
    assert_non_null(root);
    vfs_set_root(root);
    return 0;
}

/* Every test removes what it made: the root is empty, and memory is back where it was. */
static int teardown(void **state)
{
    (void)state;
    assert_true(dir_is_empty(root));
    assert_int_equal(root->nlink, 2);
    vfs_set_root(NULL);
    root->refs = root->nlink = 0;
    vnode_maybe_free(root);
    assert_int_equal(vnode_count(), 0);
    assert_int_equal(object_stats.objects, 0);
    assert_int_equal(object_stats.dirty, 0);
    assert_int_equal(heap_in_use(), heap_at_start);
    assert_int_equal(free_or_heap_frames(), free_at_start);
    return 0;
}

static struct vnode *lk(const char *path)
{
    struct vnode *v = NULL;
    int err = vfs_lookup(path, NULL, true, &v);
    if (err)
        fail_msg("lookup %s: %d", path, err);
    return v;
}

static int lk_err(const char *path)
{
    struct vnode *v;
    return vfs_lookup(path, NULL, false, &v);
}

static struct vnode *mk(struct vnode *dir, const char *name, enum vnode_type type)
{
    struct vnode *v = NULL;
    assert_int_equal(vfs_create(dir, name, (uint32_t)strlen(name), type, 0644, 0, 0, &v), 0);
    return v;
}

static int rm(struct vnode *dir, const char *name) { return vfs_unlink(dir, name, (uint32_t)strlen(name)); }
static int rmd(struct vnode *dir, const char *name) { return vfs_rmdir(dir, name, (uint32_t)strlen(name)); }

static int mv(struct vnode *od, const char *on, struct vnode *nd, const char *nn, unsigned flags)
{
    return vfs_rename(od, on, (uint32_t)strlen(on), nd, nn, (uint32_t)strlen(nn), flags);
}

static void test_names_and_link_counts(void **state)
{
    (void)state;
    struct vnode *d = mk(root, "d", VNODE_DIR), *e = mk(d, "e", VNODE_DIR);
    struct vnode *f = mk(d, "f", VNODE_FILE);
    assert_int_equal(root->nlink, 3); /* ".", its own "..", d's ".." */
    assert_int_equal(d->nlink, 3);
    assert_int_equal(e->nlink, 2);
    assert_int_equal(f->nlink, 1);
    assert_ptr_equal(lk("/d/e/.."), d);
    assert_int_equal(vfs_create(d, "f", 1, VNODE_FILE, 0644, 0, 0, NULL), -EEXIST);
    assert_int_equal(vfs_link(root, "g", 1, f), 0);
    assert_int_equal(f->nlink, 2);
    assert_ptr_equal(lk("/g"), f);
    assert_int_equal(vfs_link(root, "h", 1, d), -EPERM);
    assert_int_equal(rmd(root, "d"), -ENOTEMPTY);
    assert_int_equal(rmd(d, "f"), -ENOTDIR);
    assert_int_equal(rm(d, "e"), -EISDIR);
    assert_int_equal(rm(d, "nope"), -ENOENT);
    assert_int_equal(vfs_symlink(root, "s", 1, "d/e", 0, 0), 0);
    assert_ptr_equal(lk("/s"), e);
    assert_int_equal(vfs_symlink(root, "t", 1, "", 0, 0), -ENOENT);
    char path[64];
    assert_string_equal(vfs_path(e, path, sizeof path), "/d/e");
    assert_string_equal(vfs_path(root, path, sizeof path), "/");
    assert_null(vfs_path(e, path, 4)); /* does not fit */
    /* an open (held) file outlives its last name, then goes */
    vnode_ref(f);
    assert_int_equal(rm(d, "f"), 0);
    assert_int_equal(rm(root, "g"), 0);
    assert_int_equal(f->nlink, 0);
    assert_string_equal(vfs_path(f, path, sizeof path), "/ (deleted)");
    assert_int_equal(vfs_write(f, "abc", 3, 0), 3);
    uint32_t live = vnode_count();
    vnode_unref(f);
    assert_int_equal(vnode_count(), live - 1);
    /* a held directory that is removed: nothing can be made in it; "." and ".." still resolve */
    vnode_ref(e);
    assert_int_equal(rmd(d, "e"), 0);
    assert_int_equal(e->nlink, 0);
    assert_int_equal(d->nlink, 2);
    struct vnode *out;
    assert_int_equal(vfs_lookup(".", e, true, &out), 0);
    assert_ptr_equal(out, e);
    assert_int_equal(vfs_lookup("..", e, true, &out), 0);
    assert_ptr_equal(out, d); /* the removed directory holds on to its parent */
    assert_int_equal(vfs_lookup("x", e, true, &out), -ENOENT);
    assert_int_equal(vfs_create(e, "x", 1, VNODE_FILE, 0644, 0, 0, NULL), -ENOENT);
    vnode_unref(e);
    assert_int_equal(rm(root, "s"), 0);
    assert_int_equal(rmd(root, "d"), 0);
    assert_int_equal(lk_err("/d"), -ENOENT);
}

static void test_rename(void **state)
{
    (void)state;
    struct vnode *a = mk(root, "a", VNODE_DIR), *b = mk(root, "b", VNODE_DIR);
    struct vnode *sub = mk(a, "sub", VNODE_DIR), *f = mk(a, "f", VNODE_FILE), *g = mk(b, "g", VNODE_FILE);
    assert_int_equal(mv(root, "a", sub, "x", 0), -EINVAL);          /* into itself */
    assert_int_equal(mv(a, "f", root, "b", 0), -EISDIR);            /* file over a directory */
    assert_int_equal(mv(root, "b", a, "f", 0), -ENOTDIR);           /* directory over a file */
    assert_int_equal(mv(root, "b", a, "sub", VFS_RENAME_NOREPLACE), -EEXIST);
    assert_int_equal(mv(root, "missing", a, "z", 0), -ENOENT);
    assert_int_equal(mv(a, "f", b, "g", 0), 0);                    /* over a file: g goes */
    assert_ptr_equal(lk("/b/g"), f);
    char fpath[32];
    assert_string_equal(vfs_path(f, fpath, sizeof fpath), "/b/g");
    assert_int_equal(lk_err("/a/f"), -ENOENT);
    (void)g; /* freed by the rename */
    assert_int_equal(mv(root, "b", root, "a", 0), -ENOTEMPTY);      /* over a non-empty directory */
    assert_int_equal(rm(b, "g"), 0);
    uint32_t root_links = root->nlink, a_links = a->nlink;
    assert_int_equal(mv(root, "b", a, "sub", 0), 0);               /* over an empty directory */
    assert_int_equal(root->nlink, root_links - 1);                 /* b's ".." left the root */
    assert_int_equal(a->nlink, a_links);                           /* sub's ".." went, b's came */
    assert_ptr_equal(lk("/a/sub"), b);
    assert_ptr_equal(lk("/a/sub/.."), a);
    char path[32];
    assert_string_equal(vfs_path(b, path, sizeof path), "/a/sub"); /* getcwd follows the move */
    assert_int_equal(b->nlink, 2);
    struct vnode *h = mk(root, "h", VNODE_FILE);
    assert_int_equal(mv(root, "h", a, "sub", VFS_RENAME_EXCHANGE), 0); /* swap a file and a directory */
    assert_ptr_equal(lk("/h"), b);
    assert_ptr_equal(lk("/a/sub"), h);
    assert_ptr_equal(lk("/h/.."), root);
    assert_string_equal(vfs_path(b, path, sizeof path), "/h");
    assert_string_equal(vfs_path(h, path, sizeof path), "/a/sub");
    assert_int_equal(mv(root, "h", a, "none", VFS_RENAME_EXCHANGE), -ENOENT);
    assert_int_equal(mv(root, "h", root, "h", 0), 0); /* the same name: nothing happens */
    assert_int_equal(rm(a, "sub"), 0);
    assert_int_equal(rmd(root, "h"), 0);
    assert_int_equal(rmd(root, "a"), 0);
    (void)sub;
}

static void test_contents_through_the_cache(void **state)
{
    (void)state;
    struct vnode *f = mk(root, "f", VNODE_FILE);
    char buf[3 * PAGE_SIZE];
    assert_int_equal(vfs_read(f, buf, 10, 0), 0);
    assert_int_equal(vfs_write(f, "hello", 5, 2 * PAGE_SIZE + 100), 5); /* a hole before it */
    assert_int_equal(f->size, 2 * PAGE_SIZE + 105);
    memset(buf, 0x55, sizeof buf);
    assert_int_equal(vfs_read(f, buf, sizeof buf, 0), 2 * PAGE_SIZE + 105);
    for (uint32_t i = 0; i < 2 * PAGE_SIZE + 100; i++)
        if (buf[i])
            fail_msg("byte %u of the hole is 0x%02x", i, (uint8_t)buf[i]);
    assert_memory_equal(buf + 2 * PAGE_SIZE + 100, "hello", 5);
    /* the mapping object is the cache read and write use */
    struct vm_object *o = vnode_object(f);
    assert_ptr_equal(o, f->obj);
    paddr_t pa = vm_object_lookup(o, 2);
    assert_true(pa != 0);
    uint8_t *page = phys_to_virt(pa);
    assert_memory_equal(page + 100, "hello", 5);
    page[101] = 'E'; /* a store through a shared mapping */
    assert_int_equal(vfs_read(f, buf, 5, 2 * PAGE_SIZE + 100), 5);
    assert_memory_equal(buf, "hEllo", 5);
    vm_object_unref(o);
    /* shrink into the middle of a page, grow again: the cut bytes read as zero */
    assert_int_equal(vfs_truncate(f, 2 * PAGE_SIZE + 102), 0);
    assert_int_equal(vfs_truncate(f, 3 * PAGE_SIZE), 0);
    assert_int_equal(vfs_read(f, buf, 5, 2 * PAGE_SIZE + 100), 5);
    assert_memory_equal(buf, "hE\0\0\0", 5);
    assert_int_equal(vfs_write(f, "x", 1, VFS_FILE_MAX), -EFBIG);
    assert_int_equal(vfs_truncate(f, (uint64_t)VFS_FILE_MAX + 1), -EFBIG);
    struct vnode *d = mk(root, "d", VNODE_DIR);
    assert_int_equal(vfs_read(d, buf, 1, 0), -EISDIR);
    assert_int_equal(vfs_truncate(d, 0), -EISDIR);
    assert_int_equal(rmd(root, "d"), 0);
    assert_int_equal(rm(root, "f"), 0);
}

/* A file that starts in the archive: pages come from it until written; cutting it hides the rest for good. */
static void test_archive_backed_file(void **state)
{
    (void)state;
    static uint8_t archive[2 * PAGE_SIZE + 300];
    for (uint32_t i = 0; i < sizeof archive; i++)
        archive[i] = (uint8_t)(i * 7 + 3);
    struct vnode *f = mk(root, "a", VNODE_FILE);
    f->backing = archive;
    f->size = f->backing_size = sizeof archive;
    uint8_t buf[sizeof archive];
    assert_int_equal(vfs_read(f, buf, sizeof buf, 0), (int)sizeof buf);
    assert_memory_equal(buf, archive, sizeof buf);
    assert_int_equal(object_stats.dirty, 0);
    /* clean pages go when caches are dropped and come back the same */
    assert_int_equal(vnode_pager_drop_caches(), 3);
    assert_null(f->obj); /* an empty cache nobody maps goes too */
    assert_int_equal(object_stats.objects, 0);
    assert_int_equal(vfs_read(f, buf, sizeof buf, 0), (int)sizeof buf);
    assert_memory_equal(buf, archive, sizeof buf);
    /* a written page is the only copy: it stays */
    assert_int_equal(vfs_write(f, "W", 1, PAGE_SIZE), 1);
    assert_int_equal(object_stats.dirty, 1);
    assert_int_equal(vnode_pager_drop_caches(), 2);
    assert_int_equal(vfs_read(f, buf, 1, PAGE_SIZE), 1);
    assert_int_equal(buf[0], 'W');
    assert_int_equal(archive[PAGE_SIZE], (uint8_t)(PAGE_SIZE * 7 + 3)); /* the archive is never written */
    /* truncate below the archive's end and grow: zeroes, even after the cache is dropped */
    assert_int_equal(vfs_truncate(f, 10), 0);
    assert_int_equal(vfs_truncate(f, sizeof archive), 0);
    vnode_pager_drop_caches();
    assert_int_equal(vfs_read(f, buf, sizeof buf, 0), (int)sizeof buf);
    assert_memory_equal(buf, archive, 10);
    for (uint32_t i = 10; i < sizeof buf; i++)
        if (buf[i])
            fail_msg("byte %u after truncate and regrow is 0x%02x", i, buf[i]);
    assert_int_equal(rm(root, "a"), 0);
}

/* Out of frames: the write stops with ENOSPC, what was written stays, nothing is lost or leaked. */
static void test_enospc_keeps_what_was_written(void **state)
{
    (void)state;
    static paddr_t hog[4096];
    uint32_t n = 0;
    struct vnode *f = mk(root, "f", VNODE_FILE);
    assert_int_equal(vfs_write(f, "keep", 4, 0), 4);
    paddr_t pa;
    struct pmm_stats st;
    pmm_get_stats(&st);
    uint32_t reserve = st.total_frames / 32; /* RAM file data never takes */
    while (free_frames() > reserve + 3 && (pa = pmm_alloc(0, FRAME_OTHER)) != 0) {
        assert_true(n < ARRAY_SIZE(hog));
        hog[n++] = pa;
    }
    static char big[8 * PAGE_SIZE];
    memset(big, 'b', sizeof big);
    int r = vfs_write(f, big, sizeof big, 4);
    assert_true(r > 0 && (uint32_t)r < sizeof big); /* a short write */
    assert_int_equal(f->size, 4 + (uint32_t)r);
    while ((pa = pmm_alloc(0, FRAME_OTHER)) != 0) { /* the last frames: no further page can be added */
        assert_true(n < ARRAY_SIZE(hog));
        hog[n++] = pa;
    }
    uint32_t size = f->size;
    assert_int_equal(vfs_write(f, big, PAGE_SIZE, ALIGN_UP(size, PAGE_SIZE) + PAGE_SIZE), -ENOSPC);
    assert_int_equal(f->size, size);
    char buf[4];
    assert_int_equal(vfs_read(f, buf, 4, 0), 4);
    assert_memory_equal(buf, "keep", 4);
    assert_int_equal(vfs_allocate(f, 0, 64 * PAGE_SIZE, false), -ENOSPC);
    assert_int_equal(f->size, size);
    while (n > 0)
        pmm_free(hog[--n]);
    assert_int_equal(rm(root, "f"), 0);
}

static void test_fallocate_and_punch(void **state)
{
    (void)state;
    struct vnode *f = mk(root, "f", VNODE_FILE);
    assert_int_equal(vfs_allocate(f, PAGE_SIZE, 2 * PAGE_SIZE, true), 0); /* KEEP_SIZE of an empty file: nothing */
    assert_int_equal(f->size, 0);
    assert_int_equal(vfs_allocate(f, 100, 2 * PAGE_SIZE, false), 0);
    assert_int_equal(f->size, 100 + 2 * PAGE_SIZE);
    assert_int_equal(vfs_file_pages(f), 3);
    assert_int_equal(object_stats.dirty, 3);
    char buf[PAGE_SIZE];
    memset(buf, 'x', sizeof buf);
    assert_int_equal(vfs_write(f, buf, sizeof buf, 0), PAGE_SIZE);
    assert_int_equal(vfs_punch_hole(f, 10, 20), 0);
    assert_int_equal(vfs_read(f, buf, 40, 0), 40);
    for (int i = 0; i < 40; i++)
        assert_int_equal(buf[i], i >= 10 && i < 30 ? 0 : 'x');
    assert_int_equal(f->size, 100 + 2 * PAGE_SIZE);
    assert_int_equal(rm(root, "f"), 0);
    assert_int_equal(object_stats.dirty, 0);
}

/* fs/perm.c: owner/group/other bits, supplementary groups, root's override, the sticky rule, search in lookups. */
static void test_permissions(void **state)
{
    (void)state;
    uint32_t groups[] = {20, 30};
    struct cred user = {1000, 1000, 1000, 1000, 100, 100, 100, 100, 2, groups};
    struct cred rootc = {0};
    struct vnode *d = mk(root, "d", VNODE_DIR), *f = mk(d, "f", VNODE_FILE), *out;
    d->mode = VFS_S_IFDIR | 0750, d->uid = 0, d->gid = 30;
    f->mode = VFS_S_IFREG | 0640, f->uid = 0, f->gid = 20;
    assert_int_equal(vnode_permission(f, MAY_READ, &user), 0);            /* group 20 is supplementary */
    assert_int_equal(vnode_permission(f, MAY_WRITE, &user), -EACCES);
    assert_int_equal(vnode_permission(f, MAY_READ, NULL), 0);             /* the kernel */
    assert_int_equal(vnode_permission(f, MAY_READ | MAY_WRITE, &rootc), 0);
    assert_int_equal(vnode_permission(f, MAY_EXEC, &rootc), -EACCES);     /* no x bit anywhere */
    f->mode |= 0001;
    assert_int_equal(vnode_permission(f, MAY_EXEC, &rootc), 0);
    assert_int_equal(vnode_permission(f, MAY_EXEC, &user), -EACCES);      /* the group bits decide, not other */
    f->uid = 1000;
    assert_int_equal(vnode_permission(f, MAY_READ | MAY_WRITE, &user), 0); /* owner */
    assert_true(vnode_owner_or_priv(f, &user));
    /* search: the group may (d is 0750, group 30), others may not; root always may */
    assert_int_equal(vfs_lookup_as(&user, NULL, "/d/f", NULL, true, &out), 0);
    user.groups = NULL, user.ngroups = 0;
    assert_int_equal(vfs_lookup_as(&user, NULL, "/d/f", NULL, true, &out), -EACCES);
    assert_int_equal(vfs_lookup_as(&user, NULL, "/d/missing", NULL, true, &out), -EACCES);
    assert_int_equal(vfs_lookup_as(&user, NULL, "/d", NULL, true, &out), 0); /* d itself is not searched */
    const char *name;
    uint32_t len;
    bool slash;
    assert_int_equal(vfs_lookup_parent_as(&user, NULL, "/d/new", NULL, &out, &name, &len, &slash), -EACCES);
    d->mode = VFS_S_IFDIR | 0000;
    assert_int_equal(vfs_lookup_as(&rootc, NULL, "/d/f", NULL, true, &out), 0);
    /* creating and deleting: write and search on the directory; the sticky rule */
    d->mode = VFS_S_IFDIR | 01777;
    assert_int_equal(vnode_may_create(d, &user), 0);
    f->uid = 0;
    assert_int_equal(vnode_may_delete(d, f, &user), -EPERM);
    assert_int_equal(vnode_may_delete(d, f, &rootc), 0);
    d->uid = 1000;
    assert_int_equal(vnode_may_delete(d, f, &user), 0); /* the directory's owner */
    d->mode = VFS_S_IFDIR | 0755, d->uid = 0;
    assert_int_equal(vnode_may_create(d, &user), -EACCES);
    /* new files: fs ids, or a set-group-ID directory's group (and bit, for directories) */
    uint32_t perm = 0755, uid, gid;
    vnode_init_owner(d, &user, VNODE_FILE, &perm, &uid, &gid);
    assert_int_equal(uid, 1000);
    assert_int_equal(gid, 100);
    d->mode |= 02000;
    vnode_init_owner(d, &user, VNODE_DIR, &perm, &uid, &gid);
    assert_int_equal(gid, 30);
    assert_int_equal(perm, 02755);
    perm = 02755;
    vnode_init_owner(d, &user, VNODE_FILE, &perm, &uid, &gid);
    assert_int_equal(perm, 0755); /* not in group 30: no set-group-ID file */
    assert_int_equal(rm(d, "f"), 0);
    assert_int_equal(rmd(root, "d"), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_names_and_link_counts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rename, setup, teardown),
        cmocka_unit_test_setup_teardown(test_contents_through_the_cache, setup, teardown),
        cmocka_unit_test_setup_teardown(test_archive_backed_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_enospc_keeps_what_was_written, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fallocate_and_punch, setup, teardown),
        cmocka_unit_test_setup_teardown(test_permissions, setup, teardown),
    };
    return cmocka_run_group_tests_name("tmpfs", tests, NULL, NULL);
}
