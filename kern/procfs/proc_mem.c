/*
 * /proc/meminfo and /proc/vmstat: the memory system's figures
 * under Linux's names. Every figure is read from the allocator, the page
 * cache, the heap and the process table when the file is read. This kernel
 * has no swap cache (a paged-out anon is its own), huge-page pool or
 * block-device buffers: those lines show the zero totals of what is not
 * there. Page states map onto Linux's lists as the README's "/proc"
 * section explains (the file and anon LRUs' active and inactive lists). Zswap/Zswapped are the
 * compressed pool's frames and the pages it holds.
 */
#include "kern/procfs/procfs_node.h"
#include "fs/vfs.h"
#include "kern/proc.h"
#include "kern/commit.h"
#include "mm/kmem/kheap.h"
#include "mm/pmm/physmem.h"
#include "mm/pmm/pmm.h"
#include "mm/reclaim/swap.h"
#include "mm/reclaim/zswap.h"
#include "mm/vm/anon_swap.h"
#include "mm/vm/page_lru.h"
#include "mm/vm/anon.h"
#include "mm/vm/fault_ring.h"
#include "mm/vm/vm.h"
#include "mm/vm/vm_map.h"
#include "mm/vm/vm_reclaim.h"
#include "mm/vm/vm_space.h"
#include "mmu.h"

/* Everything meminfo and vmstat report, in pages. */
struct mem_figures {
    uint32_t total, free, available, cached, anon, mapped, shmem, slab, slab_reclaimable, kstack, pagetables;
    uint32_t active_anon, inactive_anon, active_file, inactive_file;
    uint32_t low_total, low_free, high_total, high_free;
    uint32_t commit_limit, committed, mlocked;
};

/* Resident pages in locked regions of every address space (Mlocked, Unevictable). */
static uint32_t locked_resident_pages(void)
{
    uint32_t pages = 0;
    for (int i = 0; i < proc_slot_count(); i++) {
        struct proc *p = proc_slot(i);
        if (!p || !p->vm || proc_vm_seen_before(i, p->vm))
            continue;
        for (const struct vm_region *r = vm_map_first(&p->vm->map); r; r = vm_map_next(r))
            if (r->flags & VM_LOCKED)
                pages += vm_space_resident_in(p->vm, r->start, r->end);
    }
    return pages;
}

static void mem_figures(struct mem_figures *m)
{
    struct pmm_stats st;
    struct kheap_stats hs;
    struct cache_stats cs;
    pmm_get_stats(&st);
    kheap_get_stats(&hs);
    vm_cache_stats(&cs);
    m->total = st.total_frames - st.reserved_frames; /* what the kernel may hand out, as MemTotal excludes its image */
    m->free = st.free_frames;
    m->cached = cs.cache_pages + cs.shared_pages;      /* page cache, tmpfs and shared memory, as Linux's Cached */
    m->shmem = vfs_data_pages() + cs.shared_pages;     /* tmpfs data and shared anonymous / System V memory */
    m->anon = page_lru_count(&lru_anon);               /* resident private anonymous pages (paged-out anons are not) */
    m->mapped = cs.mapped;
    m->slab = hs.frames;
    m->slab_reclaimable = hs.cached_frames;
    m->kstack = st.by_kind[FRAME_KSTACK];
    m->pagetables = st.by_kind[FRAME_PGTABLE];
    uint32_t clean_cache = cs.cache_pages > cs.dirty ? cs.cache_pages - cs.dirty : 0;
    m->available = m->free + clean_cache + m->slab_reclaimable; /* what reclaim can give back without swap */
    m->active_anon = cs.anon_active + m->shmem; /* shared memory is never paged out: active, as Linux counts it */
    m->inactive_anon = cs.anon_inactive;
    m->active_file = cs.active;
    m->inactive_file = cs.cache_pages - cs.active;
    uint32_t low_frames = lowmem_end / PAGE_SIZE;
    m->low_total = MIN(low_frames, st.total_frames) - MIN(st.reserved_frames, MIN(low_frames, st.total_frames));
    m->low_free = st.free_low_frames;
    m->high_total = m->total - m->low_total;
    m->high_free = m->free - MIN(m->free, m->low_free);
    m->commit_limit = commit_limit_pages();
    m->committed = commit_committed_pages();
    m->mlocked = locked_resident_pages();
}

static void kb(struct seqbuf *s, const char *name, uint32_t pages)
{
    seq_printf(s, "%s", name);
    seq_pad_to(s, 16);
    seq_printf(s, "%8u kB\n", pages * (PAGE_SIZE / 1024));
}

int proc_show_meminfo(struct seqbuf *s, struct vnode *v)
{
    (void)v;
    struct mem_figures m;
    mem_figures(&m);
    kb(s, "MemTotal:", m.total);
    kb(s, "MemFree:", m.free);
    kb(s, "MemAvailable:", m.available);
    kb(s, "Buffers:", 0); /* no block devices: no buffer cache */
    kb(s, "Cached:", m.cached);
    kb(s, "SwapCached:", 0);
    kb(s, "Active:", m.active_anon + m.active_file);
    kb(s, "Inactive:", m.inactive_anon + m.inactive_file);
    kb(s, "Active(anon):", m.active_anon);
    kb(s, "Inactive(anon):", m.inactive_anon);
    kb(s, "Active(file):", m.active_file);
    kb(s, "Inactive(file):", m.inactive_file);
    kb(s, "Unevictable:", m.mlocked); /* locked pages are the only ones reclaim may never take */
    kb(s, "Mlocked:", m.mlocked);
    kb(s, "HighTotal:", m.high_total);
    kb(s, "HighFree:", m.high_free);
    kb(s, "LowTotal:", m.low_total);
    kb(s, "LowFree:", m.low_free);
    uint32_t swap_total, swap_free;
    swap_totals(&swap_total, &swap_free);
    kb(s, "SwapTotal:", swap_total);
    kb(s, "SwapFree:", swap_free);
    struct zswap_stats z;
    zswap_get_stats(&z);
    kb(s, "Zswap:", z.pool_frames);   /* the compressed pool's frames */
    kb(s, "Zswapped:", z.entries);    /* the pages it holds, uncompressed */
    kb(s, "Dirty:", 0); /* nothing has a backing store to be written to (tmpfs data counts as Shmem) */
    kb(s, "Writeback:", 0);
    kb(s, "AnonPages:", m.anon);
    kb(s, "Mapped:", m.mapped);
    kb(s, "Shmem:", m.shmem);
    kb(s, "KReclaimable:", m.slab_reclaimable);
    kb(s, "Slab:", m.slab);
    kb(s, "SReclaimable:", m.slab_reclaimable);
    kb(s, "SUnreclaim:", m.slab - m.slab_reclaimable);
    kb(s, "KernelStack:", m.kstack);
    kb(s, "PageTables:", m.pagetables);
    kb(s, "NFS_Unstable:", 0);
    kb(s, "Bounce:", 0);
    kb(s, "WritebackTmp:", 0);
    kb(s, "CommitLimit:", m.commit_limit);
    kb(s, "Committed_AS:", m.committed);
    kb(s, "AnonHugePages:", 0);
    kb(s, "ShmemHugePages:", 0);
    kb(s, "FileHugePages:", 0);
    seq_printf(s, "HugePages_Total:   %5u\nHugePages_Free:    %5u\nHugePages_Rsvd:    %5u\nHugePages_Surp:    %5u\n", 0u,
               0u, 0u, 0u);
    seq_printf(s, "Hugepagesize:   %8u kB\n", BIG_PAGE_SIZE / 1024);
    kb(s, "Hugetlb:", 0);
    seq_printf(s, "DirectMap4M:    %8u kB\n", (uint32_t)(lowmem_end / 1024));
    return 0;
}

int proc_show_vmstat(struct seqbuf *s, struct vnode *v)
{
    (void)v;
    struct mem_figures m;
    mem_figures(&m);
    seq_printf(s, "nr_free_pages %u\nnr_zone_inactive_anon %u\nnr_zone_active_anon %u\n", m.free, m.inactive_anon,
               m.active_anon);
    seq_printf(s, "nr_zone_inactive_file %u\nnr_zone_active_file %u\nnr_zone_unevictable 0\n", m.inactive_file,
               m.active_file);
    seq_printf(s, "nr_inactive_anon %u\nnr_active_anon %u\nnr_inactive_file %u\nnr_active_file %u\n",
               m.inactive_anon, m.active_anon, m.inactive_file, m.active_file);
    seq_printf(s, "nr_slab_reclaimable %u\nnr_slab_unreclaimable %u\nnr_anon_pages %u\nnr_mapped %u\n",
               m.slab_reclaimable, m.slab - m.slab_reclaimable, m.anon, m.mapped);
    seq_printf(s, "nr_file_pages %u\nnr_dirty 0\nnr_writeback 0\nnr_shmem %u\nnr_kernel_stack %u\n", m.cached,
               m.shmem, m.kstack * (PAGE_SIZE / 1024));
    seq_printf(s, "nr_page_table_pages %u\nnr_swapcached 0\n", m.pagetables);
    seq_printf(s, "pgpgin %u\npgpgout 0\npswpin %u\npswpout %u\n", vm_stats.pageins * (PAGE_SIZE / 1024),
               swap_stats.swapins, swap_stats.swapouts); /* swap areas' page I/O; the pool's is zswpin/zswpout */
    uint32_t faults = fault_total();
    seq_printf(s, "pgfault %u\npgmajfault %u\n", faults, vm_stats.pageins + vm_stats.swapins);
    const struct reclaim_stats *rs = &reclaim_stats;
    seq_printf(s, "pgsteal_kswapd %u\npgsteal_direct %u\npgscan_kswapd %u\npgscan_direct %u\n", rs->background_freed,
               rs->reclaimed - rs->background_freed, rs->background_scanned, rs->scanned - rs->background_scanned);
    seq_printf(s, "pgrefill %u\nallocstall_normal %u\n", rs->second_chances, rs->runs - rs->background_runs);
    seq_printf(s, "zswpin %u\nzswpout %u\n", swap_counts.from_zswap, swap_counts.to_zswap);
    return 0;
}
