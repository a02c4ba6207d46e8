/*
 * Unit tests: the initrd file system (fs/ustar.c) and path lookup (fs/vfs.c).
 *
 * Archives come from two places: headers built here block by block (with
 * correct checksums unless a test breaks them on purpose), and real archives
 * made by GNU tar at build time (tests/host/mkarchives.sh) into the directory
 * USTAR_TEST_DIR (compiled in, or from the environment), next to the trees
 * they were made from. Every archive is mounted from a malloc'd buffer of
 * exactly its size, so AddressSanitizer catches any read past the end. The
 * vnodes live in the kernel heap over simulated RAM; every test ends by
 * unmounting and checking that the heap is back to zero bytes in use.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "errno.h"
#include "mm/kmem/kheap.h"
#include "mm/pmm/pmm.h"
#include "tests/host/sim.h"
#include "fs/ustar.h"
#include "fs/vfs.h"

#ifndef USTAR_TEST_DIR
#define USTAR_TEST_DIR "build/host/ustar"
#endif

#define BLK 512u
#define MTIME 1700000000u /* mkarchives.sh: --mtime=@1700000000 */

static const struct phys_range avail[] = {{0x1000, 0x9F000}, {0x100000, 0x1000000}};
static const struct phys_range resv[] = {{0x100000, 0x200000}};

/* ---- machine, mount and teardown ---- */

static struct vnode *root;   /* the mounted tree, unmounted by teardown */
static uint8_t *image;       /* the archive it was mounted from */
static size_t image_len;

static void boot(void)
{
    sim_reset(16u << 20);
    assert_int_equal(pmm_init(avail, ARRAY_SIZE(avail), resv, ARRAY_SIZE(resv)), 0);
    kheap_init();
    sim_console_clear();
}

static uint32_t heap_in_use(void)
{
    struct kheap_stats st;
    kheap_get_stats(&st);
    return st.bytes_in_use;
}

static uint32_t heap_errors(void)
{
    struct kheap_stats st;
    kheap_get_stats(&st);
    return st.errors[KHEAP_DOUBLE_FREE] + st.errors[KHEAP_BAD_POINTER] + st.errors[KHEAP_OVERFLOW];
}

static int setup(void **state)
{
    (void)state;
    boot();
    root = NULL;
    image = NULL;
    return 0;
}

static void unmount_all(void)
{
    vfs_set_root(NULL);
    ustar_unmount(root);
    root = NULL;
    free(image);
    image = NULL;
}

static int teardown(void **state)
{
    (void)state;
    unmount_all();
    assert_int_equal(heap_in_use(), 0); /* unmount freed every vnode and string */
    assert_int_equal(heap_errors(), 0); /* no double free, no write past a block */
    return 0;
}

/* Mount a copy of src[0..n) (exactly n bytes of heap, for ASan); it becomes the vfs root. */
static int mount_copy(const void *src, size_t n)
{
    unmount_all();
    image = malloc(n ? n : 1);
    assert_non_null(image);
    memcpy(image, src, n);
    image_len = n;
    int err = ustar_mount(image, (uint32_t)n, &root);
    if (err == 0) {
        assert_non_null(root);
        vfs_set_root(root);
    } else {
        assert_null(root);
    }
    return err;
}

/* ---- archives built here ---- */

static uint8_t arc[1u << 20];
static size_t arc_len;

static void arc_reset(void)
{
    memset(arc, 0, sizeof arc);
    arc_len = 0;
}

static void put_octal(uint8_t *f, size_t len, uint32_t v)
{
    char tmp[16];
    snprintf(tmp, sizeof tmp, "%0*o", (int)len - 1, v);
    memcpy(f, tmp, len); /* len-1 digits and a NUL */
}

/* Sum of the header with the checksum field as spaces. */
static uint32_t header_sum(const uint8_t *h, bool is_signed)
{
    int32_t sum = 0;
    for (uint32_t i = 0; i < BLK; i++) {
        uint8_t b = (i >= 148 && i < 156) ? ' ' : h[i];
        sum += is_signed ? (int8_t)b : b;
    }
    return (uint32_t)sum;
}

/* Write the (unsigned) checksum as GNU tar does: six digits, NUL, space. */
static void fix_checksum(uint8_t *h)
{
    char tmp[8];
    snprintf(tmp, sizeof tmp, "%06o", header_sum(h, false));
    memcpy(h + 148, tmp, 7);
    h[155] = ' ';
}

/* Append a POSIX ustar header; returns it (call fix_checksum after changing it). */
static uint8_t *hdr(const char *name, char type, uint32_t mode, uint32_t size, const char *link)
{
    assert_true(arc_len + BLK <= sizeof arc);
    uint8_t *h = arc + arc_len;
    arc_len += BLK;
    memset(h, 0, BLK);
    assert_true(strlen(name) <= 100);
    memcpy(h, name, strlen(name));
    put_octal(h + 100, 8, mode);
    put_octal(h + 108, 8, 1000);
    put_octal(h + 116, 8, 100);
    put_octal(h + 124, 12, size);
    put_octal(h + 136, 12, 12345678);
    h[156] = (uint8_t)type;
    if (link) {
        assert_true(strlen(link) <= 100);
        memcpy(h + 157, link, strlen(link));
    }
    memcpy(h + 257, "ustar\0" "00", 8);
    memcpy(h + 265, "root", 4);
    memcpy(h + 297, "root", 4);
    fix_checksum(h);
    return h;
}

/* Append data, zero-padded to whole blocks. */
static void data(const void *d, size_t n)
{
    assert_true(arc_len + n + BLK <= sizeof arc);
    memcpy(arc + arc_len, d, n);
    arc_len += (n + BLK - 1) / BLK * BLK;
}

static uint8_t *add_file(const char *name, const char *content)
{
    uint8_t *h = hdr(name, '0', 0644, (uint32_t)strlen(content), NULL);
    data(content, strlen(content));
    return h;
}

static void add_dir(const char *name, uint32_t mode) { hdr(name, '5', mode, 0, NULL); }
static void add_symlink(const char *name, const char *target) { hdr(name, '2', 0777, 0, target); }
static void end_blocks(void) { arc_len += 2 * BLK; }
static int mount_arc(void) { return mount_copy(arc, arc_len); }

/* ---- lookups ---- */

static struct vnode *lk(const char *path)
{
    struct vnode *v = NULL;
    int err = vfs_lookup(path, NULL, true, &v);
    if (err)
        fail_msg("lookup(\"%s\") = %d", path, err);
    return v;
}

static struct vnode *lk_nofollow(const char *path)
{
    struct vnode *v = NULL;
    int err = vfs_lookup(path, NULL, false, &v);
    if (err)
        fail_msg("lookup(\"%s\", nofollow) = %d", path, err);
    return v;
}

static int lk_err(const char *path, bool follow)
{
    struct vnode *v = (struct vnode *)0x1;
    int err = vfs_lookup(path, NULL, follow, &v);
    if (err)
        assert_ptr_equal(v, (struct vnode *)0x1); /* *out untouched on failure */
    return err;
}

/* The whole contents of a file through vfs_read, NUL-terminated (caller frees). */
static char *slurp(struct vnode *v)
{
    char *buf = malloc(v->size + 1);
    assert_non_null(buf);
    assert_int_equal(vfs_read(v, buf, v->size, 0), (int)v->size);
    buf[v->size] = '\0';
    return buf;
}

static void expect_file(const char *path, const char *content)
{
    struct vnode *v = lk(path);
    assert_int_equal(v->type, VNODE_FILE);
    assert_int_equal(v->size, strlen(content));
    char *got = slurp(v);
    assert_string_equal(got, content);
    free(got);
}

/* The i-th entry of directory dir (creation order), or NULL past the end or for a non-directory. */
static struct dentry *nth(struct vnode *dir, uint32_t i)
{
    if (!dir || dir->type != VNODE_DIR)
        return NULL;
    struct dentry *e = dir->entries;
    while (e && i--)
        e = e->next;
    return e;
}

/* The vnode of dir's i-th entry, or NULL. */
static struct vnode *vfs_child(struct vnode *dir, uint32_t i)
{
    struct dentry *e = nth(dir, i);
    return e ? e->v : NULL;
}

/* The name v was first given (its entry), or NULL for the root. */
static const char *name_of(const struct vnode *v) { return v->name ? v->name->name : NULL; }

/* The directory holding v's first name. */
static struct vnode *dir_of(const struct vnode *v) { return v->name ? v->name->dir : NULL; }

static uint32_t nchildren(struct vnode *dir)
{
    uint32_t n = 0;
    while (vfs_child(dir, n))
        n++;
    return n;
}

/*
 * Check the invariants of every node under v: parent links, child names
 * unique and non-empty, file data inside the image (read it all, so ASan
 * checks it too), symlink size = target length, inode numbers of distinct
 * files distinct. Returns the number of nodes.
 */
static uint32_t check_tree(struct vnode *v, uint32_t *inos, uint32_t *ninos)
{
    uint32_t n = 1;
    assert_true(v == root || v->name != NULL);
    if (v->type == VNODE_FILE) {
        assert_true(v->size == 0 || (v->backing >= image && v->backing + v->size <= image + image_len));
        char *all = slurp(v);
        free(all);
    } else if (v->type == VNODE_SYMLINK) {
        assert_non_null(v->link_target);
        assert_int_equal(v->size, strlen(v->link_target));
        assert_int_equal(v->mode & VFS_S_IFMT, VFS_S_IFLNK);
    } else {
        assert_int_equal(v->mode & VFS_S_IFMT, VFS_S_IFDIR);
        assert_int_equal(v->size, 0);
        assert_int_equal(vfs_read(v, inos, 1, 0), -EISDIR);
    }
    bool seen = false;
    for (uint32_t i = 0; i < *ninos; i++)
        seen |= inos[i] == v->ino;
    if (!seen) {
        assert_true(*ninos < 4096);
        inos[(*ninos)++] = v->ino;
    } else {
        assert_int_not_equal(v->type, VNODE_DIR); /* only hard links share an inode number */
    }
    for (struct dentry *e = v->type == VNODE_DIR ? v->entries : NULL; e; e = e->next) {
        struct vnode *c = e->v;
        assert_ptr_equal(e->dir, v);
        if (c->type == VNODE_DIR)
            assert_ptr_equal(c->parent, v);
        assert_true(strlen(e->name) > 0 && !strchr(e->name, '/'));
        assert_true(strcmp(e->name, ".") != 0 && strcmp(e->name, "..") != 0);
        for (struct dentry *d = e->next; d; d = d->next)
            assert_true(strcmp(e->name, d->name) != 0);
        n += check_tree(c, inos, ninos);
    }
    return n;
}

static uint32_t check_whole_tree(void)
{
    static uint32_t inos[4096];
    uint32_t ninos = 0;
    assert_int_equal(root->ino, 1);
    assert_ptr_equal(root->parent, root);
    return check_tree(root, inos, &ninos);
}

/* ---- synthetic archives: structure ---- */

static void test_basic_tree(void **state)
{
    (void)state;
    arc_reset();
    add_dir("bin/", 0755);
    uint8_t *h = add_file("bin/hello", "Hello, world!\n");
    put_octal(h + 100, 8, 04711);
    fix_checksum(h);
    add_dir("etc/", 0700);
    add_file("etc/motd", "welcome\n");
    end_blocks();
    assert_int_equal(mount_arc(), 0);

    assert_ptr_equal(vfs_root(), root);
    assert_int_equal(root->type, VNODE_DIR);
    assert_int_equal(root->ino, 1);
    struct vnode *bin = lk("/bin");
    assert_int_equal(bin->type, VNODE_DIR);
    assert_string_equal(name_of(bin), "bin");
    assert_int_equal(bin->mode, VFS_S_IFDIR | 0755);
    assert_ptr_equal(bin->parent, root);
    struct vnode *hello = lk("/bin/hello");
    assert_string_equal(name_of(hello), "hello");
    assert_int_equal(hello->mode, VFS_S_IFREG | 04711);
    assert_int_equal(hello->uid, 1000);
    assert_int_equal(hello->gid, 100);
    assert_int_equal(hello->mtime.sec, 12345678);
    assert_int_equal(hello->size, 14);
    assert_ptr_equal(dir_of(hello), bin);
    /* data is not copied: it points at the bytes after the header */
    assert_ptr_equal(hello->backing, image + 2 * BLK);
    expect_file("/etc/motd", "welcome\n");
    assert_int_equal(lk("/etc")->mode, VFS_S_IFDIR | 0700);
    assert_int_equal(check_whole_tree(), 5);
}

static void test_implicit_directories(void **state)
{
    (void)state;
    arc_reset();
    add_file("a/b/c/file", "deep\n");
    add_file("a/b/other", "other\n");
    add_dir("a/b/", 0700); /* an explicit entry after the fact: updates, does not duplicate */
    end_blocks();
    assert_int_equal(mount_arc(), 0);
    expect_file("/a/b/c/file", "deep\n");
    expect_file("/a/b/other", "other\n");
    struct vnode *a = lk("/a");
    assert_int_equal(a->type, VNODE_DIR);
    assert_int_equal(a->mode, VFS_S_IFDIR | 0755); /* implicit: default mode */
    assert_int_equal(nchildren(a), 1);
    struct vnode *b = lk("/a/b");
    assert_int_equal(b->mode, VFS_S_IFDIR | 0700);
    assert_int_equal(b->uid, 1000);
    assert_int_equal(nchildren(b), 2);
    assert_int_equal(nchildren(root), 1);
    assert_int_equal(check_whole_tree(), 6);
}

static void test_name_normalisation(void **state)
{
    (void)state;
    arc_reset();
    add_dir("./", 0750); /* the root's own entry */
    add_file("./x", "x\n");
    add_file("/abs/y", "y\n"); /* leading slash: relative to the root */
    add_file("a//b", "ab\n");
    add_file("./a/./c", "ac\n");
    add_file(".//./d", "d\n");
    add_dir("./dir/", 0711);
    hdr("olddir/", '\0', 0755, 0, NULL); /* old tar: regular type, trailing slash = directory */
    end_blocks();
    assert_int_equal(mount_arc(), 0);
    assert_int_equal(root->mode, VFS_S_IFDIR | 0750);
    assert_int_equal(root->ino, 1);
    assert_null(root->name); /* no entry names the root */
    expect_file("/x", "x\n");
    expect_file("/abs/y", "y\n");
    expect_file("/a/b", "ab\n");
    expect_file("/a/c", "ac\n");
    expect_file("/d", "d\n");
    assert_int_equal(lk("/dir")->mode, VFS_S_IFDIR | 0711);
    assert_int_equal(lk("/olddir")->type, VNODE_DIR);
    assert_int_equal(nchildren(root), 6); /* x abs a d dir olddir */
    check_whole_tree();
}

static void test_prefix_field(void **state)
{
    (void)state;
    char dir[101], name[101], full[300];
    memset(dir, 'p', 99);
    dir[99] = '\0';
    memset(name, 'n', 100); /* exactly 100: no NUL in the name field */
    name[100] = '\0';
    arc_reset();
    uint8_t *h = hdr("", '0', 0644, 5, NULL);
    memcpy(h, name, 100);
    snprintf((char *)h + 345, 155, "top/%s", dir);
    fix_checksum(h);
    data("long\n", 5);
    /* GNU magic: the prefix area is not a prefix (GNU keeps atime etc. there) */
    h = add_file("gnu", "g\n");
    memcpy(h + 257, "ustar  ", 8);
    memcpy(h + 345, "junk", 4);
    fix_checksum(h);
    /* star: prefix is 131 bytes, "tar\0" at 508 */
    h = add_file("s", "star\n");
    memset(h + 345, 'q', 131);
    memcpy(h + 476, "\1\2\3", 3); /* atime bytes right after the prefix */
    memcpy(h + 508, "tar", 4);
    fix_checksum(h);
    end_blocks();
    assert_int_equal(mount_arc(), 0);
    snprintf(full, sizeof full, "/top/%s/%s", dir, name);
    expect_file(full, "long\n");
    expect_file("/gnu", "g\n");
    char star[200];
    memset(star, 0, sizeof star);
    star[0] = '/';
    memset(star + 1, 'q', 131);
    strcat(star, "/s");
    expect_file(star, "star\n");
    assert_int_equal(nchildren(root), 3);
    check_whole_tree();
}

static void test_gnu_long_names(void **state)
{
    (void)state;
    char longname[400], longlink[400];
    memset(longname, 0, sizeof longname);
    memcpy(longname, "dir/", 4);
    memset(longname + 4, 'L', 200); /* one 200-byte component */
    strcat(longname, "/file");
    memset(longlink, 0, sizeof longlink);
    strcpy(longlink, longname);
    arc_reset();
    uint8_t *h = hdr("././@LongLink", 'L', 0, (uint32_t)strlen(longname) + 1, NULL);
    memcpy(h + 257, "ustar  ", 8);
    fix_checksum(h);
    data(longname, strlen(longname) + 1);
    add_file("truncated-name-ignored", "long\n");
    add_file("next", "next\n"); /* the long name was for one member only */
    /* K then L: a symlink with a long name and a long target */
    hdr("././@LongLink", 'K', 0, (uint32_t)strlen(longlink) + 1, NULL);
    data(longlink, strlen(longlink) + 1);
    hdr("././@LongLink", 'L', 0, 300, NULL);
    char lname[300];
    memset(lname, 'S', sizeof lname); /* no NUL inside the data: the size bounds it */
    data(lname, sizeof lname);
    add_symlink("short", "short-target");
    end_blocks();
    assert_int_equal(mount_arc(), 0);

    char path[420];
    snprintf(path, sizeof path, "/%s", longname);
    expect_file(path, "long\n");
    expect_file("/next", "next\n");
    assert_int_equal(lk_err("/truncated-name-ignored", true), -ENOENT);
    assert_int_equal(lk_err("/short", true), -ENOENT);
    /* a 300-byte component is longer than NAME_MAX: that member is skipped */
    assert_int_equal(nchildren(root), 2);
    check_whole_tree();

    /* the same, with a 255-byte name that is allowed */
    arc_reset();
    hdr("././@LongLink", 'K', 0, (uint32_t)strlen(longlink) + 1, NULL);
    data(longlink, strlen(longlink) + 1);
    hdr("././@LongLink", 'L', 0, 255, NULL);
    data(lname, 255);
    add_symlink("short", "short-target");
    add_file("dir/" "x", "x\n");
    end_blocks();
    assert_int_equal(mount_arc(), 0);
    char sname[260];
    sname[0] = '/';
    memset(sname + 1, 'S', 255);
    sname[256] = '\0';
    struct vnode *s = lk_nofollow(sname);
    assert_int_equal(s->type, VNODE_SYMLINK);
    assert_string_equal(s->link_target, longlink);
    assert_int_equal(s->size, strlen(longlink));
    assert_int_equal(lk_err(sname, true), -ENOENT); /* dir/LLL.../file does not exist here */
}

/* Append one pax record "LEN key=value\n". */
static size_t pax_rec(char *buf, const char *key, const char *val)
{
    size_t body = strlen(key) + strlen(val) + 3; /* ' ', '=', '\n' */
    size_t len = body + 1;
    while (snprintf(NULL, 0, "%zu", len) + body != len)
        len++;
    return (size_t)sprintf(buf, "%zu %s=%s\n", len, key, val);
}

static void test_pax_headers(void **state)
{
    (void)state;
    char rec[2048], longpath[300];
    size_t n = 0;
    memset(longpath, 0, sizeof longpath);
    memset(longpath, 'P', 150);
    strcat(longpath, "/pax-file");
    arc_reset();
    /* a global header: data skipped, nothing applied */
    n = pax_rec(rec, "path", "global-is-ignored");
    hdr("pax_global_header", 'g', 0644, (uint32_t)n, NULL);
    data(rec, n);
    /* path, plus records we do not use */
    n = pax_rec(rec, "mtime", "1700000000.123456789");
    n += pax_rec(rec + n, "path", longpath);
    n += pax_rec(rec + n, "atime", "1700000001");
    hdr("./PaxHeaders/x", 'x', 0644, (uint32_t)n, NULL);
    data(rec, n);
    add_file("truncated", "pax\n");
    /* linkpath for a symlink */
    n = pax_rec(rec, "linkpath", longpath);
    hdr("./PaxHeaders/l", 'x', 0644, (uint32_t)n, NULL);
    data(rec, n);
    add_symlink("plink", "wrong");
    /* malformed records: bad length, missing '=', length past the data */
    const char *bad[] = {"99999 path=zzz\n", "12 pathzzzz\n", "x path=abc\n", "5 a=\n", "0 \n"};
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        hdr("./PaxHeaders/bad", 'x', 0644, (uint32_t)strlen(bad[i]), NULL);
        data(bad[i], strlen(bad[i]));
        char name[16];
        snprintf(name, sizeof name, "plain%zu", i);
        add_file(name, "plain\n");
    }
    end_blocks();
    assert_int_equal(mount_arc(), 0);
    char path[320];
    snprintf(path, sizeof path, "/%s", longpath);
    expect_file(path, "pax\n");
    struct vnode *l = lk_nofollow("/plink");
    assert_string_equal(l->link_target, longpath);
    assert_ptr_equal(lk("/plink"), lk(path));
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        snprintf(path, sizeof path, "/plain%zu", i);
        expect_file(path, "plain\n");
    }
    assert_int_equal(lk_err("/global-is-ignored", true), -ENOENT);
    assert_int_equal(nchildren(root), 2 + ARRAY_SIZE(bad));
    check_whole_tree();
}

static void test_hard_links(void **state)
{
    (void)state;
    arc_reset();
    add_file("bin/busybox", "BUSYBOX");
    hdr("bin/ls", '1', 0755, 0, "bin/busybox");
    hdr("./sbin/init", '1', 0755, 0, "./bin/busybox"); /* "./" on either side */
    hdr("missing", '1', 0644, 0, "no/such/file");       /* skipped */
    hdr("todir", '1', 0644, 0, "bin");                  /* links to directories: skipped */
    hdr("self", '1', 0644, 0, "self");                  /* skipped */
    add_symlink("sym", "bin/busybox");
    hdr("symlink-hardlink", '1', 0777, 0, "sym");       /* a hard link to a symlink */
    uint8_t *h = hdr("sized", '1', 0755, 7, "bin/busybox"); /* size must be ignored */
    (void)h;
    add_file("after", "after\n");
    end_blocks();
    assert_int_equal(mount_arc(), 0);
    struct vnode *bb = lk("/bin/busybox"), *ls = lk("/bin/ls"), *init = lk("/sbin/init");
    expect_file("/bin/ls", "BUSYBOX");
    expect_file("/sbin/init", "BUSYBOX");
    expect_file("/sized", "BUSYBOX");
    expect_file("/after", "after\n");
    assert_ptr_equal(ls, bb); /* one file, two names */
    assert_int_equal(ls->ino, bb->ino);
    assert_int_equal(init->ino, bb->ino);
    assert_int_equal(bb->nlink, 4); /* busybox, ls, init, sized */
    assert_string_equal(nth(lk("/bin"), 0)->name, "ls"); /* newest first, as tmpfs lists */
    assert_int_equal(lk_err("/missing", false), -ENOENT);
    assert_int_equal(lk_err("/todir", false), -ENOENT);
    assert_int_equal(lk_err("/self", false), -ENOENT);
    struct vnode *sh = lk_nofollow("/symlink-hardlink");
    assert_int_equal(sh->type, VNODE_SYMLINK);
    assert_string_equal(sh->link_target, "bin/busybox");
    assert_ptr_equal(sh, lk_nofollow("/sym")); /* a hard link to a symlink is that symlink */
    assert_ptr_equal(lk("/symlink-hardlink"), bb);
    check_whole_tree();
}

static void test_duplicates_and_conflicts(void **state)
{
    (void)state;
    arc_reset();
    add_file("f", "first\n");
    add_file("f", "second\n");           /* a later member replaces an earlier one */
    add_dir("d/", 0755);
    add_file("d/inside", "inside\n");
    add_file("d", "not a dir\n");        /* a directory is never replaced by a file */
    add_symlink("s", "f");
    add_file("s", "now a file\n");       /* a symlink can be replaced */
    add_file("x", "x\n");
    add_dir("x/", 0700);                 /* a file can be replaced by a directory */
    add_file("x/y", "y\n");
    add_file("f/under-a-file", "no\n");  /* a file in the way: skipped */
    add_symlink("sd", "d");
    add_file("sd/through-symlink", "no\n"); /* members are not placed through symlinks */
    end_blocks();
    assert_int_equal(mount_arc(), 0);
    expect_file("/f", "second\n");
    assert_int_equal(lk("/d")->type, VNODE_DIR);
    expect_file("/d/inside", "inside\n");
    expect_file("/s", "now a file\n");
    assert_null(lk("/s")->link_target);
    assert_int_equal(lk("/x")->type, VNODE_DIR);
    expect_file("/x/y", "y\n");
    assert_int_equal(lk_err("/f/under-a-file", true), -ENOTDIR);
    assert_int_equal(lk_err("/d/through-symlink", true), -ENOENT);
    assert_int_equal(nchildren(root), 5); /* f d s x sd */
    check_whole_tree();
}

static void test_dotdot_members_are_skipped(void **state)
{
    (void)state;
    arc_reset();
    add_file("../evil", "evil\n");
    add_file("a/../../evil2", "evil\n");
    add_file("a/../b", "b\n");
    add_file("ok", "ok\n");
    end_blocks();
    assert_int_equal(mount_arc(), 0);
    expect_file("/ok", "ok\n");
    assert_int_equal(lk_err("/evil", true), -ENOENT);
    assert_int_equal(lk_err("/b", true), -ENOENT);
    assert_int_equal(lk_err("/evil2", true), -ENOENT);
    check_whole_tree();
}

static void test_ignored_types(void **state)
{
    (void)state;
    arc_reset();
    hdr("dev/console", '3', 0600, 0, NULL);
    hdr("dev/sda", '4', 0600, 0, NULL);
    hdr("fifo", '6', 0600, 0, NULL);
    hdr("vendor", 'Z', 0600, 1000, NULL); /* unknown type with data: skipped by its size */
    char junk[1000];
    memset(junk, 0, sizeof junk);
    uint8_t *fake = (uint8_t *)junk; /* data that looks like a header must not be parsed */
    memcpy(fake, "fake", 4);
    memcpy(fake + 257, "ustar", 6);
    memset(fake + 600, 'j', 300);
    data(junk, sizeof junk);
    hdr("sparse", 'S', 0600, 512, NULL);
    data(junk, 512);
    hdr("dumpdir", 'D', 0755, 3, NULL);
    data("a\0\0", 3);
    hdr("volume", 'V', 0, 0, NULL);
    add_file("contig", "contiguous\n");
    arc[arc_len - BLK - BLK + 156] = '7'; /* the header just added: type 7 = regular */
    fix_checksum(arc + arc_len - 2 * BLK);
    add_file("last", "last\n");
    end_blocks();
    assert_int_equal(mount_arc(), 0);
    assert_int_equal(lk_err("/dev", true), -ENOENT);
    assert_int_equal(lk_err("/fifo", true), -ENOENT);
    assert_int_equal(lk_err("/vendor", true), -ENOENT);
    assert_int_equal(lk_err("/fake", true), -ENOENT);
    assert_int_equal(lk_err("/sparse", true), -ENOENT);
    expect_file("/contig", "contiguous\n");
    expect_file("/last", "last\n");
    assert_int_equal(nchildren(root), 2);
}

/* ---- synthetic archives: header encoding ---- */

static void test_checksums(void **state)
{
    (void)state;
    arc_reset();
    /* bytes >= 0x80 make the signed and unsigned sums differ */
    uint8_t *h = add_file("caf\xc3\xa9", "unsigned\n");
    assert_int_not_equal(header_sum(h, true), header_sum(h, false));
    h = add_file("na\xc3\xafve", "signed\n");
    char tmp[8];
    snprintf(tmp, sizeof tmp, "%06o", header_sum(h, true) & 0777777); /* the signed sum (old Sun tar) */
    memcpy(h + 148, tmp, 7);
    /* checksum as 7 digits and NUL, space-padded on the left */
    h = add_file("spaced", "spaced\n");
    snprintf(tmp, sizeof tmp, "%7o", header_sum(h, false));
    memcpy(h + 148, tmp, 8);
    end_blocks();
    assert_int_equal(mount_arc(), 0);
    expect_file("/caf\xc3\xa9", "unsigned\n");
    expect_file("/na\xc3\xafve", "signed\n");
    expect_file("/spaced", "spaced\n");

    /* a wrong checksum in the middle: what came before stays, the rest is ignored */
    arc_reset();
    add_file("one", "1\n");
    h = add_file("two", "2\n");
    h[148 + 5] ^= 1;
    add_file("three", "3\n");
    end_blocks();
    assert_int_equal(mount_arc(), 0);
    expect_file("/one", "1\n");
    assert_int_equal(lk_err("/two", true), -ENOENT);
    assert_int_equal(lk_err("/three", true), -ENOENT);
    assert_true(sim_console_has("ustar: bad header at offset 1024"));

    /* a wrong checksum in the first header: not an archive */
    arc_reset();
    h = add_file("one", "1\n");
    h[0] = 'O';
    end_blocks();
    assert_int_equal(mount_arc(), -EINVAL);
    /* a checksum that is not a number */
    arc_reset();
    h = add_file("one", "1\n");
    memcpy(h + 148, "12x4567", 7);
    end_blocks();
    assert_int_equal(mount_arc(), -EINVAL);
    /* the right checksum but no "ustar" magic (v7 tar, or anything else) */
    arc_reset();
    h = add_file("one", "1\n");
    memset(h + 257, 0, 8);
    fix_checksum(h);
    end_blocks();
    assert_int_equal(mount_arc(), -EINVAL);
}

static void test_numeric_fields(void **state)
{
    (void)state;
    arc_reset();
    uint8_t *h = add_file("space-term", "abc");
    memcpy(h + 124, "00000000003 ", 12); /* space-terminated */
    memcpy(h + 100, "000644 \0", 8);     /* space then NUL */
    fix_checksum(h);
    h = add_file("lead-spaces", "abcd");
    memcpy(h + 124, "          4\0", 12); /* right-justified with leading spaces */
    memcpy(h + 108, "   1750\0", 8);
    fix_checksum(h);
    h = add_file("no-term", "abcde");
    memcpy(h + 124, "000000000005", 12); /* 12 digits, no terminator at all */
    memcpy(h + 136, "077777777777", 12); /* mtime 2^33-1: does not fit, clamped */
    fix_checksum(h);
    h = add_file("base256", "abcdef");
    memset(h + 124, 0, 12);
    h[124] = 0x80;
    h[135] = 6;                          /* GNU base-256 size */
    memset(h + 108, 0, 8);
    h[108] = 0x80;
    h[113] = 0x01;
    h[114] = 0x00;
    h[115] = 0x00;                       /* uid 65536 as base-256 */
    fix_checksum(h);
    h = add_file("empty-mtime", "e");
    memset(h + 136, 0, 12);              /* an empty field is 0 */
    fix_checksum(h);
    end_blocks();
    assert_int_equal(mount_arc(), 0);
    struct vnode *v = lk("/space-term");
    assert_int_equal(v->size, 3);
    assert_int_equal(v->mode, VFS_S_IFREG | 0644);
    v = lk("/lead-spaces");
    assert_int_equal(v->size, 4);
    assert_int_equal(v->uid, 01750);
    v = lk("/no-term");
    assert_int_equal(v->size, 5);
    assert_int_equal(v->mtime.sec, UINT32_MAX);
    v = lk("/base256");
    assert_int_equal(v->size, 6);
    assert_int_equal(v->uid, 65536);
    expect_file("/base256", "abcdef");
    assert_int_equal(lk("/empty-mtime")->mtime.sec, 0);
}

static void test_garbage_numbers(void **state)
{
    (void)state;
    /* garbage in mode: that member is skipped, the next one is still read */
    arc_reset();
    add_file("before", "before\n");
    uint8_t *h = add_file("badmode", "bad\n");
    memcpy(h + 100, "06x4\0\0\0", 8);
    fix_checksum(h);
    h = add_file("badmtime", "bad\n");
    memcpy(h + 136, "9999", 4); /* 9 is not octal */
    fix_checksum(h);
    h = add_file("negative-uid", "bad\n");
    memset(h + 108, 0xFF, 8); /* base-256 -1 */
    fix_checksum(h);
    add_file("after", "after\n");
    end_blocks();
    assert_int_equal(mount_arc(), 0);
    expect_file("/before", "before\n");
    expect_file("/after", "after\n");
    assert_int_equal(lk_err("/badmode", true), -ENOENT);
    assert_int_equal(lk_err("/badmtime", true), -ENOENT);
    assert_int_equal(lk_err("/negative-uid", true), -ENOENT);
    assert_true(sim_console_has("member skipped"));

    /* garbage in size: nothing after it can be found, so the walk stops */
    arc_reset();
    add_file("before", "before\n");
    h = add_file("badsize", "bad\n");
    memcpy(h + 124, "0000000z004\0", 12);
    fix_checksum(h);
    add_file("after", "after\n");
    end_blocks();
    assert_int_equal(mount_arc(), 0);
    expect_file("/before", "before\n");
    assert_int_equal(lk_err("/badsize", true), -ENOENT);
    assert_int_equal(lk_err("/after", true), -ENOENT);
    /* base-256 size beyond 32 bits */
    arc_reset();
    add_file("before", "before\n");
    h = add_file("hugesize", "x");
    memset(h + 124, 0, 12);
    h[124] = 0x80;
    h[130] = 1;
    fix_checksum(h);
    end_blocks();
    assert_int_equal(mount_arc(), 0);
    expect_file("/before", "before\n");
    assert_int_equal(lk_err("/hugesize", true), -ENOENT);
}

static void test_truncated_archives(void **state)
{
    (void)state;
    arc_reset();
    add_file("one", "1\n");
    uint8_t *h = hdr("two", '0', 0644, 3000, NULL);
    (void)h;
    char big[3000];
    memset(big, 'B', sizeof big);
    data(big, sizeof big);
    size_t full = arc_len; /* no end blocks */

    /* the data of "two" cut short: "two" is dropped, "one" stays */
    assert_int_equal(mount_copy(arc, full - 1000), 0);
    expect_file("/one", "1\n");
    assert_int_equal(lk_err("/two", true), -ENOENT);
    assert_true(sim_console_has("truncated member at offset 1024"));
    /* cut in the middle of the second header */
    assert_int_equal(mount_copy(arc, 1024 + 300), 0);
    expect_file("/one", "1\n");
    assert_int_equal(nchildren(root), 1);
    /* cut in the middle of the first header */
    assert_int_equal(mount_copy(arc, 300), -EINVAL);
    assert_int_equal(mount_copy(arc, 511), -EINVAL);
    /* the whole data but not the padding of the last block, no end blocks: fine */
    assert_int_equal(mount_copy(arc, full - (3 * BLK * 2 - 3000)), 0);
    assert_int_equal(lk("/two")->size, 3000);
    assert_int_equal(mount_copy(arc, full), 0);
    assert_int_equal(lk("/two")->size, 3000);

    /* a size field far larger than the buffer */
    arc_reset();
    add_file("one", "1\n");
    h = add_file("liar", "x");
    put_octal(h + 124, 12, 077777777777u & 0xFFFFFFFFu);
    fix_checksum(h);
    end_blocks();
    assert_int_equal(mount_arc(), 0);
    expect_file("/one", "1\n");
    assert_int_equal(lk_err("/liar", true), -ENOENT);
    /* a GNU long name whose data runs past the end */
    arc_reset();
    add_file("one", "1\n");
    hdr("././@LongLink", 'L', 0, 100000, NULL);
    data("abc", 3);
    add_file("two", "2\n");
    assert_int_equal(mount_arc(), 0);
    expect_file("/one", "1\n");
    assert_int_equal(nchildren(root), 1);
    /* a long name that never gets its member */
    arc_reset();
    add_file("one", "1\n");
    hdr("././@LongLink", 'L', 0, 4, NULL);
    data("abc", 4);
    assert_int_equal(mount_arc(), 0);
    assert_int_equal(nchildren(root), 1);
}

static void test_end_of_archive(void **state)
{
    (void)state;
    /* no zero blocks at all */
    arc_reset();
    add_file("one", "1\n");
    add_file("two", "2\n");
    assert_int_equal(mount_arc(), 0);
    expect_file("/two", "2\n");
    /* a lone zero block is skipped; two end the archive, whatever follows */
    arc_reset();
    add_file("one", "1\n");
    arc_len += BLK;
    add_file("two", "2\n");
    end_blocks();
    add_file("three", "3\n");
    assert_int_equal(mount_arc(), 0);
    expect_file("/two", "2\n");
    assert_int_equal(lk_err("/three", true), -ENOENT);
    /* trailing garbage shorter than a block after the last member */
    arc_reset();
    add_file("one", "1\n");
    memset(arc + arc_len, 'g', 100);
    arc_len += 100;
    assert_int_equal(mount_arc(), 0);
    expect_file("/one", "1\n");
    /* trailing garbage of a whole block: ignored with a warning */
    arc_reset();
    add_file("one", "1\n");
    memset(arc + arc_len, 'g', BLK);
    arc_len += BLK;
    assert_int_equal(mount_arc(), 0);
    expect_file("/one", "1\n");
}

static void test_not_an_archive(void **state)
{
    (void)state;
    uint8_t buf[4096];
    struct vnode *r = (struct vnode *)0x1;
    assert_int_equal(ustar_mount(NULL, 100, &r), -EINVAL);
    assert_int_equal(ustar_mount(buf, 100, NULL), -EINVAL);
    assert_int_equal(mount_copy(buf, 0), -EINVAL);
    memset(buf, 0, sizeof buf);
    assert_int_equal(mount_copy(buf, 511), -EINVAL);
    assert_int_equal(mount_copy(buf, 512), -EINVAL); /* one zero block: no end marker */
    for (uint32_t i = 0; i < sizeof buf; i++)
        buf[i] = (uint8_t)(i * 2654435761u >> 24);
    assert_int_equal(mount_copy(buf, sizeof buf), -EINVAL);
    memcpy(buf, "\x7f" "ELF", 4);
    assert_int_equal(mount_copy(buf, sizeof buf), -EINVAL);
    assert_int_equal(heap_in_use(), 0);
    /* an empty archive (what "tar cf x.tar -T /dev/null" writes) is a valid, empty tree */
    memset(buf, 0, sizeof buf);
    assert_int_equal(mount_copy(buf, 1024), 0);
    assert_int_equal(nchildren(root), 0);
    assert_int_equal(root->type, VNODE_DIR);
    assert_ptr_equal(lk("/"), root);
    assert_null(vfs_child(root, 0));
}

/* ---- lookup and reads ---- */

static void build_lookup_tree(void)
{
    arc_reset();
    add_file("bin/hello", "hello\n");
    add_symlink("bin/sh", "hello");            /* relative, same directory */
    add_symlink("etc/abs", "/bin/hello");      /* absolute */
    add_symlink("etc/up", "../bin");           /* to a directory, with .. */
    add_symlink("etc/dot", "./up/./sh");       /* through another symlink */
    add_symlink("etc/dangling", "nowhere");
    add_symlink("etc/empty", "");
    add_symlink("loop/a", "b");
    add_symlink("loop/b", "a");
    add_symlink("loop/self", "self");
    add_symlink("loop/dir", "../loop/dir/x");
    add_symlink("root", "/");
    add_symlink("rootdot", "/..");
    add_file("c9", "end of chain\n");
    for (int i = 8; i >= 1; i--) { /* c1 -> c2 -> ... -> c8 -> c9 (a file): 8 symlinks */
        char name[16], target[16];
        snprintf(name, sizeof name, "c%d", i);
        snprintf(target, sizeof target, "c%d", i + 1);
        add_symlink(name, target);
    }
    add_symlink("c0", "c1"); /* 9 symlinks */
    end_blocks();
    assert_int_equal(mount_arc(), 0);
}

static void test_lookup_paths(void **state)
{
    (void)state;
    build_lookup_tree();
    struct vnode *hello = lk("/bin/hello"), *bin = lk("/bin");
    assert_ptr_equal(lk("/"), root);
    assert_ptr_equal(lk("//"), root);
    assert_ptr_equal(lk("/."), root);
    assert_ptr_equal(lk("/.."), root);
    assert_ptr_equal(lk("/../../.."), root);
    assert_ptr_equal(lk("/../bin/hello"), hello);
    assert_ptr_equal(lk("bin/hello"), hello); /* cwd NULL: relative to the root */
    assert_ptr_equal(lk("bin//hello"), hello);
    assert_ptr_equal(lk("///bin///hello"), hello);
    assert_ptr_equal(lk("./bin/../bin/hello"), hello);
    assert_ptr_equal(lk("bin/./././hello"), hello);
    assert_ptr_equal(lk("/bin/"), bin);
    assert_ptr_equal(lk("/bin/."), bin);
    assert_int_equal(lk_err("/bin/hello/..", true), -ENOTDIR); /* a file is not a directory, even for .. */
    assert_int_equal(lk_err("/bin/hello/", true), -ENOTDIR);
    assert_int_equal(lk_err("/bin/hello/.", true), -ENOTDIR);
    assert_int_equal(lk_err("/bin/hello/x", true), -ENOTDIR);
    assert_int_equal(lk_err("/bin/missing", true), -ENOENT);
    assert_int_equal(lk_err("/missing/hello", true), -ENOENT);
    assert_int_equal(lk_err("", true), -ENOENT);
    assert_int_equal(lk_err("/bin/hell", true), -ENOENT);   /* prefixes of a name do not match */
    assert_int_equal(lk_err("/bin/hello2", true), -ENOENT);
    assert_int_equal(vfs_lookup(NULL, NULL, true, &hello), -EINVAL);

    /* relative to a cwd */
    struct vnode *etc = lk("/etc"), *v;
    assert_int_equal(vfs_lookup("../bin/hello", etc, true, &v), 0);
    assert_ptr_equal(v, hello);
    assert_int_equal(vfs_lookup("up/sh", etc, true, &v), 0);
    assert_ptr_equal(v, hello);
    assert_int_equal(vfs_lookup("/bin", etc, true, &v), 0); /* absolute ignores cwd */
    assert_ptr_equal(v, bin);
    assert_int_equal(vfs_lookup(".", etc, true, &v), 0);
    assert_ptr_equal(v, etc);
    assert_int_equal(vfs_lookup("x", hello, true, &v), -ENOTDIR); /* cwd is a file */
    assert_int_equal(vfs_lookup("/bin", hello, true, &v), 0);

    /* lengths: PATH_MAX includes the NUL, NAME_MAX is 255 */
    char *p = malloc(8192);
    assert_non_null(p);
    memset(p, '/', 8191);
    p[8191] = '\0';
    assert_int_equal(lk_err(p, true), -ENAMETOOLONG);
    p[4096] = '\0';
    assert_int_equal(lk_err(p, true), -ENAMETOOLONG);
    p[4095] = '\0';
    assert_ptr_equal(lk(p), root);
    memcpy(p + 4095 - 10, "bin/hello", 10);
    assert_ptr_equal(lk(p), hello);
    p[0] = '/';
    memset(p + 1, 'n', 256);
    p[257] = '\0';
    assert_int_equal(lk_err(p, true), -ENAMETOOLONG);
    p[256] = '\0';
    assert_int_equal(lk_err(p, true), -ENOENT);
    free(p);

    /* no root mounted */
    vfs_set_root(NULL);
    assert_null(vfs_root());
    assert_int_equal(lk_err("/", true), -ENOENT);
    vfs_set_root(root);
}

static void test_symlinks(void **state)
{
    (void)state;
    build_lookup_tree();
    struct vnode *hello = lk("/bin/hello"), *bin = lk("/bin");
    struct vnode *sh = lk_nofollow("/bin/sh");
    assert_int_equal(sh->type, VNODE_SYMLINK);
    assert_string_equal(sh->link_target, "hello");
    assert_int_equal(sh->size, 5);
    assert_int_equal(sh->mode, VFS_S_IFLNK | 0777);
    assert_null(sh->backing);
    assert_ptr_equal(lk("/bin/sh"), hello);
    assert_ptr_equal(lk("/etc/abs"), hello);
    assert_ptr_equal(lk("/etc/up"), bin);
    assert_ptr_equal(lk("/etc/up/hello"), hello);
    assert_ptr_equal(lk("/etc/up/sh"), hello);
    assert_ptr_equal(lk("/etc/dot"), hello);
    assert_ptr_equal(lk("/etc/up/../etc/abs"), hello); /* .. after a symlink is the target's parent */
    assert_ptr_equal(lk("/root/bin/hello"), hello);
    assert_ptr_equal(lk("/rootdot"), root);
    assert_ptr_equal(lk("/root/root/root/etc/up/sh"), hello);
    /* the last component is followed only when asked, or with a trailing slash */
    assert_ptr_equal(lk_nofollow("/etc/up/."), bin);
    assert_int_equal(lk_nofollow("/etc/up")->type, VNODE_SYMLINK);
    assert_ptr_equal(lk_nofollow("/etc/up/"), bin);
    assert_ptr_equal(lk_nofollow("/etc/up/hello"), hello);
    assert_int_equal(lk_err("/etc/abs/", true), -ENOTDIR);
    /* dangling and empty targets */
    assert_int_equal(lk_err("/etc/dangling", true), -ENOENT);
    assert_int_equal(lk_nofollow("/etc/dangling")->type, VNODE_SYMLINK);
    assert_int_equal(lk_err("/etc/empty", true), -ENOENT);
    /* loops */
    assert_int_equal(lk_err("/loop/a", true), -ELOOP);
    assert_int_equal(lk_err("/loop/self", true), -ELOOP);
    assert_int_equal(lk_err("/loop/a/x", false), -ELOOP);
    assert_int_equal(lk_err("/loop/dir", true), -ELOOP);
    assert_int_equal(lk_nofollow("/loop/a")->type, VNODE_SYMLINK);
    /* a chain of 8 symlinks resolves, 9 is too deep */
    expect_file("/c1", "end of chain\n");
    assert_int_equal(lk_err("/c0", true), -ELOOP);
    assert_int_equal(lk_nofollow("/c0")->type, VNODE_SYMLINK);
    /* symlinks side by side are not nested: many in one path are fine */
    assert_ptr_equal(lk("/root/root/root/root/root/root/root/root/root/root/bin/sh"), hello);
}

static void test_read(void **state)
{
    (void)state;
    char pattern[3000];
    for (uint32_t i = 0; i < sizeof pattern; i++)
        pattern[i] = (char)('a' + i % 26);
    arc_reset();
    hdr("big", '0', 0644, sizeof pattern, NULL);
    data(pattern, sizeof pattern);
    add_file("empty", "");
    add_symlink("link", "big");
    end_blocks();
    assert_int_equal(mount_arc(), 0);
    struct vnode *v = lk("/big");
    char buf[4000];
    memset(buf, 0x55, sizeof buf);
    assert_int_equal(vfs_read(v, buf, 100, 0), 100);
    assert_memory_equal(buf, pattern, 100);
    assert_int_equal((uint8_t)buf[100], 0x55); /* nothing written past len */
    assert_int_equal(vfs_read(v, buf, 1000, 511), 1000); /* across block boundaries */
    assert_memory_equal(buf, pattern + 511, 1000);
    assert_int_equal(vfs_read(v, buf, 4000, 2990), 10); /* short read at the end */
    assert_memory_equal(buf, pattern + 2990, 10);
    assert_int_equal(vfs_read(v, buf, 4000, 0), 3000);
    assert_memory_equal(buf, pattern, 3000);
    assert_int_equal(vfs_read(v, buf, 10, 3000), 0); /* at EOF */
    assert_int_equal(vfs_read(v, buf, 10, 3001), 0); /* past EOF */
    assert_int_equal(vfs_read(v, buf, 10, UINT32_MAX), 0);
    assert_int_equal(vfs_read(v, buf, UINT32_MAX, 2999), 1);
    assert_int_equal(vfs_read(v, buf, 0, 0), 0);
    assert_int_equal(vfs_read(v, NULL, 0, 0), 0);
    assert_int_equal(vfs_read(v, NULL, 1, 0), -EINVAL);
    assert_int_equal(vfs_read(lk("/empty"), buf, 10, 0), 0);
    assert_int_equal(vfs_read(root, buf, 10, 0), -EISDIR);
    assert_int_equal(vfs_read(lk_nofollow("/link"), buf, 10, 0), -EINVAL);
    assert_int_equal(vfs_read(NULL, buf, 10, 0), -EINVAL);
    assert_int_equal(vfs_read(lk("/link"), buf, 3, 26), 3);
    assert_memory_equal(buf, "abc", 3);
}

static void test_children(void **state)
{
    (void)state;
    arc_reset();
    add_file("z", "z");
    add_file("a", "a");
    add_dir("m/", 0755);
    add_file("m/inner", "i");
    add_symlink("l", "z");
    add_file("z", "zz"); /* replacing keeps the place in the listing */
    end_blocks();
    assert_int_equal(mount_arc(), 0);
    const char *order[] = {"l", "m", "a", "z"}; /* newest first, as Linux's tmpfs lists an unpacked initramfs */
    for (uint32_t i = 0; i < ARRAY_SIZE(order); i++) {
        struct vnode *c = vfs_child(root, i);
        assert_non_null(c);
        assert_string_equal(nth(root, i)->name, order[i]);
        assert_ptr_equal(c, lk_nofollow(order[i]));
    }
    assert_null(vfs_child(root, 4));
    assert_null(vfs_child(root, UINT32_MAX));
    assert_string_equal(nth(lk("/m"), 0)->name, "inner");
    assert_null(vfs_child(lk("/m"), 1));
    assert_null(vfs_child(lk("/a"), 0));      /* not a directory */
    assert_null(vfs_child(lk_nofollow("/l"), 0));
    assert_null(vfs_child(NULL, 0));
    /* inode numbers: 1 for the root, distinct for the rest */
    assert_int_equal(root->ino, 1);
    assert_int_equal(check_whole_tree(), 6);
}

/* ---- memory ---- */

static void test_unmount_frees_everything(void **state)
{
    (void)state;
    arc_reset();
    for (int i = 0; i < 300; i++) { /* enough nodes for several slabs of each size */
        char name[100];
        snprintf(name, sizeof name, "d%d/sub%d/file-with-a-longer-name-%d", i % 7, i % 13, i);
        add_file(name, "x");
        snprintf(name, sizeof name, "d%d/link%d", i % 7, i);
        add_symlink(name, "sub0/file-with-a-longer-name-0");
    }
    end_blocks();
    assert_int_equal(heap_in_use(), 0);
    for (int round = 0; round < 3; round++) {
        assert_int_equal(mount_arc(), 0);
        assert_true(heap_in_use() > 0);
        /* root, dN, dN/subM (7 and 13 are coprime: 91 pairs), files, links */
        assert_int_equal(check_whole_tree(), 1 + 7 + 91 + 300 + 300);
        unmount_all();
        assert_int_equal(heap_in_use(), 0);
        assert_int_equal(heap_errors(), 0);
    }
    ustar_unmount(NULL); /* ignored */
}

/* Out of memory at every point of a mount: -ENOMEM, and nothing left allocated. */
static void test_out_of_memory(void **state)
{
    (void)state;
    static paddr_t hog[8192];
    arc_reset();
    for (int i = 0; i < 200; i++) {
        char name[100];
        snprintf(name, sizeof name, "dir%d/%0*d", i % 10, 60, i);
        add_file(name, "x");
        snprintf(name, sizeof name, "l%d", i);
        add_symlink(name, "a-target-name-of-some-length");
    }
    end_blocks();
    bool failed = false;
    for (uint32_t spare = 0;; spare++) {
        boot();
        uint32_t n = 0;
        paddr_t pa;
        while ((pa = pmm_alloc(PMM_LOW, FRAME_OTHER)) != 0) {
            assert_true(n < ARRAY_SIZE(hog));
            hog[n++] = pa;
        }
        for (uint32_t i = 0; i < spare && n > 0; i++)
            pmm_free(hog[--n]);
        int err = mount_arc();
        if (err == 0) {
            while (n > 0)
                pmm_free(hog[--n]); /* reading the files needs page-cache frames */
            check_whole_tree();
            break;
        }
        assert_int_equal(err, -ENOMEM);
        assert_int_equal(heap_in_use(), 0);
        assert_int_equal(heap_errors(), 0);
        failed = true;
        assert_true(spare < 200);
    }
    assert_true(failed);
}

/* Mutated archives (bytes changed, checksums fixed so the header is believed) never crash. */
static void test_fuzz(void **state)
{
    (void)state;
    arc_reset();
    add_dir("./", 0755);
    add_file("./bin/prog", "program bytes");
    add_symlink("./bin/sh", "prog");
    hdr("./bin/ln", '1', 0755, 0, "./bin/prog");
    char rec[400];
    size_t n = pax_rec(rec, "path", "pax/path/name");
    hdr("x", 'x', 0, (uint32_t)n, NULL);
    data(rec, n);
    add_file("f", "file data that spans\n");
    hdr("././@LongLink", 'L', 0, 12, NULL);
    data("long/name/1", 12);
    add_file("short", "s");
    end_blocks();
    static uint8_t orig[1u << 14];
    size_t len = arc_len;
    assert_true(len <= sizeof orig);
    memcpy(orig, arc, len);

    /* every truncation */
    for (size_t cut = 0; cut <= len; cut++) {
        int err = mount_copy(orig, cut);
        assert_true(err == 0 || err == -EINVAL);
        if (!err)
            check_whole_tree();
    }
    /* random bytes of headers (and their data) changed */
    uint32_t seed = 12345;
    for (int iter = 0; iter < 20000; iter++) {
        memcpy(arc, orig, len);
        int changes = 1 + iter % 4;
        for (int k = 0; k < changes; k++) {
            seed = seed * 1103515245u + 12345u;
            uint32_t blk = (seed >> 8) % (uint32_t)(len / BLK);
            seed = seed * 1103515245u + 12345u;
            uint32_t at = blk * BLK + (seed >> 8) % BLK;
            seed = seed * 1103515245u + 12345u;
            static const uint8_t interesting[] = {0, ' ', '/', '.', '0', '7', '9', 0x80, 0xFF, 'x', 'L', '1', '2', '5'};
            arc[at] = (seed >> 20) & 1 ? interesting[(seed >> 8) % sizeof interesting] : (uint8_t)(seed >> 12);
            if (memcmp(arc + blk * BLK + 257, "ustar", 5) == 0)
                fix_checksum(arc + blk * BLK);
        }
        int err = mount_copy(arc, len - (iter % 3) * 100);
        assert_true(err == 0 || err == -EINVAL);
        if (!err) {
            check_whole_tree();
            struct vnode *v;
            (void)vfs_lookup("/bin/sh", NULL, true, &v);
            (void)vfs_lookup("/pax/path/name/../../bin/ln", NULL, true, &v);
        }
        unmount_all();
        assert_int_equal(heap_in_use(), 0);
    }
}

/* ---- real archives from GNU tar ---- */

static const char *archive_dir(void)
{
    const char *d = getenv("USTAR_TEST_DIR");
    return d && *d ? d : USTAR_TEST_DIR;
}

static int mount_file(const char *name)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", archive_dir(), name);
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open %s (made by tests/host/mkarchives.sh)", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    rewind(f);
    assert_true(n > 0);
    uint8_t *buf = malloc((size_t)n);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    int err = mount_copy(buf, (size_t)n);
    free(buf);
    return err;
}

/*
 * Compare host directory hdir with vnode dir: every entry exists with the
 * same type, permissions, size, contents or target. Returns the number of
 * host entries (the caller checks the vnode side has no extra ones).
 */
static uint32_t compare_dir(const char *hdir, struct vnode *dir, bool with_dirs)
{
    DIR *d = opendir(hdir);
    assert_non_null(d);
    struct dirent *e;
    uint32_t n = 0;
    while ((e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        char hp[4096];
        struct stat st;
        snprintf(hp, sizeof hp, "%s/%s", hdir, e->d_name);
        assert_int_equal(lstat(hp, &st), 0);
        struct vnode *v = NULL;
        int err = vfs_lookup(e->d_name, dir, false, &v);
        if (S_ISDIR(st.st_mode) && !with_dirs && err == -ENOENT)
            continue; /* an empty directory cannot be in an archive without directory entries */
        if (err)
            fail_msg("%s: lookup = %d", hp, err);
        n++;
        assert_ptr_equal(v->type == VNODE_DIR ? v->parent : dir_of(v), dir);
        if (with_dirs || !S_ISDIR(st.st_mode)) { /* implicit directories have no attributes */
            assert_int_equal(v->mtime.sec, MTIME);
            assert_int_equal(v->uid, 0);
        }
        if (S_ISREG(st.st_mode)) {
            assert_int_equal(v->type, VNODE_FILE);
            assert_int_equal(v->mode, VFS_S_IFREG | (st.st_mode & 07777));
            assert_int_equal(v->size, st.st_size);
            char *want = malloc((size_t)st.st_size + 1), *got = slurp(v);
            FILE *f = fopen(hp, "rb");
            assert_non_null(f);
            assert_int_equal(fread(want, 1, (size_t)st.st_size, f), (size_t)st.st_size);
            fclose(f);
            assert_memory_equal(got, want, st.st_size);
            free(want);
            free(got);
        } else if (S_ISLNK(st.st_mode)) {
            char target[4096];
            ssize_t tl = readlink(hp, target, sizeof target - 1);
            assert_true(tl > 0);
            target[tl] = '\0';
            assert_int_equal(v->type, VNODE_SYMLINK);
            assert_string_equal(v->link_target, target);
        } else {
            assert_true(S_ISDIR(st.st_mode));
            assert_int_equal(v->type, VNODE_DIR);
            if (with_dirs)
                assert_int_equal(v->mode, VFS_S_IFDIR | (st.st_mode & 07777));
            uint32_t sub = compare_dir(hp, v, with_dirs);
            assert_int_equal(nchildren(v), sub);
        }
    }
    closedir(d);
    return n;
}

/* What every archive made from src must show, whatever its format. */
static void check_src_tree(bool with_dirs)
{
    char src[4096];
    snprintf(src, sizeof src, "%s/src", archive_dir());
    uint32_t n = compare_dir(src, root, with_dirs);
    struct vnode *hello = lk("/bin/hello"), *hard = lk("/bin/hardhello");
    expect_file("/bin/hello", "hello, initrd\n");
    assert_ptr_equal(hello, hard); /* a hard link is the same file */
    assert_int_equal(hello->ino, hard->ino);
    assert_ptr_equal(lk("/bin/sh"), hello);
    assert_ptr_equal(lk("/etc/abs"), hello);
    assert_ptr_equal(lk("etc/up/sh"), hello);
    assert_ptr_equal(lk("/etc/up/../etc/up/./hello"), hello);
    assert_int_equal(lk_err("/loop/a", true), -ELOOP);
    assert_int_equal(lk_err("/bin/hello/x", true), -ENOTDIR);
    assert_int_equal(lk_err("/bin/nothere", true), -ENOENT);
    expect_file("/deep/1/2/3/4/5/6/7/8/file", "deep\n");
    struct vnode *motd = lk("/etc/motd");
    assert_true(motd->size > 4 * BLK);
    char line[32];
    assert_int_equal(vfs_read(motd, line, 14, 0), 14);
    assert_memory_equal(line, "motd line 1\nmo", 14);
    assert_int_equal(vfs_read(motd, line, 32, motd->size - 4), 4);
    assert_memory_equal(line, "400\n", 4);
    char longp[300];
    snprintf(longp, sizeof longp, "/long/%0*d/%0*d.txt", 90, 0, 90, 0);
    memset(longp + 6, 'a', 90);
    memset(longp + 97, 'b', 90);
    expect_file(longp, "long path\n");
    check_whole_tree();
    if (with_dirs)
        assert_int_equal(root->mode & VFS_S_IFMT, VFS_S_IFDIR);
    (void)n;
}

static uint32_t count_host_entries(const char *sub)
{
    char p[4096];
    snprintf(p, sizeof p, "%s/%s", archive_dir(), sub);
    DIR *d = opendir(p);
    assert_non_null(d);
    uint32_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
    closedir(d);
    return n;
}

static void check_real(const char *file, bool with_src2)
{
    assert_int_equal(mount_file(file), 0);
    check_src_tree(true);
    uint32_t want = count_host_entries("src");
    if (with_src2) {
        char src2[4096];
        snprintf(src2, sizeof src2, "%s/src2", archive_dir());
        want += compare_dir(src2, root, true);
        char name[200];
        name[0] = '/';
        memset(name + 1, 'c', 150);
        name[151] = '\0';
        expect_file(name, "very long name\n"); /* a 150-byte component */
        assert_int_equal(lk_nofollow("/longlink")->size, 5 + 90 + 1 + 90 + 4); /* a 190-byte target */
        expect_file("/longlink", "long path\n");
    }
    assert_int_equal(nchildren(root), want);
}

static void test_real_ustar_dot(void **state)
{
    (void)state;
    check_real("ustar-dot.tar", false);
}

static void test_real_ustar_plain(void **state)
{
    (void)state;
    check_real("ustar-plain.tar", false);
}

static void test_real_gnu(void **state)
{
    (void)state;
    check_real("gnu.tar", true);
}

static void test_real_oldgnu(void **state)
{
    (void)state;
    check_real("oldgnu.tar", true);
}

static void test_real_pax(void **state)
{
    (void)state;
    check_real("pax.tar", true);
}

static void test_real_no_directory_entries(void **state)
{
    (void)state;
    assert_int_equal(mount_file("nodirs.tar"), 0);
    check_src_tree(false);
    assert_int_equal(lk("/bin")->mode, VFS_S_IFDIR | 0755);
    assert_int_equal(lk("/deep/1/2")->uid, 0);
    assert_int_equal(lk_err("/empty", true), -ENOENT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_basic_tree, setup, teardown),
        cmocka_unit_test_setup_teardown(test_implicit_directories, setup, teardown),
        cmocka_unit_test_setup_teardown(test_name_normalisation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_prefix_field, setup, teardown),
        cmocka_unit_test_setup_teardown(test_gnu_long_names, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pax_headers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hard_links, setup, teardown),
        cmocka_unit_test_setup_teardown(test_duplicates_and_conflicts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dotdot_members_are_skipped, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ignored_types, setup, teardown),
        cmocka_unit_test_setup_teardown(test_checksums, setup, teardown),
        cmocka_unit_test_setup_teardown(test_numeric_fields, setup, teardown),
        cmocka_unit_test_setup_teardown(test_garbage_numbers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_truncated_archives, setup, teardown),
        cmocka_unit_test_setup_teardown(test_end_of_archive, setup, teardown),
        cmocka_unit_test_setup_teardown(test_not_an_archive, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lookup_paths, setup, teardown),
        cmocka_unit_test_setup_teardown(test_symlinks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read, setup, teardown),
        cmocka_unit_test_setup_teardown(test_children, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unmount_frees_everything, setup, teardown),
        cmocka_unit_test_setup_teardown(test_out_of_memory, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fuzz, setup, teardown),
        cmocka_unit_test_setup_teardown(test_real_ustar_dot, setup, teardown),
        cmocka_unit_test_setup_teardown(test_real_ustar_plain, setup, teardown),
        cmocka_unit_test_setup_teardown(test_real_gnu, setup, teardown),
        cmocka_unit_test_setup_teardown(test_real_oldgnu, setup, teardown),
        cmocka_unit_test_setup_teardown(test_real_pax, setup, teardown),
        cmocka_unit_test_setup_teardown(test_real_no_directory_entries, setup, teardown),
    };
    return cmocka_run_group_tests_name("ustar", tests, NULL, NULL);
}
