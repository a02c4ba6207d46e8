/* System V shared memory segments (see shm.h). */
#include "kern/shm.h"
#include "errno.h"
#include "kern/clock.h"
#include "kern/proc.h"
#include "kstring.h"
#include "mm/kmem/kheap.h"
#include "mm/pager/aobj.h"
#include "mm/vm/vm_map.h"
#include "mm/vm/vm_object.h"
#include "mm/vm/vm_space.h"
#include "mm/vm/vm_verbs.h"
#include "mmu.h"
#include "uaccess.h"
#include "uapi/ipc.h"
#include "uapi/mman.h"

struct shm_seg {
    int32_t key;
    uint32_t size;  /* as asked; the object spans whole pages */
    struct vm_object *obj;
    uint32_t index; /* in segs[] */
    uint16_t seq;
    uint16_t mode;  /* permission bits, SHM_DEST, SHM_LOCKED */
    uint32_t uid, gid, cuid, cgid;
    uint32_t atime, dtime, ctime;
    int32_t cpid, lpid;
};

static struct shm_seg *segs[SHMMNI];
static uint16_t next_seq;
static uint32_t used_ids, total_pages;

static uint32_t now(void) { return (uint32_t)(clock_realtime_ns() / 1000000000ull); }
static uint32_t seg_pages(const struct shm_seg *s) { return vm_object_pages(s->obj); }
static int32_t seg_id(const struct shm_seg *s) { return (int32_t)(((uint32_t)s->seq << IPCMNI_SHIFT) | s->index); }

/* Attachments: every region mapping the object (the segment holds one reference of its own until removed). */
static uint32_t nattch(const struct shm_seg *s) { return s->obj->refs - (s->mode & SHM_DEST ? 0 : 1); }

/* The object's last reference went (removed, last detach): forget the segment. */
static void seg_gone(void *arg)
{
    struct shm_seg *s = arg;
    segs[s->index] = NULL;
    used_ids--;
    total_pages -= seg_pages(s);
    kfree(s);
}

/* The segment a memory object belongs to, or NULL. */
static struct shm_seg *seg_of(const struct vm_object *o)
{
    return o && o->on_death == seg_gone ? o->death_arg : NULL;
}

bool shm_object_key(const struct vm_object *o, int32_t *key)
{
    const struct shm_seg *s = seg_of(o);
    if (s)
        *key = s->key;
    return s != NULL;
}

/* The live segment with this id, or NULL. */
static struct shm_seg *seg_by_id(int32_t id)
{
    if (id < 0)
        return NULL;
    uint32_t idx = (uint32_t)id & ((1u << IPCMNI_SHIFT) - 1);
    struct shm_seg *s = idx < SHMMNI ? segs[idx] : NULL;
    return s && seg_id(s) == id ? s : NULL;
}

/* Highest index in use (Linux's return value of IPC_INFO and SHM_INFO). */
static int32_t max_index(void)
{
    for (uint32_t i = SHMMNI; i-- > 0;)
        if (segs[i])
            return (int32_t)i;
    return 0;
}

static int32_t seg_create(int32_t key, uint32_t size, uint32_t flags)
{
    if (size < SHMMIN || size > SHMMAX)
        return -EINVAL;
    uint32_t pages = ALIGN_UP(size, PAGE_SIZE) / PAGE_SIZE;
    if (pages > SHMALL - total_pages)
        return -ENOSPC;
    uint32_t idx = 0;
    while (idx < SHMMNI && segs[idx])
        idx++;
    if (idx == SHMMNI)
        return -ENOSPC;
    struct shm_seg *s = kmalloc(sizeof *s);
    if (!s)
        return -ENOMEM;
    memset(s, 0, sizeof *s);
    if (!(s->obj = aobj_create(pages * PAGE_SIZE))) {
        kfree(s);
        return -ENOMEM;
    }
    s->key = key;
    s->size = size;
    s->index = idx;
    s->seq = next_seq++ & 0xFFFF;
    s->mode = (uint16_t)(flags & 0777);
    s->cpid = proc_current()->pid;
    s->ctime = now();
    vm_object_on_death(s->obj, seg_gone, s);
    segs[idx] = s;
    used_ids++;
    total_pages += pages;
    return seg_id(s);
}

int32_t shm_get(int32_t key, uint32_t size, uint32_t flags)
{
    if (key == IPC_PRIVATE)
        return seg_create(key, size, flags);
    for (uint32_t i = 0; i < SHMMNI; i++) {
        struct shm_seg *s = segs[i];
        if (!s || s->key != key)
            continue;
        if ((flags & (IPC_CREAT | IPC_EXCL)) == (IPC_CREAT | IPC_EXCL))
            return -EEXIST;
        return size > s->size ? -EINVAL : seg_id(s);
    }
    return flags & IPC_CREAT ? seg_create(key, size, flags) : -ENOENT;
}

int32_t shm_attach(struct proc *p, int32_t id, vaddr_t addr, uint32_t flags)
{
    struct shm_seg *s = seg_by_id(id);
    if (!s)
        return -EINVAL;
    if (addr & PAGE_MASK) { /* SHMLBA is a page on i386 */
        if (!(flags & SHM_RND))
            return -EINVAL;
        addr = ALIGN_DOWN(addr, PAGE_SIZE);
    } else if (!addr && (flags & SHM_REMAP)) {
        return -EINVAL;
    }
    uint32_t len = seg_pages(s) * PAGE_SIZE;
    if (addr && !(flags & SHM_REMAP)) { /* no replacing what is there unless asked to */
        if (addr > UINT32_MAX - len)
            return -EINVAL;
        struct vm_region *r = vm_map_first_after(&p->vm->map, addr);
        if (r && r->start < addr + len)
            return -EINVAL;
    }
    uint32_t prot = PROT_READ | (flags & SHM_RDONLY ? 0 : PROT_WRITE) | (flags & SHM_EXEC ? PROT_EXEC : 0);
    uint32_t mflags = MAP_SHARED | (addr ? MAP_FIXED : 0) | (flags & SHM_RDONLY ? VM_MMAP_NOWRITE : 0);
    int32_t at = vm_mmap(p->vm, addr, len, prot, mflags, s->obj, 0, len);
    if (at < 0 && at > -4096)
        return at;
    s->atime = now();
    s->lpid = p->pid;
    return at;
}

int32_t shm_detach(struct proc *p, vaddr_t addr)
{
    if (addr & PAGE_MASK)
        return -EINVAL;
    struct vm_map *map = &p->vm->map;
    struct vm_region *r = vm_map_first_after(map, addr);
    while (r && !(seg_of(r->obj) && r->start - addr == r->obj_offset))
        r = vm_map_next(r); /* the first piece of an attachment at or above addr */
    if (!r)
        return -EINVAL;
    struct vm_object *obj = r->obj;
    struct shm_seg *s = seg_of(obj);
    vaddr_t end = addr + seg_pages(s) * PAGE_SIZE;
    s->dtime = now(); /* before the last piece goes: the segment may go with it */
    s->lpid = p->pid;
    while (r && r->end <= end) { /* every piece of this attachment: same object, same offset from addr */
        struct vm_region *next = vm_map_next(r);
        if (r->obj == obj && r->start - addr == r->obj_offset && vm_unmap_range(p->vm, r->start, r->end))
            return -ENOMEM;
        r = next;
    }
    return 0;
}

static void fill_stat(const struct shm_seg *s, struct shmid64_ds *d)
{
    memset(d, 0, sizeof *d);
    d->shm_perm.key = s->key;
    d->shm_perm.uid = s->uid;
    d->shm_perm.gid = s->gid;
    d->shm_perm.cuid = s->cuid;
    d->shm_perm.cgid = s->cgid;
    d->shm_perm.mode = s->mode;
    d->shm_perm.seq = s->seq;
    d->shm_segsz = s->size;
    d->shm_atime = s->atime;
    d->shm_dtime = s->dtime;
    d->shm_ctime = s->ctime;
    d->shm_cpid = s->cpid;
    d->shm_lpid = s->lpid;
    d->shm_nattch = nattch(s);
}

/* IPC_RMID: the key is free at once; the memory goes with the last attachment. */
static void seg_remove(struct shm_seg *s)
{
    if (s->mode & SHM_DEST)
        return;
    s->mode |= SHM_DEST;
    s->key = IPC_PRIVATE;
    s->ctime = now();
    vm_object_unref(s->obj); /* the segment's own reference: the last one frees s */
}

/* d in the layout before IPC_64 (16-bit ids, 32-bit signed sizes and times). */
static void to_old(const struct shmid64_ds *d, struct shmid_ds_old *o)
{
    memset(o, 0, sizeof *o);
    o->shm_perm = (struct ipc_perm_old){d->shm_perm.key, (uint16_t)d->shm_perm.uid, (uint16_t)d->shm_perm.gid,
                                        (uint16_t)d->shm_perm.cuid, (uint16_t)d->shm_perm.cgid, d->shm_perm.mode,
                                        d->shm_perm.seq};
    o->shm_segsz = (int32_t)d->shm_segsz;
    o->shm_atime = (int32_t)d->shm_atime;
    o->shm_dtime = (int32_t)d->shm_dtime;
    o->shm_ctime = (int32_t)d->shm_ctime;
    o->shm_cpid = (uint16_t)d->shm_cpid;
    o->shm_lpid = (uint16_t)d->shm_lpid;
    o->shm_nattch = (uint16_t)d->shm_nattch;
}

/* Copy a segment's description out in the asked layout: 0 or -EFAULT. */
static int put_stat(const struct shm_seg *s, vaddr_t buf, bool ipc64)
{
    struct shmid64_ds d;
    fill_stat(s, &d);
    if (ipc64)
        return copy_to_user(buf, &d, sizeof d) ? -EFAULT : 0;
    struct shmid_ds_old o;
    to_old(&d, &o);
    return copy_to_user(buf, &o, sizeof o) ? -EFAULT : 0;
}

/* IPC_SET: owner and permission bits from the caller's description: 0 or -EFAULT. */
static int set_perm(struct shm_seg *s, vaddr_t buf, bool ipc64)
{
    uint32_t uid, gid, mode;
    if (ipc64) {
        struct shmid64_ds d;
        if (copy_from_user(&d, buf, sizeof d))
            return -EFAULT;
        uid = d.shm_perm.uid, gid = d.shm_perm.gid, mode = d.shm_perm.mode;
    } else {
        struct shmid_ds_old o;
        if (copy_from_user(&o, buf, sizeof o))
            return -EFAULT;
        uid = o.shm_perm.uid, gid = o.shm_perm.gid, mode = o.shm_perm.mode;
    }
    s->uid = uid;
    s->gid = gid;
    s->mode = (uint16_t)((s->mode & ~0777u) | (mode & 0777u));
    s->ctime = now();
    return 0;
}

/* The info commands (no segment named): Linux's return value, or -EFAULT. */
static int32_t shm_info_cmd(uint32_t c, vaddr_t buf, bool ipc64)
{
    if (c == IPC_INFO && ipc64) {
        struct shminfo64 i = {SHMMAX, SHMMIN, SHMMNI, SHMMNI, SHMALL, 0, 0, 0, 0};
        return copy_to_user(buf, &i, sizeof i) ? -EFAULT : max_index();
    }
    if (c == IPC_INFO) { /* the old layout: ints, the maximum clamped as Linux does */
        struct shminfo_old i = {0x7FFFFFFF, SHMMIN, SHMMNI, SHMMNI, 0x7FFFFFFF};
        return copy_to_user(buf, &i, sizeof i) ? -EFAULT : max_index();
    }
    struct shm_info i = {(int32_t)used_ids, total_pages, 0, 0, 0, 0};
    for (uint32_t k = 0; k < SHMMNI; k++)
        if (segs[k])
            i.shm_rss += segs[k]->obj->pages.count;
    return copy_to_user(buf, &i, sizeof i) ? -EFAULT : max_index();
}

int32_t shm_ctl(int32_t id, uint32_t c, vaddr_t buf, bool ipc64)
{
    if ((int32_t)c < 0 || id < 0)
        return -EINVAL;
    if (c == IPC_INFO || c == SHM_INFO)
        return shm_info_cmd(c, buf, ipc64);
    struct shm_seg *s;
    if (c == SHM_STAT || c == SHM_STAT_ANY)
        s = (uint32_t)id < SHMMNI ? segs[id] : NULL; /* an index, not an id */
    else
        s = seg_by_id(id);
    if (!s)
        return -EINVAL;
    switch (c) {
    case IPC_STAT:
    case SHM_STAT:
    case SHM_STAT_ANY:
        if (put_stat(s, buf, ipc64))
            return -EFAULT;
        return c == IPC_STAT ? 0 : seg_id(s);
    case IPC_SET:
        return set_perm(s, buf, ipc64);
    case IPC_RMID:
        seg_remove(s);
        return 0;
    case SHM_LOCK:
    case SHM_UNLOCK: /* nothing is ever swapped out yet: only the flag */
        s->mode = (uint16_t)(c == SHM_LOCK ? s->mode | SHM_LOCKED : s->mode & ~SHM_LOCKED);
        return 0;
    default:
        return -EINVAL;
    }
}
