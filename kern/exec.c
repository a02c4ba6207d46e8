/* ELF32 loader: segments become file-backed regions, nothing is copied up front. */
#include "kern/exec.h"
#include "kern/exec_args.h"
#include "fs/vfs.h"
#include "mm/vm/vm.h"
#include "mm/vm/vm_object.h"
#include "mm/vm/vm_verbs.h"
#include "fs/vnode_object.h"
#include "uapi/mman.h"
#include "errno.h"
#include "kstring.h"
#include "mmu.h"
#include "kern/proc.h"
#include "kern/futex.h"
#include "kern/cred.h"
#include "uaccess.h"
#include "arch/i386/cpu.h"
#include "mm/kmem/kheap.h"
#include "mm/vm/vm_space.h"

#define EM_386 3
#define ET_EXEC 2
#define ET_DYN 3
#define PT_LOAD 1
#define PT_INTERP 3
#define PT_PHDR 6
#define PIE_BASE 0x00400000u /* where a position-independent program goes (Linux's ELF_ET_DYN_BASE for i386) */
#define PHF_X 1
#define PHF_W 2
#define PHF_R 4
#define MAX_PHDRS 32
#define STACK_INITIAL (128u * 1024)
#define ARG_MAX_TOTAL 8192

struct elf_header {
    uint8_t ident[16];
    uint16_t type, machine;
    uint32_t version, entry, phoff, shoff, flags;
    uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};

struct elf_phdr {
    uint32_t type, offset, vaddr, paddr, filesz, memsz, flags, align;
};

static bool header_ok(const struct elf_header *h, uint32_t file_size)
{
    return !memcmp(h->ident, "\177ELF", 4) && h->ident[4] == 1 && h->ident[5] == 1 &&
           (h->type == ET_EXEC || h->type == ET_DYN) &&
           h->machine == EM_386 && h->phentsize == sizeof(struct elf_phdr) && h->phnum > 0 &&
           h->phnum <= MAX_PHDRS && h->phoff < file_size &&
           h->phnum * sizeof(struct elf_phdr) <= file_size - h->phoff;
}

/*
 * Turn one PT_LOAD header into a region at its address plus bias; checks
 * every field against the file. The program's own segments (main) set the
 * heap's start and /proc's code and data bounds; an interpreter's do not.
 */
static int map_segment(struct vmspace *vs, struct vnode *file, const struct elf_phdr *ph, vaddr_t bias, bool main)
{
    if (ph->filesz > ph->memsz || ph->offset > file->size || ph->filesz > file->size - ph->offset ||
        ph->memsz > USER_TOP || ph->vaddr > USER_TOP - bias || ph->vaddr + bias < PAGE_SIZE ||
        ph->vaddr + bias > USER_TOP - ph->memsz || (ph->vaddr & PAGE_MASK) != (ph->offset & PAGE_MASK))
        return -ENOEXEC;
    vaddr_t va = ph->vaddr + bias;
    vaddr_t start = ALIGN_DOWN(va, PAGE_SIZE), end = ALIGN_UP(va + ph->memsz, PAGE_SIZE);
    if (end == start)
        return 0;
    uint32_t prot = (ph->flags & PHF_R ? PROT_READ : 0) | (ph->flags & PHF_W ? PROT_WRITE : 0) |
                    (ph->flags & PHF_X ? PROT_EXEC : 0);
    uint32_t lead = va - start;
    /*
     * A writable segment shows the file up to filesz; the rest (.bss, and the tail of the last file page) is
     * zero fill. A read-only one without .bss shows whole file pages, as on Linux: its last page (the ELF
     * header page of a first segment, the end of text) is then the file's page, shared by every process that
     * runs the program, not a private copy with the tail cleared (past the end of the file it reads zeroes).
     */
    uint32_t backed_end = ph->offset + ph->filesz;
    if (!(ph->flags & PHF_W) && ph->memsz == ph->filesz && backed_end < USER_TOP)
        backed_end = ALIGN_UP(backed_end, PAGE_SIZE);
    struct vm_object *obj = vnode_object(file);
    if (!obj)
        return -ENOMEM;
    int32_t at = vm_mmap(vs, start, end - start, prot, MAP_PRIVATE | MAP_FIXED_NOREPLACE, obj, ph->offset - lead,
                         backed_end);
    vm_object_unref(obj); /* the region holds its own */
    if (at < 0 && at > -4096) /* an address above 2 GiB is negative too: an error is -1..-4095 */
        return at == -EEXIST || at == -EINVAL ? -ENOEXEC : at;
    if (!main)
        return 0;
    if (end > vs->brk_start)
        vs->brk_start = vs->brk = end;
    vaddr_t seg_end = va + ph->filesz;
    if (ph->flags & PHF_X) { /* /proc/PID/stat's startcode/endcode, startdata/enddata, as Linux's ELF loader sets them */
        if (!vs->code_start || va < vs->code_start)
            vs->code_start = va;
        vs->code_end = MAX(vs->code_end, seg_end);
    } else if (ph->flags & PHF_W) {
        if (!vs->data_start || va < vs->data_start)
            vs->data_start = va;
        vs->data_end = MAX(vs->data_end, seg_end);
    }
    return 0;
}

struct auxv_info {
    vaddr_t phdr, entry, base; /* the program's headers and entry (relocated); the interpreter's base (0: none) */
    uint32_t phnum;
};

/* An ELF file's header and program headers, checked: 0 or -ENOEXEC. */
static int read_headers(struct vnode *file, struct elf_header *h, struct elf_phdr *ph)
{
    if (file->type != VNODE_FILE)
        return -EACCES;
    if (vfs_read(file, h, sizeof *h, 0) != (int)sizeof *h || !header_ok(h, file->size))
        return -ENOEXEC;
    uint32_t bytes = h->phnum * sizeof(struct elf_phdr);
    return vfs_read(file, ph, bytes, h->phoff) == (int)bytes ? 0 : -ENOEXEC;
}

/* The page-aligned span [*lo, *hi) the PT_LOAD segments cover (before any bias): false if none or it wraps. */
static bool load_span(const struct elf_header *h, const struct elf_phdr *ph, vaddr_t *lo, vaddr_t *hi)
{
    uint64_t l = UINT64_MAX, e = 0;
    for (int i = 0; i < h->phnum; i++) {
        if (ph[i].type != PT_LOAD)
            continue;
        l = MIN(l, (uint64_t)ALIGN_DOWN(ph[i].vaddr, PAGE_SIZE));
        e = MAX(e, ALIGN_UP((uint64_t)ph[i].vaddr + ph[i].memsz, (uint64_t)PAGE_SIZE));
    }
    if (l >= e || e > USER_TOP)
        return false;
    *lo = (vaddr_t)l, *hi = (vaddr_t)e;
    return true;
}

/*
 * Where a file's segments go: bias 0 for a fixed-address program, PIE_BASE
 * for a position-independent one, and for an interpreter the highest gap
 * below the mmap area's top, as an mmap without an address would get.
 */
static int choose_bias(struct vmspace *vs, const struct elf_header *h, const struct elf_phdr *ph, bool main,
                       vaddr_t *bias)
{
    vaddr_t lo, hi;
    if (!load_span(h, ph, &lo, &hi))
        return -ENOEXEC;
    if (h->type == ET_EXEC) {
        *bias = 0;
        return 0;
    }
    if (main) {
        *bias = PIE_BASE - lo;
        return 0;
    }
    vaddr_t at = vm_map_find_gap(&vs->map, hi - lo, 0, MMAP_TOP);
    if (!at)
        return -ENOMEM;
    *bias = at - lo;
    return 0;
}

/* Map file's PT_LOAD segments into vs at bias; the program headers' address and the entry into *ai (relocated). */
static int load_segments(struct vmspace *vs, struct vnode *file, const struct elf_header *h,
                         const struct elf_phdr *ph, vaddr_t bias, bool main, struct auxv_info *ai)
{
    ai->entry = h->entry + bias;
    ai->phnum = h->phnum;
    ai->phdr = 0;
    int loads = 0;
    for (int i = 0; i < h->phnum; i++) {
        if (ph[i].type == PT_PHDR)
            ai->phdr = ph[i].vaddr + bias;
        if (ph[i].type != PT_LOAD)
            continue;
        int err = map_segment(vs, file, &ph[i], bias, main);
        if (err)
            return err;
        if (!ai->phdr && h->phoff >= ph[i].offset && h->phoff - ph[i].offset < ph[i].filesz)
            ai->phdr = ph[i].vaddr + bias + (h->phoff - ph[i].offset);
        loads++;
    }
    if (!loads || !vm_space_maps(vs, ai->entry))
        return -ENOEXEC;
    return 0;
}

/* The path PT_INTERP names into path (cap bytes): 1 if there is one, 0 if none, -ENOEXEC if malformed. */
static int interp_path(struct vnode *file, const struct elf_header *h, const struct elf_phdr *ph, char *path,
                       uint32_t cap)
{
    for (int i = 0; i < h->phnum; i++) {
        if (ph[i].type != PT_INTERP)
            continue;
        if (ph[i].filesz < 2 || ph[i].filesz > cap || ph[i].offset > file->size ||
            ph[i].filesz > file->size - ph[i].offset)
            return -ENOEXEC;
        if (vfs_read(file, path, ph[i].filesz, ph[i].offset) != (int)ph[i].filesz || path[ph[i].filesz - 1] ||
            strlen(path) != ph[i].filesz - 1)
            return -ENOEXEC; /* the name must end with its NUL, as Linux checks */
        return 1;
    }
    return 0;
}

/*
 * Load the interpreter (the dynamic linker) a program names into vs: its
 * segments at a base of their own, its entry where the program starts.
 * 0, -ENOENT (no such file), -ELIBBAD (not a usable ELF interpreter), -ENOMEM.
 */
static int load_interp(struct vmspace *vs, struct proc *p, const char *path, struct auxv_info *ai)
{
    struct vnode *interp;
    struct elf_header h;
    struct elf_phdr ph[MAX_PHDRS];
    char dummy[2];
    int err = vfs_lookup_as(&p->cred, p->root, path, NULL, true, &interp);
    if (err)
        return err;
    if ((err = read_headers(interp, &h, ph)) != 0)
        return err == -ENOEXEC ? -ELIBBAD : err;
    if (interp_path(interp, &h, ph, dummy, sizeof dummy) != 0)
        return -ELIBBAD; /* an interpreter that wants one of its own */
    vaddr_t bias;
    struct auxv_info ii;
    if ((err = choose_bias(vs, &h, ph, false, &bias)) != 0 ||
        (err = load_segments(vs, interp, &h, ph, bias, false, &ii)) != 0)
        return err == -ENOEXEC ? -ELIBBAD : err;
    vaddr_t lo, hi;
    load_span(&h, ph, &lo, &hi);
    ai->base = bias + lo; /* AT_BASE: where its first page went */
    ai->entry = ii.entry;
    return 0;
}

/* Push n bytes onto the user stack of vs at *sp. */
static int push(struct vmspace *vs, vaddr_t *sp, const void *data, uint32_t n)
{
    *sp -= n;
    return vm_copyout(vs, *sp, data, n);
}

enum { AT_NULL = 0, AT_PHDR = 3, AT_PHENT = 4, AT_PHNUM = 5, AT_PAGESZ = 6, AT_BASE = 7, AT_FLAGS = 8, AT_ENTRY = 9,
       AT_UID = 11, AT_EUID = 12, AT_GID = 13, AT_EGID = 14, AT_PLATFORM = 15, AT_HWCAP = 16, AT_CLKTCK = 17,
       AT_SECURE = 23, AT_RANDOM = 25, AT_EXECFN = 31 };

/* Write argc, the argv and envp pointer vectors and the auxv at sp: 0 or -errno. */
static int push_vectors(struct vmspace *vs, const struct exec_args *a, vaddr_t strings, const uint32_t *auxv,
                        uint32_t auxv_bytes, vaddr_t sp)
{
    uint32_t words = 1 + a->argc + 1 + a->envc + 1;
    uint32_t *vec = kmalloc(words * 4);
    if (!vec)
        return -ENOMEM;
    uint32_t w = 0, off = 0;
    vec[w++] = a->argc;
    for (uint32_t i = 0; i < a->argc + a->envc; i++) {
        if (i == a->argc)
            vec[w++] = 0; /* argv's terminator */
        vec[w++] = strings + off;
        off += strlen(a->strings + off) + 1;
    }
    if (a->envc == 0)
        vec[w++] = 0; /* argv's terminator: the loop never reached envp */
    vec[w++] = 0;     /* envp's terminator */
    int err = vm_copyout(vs, sp, vec, words * 4);
    kfree(vec);
    return err ? err : vm_copyout(vs, sp + words * 4, auxv, auxv_bytes);
}

/* Strings, then the pointer vectors and auxv (ids from c; secure: AT_SECURE), System V i386 ABI layout. */
static int build_stack(struct vmspace *vs, const struct exec_args *a, const struct auxv_info *ai,
                       const struct cred *c, bool secure, vaddr_t *sp_out)
{
    vaddr_t sp = USER_TOP, strings, plat, rnd;
    int err = push(vs, &sp, a->strings, a->bytes);
    strings = sp;
    uint32_t seed[4] = {0x9E3779B9u ^ (uint32_t)rdtsc(), 0x7F4A7C15u, 0x85EBCA6Bu ^ ai->entry,
                        0xC2B2AE35u ^ (uint32_t)(rdtsc() >> 7)};
    err = err ? err : push(vs, &sp, "i686", 5);
    plat = sp;
    err = err ? err : push(vs, &sp, seed, sizeof seed);
    rnd = sp;
    uint32_t auxv[] = {AT_PHDR, ai->phdr, AT_PHENT, 32, AT_PHNUM, ai->phnum, AT_PAGESZ, PAGE_SIZE, AT_BASE, ai->base,
                       AT_FLAGS, 0, AT_ENTRY, ai->entry, AT_UID, c->uid, AT_EUID, c->euid, AT_GID, c->gid, AT_EGID, c->egid,
                       AT_PLATFORM, plat, AT_HWCAP, 0x0383F9FF /* fpu..sse2 */, AT_CLKTCK, 100, AT_SECURE, secure,
                       AT_RANDOM, rnd, AT_EXECFN, strings, AT_NULL, 0};
    uint32_t words = 1 + a->argc + 1 + a->envc + 1;
    sp = ALIGN_DOWN(sp - sizeof auxv - words * 4, 16);
    err = err ? err : push_vectors(vs, a, strings, auxv, sizeof auxv, sp);
    *sp_out = sp;
    uint32_t argv_bytes = 0; /* where argv's strings end and envp's begin (/proc/PID/cmdline, environ) */
    for (uint32_t i = 0; i < a->argc; i++)
        argv_bytes += strlen(a->strings + argv_bytes) + 1;
    vs->arg_start = strings;
    vs->arg_end = vs->env_start = strings + argv_bytes;
    vs->env_end = strings + a->bytes;
    vs->stack_start = sp;
    return err;
}

/*
 * Load file into vs (new, empty, not active): regions for its segments (and
 * its interpreter's, for a dynamically linked program) and the stack,
 * argv/envp/auxv on it; *entry is where the process starts (the
 * interpreter's entry if it has one).
 */
static int exec_load(struct vmspace *vs, struct proc *p, struct vnode *file, const struct exec_args *a,
                     const struct cred *c, bool secure, vaddr_t *entry, vaddr_t *sp)
{
    struct auxv_info ai;
    struct elf_header h;
    struct elf_phdr ph[MAX_PHDRS];
    vaddr_t bias;
    int err = read_headers(file, &h, ph);
    if (err)
        return err;
    char *interp = kmalloc(VFS_PATH_MAX);
    if (!interp)
        return -ENOMEM;
    int has_interp = interp_path(file, &h, ph, interp, VFS_PATH_MAX);
    err = has_interp < 0 ? has_interp : choose_bias(vs, &h, ph, true, &bias);
    err = err ? err : load_segments(vs, file, &h, ph, bias, true, &ai);
    ai.base = 0;
    if (!err && (err = vm_stack_create(vs, USER_TOP, STACK_INITIAL)) == -EEXIST)
        err = -ENOEXEC;
    struct auxv_info interp_ai = ai;
    if (!err && has_interp > 0)
        err = load_interp(vs, p, interp, &interp_ai); /* after the stack: it must not take the stack's place */
    kfree(interp);
    if (err)
        return err;
    ai.base = interp_ai.base;
    err = build_stack(vs, a, &ai, c, secure, sp);
    *entry = has_interp > 0 ? interp_ai.entry : ai.entry;
    return err;
}

#define S_ISUID 04000u
#define S_ISGID 02000u

/*
 * The ids p runs file with, into *next (sharing p's groups): the file's
 * owner as effective uid if it is set-user-ID, its group as effective gid
 * if set-group-ID (and group-executable), unless p set no_new_privs; saved
 * and fs ids follow the effective ones. True if the exec is "secure"
 * (AT_SECURE: effective ids differ from the real ones or changed), as
 * Linux's cap_bprm_creds_from_file decides.
 */
static bool exec_creds(const struct proc *p, const struct vnode *file, struct cred *next)
{
    const struct cred *old = &p->cred;
    *next = *old;
    if (!p->no_new_privs) {
        if (file->mode & S_ISUID)
            next->euid = file->uid;
        if ((file->mode & (S_ISGID | 010u)) == (S_ISGID | 010u))
            next->egid = file->gid;
    }
    next->suid = next->fsuid = next->euid;
    next->sgid = next->fsgid = next->egid;
    bool changed = next->euid != old->euid || !cred_in_group(old, next->egid);
    return changed || next->euid != old->uid || next->egid != old->gid;
}

int exec_replace(struct proc *p, struct vnode *file, const struct exec_args *a, vaddr_t *entry, vaddr_t *sp)
{
    struct vmspace *old = p->vm, *vs = vm_space_create();
    struct cred next;
    if (!vs)
        return -ENOMEM;
    if (old) { /* RLIMIT_STACK and RLIMIT_AS survive exec */
        vm_space_set_stack_limit(vs, old->map.stack_max);
        vs->map.as_max = old->map.as_max;
    }
    bool secure = exec_creds(p, file, &next);
    int err = exec_load(vs, p, file, a, &next, secure, entry, sp);
    if (err) {
        vm_space_unref(vs); /* the caller keeps its memory */
        return err;
    }
    if (old) {
        futex_exit_robust(p); /* its robust locks die with the image, as Linux's exec releases them */
        proc_clear_child_tid(p, old); /* the word lives in the memory being left */
    }
    p->vm = vs;
    if (next.euid != p->cred.euid || next.egid != p->cred.egid)
        p->pdeathsig = 0; /* as commit_creds does */
    p->cred = next; /* the same groups: only ids change */
    vnode_exec_hold(file);
    vnode_exec_release(p->exe);
    p->exe = file;
    if (proc_current() == p)
        vm_space_activate(vs);
    if (old) {
        p->maxrss_kib = MAX(p->maxrss_kib, old->pmap.resident_peak * 4); /* ru_maxrss spans execs, as Linux's */
        vm_space_unref(old);
    }
    return 0;
}
