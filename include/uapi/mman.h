/* Linux's memory-mapping ABI constants (mmap, mprotect, madvise, mremap). */
#ifndef EYN_UAPI_MMAN_H
#define EYN_UAPI_MMAN_H

#define PROT_READ 0x1u
#define PROT_WRITE 0x2u
#define PROT_EXEC 0x4u

#define MAP_SHARED 0x01u
#define MAP_PRIVATE 0x02u
#define MAP_FIXED 0x10u
#define MAP_ANONYMOUS 0x20u
#define MAP_NORESERVE 0x4000u /* not counted against the overcommit limit (but in mode 2) */
#define MAP_FIXED_NOREPLACE 0x100000u

#define MADV_WILLNEED 3
#define MADV_DONTNEED 4
#define MADV_FREE 8
#define MADV_REMOVE 9
#define MADV_DONTFORK 10
#define MADV_DOFORK 11
#define MADV_WIPEONFORK 18
#define MADV_KEEPONFORK 19
#define MADV_COLD 20
#define MADV_PAGEOUT 21
#define MADV_POPULATE_READ 22
#define MADV_POPULATE_WRITE 23
#define MADV_HWPOISON 100
#define MADV_SOFT_OFFLINE 101

#define MREMAP_MAYMOVE 1u
#define MREMAP_FIXED 2u
#define MREMAP_DONTUNMAP 4u

/* msync(2) */
#define MS_ASYNC 1u
#define MS_INVALIDATE 2u
#define MS_SYNC 4u

#endif
