#!/usr/bin/env python3
"""The table of `make bench`: EYN-OS and Linux results side by side, printed
and written to BENCHMARKS.md with the command, the date and what each metric
means. Usage: bench_report.py EYN.json LINUX.json BENCHMARKS.md"""
import datetime
import json
import subprocess
import sys

KIB = "kib"  # value in bytes, shown in KiB
# (key, label, unit, what it measures)
ROWS = [
    ("syscall_getpid", "syscall round trip, getpid (cycles)", None,
     "`getpid` through `int 0x80`, 20000 times; the kernel entry + exit cost."),
    ("syscall_getpid_libc", "syscall round trip via glibc `syscall()` (cycles)", None,
     "the same through glibc's `syscall()`, which on Linux may enter through the vDSO (`sysenter`)."),
    ("anon_first_touch", "demand-zero fault, per page (cycles)", None,
     "first write to each page of a fresh 8 MiB anonymous `mmap` (best of 3)."),
    ("fault_floor", "floor for a demand-zero fault (cycles)", None,
     "syscall round trip + `memset` of a mapped 4 KiB page: the trap plus zeroing a page."),
    ("dz_over_floor", "demand-zero fault / floor", "x",
     "how far the demand-zero fault is above its floor (target: at most 1.3)."),
    ("zero_4k_memset", "memset 4 KiB in user space (cycles)", None,
     "glibc `memset` of one mapped page, 2000 times."),
    ("anon_retouch", "write to a mapped page, per page (cycles)", None,
     "writing one byte per page of 8 MiB already resident: the plain memory cost (best of 3)."),
    ("fork_exit_wait_small", "fork+exit+wait, small process (cycles)", None,
     "raw `fork`, the child `exit_group`s at once, the parent `wait4`s; 50 rounds, before any big mapping."),
    ("fork_exit_wait_8m", "fork+exit+wait, 8 MiB resident (cycles)", None,
     "the same with 8 MiB of written anonymous memory in the parent; 10 rounds."),
    ("cow_fault", "copy-on-write fault in the child, per page (cycles)", None,
     "a forked child writes one byte per page of the parent's 8 MiB (best of 3)."),
    ("munmap_per_page", "munmap, per resident page (cycles)", None,
     "`munmap` of the 8 MiB just touched, divided by 2048 pages (best of 3)."),
    ("mmap_touch_munmap_4k", "mmap 4 KiB + touch + munmap (cycles)", None,
     "1000 rounds of a one-page anonymous `mmap`, one write, `munmap`."),
    ("sbrk_touch", "brk growth + touch, per page (cycles)", None,
     "`brk` up one page and write it, 2048 times (8 MiB; best of 2)."),
    ("stack_growth", "stack growth, per page (cycles)", None,
     "in a fresh child, 256 KiB below the stack pointer, the stack grows top-down one written page "
     "at a time (`alloca`), 1024 pages."),
    ("mprotect_pair", "mprotect read-only + read-write pair (cycles)", None,
     "one resident page, 1000 pairs."),
    ("k_frame_pair", "in-kernel frame alloc+free pair (cycles)", None,
     "the shell's `bench` command: `pmm_alloc` + `pmm_free`."),
    ("k_kmalloc32_pair", "in-kernel kmalloc(32)+kfree pair (cycles)", None, "the shell's `bench` command."),
    ("k_kmalloc4096_pair", "in-kernel kmalloc(4096)+kfree pair (cycles)", None, "the shell's `bench` command."),
    ("k_map_unmap_pair", "in-kernel map_page+unmap_page pair (cycles)", None, "the shell's `bench` command."),
    ("k_recovered_fault", "in-kernel recovered page fault (cycles)", None,
     "the shell's `bench` command: trap, classify, fixup, record."),
    ("boot_to_prompt", "boot to the shell prompt (cycles)", None,
     "virtual cycles from kernel entry to the first prompt (the banner's boot time; firmware not included)."),
    ("min_mem_shell_mib", "smallest -m booting to a working shell (MiB)", None,
     "bisection of `-m`: the prompt appears and `memory stats` answers (with the benchmark initrd, 0.7 MiB)."),
    ("min_mem_vmbench_mib", "smallest -m at which vmbench completes (MiB)", None,
     "bisection of `-m` running `vmbench core` (everything but the process-memory phase)."),
    ("proc_total_bytes", "memory per minimal process (KiB)", KIB,
     "1000 forked children that only `pause()`: fall in free memory per child."),
    ("proc_kernel_bytes", "kernel memory per minimal process (KiB)", KIB,
     "EYN-OS: kernel-allocated frames (`memory stats`, 'allocated'); Linux: PageTables + KernelStack + Slab "
     "from /proc/meminfo (Linux's page directory is not in these counters)."),
    ("proc_pagetable_bytes", "page tables per minimal process (KiB)", KIB,
     "EYN-OS: page-table frames including the page directory; Linux: PageTables (PTE pages only)."),
    ("pt_1024_bytes", "page tables of 1024 processes (MiB)", "mib",
     "the per-process page-table figure times 1024 (the design document promises ~4 MB)."),
    ("exec_proc_total", "memory per exec'd process, 20 copies with a 64 KiB heap (KiB)", KIB,
     "`vmbench execmem 20 64`: fall in free memory per copy while 20 fork+exec'd copies of a static glibc "
     "program that touched a 64 KiB heap sleep (see Memory per process). Linux: MemFree plus the pages on "
     "the per-CPU free lists."),
    ("exec_proc_memfree", "the same, Linux by MemFree alone (KiB)", KIB,
     "the same measurement with Linux's MemFree alone, which leaves out the free pages on the per-CPU "
     "lists (EYN-OS has none: the same figure as the row above)."),
]


def derive_exec(eyn, lin):
    """The exec'd-process rows: free memory on EYN-OS; MemFree + per-CPU lists, and MemFree alone, on Linux."""
    if "exec_proc_bytes" in eyn:
        eyn["exec_proc_total"] = eyn["exec_proc_memfree"] = eyn["exec_proc_bytes"]
    if "exec_proc_pcp_bytes" in lin:
        lin["exec_proc_total"] = lin["exec_proc_pcp_bytes"]
    if "exec_proc_bytes" in lin:
        lin["exec_proc_memfree"] = lin["exec_proc_bytes"]


def derive(m):
    if m.get("anon_first_touch") and m.get("fault_floor"):
        m["dz_over_floor"] = m["anon_first_touch"] / m["fault_floor"]
    if "proc_pagetable_bytes" in m:
        m["pt_1024_bytes"] = m["proc_pagetable_bytes"] * 1024


def show(v, unit):
    if v is None:
        return "—"
    if unit == KIB:
        return "%.1f" % (v / 1024)
    if unit == "mib":
        return "%.1f" % (v / 1048576)
    if unit == "x":
        return "%.2f" % v
    return str(v)


def table(eyn, lin):
    lines = ["| metric | EYN-OS | Linux 6.1 | ratio (EYN/Linux) |", "|---|---:|---:|---:|"]
    for key, label, unit, _ in ROWS:
        a, b = eyn.get(key), lin.get(key)
        ratio = "%.2f" % (a / b) if a is not None and b else "—"
        lines.append("| %s | %s | %s | %s |" % (label, show(a, unit), show(b, unit), ratio))
    return "\n".join(lines)


# Metrics with a Linux peer and the target ratio (retouching is the plain memory cost: no target).
TARGETS = [("syscall_getpid", 0.5), ("anon_first_touch", 0.5), ("fork_exit_wait_small", 0.5),
           ("fork_exit_wait_8m", 0.25), ("cow_fault", 0.5), ("munmap_per_page", 0.5),
           ("mmap_touch_munmap_4k", 0.5), ("sbrk_touch", 0.5), ("stack_growth", 0.5), ("mprotect_pair", 0.5)]


def targets(eyn, lin):
    """The issue's targets, each with its verdict."""
    labels = {key: label for key, label, _, _ in ROWS}
    out = []
    for key, limit in TARGETS:
        if eyn.get(key) is None or not lin.get(key):
            out.append("- %s: not measured on both kernels" % labels[key])
            continue
        r = eyn[key] / lin[key]
        out.append("- %s: %.2f× Linux, target ≤ %.2f×: %s" % (labels[key], r, limit, "met" if r <= limit else "MISSED"))
    if eyn.get("dz_over_floor"):
        r = eyn["dz_over_floor"]
        out.append("- demand-zero fault: %.2f× its floor, target ≤ 1.3×: %s" % (r, "met" if r <= 1.3 else "MISSED"))
    return "\n".join(out)


# The scale phase (`vmbench scale`) and the shell's in-kernel allocator lines (issue 10).
REGION_COUNTS = [16, 256, 4096, 16384]
ALIVE_COUNTS = [1, 1000]
IN_KERNEL_SCALE = [  # (key, label): EYN-OS only
    ("k_kmalloc4096_pair", "kmalloc(4096)+kfree pair, at boot"),
    ("k_kmalloc4096_frag_pair", "kmalloc(4096)+kfree pair, fragmented"),
    ("k_contig16_pair", "contig16 alloc+free pair, at boot"),
    ("k_contig16_frag_pair", "contig16 alloc+free pair, fragmented"),
]
SCALE_TEXT = [
    ("regions (N)", "`vmbench scale` maps N anonymous read-write pages and makes every odd page read-only: "
     "N one-page regions that cannot merge (N vm_area_structs on Linux; `/proc/self/maps` there and `vmmap` "
     "on EYN-OS list N plus the program's own handful). Each N is carved afresh and unmapped afterwards."),
    ("demand-zero fault", "with the N regions in place, the first write to a never-touched read-write page "
     "near the middle of them; up to 32 such pages (N/2 at N=16), each faulted once, the minimum reported "
     "(the mean is in the run's BENCH-INFO lines)."),
    ("mmap+munmap", "with the N regions in place, a one-page anonymous `mmap` and its `munmap`, never touched; "
     "100 pairs, each timed alone, the minimum reported."),
    ("processes alive", "1 or 1000 forked children that only `pause()` exist while measuring."),
    ("fork+exit+wait", "raw `fork`, the child `exit_group`s at once, the parent `wait4`s; the best of 5 "
     "batches of 20 rounds, per round (the parent is small: this part runs before the regions are carved)."),
    ("ping-pong", "parent and child pass one byte each way over two pipes (`write`, blocking `read`): two "
     "context switches per round trip; the best of 5 batches of 200 round trips, per round trip."),
    ("in-kernel", "the shell's `bench` command: `contig16` is `pmm_alloc_contig` of 16 frames and its "
     "`pmm_free_contig`; 'fragmented' lines are measured after the command has fragmented physical memory. Lines the "
     "command does not print are shown as —."),
]
SCALE_FIRST, SCALE_LAST = REGION_COUNTS[0], REGION_COUNTS[-1]


def ratio(a, b):
    return "%.2f" % (a / b) if a is not None and b else "—"


def scale_tables(eyn, lin):
    """The region-count, process-count and in-kernel tables of the scale section."""
    out = ["| N | fault EYN-OS | fault Linux | ratio | mmap+munmap EYN-OS | mmap+munmap Linux | ratio |",
           "|---:|---:|---:|---:|---:|---:|---:|"]
    for n in REGION_COUNTS:
        f, p = "scale_fault_N%d" % n, "scale_mmap_munmap_N%d" % n
        out.append("| %d | %s | %s | %s | %s | %s | %s |" % (
            n, show(eyn.get(f), None), show(lin.get(f), None), ratio(eyn.get(f), lin.get(f)),
            show(eyn.get(p), None), show(lin.get(p), None), ratio(eyn.get(p), lin.get(p))))
    out += ["", "| processes alive | fork+exit+wait EYN-OS | fork+exit+wait Linux | ratio "
            "| ping-pong EYN-OS | ping-pong Linux | ratio |", "|---:|---:|---:|---:|---:|---:|---:|"]
    for k in ALIVE_COUNTS:
        f, p = "scale_fork_p%d" % k, "scale_pingpong_p%d" % k
        out.append("| %d | %s | %s | %s | %s | %s | %s |" % (
            k, show(eyn.get(f), None), show(lin.get(f), None), ratio(eyn.get(f), lin.get(f)),
            show(eyn.get(p), None), show(lin.get(p), None), ratio(eyn.get(p), lin.get(p))))
    out += ["", "| in-kernel operation (cycles) | EYN-OS | Linux 6.1 |", "|---|---:|---:|"]
    for key, label in IN_KERNEL_SCALE:
        out.append("| %s | %s | — |" % (label, show(eyn.get(key), None)))
    return "\n".join(out)


def verdict(ok):
    return "met" if ok else "MISSED"


def scale_targets(eyn, lin):
    """Issue 10's targets, each with its verdict."""
    out = []
    for n in REGION_COUNTS:
        for key, what in (("scale_fault_N%d" % n, "demand-zero fault"), ("scale_mmap_munmap_N%d" % n, "mmap+munmap")):
            if eyn.get(key) is None or not lin.get(key):
                out.append("- N=%d, %s: not measured on both kernels" % (n, what))
                continue
            r = eyn[key] / lin[key]
            out.append("- N=%d, %s: %.2f× Linux, target ≤ 0.50×: %s" % (n, what, r, verdict(r <= 0.5)))
    for stem, what, limit in (("scale_fault_N", "demand-zero fault", 1.5), ("scale_mmap_munmap_N", "mmap+munmap", 2.0)):
        a, b = eyn.get(stem + str(SCALE_FIRST)), eyn.get(stem + str(SCALE_LAST))
        if not a or b is None:
            out.append("- %s from N=%d to N=%d: not measured" % (what, SCALE_FIRST, SCALE_LAST))
            continue
        out.append("- %s from N=%d to N=%d on EYN-OS: grows %.2f×, target ≤ %.1f×: %s" % (
            what, SCALE_FIRST, SCALE_LAST, b / a, limit, verdict(b / a <= limit)))
    few, many = ALIVE_COUNTS
    for stem, what in (("scale_fork_p", "fork+exit+wait"), ("scale_pingpong_p", "ping-pong round trip")):
        a, b = eyn.get(stem + str(few)), eyn.get(stem + str(many))
        if not a or b is None:
            out.append("- %s with %d processes alive: not measured" % (what, many))
            continue
        out.append("- %s with %d processes alive on EYN-OS: %.2f× the cost with %d, target ≤ 1.2×: %s" % (
            what, many, b / a, few, verdict(b / a <= 1.2)))
    for key, when in (("k_kmalloc4096_pair", "at boot"), ("k_kmalloc4096_frag_pair", "fragmented")):
        v = eyn.get(key)
        if v is None:
            out.append("- in-kernel kmalloc(4096)+kfree pair, %s: not measured" % when)
        else:
            out.append("- in-kernel kmalloc(4096)+kfree pair, %s: %d cycles, target ≤ 600: %s" % (
                when, v, verdict(v <= 600)))
    return "\n".join(out)


# Issue 11: the breakdown of memory per exec'd process, (label, EYN-OS key, Linux key).
EXEC_ROWS = [
    ("fall in free memory (Linux: MemFree + per-CPU free lists)", "exec_proc_bytes", "exec_proc_pcp_bytes"),
    ("fall in MemFree alone", None, "exec_proc_bytes"),
    ("user pages (EYN-OS: user frames; Linux: AnonPages)", "exec_proc_user_bytes", "exec_proc_anon_bytes"),
    ("page tables (EYN-OS: directory + tables; Linux: PageTables)", "exec_proc_pagetable_bytes",
     "exec_proc_pagetable_bytes"),
    ("kernel stack (EYN-OS: with any other kernel frames; Linux: KernelStack)", "exec_proc_kstack_bytes",
     "exec_proc_kstack_bytes"),
    ("kernel heap and object pools (Linux: Slab)", "exec_proc_heap_bytes", "exec_proc_slab_bytes"),
]
EXEC_TEXT = """Memory per process for 20 copies of one small static glibc program, each
started by fork + execve, each with a 64 KiB heap it has touched, all asleep
(`bench/procexec.c`). The program is vmbench itself in `hold` mode (malloc
64 KiB, write every byte, tell the driver through a pipe, `nanosleep`), the
only program Linux's initramfs holds; the driver is the same binary
(`vmbench execmem 20 64`). The driver first starts and kills one copy, so
the pages of the program that only `hold` touches come in once (on Linux
they sit in the page cache anyway), then reads free memory, starts the 20,
and reads it again while all 20 live: KiB per process = (free before − free
during) / 20. On EYN-OS the driver runs in the background from the shell
(`/bin/vmbench execmem 20 64 &`) and the harness reads `memory stats` in a
fresh boot; on Linux it is `/init` and reads /proc/meminfo and
/proc/zoneinfo itself. Both under `qemu-system-i386 -icount shift=0 -m 128`.

Linux's MemFree leaves out the free pages on the per-CPU lists. %s
and the 20 copies take their pages from these lists first, so MemFree falls
by less than the copies take: by less than Linux's own AnonPages rises. The fall in MemFree plus
the per-CPU lists (`count:` in /proc/zoneinfo) is what the copies took; it
is the Linux figure the target is checked against. Both are shown."""


def exec_section(eyn, lin):
    """Issue 11's breakdown table and target."""
    a, b = lin.get("exec_pcp_before_bytes"), lin.get("exec_pcp_during_bytes")
    where = ("Before the 20 start they hold %d KiB (after the driver's start-up and warm-up), while they "
             "live %d KiB," % (a // 1024, b // 1024)) if a is not None and b is not None else \
        "The driver's start-up and warm-up leave free pages there,"
    out = [EXEC_TEXT % where, "", "| per process (KiB) | EYN-OS | Linux 6.1 |", "|---|---:|---:|"]
    for label, ek, lk in EXEC_ROWS:
        out.append("| %s | %s | %s |" % (label, show(eyn.get(ek), KIB) if ek else "—", show(lin.get(lk), KIB)))
    out.append("")
    a, b, c = eyn.get("exec_proc_bytes"), lin.get("exec_proc_pcp_bytes"), lin.get("exec_proc_bytes")
    if a is None or not b:
        out.append("- memory per exec'd process: not measured on both kernels")
    else:
        out.append("- memory per exec'd process: EYN-OS %.1f KiB, Linux %.1f KiB (MemFree + per-CPU lists), "
                   "target ≤ Linux: %s" % (a / 1024, b / 1024, verdict(a <= b)))
    if a is not None and c:
        out.append("- against Linux's MemFree alone (%.1f KiB, less than its AnonPages growth of %s KiB): %s" % (
            c / 1024, show(lin.get("exec_proc_anon_bytes"), KIB), verdict(a <= c)))
    return "\n".join(out)


def qemu_version():
    try:
        return subprocess.run(["qemu-system-i386", "--version"], stdout=subprocess.PIPE).stdout.decode().split("\n")[0]
    except OSError:
        return "qemu-system-i386 (version unknown)"


def document(eyn_all, lin_all, tab):
    eyn, lin, linfo = eyn_all["metrics"], lin_all["metrics"], lin_all["info"]
    einfo = eyn_all["info"]
    notes = []
    if "frames_not_returned" in einfo:
        left = einfo["frames_not_returned"]
        notes.append("After the %d children are reaped, EYN-OS's used-frame count is %s." % (
            einfo.get("spawned", 0), "back at its baseline" if left == 0 else "%+d frames off its baseline" % left))
    if not einfo.get("vmbench_completed"):
        notes.append("vmbench did NOT complete on EYN-OS; its output ended:\n\n```\n%s\n```"
                     % einfo.get("vmbench_output", "")[-1500:])
    if not linfo.get("vmbench_completed"):
        notes.append("vmbench did NOT complete on Linux.")
    if not einfo.get("scale_completed"):
        notes.append("`vmbench scale` did NOT complete on EYN-OS; its output ended:\n\n```\n%s\n```"
                     % einfo.get("scale_output", "")[-1500:])
    if not linfo.get("scale_completed"):
        notes.append("`vmbench scale` did NOT complete on Linux.")
    if "exec_frames_not_returned" in einfo:
        left = einfo["exec_frames_not_returned"]
        notes.append("After the exec'd copies and their driver end, EYN-OS's free-frame count is %s its value "
                     "before the driver started; among them the file cache's %d pages (the program's, kept "
                     "for its next run), %d frames of empty slabs and spare pool pages "
                     "the heap keeps, and one kernel stack (2 frames) kept for the next fork." % (
                         "back at" if left == 0 else "%d frames below" % left, einfo.get("exec_cache_pages", 0),
                         einfo.get("exec_frames_kept", 0)))
    if "exec_error" in einfo:
        notes.append("The exec'd-process phase failed on EYN-OS: `%s`" % einfo["exec_error"][-300:])
    if "execmem_completed" in linfo and not linfo["execmem_completed"]:
        notes.append("`vmbench execmem` did NOT complete on Linux.")
    notes.append("Linux's smallest -m: each size is tried twice and a run that does not finish in 90 s counts "
                 "as failed. KASLR is on in the anchor's command line, so placement is random, and at small "
                 "sizes the decompressor may halt ('Invalid physical address chosen!') instead of exiting.")
    notes.append("Under `-icount` every iteration of a `rep`-prefixed string instruction counts as one "
                 "instruction: zeroing 4 KiB costs about 4100 cycles with `rep stosb` and 1030 with `rep stosl` "
                 "(glibc's `memset`, hence the floor, and Linux's `clear_page` use 32-bit or wider stores).")
    notes.append("EYN-OS's figures repeat exactly from run to run. Linux's cycle counts move by about 1% "
                 "(timer interrupts, random KASLR placement) and its memory counters by a few KiB per "
                 "process (per-CPU caches, slab reuse).")
    expl = "\n".join("- **%s**: %s" % (label, text) for _, label, _, text in ROWS)
    return """# Benchmarks

EYN-OS and Linux run the same static i386 binary (`bench/vmbench.c`, built with
`gcc -m32 -static -O2`) under `qemu-system-i386 -icount shift=0 -m 128`: the
guest TSC advances with executed instructions, so every figure is a
deterministic count of virtual cycles. Linux is Debian's %s kernel, run
through `../shared/anchors/linux-i386.sh` with vmbench as `/init`. Lower is better;
a ratio below 1 means EYN-OS is cheaper.

Reproduce with:

```sh
make bench
```

Measured %s with %s.

%s

## Targets (issue 4)

%s

## Scale (issue 10)

How costs change with the number of regions in the address space and with
the number of processes alive (`vmbench scale`, a separate run of the same
binary on both kernels), and the kernel allocator's contiguous and
fragmented cases. Cycles; lower is better; ratio is EYN-OS / Linux.

%s

%s

### Targets (issue 10)

%s

## Memory per process (issue 11)

%s

## What each metric measures

All system calls in the measured loops go through `int 0x80` on both kernels
(glibc on Linux would otherwise use `sysenter` through the vDSO), so the
comparison is of kernel work, not of gates. Repeated measurements report the
best run.

%s

## Notes

%s
""" % (linfo.get("kernel", "Linux 6.1 686"), datetime.date.today().isoformat(), qemu_version(), tab,
       targets(eyn, lin), scale_tables(eyn, lin), "\n".join("- **%s**: %s" % t for t in SCALE_TEXT),
       scale_targets(eyn, lin), exec_section(eyn, lin), expl, "\n".join("- " + n for n in notes))


def main():
    with open(sys.argv[1]) as f:
        eyn_all = json.load(f)
    with open(sys.argv[2]) as f:
        lin_all = json.load(f)
    derive(eyn_all["metrics"])
    derive(lin_all["metrics"])
    derive_exec(eyn_all["metrics"], lin_all["metrics"])
    tab = table(eyn_all["metrics"], lin_all["metrics"])
    print(tab)
    with open(sys.argv[3], "w") as f:
        f.write(document(eyn_all, lin_all, tab))


if __name__ == "__main__":
    main()
