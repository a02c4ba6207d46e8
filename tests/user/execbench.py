#!/usr/bin/env python3
"""Measure paging a program in: build tests/user/execbench.c into a scratch
initrd (as /bin/execbench and a copy, /bin/execbench2, that nothing else
maps), boot build/kernel.elf under qemu -icount shift=0 -m 128 and run
fork + execve + exit + wait of /bin/execbench2 N times: cold (the page
cache dropped before each run: every page comes from the archive),
cached (its pages in the page cache, mapped by nobody between runs) and
warm (the parent maps it and has read it all), with the program reading every page of its image (touch) or
exiting at once (exit). For each: cycles per run (min and mean) and, from
`memory stats` before and after, page faults and demand fills per run
(and pages mapped by fault-around and filled by readahead, where the
kernel reports them); a warm run's counts leave out the parent's own
reading of the file.
Usage: tests/user/execbench.py [N [KERNEL [APPEND]]]   (default 10, build/kernel.elf;
APPEND is the kernel command line, e.g. noprefetch)"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "boot"))
from qemu import Guest  # noqa: E402

COUNTERS = {
    "faults": r"Page faults: (\d+) total",
    "fills": r"VM: (\d+) demand fills",
    "around": r"fault-around: (\d+) pages",
    "ahead": r"readahead: (\d+) pages",
}


def counters(g):
    text = g.run("memory stats", 60)
    got = {}
    for name, rx in COUNTERS.items():
        m = re.search(rx, text)
        got[name] = int(m.group(1)) if m else None
    return got


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    kernel = sys.argv[2] if len(sys.argv) > 2 else os.path.join(ROOT, "build", "kernel.elf")
    append = sys.argv[3] if len(sys.argv) > 3 else None
    tmp = tempfile.mkdtemp()
    try:
        bindir = os.path.join(tmp, "bin")
        os.makedirs(bindir)
        exe = os.path.join(bindir, "execbench")
        subprocess.check_call(["gcc", "-m32", "-static", "-s", "-O2", "-Wall", "-Wextra", "-Werror",
                               os.path.join(ROOT, "tests", "user", "execbench.c"), "-o", exe])
        shutil.copy(exe, os.path.join(bindir, "execbench2"))
        initrd = os.path.join(tmp, "initrd.tar")
        subprocess.check_call(["tar", "--format=ustar", "-C", tmp, "-cf", initrd, "bin"])
        g = Guest(kernel=kernel, initrd=initrd, mem=128, append=append,
                  extra=["-icount", "shift=0"])
        try:
            g.prompt(120)
            g.run("/bin/execbench cold 1 /bin/execbench2 exit", 600)  # warm the kernel's own caches
            print("%-16s %12s %12s %8s %8s %8s %8s" % ("run", "min cycles", "mean cycles", "faults", "fills",
                                                      "around", "ahead"))
            for kind in ("cold", "cached", "warm"):
                for mode in ("exit", "touch"):
                    base = {k: 0 for k in COUNTERS}
                    if kind == "cold":  # one run at a time, the page cache dropped before each
                        before = counters(g)
                        cycles = []
                        for _ in range(n):
                            g.run("memory drop-caches")
                            out = g.run("/bin/execbench cold 1 /bin/execbench2 %s" % mode, 600)
                            m = re.search(r"EXECBENCH \S+ \S+ min (\d+) mean (\d+)", out)
                            cycles.append(int(m.group(1)))
                        after = counters(g)
                        per = {k: ("%.1f" % ((after[k] - before[k]) / n) if after[k] is not None else "-")
                               for k in COUNTERS}
                        print("%-16s %12s %12s %8s %8s %8s %8s" % ("cold %s" % mode, min(cycles),
                                                                  sum(cycles) // n, per["faults"], per["fills"],
                                                                  per["around"], per["ahead"]), flush=True)
                        continue
                    if kind == "warm":  # the parent's own reading of the file alone (0 runs), to subtract
                        b0 = counters(g)
                        g.run("/bin/execbench warm 0 /bin/execbench2 %s" % mode, 600)
                        b1 = counters(g)
                        base = {k: (b1[k] - b0[k] if b1[k] is not None else 0) for k in COUNTERS}
                    before = counters(g)
                    out = g.run("/bin/execbench %s %d /bin/execbench2 %s" % ("cold" if kind == "cached" else kind, n,
                                                                              mode), 600)
                    after = counters(g)
                    m = re.search(r"EXECBENCH \S+ \S+ min (\d+) mean (\d+)", out)
                    if not m:
                        print("no result:\n" + out)
                        continue
                    per = {k: ("%.1f" % ((after[k] - before[k] - base[k]) / n) if after[k] is not None else "-")
                           for k in COUNTERS}
                    print("%-16s %12s %12s %8s %8s %8s %8s" % ("%s %s" % (kind, mode), m.group(1), m.group(2),
                                                              per["faults"], per["fills"], per["around"],
                                                              per["ahead"]), flush=True)
            # a sequential read() of the 700 KiB file: cold (cache dropped first) and cached
            cold = []
            for _ in range(n):
                g.run("memory drop-caches")
                m = re.search(r"EXECBENCH read (\d+) min (\d+)", g.run("/bin/execbench read 1 /bin/execbench2", 600))
                cold.append(int(m.group(2)))
            bytes_ = int(m.group(1))
            print("%-16s %12s %12s   (%d bytes; %d cycles per 4 KiB)" % ("read cold", min(cold), sum(cold) // n,
                                                                         bytes_, min(cold) * 4096 // bytes_))
            m = re.search(r"EXECBENCH read (\d+) min (\d+) mean (\d+)",
                          g.run("/bin/execbench read %d /bin/execbench2" % n, 600))
            print("%-16s %12s %12s   (%d bytes; %d cycles per 4 KiB)" % ("read cached", m.group(2), m.group(3),
                                                                         bytes_, int(m.group(2)) * 4096 // bytes_))
            g.send("poweroff")
            g.wait_exit(60)
        finally:
            g.kill()
    finally:
        shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
