#!/usr/bin/env python3
"""The EYN-OS side of `make bench`: boot the kernel under qemu -icount shift=0,
run /bin/vmbench and the shell's `bench`, measure memory per process with
`vmbench spawn`, run `vmbench scale`, measure memory per exec'd process with
`vmbench execmem` in a fresh boot, and find the smallest -m that boots / runs vmbench.
Usage: bench_kernel.py KERNEL INITRD OUT.json"""
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "boot"))
sys.path.insert(0, HERE)
from benchparse import completed, parse, progress, smallest  # noqa: E402
from qemu import Guest, GuestError  # noqa: E402

ICOUNT = ["-icount", "shift=0"]
SPAWN = 1000
EXEC_COPIES, EXEC_KIB = 20, 64  # issue 11: 20 exec'd copies of a program with a 64 KiB heap
IN_KERNEL = [  # `bench` output label (the start of its line) -> metric; a missing line is skipped
    (r"frame alloc\+free pair", "k_frame_pair"),
    (r"kmalloc\(32\)\+kfree pair", "k_kmalloc32_pair"),
    (r"kmalloc\(4096\)\+kfree pair", "k_kmalloc4096_pair"),
    (r"map_page\+unmap_page pair", "k_map_unmap_pair"),
    (r"recovered kernel page fault", "k_recovered_fault"),
    (r"contig16 alloc\+free pair", "k_contig16_pair"),
    (r"fragmented:?\s+kmalloc\(4096\)\+kfree pair", "k_kmalloc4096_frag_pair"),
    (r"fragmented:?\s+contig16 alloc\+free pair", "k_contig16_frag_pair"),
]


def boot(kernel, initrd, mem):
    return Guest(kernel=kernel, initrd=initrd, mem=mem, extra=ICOUNT)


def in_kernel_bench(g):
    """The shell's `bench` command: in-kernel pairs and boot cycles."""
    out = g.run("bench", 300)
    got = {}
    for label, name in IN_KERNEL:
        m = re.search(r"^[ \t]*" + label + r":\s+(\d+)", out, re.M)
        if m:
            got[name] = int(m.group(1))
    m = re.search(r"boot to shell:\s+(\d+) kcycles", out)
    if m:
        got["boot_to_prompt"] = int(m.group(1)) * 1000
    return got


def stats(g):
    """Frames used, kernel-allocated KiB, page-table frames from `memory stats`."""
    out = g.run("memory stats", 60)
    used = re.search(r"used:\s+\d+ KiB \((\d+) frames\)", out)
    alloc = re.search(r"resident:.* (\d+) KiB allocated\)", out)
    pt = re.search(r"page tables:\s+(\d+) frames", out)
    if not (used and alloc and pt):
        raise GuestError("memory stats not understood:\n" + out)
    return int(used.group(1)), int(alloc.group(1)), int(pt.group(1))


def settle(g):
    """After background output: get a fresh prompt at the end of the output."""
    g.send("")
    g.prompt(60)


def process_memory(g):
    """Memory per pausing child of `vmbench spawn`, from `memory stats` deltas."""
    before = stats(g)[0]
    g.send("/bin/vmbench spawn %d &" % SPAWN)
    pid = int(g.expect(r"BENCH ready (\d+)\n", 60).group(1))
    settle(g)
    used0, alloc0, pt0 = stats(g)
    g.send("kill -10 %d" % pid)
    k = int(g.expect(r"BENCH spawned (\d+)\n", 120).group(1))
    settle(g)
    used1, alloc1, pt1 = stats(g)
    g.send("kill %d" % pid)
    g.expect(r"BENCH reaped \d+\n", 120)
    settle(g)
    g.run("ps", 60)  # lets the shell reap the background job
    used2 = stats(g)[0]
    progress("EYN-OS: %d children: used frames %d -> %d, %d -> %d after reaping" % (k, used0, used1, before, used2))
    got = {"proc_total_bytes": (used1 - used0) * 4096 // k, "proc_kernel_bytes": (alloc1 - alloc0) * 1024 // k,
           "proc_pagetable_bytes": (pt1 - pt0) * 4096 // k}
    return got, {"spawned": k, "frames_not_returned": used2 - before}


def frame_counts(g):
    """From `memory stats`: free, user, heap, page-table and other kernel frames, kept heap frames,
    file-cache pages, and the text."""
    out = g.run("memory stats", 60)
    free = re.search(r"free:\s+\d+ KiB \((\d+) frames\)", out)
    used = re.search(r"used:\s+\d+ KiB \((\d+) frames\)", out)
    alloc = re.search(r"resident:.* (\d+) KiB allocated\)", out)
    heap = re.search(r"heap:.*; (\d+) frames \(peak \d+\), (\d+) of them empty", out)
    pt = re.search(r"page tables:\s+(\d+) frames", out)
    if not (free and used and alloc and heap and pt):
        raise GuestError("memory stats not understood:\n" + out)
    cache = re.search(r"file cache:\s+(\d+) pages", out)  # a kernel without a page cache has no such line
    kernel = int(alloc.group(1)) // 4  # every allocated frame that is not a user page
    return {"free": int(free.group(1)), "user": int(used.group(1)) - kernel, "heap": int(heap.group(1)),
            "pagetable": int(pt.group(1)), "kstack": kernel - int(heap.group(1)) - int(pt.group(1)),
            "kept": int(heap.group(2)), "cache": int(cache.group(1)) if cache else 0}, out


def exec_memory(kernel, initrd):
    """Issue 11, in a fresh boot: free memory before and while `vmbench execmem` holds 20 exec'd copies."""
    g = boot(kernel, initrd, 128)
    try:
        g.prompt(120)
        start = frame_counts(g)[0]["free"]
        g.send("/bin/vmbench execmem %d %d &" % (EXEC_COPIES, EXEC_KIB))
        pid = int(g.expect(r"BENCH ready (\d+)\n", 120).group(1))
        settle(g)
        before, stats0 = frame_counts(g)
        g.send("kill -10 %d" % pid)
        k = int(g.expect(r"BENCH execspawned (\d+)\n", 300).group(1))
        settle(g)
        during, stats1 = frame_counts(g)
        ps = g.run("ps", 60)
        held = re.findall(r"^\s*(\d+)\s+%d\s" % pid, ps, re.M)
        vmmap = g.run("vmmap %s" % held[-1], 60) if held else ""
        g.send("kill %d" % pid)
        g.expect(r"BENCH reaped \d+\n", 120)
        settle(g)
        g.run("ps", 60)  # lets the shell reap the driver
        last = frame_counts(g)[0]
    finally:
        g.kill()
    if k <= 0:
        raise GuestError("no exec'd copy ran")
    progress("EYN-OS: %d exec'd copies: free frames %d -> %d (%d at boot, %d at the end)" % (
        k, before["free"], during["free"], start, last["free"]))
    per = {key: (during[key] - before[key]) * 4096 // k for key in ("user", "heap", "pagetable", "kstack")}
    metrics = {"exec_proc_bytes": (before["free"] - during["free"]) * 4096 // k,
               "exec_proc_user_bytes": per["user"], "exec_proc_heap_bytes": per["heap"],
               "exec_proc_pagetable_bytes": per["pagetable"], "exec_proc_kstack_bytes": per["kstack"]}
    info = {"exec_copies": k, "exec_frames_not_returned": start - last["free"], "exec_frames_kept": last["kept"],
            "exec_cache_pages": last["cache"],
            "exec_stats_before": stats0, "exec_stats_during": stats1, "exec_ps": ps, "exec_vmmap": vmmap}
    return metrics, info


def scale(g):
    """`vmbench scale`: costs against the number of regions and of processes alive."""
    out = g.run("/bin/vmbench scale", 600)
    done = completed(out)
    progress("EYN-OS: vmbench scale %s" % ("completed" if done else "FAILED"))
    return parse(out), {"scale_output": out, "scale_completed": done}


def main_run(kernel, initrd):
    g = boot(kernel, initrd, 128)
    try:
        g.prompt(120)
        progress("EYN-OS: running /bin/vmbench at -m 128")
        out = g.run("/bin/vmbench", 600)
        metrics = parse(out)
        info = {"vmbench_output": out, "vmbench_completed": completed(out)}
        progress("EYN-OS: vmbench %s, %d metrics" % ("completed" if info["vmbench_completed"] else "FAILED",
                                                      len(metrics)))
        progress("EYN-OS: shell `bench` (in-kernel operations)")
        metrics.update(in_kernel_bench(g))
        progress("EYN-OS: memory per process (%d pausing children)" % SPAWN)
        try:
            got, more = process_memory(g)
            metrics.update(got)
            info.update(more)
        except GuestError as e:
            progress("EYN-OS: process-memory phase failed: %s" % str(e)[-300:])
            info["procmem_error"] = str(e)[-1500:]
        progress("EYN-OS: running /bin/vmbench scale")
        try:
            got, more = scale(g)
            metrics.update(got)
            info.update(more)
        except GuestError as e:
            progress("EYN-OS: scale phase failed: %s" % str(e)[-300:])
            info["scale_output"] = str(e)[-1500:]
            info["scale_completed"] = False
        return metrics, info
    finally:
        g.kill()


def boots(kernel, initrd, mem):
    """The kernel reaches a prompt and `memory stats` answers."""
    g = boot(kernel, initrd, mem)
    try:
        g.prompt(60)
        return "total:" in g.run("memory stats", 30)
    except GuestError:
        return False
    finally:
        g.kill()


def runs_vmbench(kernel, initrd, mem):
    g = boot(kernel, initrd, mem)
    try:
        g.prompt(60)
        return completed(g.run("/bin/vmbench core", 120))
    except GuestError:
        return False
    finally:
        g.kill()


def main():
    kernel, initrd, out = sys.argv[1:4]
    metrics, info = main_run(kernel, initrd)
    progress("EYN-OS: memory per exec'd process (%d copies, %d KiB heap each)" % (EXEC_COPIES, EXEC_KIB))
    try:
        got, more = exec_memory(kernel, initrd)
        metrics.update(got)
        info.update(more)
    except GuestError as e:
        progress("EYN-OS: exec'd-process phase failed: %s" % str(e)[-300:])
        info["exec_error"] = str(e)[-1500:]
    m = smallest(lambda mem: boots(kernel, initrd, mem), 1, 128, "EYN-OS smallest -m to a working shell")
    if m:
        metrics["min_mem_shell_mib"] = m
    m = smallest(lambda mem: runs_vmbench(kernel, initrd, mem), 1, 128, "EYN-OS smallest -m for vmbench")
    if m:
        metrics["min_mem_vmbench_mib"] = m
    with open(out, "w") as f:
        json.dump({"metrics": metrics, "info": info}, f, indent=1)
    progress("EYN-OS: done, %d metrics in %s" % (len(metrics), out))


if __name__ == "__main__":
    main()
