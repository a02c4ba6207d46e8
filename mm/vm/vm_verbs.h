/*
 * The VM verbs: what brk, mmap, munmap, mprotect, madvise and mremap do to
 * an address space, keeping its regions and its page tables in step. Flags
 * and protections are Linux's (include/uapi/mman.h); errors are Linux's,
 * negated. The system-call layer only decodes arguments (and turns a
 * descriptor into the file's memory object) before calling these.
 */
#ifndef EYN_VM_VERBS_H
#define EYN_VM_VERBS_H

#include "mmu.h"
#include "types.h"

struct vmspace;
struct vm_object;

#define USER_STACK_GAP (8u * 1024 * 1024 + 0x100000u) /* mappings and brk stay below the stack's reach */
#define MMAP_TOP (USER_TOP - USER_STACK_GAP)

/* Move the break to addr: the new break, or the old one when refused (below the start, no room, no memory). */
vaddr_t vm_brk(struct vmspace *vs, vaddr_t addr);
/*
 * Map len bytes (prot, flags) of a file — its memory object, of which the
 * mapping takes a reference of its own — from byte offset, of which the
 * first file_size - offset bytes show the file and the rest zeroes (file
 * NULL: anonymous; MAP_SHARED anonymous memory gets an object of its own,
 * filled on first touch). The caller has checked the arguments (len, flags,
 * alignment). With VM_MMAP_NOWRITE in flags (a kernel-only bit: callers
 * clear it from user flags) a shared mapping can never become writable.
 * The address, or -errno.
 */
#define VM_MMAP_NOWRITE 0x80000000u
int32_t vm_mmap(struct vmspace *vs, vaddr_t addr, uint32_t len, uint32_t prot, uint32_t flags,
                struct vm_object *file, uint32_t offset, uint32_t file_size);
/* Unmap [addr, addr+len): 0 (also when nothing was mapped) or -EINVAL / -ENOMEM. */
int vm_munmap(struct vmspace *vs, vaddr_t addr, uint32_t len);
/* Change the protection of [addr, addr+len): 0, -EINVAL, or -ENOMEM (a hole; nothing changed). */
int vm_mprotect(struct vmspace *vs, vaddr_t addr, uint32_t len, uint32_t prot);
/* Act on advice for [addr, addr+len): 0, -EINVAL, -ENOMEM (a hole), -EPERM, -EFAULT. */
int vm_madvise(struct vmspace *vs, vaddr_t addr, uint32_t len, uint32_t advice);
/* Fault every page of [addr, end) in for reading or writing (MADV_POPULATE_*, mlock): 0, -EFAULT or -ENOMEM. */
int vm_populate(struct vmspace *vs, vaddr_t addr, vaddr_t end, bool write);
/*
 * mlock / munlock [addr, addr + len) (rounded out to pages): VM_LOCKED (and
 * VM_LOCKONFAULT with onfault) set or cleared on every region there; a lock
 * without onfault faults every page in (private writable ones for writing).
 * 0, -ENOMEM (a hole: nothing changed; or no memory to fault pages in),
 * -EINVAL (the range wraps). Limits are the caller's to check.
 */
int vm_mlock(struct vmspace *vs, vaddr_t addr, uint32_t len, bool lock, bool onfault);
/* Pages of vs in locked regions (VmLck), and of [addr, end) not locked yet. */
uint32_t vm_locked_pages(struct vmspace *vs);
uint32_t vm_unlocked_pages_in(struct vmspace *vs, vaddr_t addr, vaddr_t end);
/* True if some mapping of frame pa lies in a locked region (reclaim keeps it). */
bool vm_page_locked(paddr_t pa);
/*
 * mincore: vec[i] = 1 if page i of [addr, addr + pages pages) is in memory
 * (mapped, a private page, or its object's page), else 0. addr is page
 * aligned and the range inside user space (checked by the caller). 0, or
 * -ENOMEM at the first hole (the entries before it are written).
 */
int vm_mincore(struct vmspace *vs, vaddr_t addr, uint32_t pages, uint8_t *vec);
/* msync(addr, len, flags): 0, -EINVAL (unaligned, bad flags, MS_SYNC with MS_ASYNC) or -ENOMEM (a hole in the range). */
int vm_msync(struct vmspace *vs, vaddr_t addr, uint32_t len, uint32_t flags);
/* Resize or move a mapping (MREMAP_* flags): its address, or -errno with every mapping as it was. */
int32_t vm_mremap(struct vmspace *vs, vaddr_t old, uint32_t old_len, uint32_t new_len, uint32_t flags,
                  vaddr_t new_addr);

/* For the verbs themselves: drop the pages of [start, end); remove [start, end) from regions and pages. */
void vm_unmap_pages(struct vmspace *vs, vaddr_t start, vaddr_t end);
int vm_unmap_range(struct vmspace *vs, vaddr_t start, vaddr_t end);
/* The initial stack of a new program: a growsdown region [top - size, top): 0, -EINVAL, -EEXIST or -ENOMEM. */
int vm_stack_create(struct vmspace *vs, vaddr_t top, uint32_t size);

#endif
