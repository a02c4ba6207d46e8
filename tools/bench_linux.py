#!/usr/bin/env python3
"""The Linux side of `make bench`: run the same vmbench binary as /init on
Debian's Linux 6.1 (686) through the shared anchor script, under the same
qemu -icount shift=0 and -m 128, then `vmbench scale` in a second boot and
`vmbench execmem 20 64` (memory per exec'd process) in a third, then find
the smallest -m at which `vmbench core` completes.
Usage: bench_linux.py ANCHOR VMBENCH OUT.json"""
import json
import os
import re
import signal
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchparse import completed, parse, progress, smallest  # noqa: E402

EXEC = (20, 64)  # issue 11: 20 exec'd copies of a program with a 64 KiB heap (as tools/bench_kernel.py)


def session_pids(sid):
    """Processes in session sid (the anchor, its `timeout` and QEMU, each may lead its own group)."""
    pids = []
    for d in os.listdir("/proc"):
        try:
            with open("/proc/%s/stat" % d) as f:
                fields = f.read().rsplit(")", 1)[1].split()
            if d.isdigit() and int(fields[3]) == sid:
                pids.append(int(d))
        except (OSError, IndexError, ValueError):
            pass
    return pids


def stop_session(p):
    """SIGTERM everything the anchor started (its clean-up trap runs), then SIGKILL what is left."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for pid in session_pids(p.pid):
            try:
                os.kill(pid, sig)
            except OSError:
                pass
        try:
            p.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            continue
        if not session_pids(p.pid):
            return


def run(anchor, binary, mem, *args, timeout=600):
    """Output of one Linux boot running binary as /init ('' on a timeout: below some -m
    Linux's decompressor halts instead of exiting, and everything the run started is stopped)."""
    p = subprocess.Popen([anchor, binary, str(mem)] + list(args), stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, start_new_session=True)
    try:
        return p.communicate(timeout=timeout)[0].decode("latin-1")
    except subprocess.TimeoutExpired:
        stop_session(p)
        return ""


def completes(anchor, binary, mem):
    """vmbench core completes at -m mem; a second try when not (KASLR places the kernel at random,
    and below some size the decompressor halts on an unlucky choice)."""
    return any(completed(run(anchor, binary, mem, "core", timeout=90)) for _ in range(2))


def main():
    anchor, binary, out = sys.argv[1:4]
    progress("Linux: running vmbench as /init at -m 128 (the first run downloads the kernel package)")
    text = run(anchor, binary, 128)
    metrics = parse(text)
    info = {"vmbench_output": text, "vmbench_completed": completed(text)}
    m = re.search(r"^BENCH-INFO kernel (\S+ \S+), pid \d+, tsc (\d+)", text, re.M)
    if m:
        info["kernel"] = m.group(1)
        info["reset_to_init_cycles"] = int(m.group(2))
    progress("Linux: vmbench %s, %d metrics" % ("completed" if info["vmbench_completed"] else "FAILED", len(metrics)))
    if not info["vmbench_completed"]:
        sys.stderr.write(text[-3000:] + "\n")
    progress("Linux: running vmbench scale as /init at -m 128")
    text = run(anchor, binary, 128, "scale", timeout=600)
    metrics.update(parse(text))
    info["scale_output"] = text
    info["scale_completed"] = completed(text)
    progress("Linux: vmbench scale %s" % ("completed" if info["scale_completed"] else "FAILED"))
    if not info["scale_completed"]:
        sys.stderr.write(text[-3000:] + "\n")
    progress("Linux: running vmbench execmem %d %d as /init at -m 128" % EXEC)
    text = run(anchor, binary, 128, "execmem", str(EXEC[0]), str(EXEC[1]), timeout=300)
    got = parse(text)
    metrics.update(got)
    info["execmem_output"] = text
    info["execmem_completed"] = completed(text) and "exec_proc_bytes" in got
    progress("Linux: vmbench execmem %s" % ("completed" if info["execmem_completed"] else "FAILED"))
    if not info["execmem_completed"]:
        sys.stderr.write(text[-3000:] + "\n")
    found = smallest(lambda mem: completes(anchor, binary, mem), 1, 128, "Linux smallest -m for vmbench")
    if found:
        metrics["min_mem_vmbench_mib"] = found
    with open(out, "w") as f:
        json.dump({"metrics": metrics, "info": info}, f, indent=1)
    progress("Linux: done, %d metrics in %s" % (len(metrics), out))


if __name__ == "__main__":
    main()
