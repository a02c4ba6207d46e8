/* `memory stats`, `memory protect [ADDR|test]` and `memory check`. */
#include "mm/pager/vnode_pager.h"
#include "kern/kstats.h"
#include "kern/proc.h"
#include "tests/kern/selftest.h"
#include "mm/vm/fault_ring.h"
#include "mm/kmem/kheap.h"
#include "mm/kmem/paging.h"
#include "mm/pmm/physmem.h"
#include "mm/pmm/pmm.h"
#include "mm/reclaim/swap_area.h"
#include "mm/vm/anon.h"
#include "mm/vm/anon_swap.h"
#include "mm/reclaim/swap.h"
#include "mm/reclaim/zswap.h"
#include "mm/vm/vm.h"
#include "mm/vm/vm_object.h"
#include "mm/vm/vm_reclaim.h"
#include "mm/vm/vm_space.h"
#include "errno.h"
#include "kstring.h"
#include "mmu.h"
#include "printk.h"
#include "shell/shell.h"

extern char _text_start[], _data_start[];

static void line_kib(const char *what, uint32_t frames)
{
    kprintf("  %-10s %8u KiB (%u frames)\n", what, frames * 4, frames);
}

static uint32_t avg(uint64_t sum, uint32_t n) { return n ? (uint32_t)(sum / n) : 0; }

/* What the fault paths and fork cost inside the kernel, in cycles. */
static void show_vm_costs(void)
{
    kprintf("VM: %u demand fills (avg %u cycles), %u COW copies + %u COW reuses (avg %u cycles)\n",
            vm_stats.demand_fills, avg(vm_stats.demand_cycles, vm_stats.demand_fills), vm_stats.cow_copies,
            vm_stats.cow_reuses, avg(vm_stats.cow_cycles, vm_stats.cow_copies + vm_stats.cow_reuses));
    kprintf("    %u forks (avg %u cycles); last fork shared %u resident pages in %u cycles\n", vm_stats.forks,
            avg(vm_stats.fork_cycles, vm_stats.forks), vm_stats.last_fork_pages, vm_stats.last_fork_cycles);
    kprintf("    objects: %u anons in %u amaps; %u memory objects holding %u pages\n", anon_stats.anons,
            anon_stats.amaps, object_stats.objects, object_stats.pages);
    struct cache_stats cs;
    vm_cache_stats(&cs);
    kprintf("    file cache: %u pages (%u KiB), %u of them mapped, %u dirty; shared memory objects: %u pages\n",
            cs.cache_pages, cs.cache_pages * 4, cs.mapped, cs.dirty, cs.shared_pages);
    kprintf("    reclaimed: %u pages in %u runs (%u scanned, %u second chances, %u kept)\n", reclaim_stats.reclaimed,
            reclaim_stats.runs, reclaim_stats.scanned, reclaim_stats.second_chances, reclaim_stats.kept);
    kprintf("    prefetch: fault-around: %u pages mapped; readahead: %u pages filled\n", vm_stats.fault_around_pages,
            vm_stats.readahead_pages);
}

/* Paging out: the compressed pool, swap areas, and the traffic between them and memory. */
static void show_swap(void)
{
    struct zswap_stats z;
    zswap_get_stats(&z);
    uint32_t stored = z.entries - z.same_filled;
    uint32_t ratio = z.compressed_bytes ? (uint32_t)((uint64_t)stored * PAGE_SIZE * 100 / z.compressed_bytes) : 0;
    kprintf("Swap:\n");
    kprintf("  compressed pool: %u pages stored (%u same-filled, no space), %u KiB compressed in %u of at most %u "
            "frames; ratio %u.%02u\n",
            z.entries, z.same_filled, z.compressed_bytes / 1024, z.pool_frames, z.max_frames, ratio / 100, ratio % 100);
    kprintf("  paged out: %u (%u to the pool, %u to disk), paged in: %u (%u from the pool, %u from disk); "
            "%u written back from the pool\n",
            swap_counts.pswpout, swap_counts.to_zswap, swap_counts.to_disk, swap_counts.pswpin, swap_counts.from_zswap,
            swap_counts.from_disk, z.written_back);
    uint32_t life = z.compressed_bytes_ever
                        ? (uint32_t)((uint64_t)z.compressed_pages_ever * PAGE_SIZE * 100 / z.compressed_bytes_ever)
                        : 0;
    kprintf("  since boot: %u pages compressed at ratio %u.%02u\n", z.compressed_pages_ever, life / 100, life % 100);
    kprintf("  kept resident: %u incompressible, %u pool full (no swap slot free); %u I/O errors\n",
            swap_counts.kept_incompressible, swap_counts.kept_full, swap_counts.io_errors);
    kprintf("  swap cache: %u clean pages dropped unwritten, %u read ahead, %u faults found their page resident\n",
            swap_counts.clean_dropped, swap_counts.readahead, swap_counts.cache_hits);
    const struct swap_counts *c = &swap_counts;
    kprintf("  cycles per page: out to the pool %u, to disk %u; in from the pool %u, from disk %u\n",
            avg(c->out_cycles_pool, c->to_zswap), avg(c->out_cycles_disk, c->to_disk + c->clean_dropped),
            avg(c->in_cycles_pool, c->from_zswap), avg(c->in_cycles_disk, c->from_disk));
}

static void memory_stats(void)
{
    struct pmm_stats st;
    struct kheap_stats hs;
    struct kernel_footprint fp;
    pmm_get_stats(&st);
    kheap_get_stats(&hs);
    kstats_footprint(&fp);
    kprintf("Physical memory (4 KiB frames):\n");
    line_kib("total:", st.total_frames);
    line_kib("free:", st.free_frames);
    line_kib("used:", st.used_frames);
    line_kib("reserved:", st.reserved_frames);
    kprintf("  lowmem:    %8u KiB direct-mapped, %u KiB of it free; highmem %u KiB\n", lowmem_end / 1024,
            st.free_low_frames * 4, (pmm_phys_end() > lowmem_end ? pmm_phys_end() - lowmem_end : 0) / 1024);
    if (st.ignored_bytes)
        kprintf("  ignored:   %8u KiB above 4 GiB (no PAE)\n", (uint32_t)(st.ignored_bytes / 1024));
    uint32_t swap_total, swap_free;
    swap_totals(&swap_total, &swap_free);
    kprintf("  swap:      %8u KiB in %u area(s), %u KiB used; %u pages swapped in, %u out, %u I/O errors\n",
            swap_total * 4, swap_area_count(), (swap_total - swap_free) * 4, swap_stats.swapins, swap_stats.swapouts,
            swap_stats.io_errors);
    kprintf("Kernel:\n");
    kprintf("  image:     %8u KiB (text %u, rodata %u, data %u, bss %u KiB)\n", fp.image_bytes / 1024,
            fp.text_bytes / 1024, fp.rodata_bytes / 1024, fp.data_bytes / 1024, fp.bss_bytes / 1024);
    kprintf("  resident:  %8u KiB (image, %u KiB boot page tables, %u KiB frame metadata, %u KiB allocated)\n",
            fp.resident_bytes / 1024, fp.boot_tables_bytes / 1024, fp.frame_meta_bytes / 1024, fp.dynamic_bytes / 1024);
    kprintf("  heap:      %8u bytes in use, peak %u bytes; %u frames (peak %u), %u of them empty slabs kept\n",
            hs.bytes_in_use, hs.bytes_peak, hs.frames, hs.frames_peak, hs.cached_frames);
    kprintf("  heap errors: %u double free, %u bad pointer, %u overflow\n", hs.errors[KHEAP_DOUBLE_FREE],
            hs.errors[KHEAP_BAD_POINTER], hs.errors[KHEAP_OVERFLOW]);
    kprintf("  page tables: %6u frames\n", st.by_kind[FRAME_PGTABLE]);
    struct pmap_rmap_stats rs;
    vm_mappings_stats(&rs);
    kprintf("  reverse map: %u extra entries (%u bytes), peak %u\n", rs.entries, rs.entries * rs.entry_bytes,
            rs.entries_peak);
    kprintf("Page faults: %u total", fault_total());
    for (int c = 0; c < FAULT_CLASS_COUNT; c++)
        kprintf(", %s %u", fault_class_name(c), fault_count(c));
    kprintf("\n");
    show_vm_costs();
    show_swap();
}

static void show_page(const char *label, vaddr_t va)
{
    struct pmap_info info;
    vm_space_query(vm_space_active(), va, &info);
    kprintf("  %-13s 0x%08x  ", label, va);
    if (!info.present) {
        kprintf("not present\n");
        return;
    }
    kprintf("present, %s, %s  (phys 0x%08x, %s page)\n", info.user ? "user" : "supervisor",
            info.writable ? "writable" : "read-only", info.pa, info.big ? "4 MiB" : "4 KiB");
}

static void key_regions(void)
{
    uint32_t esp;
    __asm__ volatile("mov %%esp, %0" : "=r"(esp));
    void *heap = kmalloc(16);
    show_page("NULL page", 0);
    show_page("kernel text", (vaddr_t)(uintptr_t)_text_start);
    show_page("kernel data", (vaddr_t)(uintptr_t)_data_start);
    if (heap)
        show_page("heap", (vaddr_t)(uintptr_t)heap);
    show_page("stack", esp);
    kfree(heap);
}

/*
 * memory check: the reverse map against the page tables of every live
 * address space, and no mapping listed for any other (a destroyed one).
 */
static int memory_check(void)
{
    uint32_t mappings = 0;
    for (int i = 0; i < proc_slot_count(); i++) {
        struct proc *p = proc_slot(i);
        if (!p || !p->vm || proc_vm_seen_before(i, p->vm))
            continue;
        int n = vm_space_check(p->vm);
        if (n < 0) {
            kprintf("memory check: pid %d (%s): rmap inconsistent (see above)\n", p->pid, p->name);
            return -EIO; /* not a usage error */
        }
        mappings += (uint32_t)n;
    }
    uint32_t total = vm_mappings_listed();
    if (total != mappings) {
        kprintf("memory check: the reverse maps list %u mappings, live address spaces hold %u: stale entries\n",
                total, mappings);
        return -EIO;
    }
    kprintf("memory check: %u mappings, rmap consistent\n", mappings);
    return 0;
}

int cmd_memory(int argc, char **argv)
{
    if (argc == 2 && !strcmp(argv[1], "stats")) {
        memory_stats();
        return 0;
    }
    if (argc == 2 && !strcmp(argv[1], "check"))
        return memory_check();
    if (argc == 2 && !strcmp(argv[1], "drop-caches")) {
        kprintf("dropped %u clean page-cache pages\n", vnode_pager_drop_caches());
        return 0;
    }
    if (argc < 2 || strcmp(argv[1], "protect") || argc > 3)
        return -EINVAL;
    if (argc == 2) {
        key_regions();
        return 0;
    }
    if (!strcmp(argv[2], "test")) {
        kprintf("memory protect test:\n");
        int failed = selfcheck_protect(true);
        kprintf("memory protect test: %s\n", failed ? "FAIL" : "PASS");
        return 0;
    }
    uint32_t addr;
    if (parse_u32(argv[2], &addr)) {
        kprintf("memory protect: '%s' is not an address (decimal or 0x hex)\n", argv[2]);
        return -EINVAL;
    }
    show_page("address", addr);
    return 0;
}
