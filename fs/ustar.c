/*
 * ustar archive -> vnode tree. One pass over the 512-byte blocks: each
 * header is checked (magic, checksum), decoded into a struct member, then
 * put into the tree; GNU 'L'/'K' and pax 'x' entries only set the name or
 * link name of the member that follows. Strings from the archive are never
 * assumed NUL-terminated: they are (pointer, length) pairs bounded by their
 * field or by the archive.
 */
#include "fs/ustar.h"
#include "errno.h"
#include "mm/kmem/kheap.h"
#include "kstring.h"
#include "printk.h"

/* Header fields: offset and length (POSIX.1-1988 ustar). */
#define H_NAME 0
#define H_NAME_LEN 100
#define H_MODE 100
#define H_UID 108
#define H_GID 116
#define H_ID_LEN 8
#define H_SIZE 124
#define H_MTIME 136
#define H_NUM12_LEN 12
#define H_CHKSUM 148
#define H_CHKSUM_LEN 8
#define H_TYPE 156
#define H_LINKNAME 157
#define H_LINKNAME_LEN 100
#define H_MAGIC 257          /* "ustar\0" (POSIX) or "ustar " (GNU) */
#define H_VERSION 263
#define H_PREFIX 345
#define H_PREFIX_LEN 155
#define H_STAR_PREFIX_LEN 131 /* star's variant: prefix then atime/ctime ... */
#define H_STAR_MAGIC 508      /* ... and "tar\0" at the end of the block */

#define DEFAULT_DIR_MODE (VFS_S_IFDIR | 0755u)
#define PERM_BITS 07777u

/* A string inside the archive (not NUL-terminated). */
struct seg {
    const char *p;
    uint32_t len;
};

/* A member name: prefix then name, either possibly empty. */
struct mpath {
    struct seg part[2];
};

/* One decoded header. */
struct member {
    char type;
    uint32_t mode, uid, gid, mtime, size;
    struct mpath name;
    struct seg link;
    const uint8_t *data;
};

struct mount_ctx {
    const uint8_t *base;
    uint32_t size;
    struct vnode *root;
    struct seg long_name, long_link; /* from 'L', 'K' or 'x': for the next member */
    bool have_name, have_link;
};

/* ---- header decoding ---- */

/* Length of the string in f[0..max): up to the first NUL or max. */
static uint32_t field_len(const uint8_t *f, uint32_t max)
{
    uint32_t n = 0;
    while (n < max && f[n])
        n++;
    return n;
}

static struct seg seg_of(const uint8_t *f, uint32_t max) { return (struct seg){(const char *)f, field_len(f, max)}; }

/*
 * A numeric field: octal digits after optional spaces, ended by a space, a
 * NUL or the end of the field (an empty field is 0), or GNU base-256 (top bit
 * of the first byte set). 0, -EINVAL (garbage or negative) or -ERANGE (> 32 bits).
 */
static int parse_num(const uint8_t *f, uint32_t len, uint32_t *out)
{
    uint32_t i = 0, v = 0;
    if (f[0] & 0x80) {
        if (f[0] != 0x80)
            return -EINVAL; /* negative, or a length this field cannot have */
        for (i = 1; i < len; i++) {
            if (v >> 24)
                return -ERANGE;
            v = v << 8 | f[i];
        }
        *out = v;
        return 0;
    }
    while (i < len && f[i] == ' ')
        i++;
    for (; i < len && f[i] >= '0' && f[i] <= '7'; i++) {
        if (v > (UINT32_MAX >> 3))
            return -ERANGE;
        v = v << 3 | (uint32_t)(f[i] - '0');
    }
    if (i < len && f[i] != ' ' && f[i] != '\0')
        return -EINVAL;
    *out = v;
    return 0;
}

static bool block_is_zero(const uint8_t *b)
{
    for (uint32_t i = 0; i < USTAR_BLOCK; i++)
        if (b[i])
            return false;
    return true;
}

/* Whether h is a ustar header: the magic, and a checksum matching the unsigned or the signed sum. */
static bool header_ok(const uint8_t *h)
{
    uint32_t want;
    if (memcmp(h + H_MAGIC, "ustar", 5) != 0 || parse_num(h + H_CHKSUM, H_CHKSUM_LEN, &want) != 0)
        return false;
    uint32_t usum = 0;
    int32_t ssum = 0;
    for (uint32_t i = 0; i < USTAR_BLOCK; i++) {
        uint8_t b = (i >= H_CHKSUM && i < H_CHKSUM + H_CHKSUM_LEN) ? ' ' : h[i];
        usum += b;
        ssum += (int8_t)b;
    }
    return want == usum || (int32_t)want == ssum;
}

/* The member name of header h: POSIX ustar joins prefix and name; GNU has no prefix. */
static struct mpath header_name(const uint8_t *h)
{
    struct mpath p = {{{NULL, 0}, seg_of(h + H_NAME, H_NAME_LEN)}};
    if (h[H_MAGIC + 5] == '\0') { /* "ustar\0": POSIX, the prefix field is meaningful */
        bool star = memcmp(h + H_STAR_MAGIC, "tar", 4) == 0;
        p.part[0] = seg_of(h + H_PREFIX, star ? H_STAR_PREFIX_LEN : H_PREFIX_LEN);
    }
    return p;
}

/* Decode the numeric fields of h into m: 0, or -EINVAL if one is garbage. */
static int header_numbers(const uint8_t *h, struct member *m)
{
    uint32_t *dst[] = {&m->mode, &m->uid, &m->gid, &m->mtime};
    static const uint16_t off[] = {H_MODE, H_UID, H_GID, H_MTIME};
    static const uint8_t len[] = {H_ID_LEN, H_ID_LEN, H_ID_LEN, H_NUM12_LEN};
    for (uint32_t i = 0; i < ARRAY_SIZE(off); i++) {
        int err = parse_num(h + off[i], len[i], dst[i]);
        if (err == -ERANGE)
            *dst[i] = UINT32_MAX; /* e.g. an mtime after 2106 */
        else if (err)
            return err;
    }
    return 0;
}

/* Pick 'path' and 'linkpath' out of pax records ("LEN key=value\n"); a malformed record ends the scan. */
static void pax_parse(struct mount_ctx *c, const uint8_t *d, uint32_t n)
{
    uint32_t pos = 0;
    while (pos < n) {
        uint32_t len = 0, i = pos;
        for (; i < n && d[i] >= '0' && d[i] <= '9' && len <= n; i++)
            len = len * 10 + (uint32_t)(d[i] - '0');
        if (i == pos || i >= n || d[i] != ' ' || len > n - pos || len < i - pos + 3 || d[pos + len - 1] != '\n')
            return;
        const char *key = (const char *)d + i + 1, *end = (const char *)d + pos + len - 1;
        const char *eq = key;
        while (eq < end && *eq != '=')
            eq++;
        if (eq == end)
            return;
        struct seg val = {eq + 1, field_len((const uint8_t *)eq + 1, (uint32_t)(end - eq - 1))};
        uint32_t klen = (uint32_t)(eq - key);
        if (klen == 4 && memcmp(key, "path", 4) == 0) {
            c->long_name = val;
            c->have_name = val.len > 0;
        } else if (klen == 8 && memcmp(key, "linkpath", 8) == 0) {
            c->long_link = val;
            c->have_link = val.len > 0;
        }
        pos += len;
    }
}

/* ---- path components ---- */

struct comp_iter {
    const struct mpath *path;
    uint32_t part, pos;
};

/* The next component of a member path, skipping empty and "." ones: false at the end. */
static bool next_comp(struct comp_iter *it, struct seg *out)
{
    while (it->part < 2) {
        const struct seg *s = &it->path->part[it->part];
        while (it->pos < s->len && s->p[it->pos] == '/')
            it->pos++;
        if (it->pos == s->len) {
            it->part++;
            it->pos = 0;
            continue;
        }
        uint32_t start = it->pos;
        while (it->pos < s->len && s->p[it->pos] != '/')
            it->pos++;
        *out = (struct seg){s->p + start, it->pos - start};
        if (!(out->len == 1 && out->p[0] == '.'))
            return true;
    }
    return false;
}

static bool is_dotdot(struct seg s) { return s.len == 2 && s.p[0] == '.' && s.p[1] == '.'; }

/* Whether a member path can be put in the tree: no "..", components and whole path within the limits. */
static bool path_acceptable(const struct mpath *p)
{
    struct comp_iter it = {p, 0, 0};
    struct seg s;
    uint32_t total = 0;
    while (next_comp(&it, &s)) {
        if (is_dotdot(s) || s.len > VFS_NAME_MAX)
            return false;
        total += s.len + 1;
        if (total >= VFS_PATH_MAX)
            return false;
    }
    return true;
}

/* Whether the path's last non-empty part ends in '/' (old tars mark directories so). */
static bool path_has_trailing_slash(const struct mpath *p)
{
    const struct seg *s = p->part[1].len ? &p->part[1] : &p->part[0];
    return s->len && s->p[s->len - 1] == '/';
}

/* ---- the tree ---- */

/* The vnode dir names name, or NULL. */
static struct vnode *child(struct vnode *dir, struct seg name)
{
    struct dentry *e = dir_find(dir, name.p, name.len);
    return e ? e->v : NULL;
}

static char *str_dup(const char *s, uint32_t len)
{
    char *d = kmalloc(len + 1);
    if (d) {
        memcpy(d, s, len);
        d[len] = '\0';
    }
    return d;
}

/* A new vnode of type called name in dir; NULL if out of memory. */
static struct vnode *node_new(struct vnode *dir, struct seg name, enum vnode_type type)
{
    struct vnode *v = vnode_new(type, type == VNODE_DIR ? DEFAULT_DIR_MODE : 0644u, 0, 0);
    if (!v)
        return NULL;
    v->atime = v->mtime = v->ctime = (struct vfs_time){0, 0};
    if (dir_add(dir, name.p, name.len, v) != 0) {
        vnode_maybe_free(v);
        return NULL;
    }
    return v;
}

/* Follow a member path from the root without following symlinks: the node, or NULL. */
static struct vnode *member_lookup(struct mount_ctx *c, const struct mpath *p)
{
    struct comp_iter it = {p, 0, 0};
    struct vnode *v = c->root;
    struct seg s;
    while (next_comp(&it, &s)) {
        if (v->type != VNODE_DIR || is_dotdot(s) || !(v = child(v, s)))
            return NULL;
    }
    return v;
}

/* Give v (of the member's type) the attributes and contents of m; v takes target (symlinks). */
static void node_fill(struct vnode *v, const struct member *m, char *target)
{
    v->mode = (v->mode & VFS_S_IFMT) | (m->mode & PERM_BITS);
    v->uid = m->uid;
    v->gid = m->gid;
    v->atime = v->mtime = v->ctime = (struct vfs_time){(int64_t)m->mtime, 0};
    if (v->type == VNODE_SYMLINK) {
        kfree(v->link_target);
        v->link_target = target;
        v->size = (uint32_t)strlen(target);
    } else if (v->type == VNODE_FILE) {
        v->size = v->backing_size = m->size;
        v->backing = m->data;
    }
}

/* The node type member m becomes, or -1 if the tree has no place for it. */
static int member_vtype(const struct member *m)
{
    switch (m->type) {
    case '0': case '\0': case '7': /* regular, old regular, contiguous */
        return path_has_trailing_slash(&m->name) ? VNODE_DIR : VNODE_FILE;
    case '5':
        return VNODE_DIR;
    case '2':
        return VNODE_SYMLINK;
    default:
        return -1;
    }
}

/* Put member m into dir under name (replacing an earlier non-directory): 0, also when m is skipped, or -ENOMEM. */
static int put_leaf(struct mount_ctx *c, struct vnode *dir, struct seg name, const struct member *m)
{
    struct vnode *v = child(dir, name);
    int type = member_vtype(m);
    if (m->type == '1') { /* a hard link: another name for the same file */
        struct mpath lp = {{{NULL, 0}, m->link}};
        struct vnode *src = member_lookup(c, &lp);
        if (!src || src->type == VNODE_DIR || src == v || (v && v->type == VNODE_DIR))
            return 0;
        if (!v)
            return dir_add(dir, name.p, name.len, src);
        dir_replace(dir_find(dir, name.p, name.len), src);
        vnode_maybe_free(v);
        return 0;
    }
    if (type < 0 || (v && v->type == VNODE_DIR && type != VNODE_DIR))
        return 0; /* other types are ignored; a directory is never replaced */
    char *target = NULL;
    if (type == VNODE_SYMLINK && !(target = str_dup(m->link.p, m->link.len)))
        return -ENOMEM;
    if (v && v->type != VNODE_DIR) { /* a replaced file is a new file, in the old one's place */
        struct vnode *fresh = vnode_new((enum vnode_type)type, 0644u, 0, 0);
        if (!fresh) {
            kfree(target);
            return -ENOMEM;
        }
        dir_replace(dir_find(dir, name.p, name.len), fresh);
        vnode_maybe_free(v);
        v = fresh;
    } else if (!v && !(v = node_new(dir, name, (enum vnode_type)type))) {
        kfree(target);
        return -ENOMEM;
    }
    node_fill(v, m, target);
    return 0;
}

/* Put member m into the tree, creating missing parent directories: 0, also when m is skipped, or -ENOMEM. */
static int add_member(struct mount_ctx *c, const struct member *m)
{
    struct comp_iter it = {&m->name, 0, 0};
    struct seg cur, next;
    struct vnode *dir = c->root;
    if ((member_vtype(m) < 0 && m->type != '1') || !path_acceptable(&m->name))
        return 0; /* devices, fifos, unknown types: not in the tree, not even their directories */
    if (!next_comp(&it, &cur)) { /* "./" or "/": the root itself */
        if (member_vtype(m) == VNODE_DIR)
            node_fill(c->root, m, NULL);
        return 0;
    }
    while (next_comp(&it, &next)) {
        struct vnode *d = child(dir, cur);
        if (!d && !(d = node_new(dir, cur, VNODE_DIR)))
            return -ENOMEM;
        if (d->type != VNODE_DIR)
            return 0; /* a non-directory in the way */
        dir = d;
        cur = next;
    }
    return put_leaf(c, dir, cur, m);
}

/* ---- the archive walk ---- */

static bool member_has_data(char type) { return type != '1' && type != '2' && type != '5'; }

/*
 * Decode the header at off into m and set *next to the offset of the next
 * header, or to 0 if the member's size is garbage or runs past the archive
 * (nothing after it can be trusted). 0, or -EINVAL if another field is garbage.
 */
static int member_decode(struct mount_ctx *c, uint32_t off, struct member *m, uint32_t *next)
{
    const uint8_t *h = c->base + off;
    uint32_t data_off = off + USTAR_BLOCK, avail = c->size - data_off;
    *next = 0;
    m->type = (char)h[H_TYPE];
    if (parse_num(h + H_SIZE, H_NUM12_LEN, &m->size) != 0)
        return -EINVAL;
    if (!member_has_data(m->type))
        m->size = 0; /* POSIX: links and directories have no data, whatever size says */
    if (m->size > avail)
        return -EINVAL;
    m->data = c->base + data_off;
    uint32_t pad = (USTAR_BLOCK - m->size % USTAR_BLOCK) % USTAR_BLOCK;
    *next = pad > avail - m->size ? c->size : data_off + m->size + pad;
    return header_numbers(h, m);
}

/* Handle the header at off and set *next to where the next one starts (0: stop). 0 or -ENOMEM. */
static int member_handle(struct mount_ctx *c, uint32_t off, uint32_t *next)
{
    struct member m;
    const uint8_t *h = c->base + off;
    int err = member_decode(c, off, &m, next);
    if (!*next) {
        kprintf("ustar: bad size or truncated member at offset %u: ignoring the rest of the archive\n", off);
        return 0;
    }
    switch (m.type) {
    case 'L': /* GNU long name */
        c->long_name = seg_of(m.data, m.size);
        c->have_name = true;
        return 0;
    case 'K': /* GNU long link name */
        c->long_link = seg_of(m.data, m.size);
        c->have_link = true;
        return 0;
    case 'x': /* pax extended header */
        pax_parse(c, m.data, m.size);
        return 0;
    case 'g': /* pax global header: nothing we use */
        return 0;
    }
    m.name = c->have_name ? (struct mpath){{{NULL, 0}, c->long_name}} : header_name(h);
    m.link = c->have_link ? c->long_link : seg_of(h + H_LINKNAME, H_LINKNAME_LEN);
    c->have_name = c->have_link = false;
    if (err) {
        kprintf("ustar: bad numeric field in the header at offset %u: member skipped\n", off);
        return 0;
    }
    return add_member(c, &m);
}

/* Add every member of c's archive under c->root: 0, -EINVAL (not an archive) or -ENOMEM (what was added stays). */
static int fill(struct mount_ctx *c)
{
    uint32_t off = 0, zeros = 0;
    bool seen = false, ended = false;
    while (c->size - off >= USTAR_BLOCK) {
        const uint8_t *h = c->base + off;
        uint32_t next;
        if (block_is_zero(h)) {
            off += USTAR_BLOCK;
            if (++zeros == 2) {
                ended = true;
                break;
            }
            continue;
        }
        zeros = 0;
        if (!header_ok(h)) {
            if (seen)
                kprintf("ustar: bad header at offset %u: ignoring the rest of the archive\n", off);
            break;
        }
        seen = true;
        if (member_handle(c, off, &next) != 0)
            return -ENOMEM;
        if (!next)
            break;
        off = next;
    }
    return seen || ended ? 0 : -EINVAL;
}

int ustar_mount(const void *archive, uint32_t size, struct vnode **root_out)
{
    struct mount_ctx c = {.base = archive, .size = size};
    if (!root_out || !archive)
        return -EINVAL;
    *root_out = NULL;
    if (!(c.root = vfs_root_new()))
        return -ENOMEM;
    c.root->atime = c.root->mtime = c.root->ctime = (struct vfs_time){0, 0};
    int err = fill(&c);
    if (err) {
        ustar_unmount(c.root);
        return err;
    }
    *root_out = c.root;
    return 0;
}

int ustar_add(const void *archive, uint32_t size, struct vnode *root)
{
    struct mount_ctx c = {.base = archive, .size = size, .root = root};
    return archive && root ? fill(&c) : -EINVAL;
}

void ustar_unmount(struct vnode *root)
{
    struct vnode *v = root;
    while (v) {
        struct dentry *e = v->entries;
        if (e && e->v->type == VNODE_DIR && e->v->entries) {
            v = e->v; /* empty the subdirectory first, without recursion */
            continue;
        }
        if (e) {
            struct vnode *gone = e->v;
            dir_remove(v, e);
            vnode_maybe_free(gone);
            continue;
        }
        if (v == root) {
            root->nlink = root->refs = 0;
            vnode_maybe_free(root);
            return;
        }
        v = v->parent;
    }
}
