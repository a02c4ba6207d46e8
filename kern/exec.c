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
#include "kern/cred.h"
#include "uaccess.h"
#include "arch/i386/cpu.h"
#include "mm/kmem/kheap.h"
#include "mm/vm/vm_space.h"

#define EM_386 3
#define ET_EXEC 2
#define PT_LOAD 1
#define PT_PHDR 6
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
    return !memcmp(h->ident, "\177ELF", 4) && h->ident[4] == 1 && h->ident[5] == 1 && h->type == ET_EXEC &&
           h->machine == EM_386 && h->phentsize == sizeof(struct elf_phdr) && h->phnum > 0 &&
           h->phnum <= MAX_PHDRS && h->phoff < file_size &&
           h->phnum * sizeof(struct elf_phdr) <= file_size - h->phoff;
}

/* Turn one PT_LOAD header into a region; checks every field against the file. */
static int map_segment(struct vmspace *vs, struct vnode *file, const struct elf_phdr *ph)
{
    if (ph->filesz > ph->memsz || ph->offset > file->size || ph->filesz > file->size - ph->offset ||
        ph->memsz > USER_TOP || ph->vaddr < PAGE_SIZE || ph->vaddr > USER_TOP - ph->memsz ||
        (ph->vaddr & PAGE_MASK) != (ph->offset & PAGE_MASK))
        return -ENOEXEC;
    vaddr_t start = ALIGN_DOWN(ph->vaddr, PAGE_SIZE), end = ALIGN_UP(ph->vaddr + ph->memsz, PAGE_SIZE);
    if (end == start)
        return 0;
    uint32_t prot = (ph->flags & PHF_R ? PROT_READ : 0) | (ph->flags & PHF_W ? PROT_WRITE : 0) |
                    (ph->flags & PHF_X ? PROT_EXEC : 0);
    uint32_t lead = ph->vaddr - start;
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
    if (at < 0)
        return at == -EEXIST || at == -EINVAL ? -ENOEXEC : at;
    if (end > vs->brk_start)
        vs->brk_start = vs->brk = end;
    vaddr_t seg_end = ph->vaddr + ph->filesz;
    if (ph->flags & PHF_X) { /* /proc/PID/stat's startcode/endcode, startdata/enddata, as Linux's ELF loader sets them */
        if (!vs->code_start || ph->vaddr < vs->code_start)
            vs->code_start = ph->vaddr;
        vs->code_end = MAX(vs->code_end, seg_end);
    } else if (ph->flags & PHF_W) {
        if (!vs->data_start || ph->vaddr < vs->data_start)
            vs->data_start = ph->vaddr;
        vs->data_end = MAX(vs->data_end, seg_end);
    }
    return 0;
}

struct auxv_info {
    vaddr_t phdr, entry;
    uint32_t phnum;
};

static int load_segments(struct vmspace *vs, struct vnode *file, struct auxv_info *ai)
{
    struct elf_header h;
    struct elf_phdr ph[MAX_PHDRS];
    if (vfs_read(file, &h, sizeof h, 0) != (int)sizeof h || !header_ok(&h, file->size))
        return -ENOEXEC;
    uint32_t bytes = h.phnum * sizeof(struct elf_phdr);
    if (vfs_read(file, ph, bytes, h.phoff) != (int)bytes)
        return -ENOEXEC;
    ai->entry = h.entry;
    ai->phnum = h.phnum;
    ai->phdr = 0;
    int loads = 0;
    for (int i = 0; i < h.phnum; i++) {
        if (ph[i].type == PT_PHDR)
            ai->phdr = ph[i].vaddr;
        if (ph[i].type != PT_LOAD)
            continue;
        int err = map_segment(vs, file, &ph[i]);
        if (err)
            return err;
        if (!ai->phdr && h.phoff >= ph[i].offset && h.phoff - ph[i].offset < ph[i].filesz)
            ai->phdr = ph[i].vaddr + (h.phoff - ph[i].offset);
        loads++;
    }
    if (!loads || !vm_space_maps(vs, h.entry))
        return -ENOEXEC;
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
    uint32_t auxv[] = {AT_PHDR, ai->phdr, AT_PHENT, 32, AT_PHNUM, ai->phnum, AT_PAGESZ, PAGE_SIZE, AT_BASE, 0,
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

/* Load file into vs (new, empty, not active): regions for its segments and the stack, argv/envp/auxv on it. */
static int exec_load(struct vmspace *vs, struct vnode *file, const struct exec_args *a, const struct cred *c,
                     bool secure, vaddr_t *entry, vaddr_t *sp)
{
    struct auxv_info ai;
    if (file->type != VNODE_FILE)
        return -EACCES;
    int err = load_segments(vs, file, &ai);
    if (err)
        return err;
    err = vm_stack_create(vs, USER_TOP, STACK_INITIAL);
    if (err)
        return err == -EEXIST ? -ENOEXEC : err;
    err = build_stack(vs, a, &ai, c, secure, sp);
    *entry = ai.entry;
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
    if (old)
        vm_space_set_stack_limit(vs, old->map.stack_max); /* RLIMIT_STACK survives exec */
    bool secure = exec_creds(p, file, &next);
    int err = exec_load(vs, file, a, &next, secure, entry, sp);
    if (err) {
        vm_space_unref(vs); /* the caller keeps its memory */
        return err;
    }
    if (old)
        proc_clear_child_tid(p, old); /* the word lives in the memory being left */
    p->vm = vs;
    if (next.euid != p->cred.euid || next.egid != p->cred.egid)
        p->pdeathsig = 0; /* as commit_creds does */
    p->cred = next; /* the same groups: only ids change */
    vnode_exec_hold(file);
    vnode_exec_release(p->exe);
    p->exe = file;
    if (proc_current() == p)
        vm_space_activate(vs);
    if (old)
        vm_space_unref(old);
    return 0;
}
