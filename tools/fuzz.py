#!/usr/bin/env python3
"""make fuzz: boot the kernel with the initrd in QEMU, run /bin/sysfuzz from
the shell for one or more seeds, and check after each seed that the kernel
is alive (the shell answers), the free-frame count is back at the baseline
taken before the first run, and the heap reports no errors.

    tools/fuzz.py [--seeds "1 2 3"] [--calls N] [--mem MiB] [--batch B]
                  [--exclude 119,173] [--timeout-ms MS] [--jobs J]

Exits non-zero on any failure, naming the seed, the last child the fuzzer
reported and the command that replays it call by call. Also imported by
tests/boot/boottest.py (run_seeds)."""
import argparse
import os
import re
import sys
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "boot"))
from qemu import Guest, GuestError  # noqa: E402

KERNEL = os.path.join(ROOT, "build", "kernel.elf")
INITRD = os.path.join(ROOT, "build", "initrd.tar")
PROMPT = "eyn> "
FATAL = re.compile(r"KERNEL (FAULT|PANIC)|double fault")
ENOSYS_LOG = re.compile(r"^\[syscall \d+ not implemented: ENOSYS\]$")


class FuzzFailure(Exception):
    pass


def mem_stats(g):
    g.run("memory drop-caches")  # clean file pages are kept for reuse, not leaked: drop them first
    text = g.run("memory stats")
    m = re.search(r"^\s*free:\s+\d+ KiB \((\d+) frames\)", text, re.M)
    h = re.search(r"heap errors: (\d+) double free, (\d+) bad pointer, (\d+) overflow", text)
    kept = re.search(r"(\d+) of them empty slabs kept", text)
    if not m or not h or not kept:
        raise FuzzFailure("memory stats unreadable:\n" + text)
    # the empty slabs the heap keeps for reuse count as free: a cache first grown by the fuzzer keeps one
    return int(m.group(1)) + int(kept.group(1)), tuple(int(x) for x in h.groups()), text


def stream_run(g, cmd, timeout, echo):
    """Type cmd, echo its output line by line until the next prompt. Returns
    (output, last progress line). Raises FuzzFailure on a kernel report, QEMU
    exit or timeout."""
    g.send(cmd)
    start = g.mark
    shown = start
    last = ""
    deadline = time.time() + timeout
    rx_prompt = re.compile(re.escape(PROMPT) + r"$", re.M)
    enosys = 0
    while True:
        text = g.out[start:]
        # echo complete lines as they arrive
        end = g.out.rfind("\n", shown)
        if end >= shown:
            for line in g.out[shown:end].split("\n"):
                if ENOSYS_LOG.match(line):
                    enosys += 1
                    continue
                if line.startswith("sysfuzz: child ") or line.startswith("sysfuzz: seed "):
                    last = line
                if echo:
                    print(line, flush=True)
            shown = end + 1
        fatal = FATAL.search(text)
        if fatal:
            # let the report finish printing (the kernel powers off after it)
            t_end = time.time() + 10
            while time.time() < t_end and g._pump(0.5) is not None:
                pass
            if echo:
                print(g.out[shown:], flush=True)
            at = start + fatal.start()
            report = g.out[g.out.rfind("\n", 0, at) + 1:at + 1200].rstrip()
            raise FuzzFailure("kernel report:\n%s\n" % report, last, g.out[start:])
        body = g.out.find("\n", start)  # past the echoed command line
        m = rx_prompt.search(g.out, body) if body >= 0 else None
        if m:
            g.mark = m.end()
            for line in g.out[shown:m.start()].rstrip("\n").split("\n"):
                if ENOSYS_LOG.match(line):
                    enosys += 1
                elif echo and line:
                    print(line, flush=True)
            if echo and enosys:
                print("fuzz: (%d 'not implemented' lines from the kernel not shown)" % enosys, flush=True)
            return g.out[start:m.start()], last
        if time.time() > deadline:
            raise FuzzFailure("no prompt after %d s (hang?)" % timeout, last, g.out[start:])
        r = g._pump(0.5)
        if r is None:
            raise FuzzFailure("QEMU exited", last, g.out[start:])


def replay_hint(seed, last, batch, exclude, jobs=1):
    m = re.match(r"sysfuzz: child (\d+) done", last or "")
    k = int(m.group(1)) + 1 if m else 0  # the child after the last one reported was running
    extra = (" -b %d" % batch if batch else "") + (" -x %s" % exclude if exclude else "")
    hint = "last progress %r; replay child %d: /bin/sysfuzz -s %d%s -c %d -v" % (last, k, seed, extra, k)
    if jobs and jobs > 1:  # several children ran at once: any recent one may be it
        hint += " (with -j %d: try children %d..%d too)" % (jobs, max(0, k - jobs), k + jobs)
    return hint


def run_seeds(g, seeds, calls, batch=None, exclude=None, timeout_ms=None, echo=True, log=print, jobs=None):
    """Run sysfuzz once per seed in an already booted guest (at the prompt).
    Returns a list of (seed, summary line). Raises FuzzFailure with the seed
    and the replay command on the first problem."""
    g.run("/bin/hello warmup")
    # a short run first: the kernel heap keeps an empty slab per cache once it grew
    try:
        stream_run(g, "/bin/sysfuzz -s 0 -n 3000 -p 1%s%s" % (" -j %d" % jobs if jobs and jobs > 1 else "",
                                                            " -x %s" % exclude if exclude else ""), 300, False)
    except FuzzFailure as e:
        last = e.args[1] if len(e.args) > 1 else ""
        raise FuzzFailure("warm-up run, seed 0: %s; %s" % (e.args[0], replay_hint(0, last, batch, exclude, jobs)))
    base, base_err, base_text = mem_stats(g)
    if any(base_err):
        raise FuzzFailure("heap errors before fuzzing: %r" % (base_err,))
    results = []
    for seed in seeds:
        cmd = "/bin/sysfuzz -s %d -n %d -p 1" % (seed, calls)
        if batch:
            cmd += " -b %d" % batch
        if exclude:
            cmd += " -x %s" % exclude
        if timeout_ms:
            cmd += " -t %d" % timeout_ms
        if jobs and jobs > 1:
            cmd += " -j %d" % jobs
        log("fuzz: %s" % cmd)
        t0 = time.time()
        try:
            out, last = stream_run(g, cmd, max(300, calls // 50), echo)
        except FuzzFailure as e:
            last = e.args[1] if len(e.args) > 1 else ""
            raise FuzzFailure("seed %d: %s; %s" % (seed, e.args[0], replay_hint(seed, last, batch, exclude, jobs)))
        took = time.time() - t0
        summary = re.search(r"^sysfuzz: seed \d+: \d+ calls in .*$", out, re.M)
        if "sysfuzz: done" not in out or not summary:
            raise FuzzFailure("seed %d: sysfuzz did not finish:\n%s\n%s" %
                              (seed, out[-1500:], replay_hint(seed, last, batch, exclude, jobs)))
        if "SOME STUCK" in out:
            raise FuzzFailure("seed %d: a child survived SIGKILL:\n%s" % (seed, out[-1500:]))
        if "alive" not in g.run("echo alive", timeout=60):
            raise FuzzFailure("seed %d: the shell does not answer" % seed)
        # orphans are reaped by the shell: give it a moment before comparing
        for _ in range(10):
            free, err, text = mem_stats(g)
            if free == base:
                break
            time.sleep(1)
        if any(err):
            raise FuzzFailure("seed %d: heap errors after fuzzing: %d double free, %d bad pointer, %d overflow" %
                              ((seed,) + err))
        if free != base:
            def heap(t):
                return "\n".join(l for l in t.split("\n") if re.search(r"heap:|page tables:|free:|used:", l))
            raise FuzzFailure("seed %d: free frames %d before, %d after (leak of %d frames); before:\n%s\nafter:\n%s\n"
                              "ps:\n%s" % (seed, base, free, base - free, heap(base_text), heap(text), g.run("ps")))
        log("fuzz: seed %d ok in %.0f s: kernel alive, %d free frames as before, no heap errors" % (seed, took, free))
        results.append((seed, summary.group(0)))
    return results


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seeds", default=os.environ.get("SEEDS") or os.environ.get("SEED") or "1")
    ap.add_argument("--calls", type=int, default=int(os.environ.get("CALLS") or 100000))
    ap.add_argument("--mem", type=int, default=int(os.environ.get("MEM") or 128))
    ap.add_argument("--batch", type=int, default=int(os.environ.get("BATCH") or 0) or None)
    ap.add_argument("--exclude", default=os.environ.get("EXCLUDE") or None)
    ap.add_argument("--timeout-ms", type=int, default=None)
    ap.add_argument("--jobs", type=int, default=int(os.environ.get("JOBS") or 1), help="children at a time")
    a = ap.parse_args()
    seeds = [int(s) for s in a.seeds.replace(",", " ").split()]
    g = Guest(kernel=KERNEL, mem=a.mem, initrd=INITRD, append="panic=poweroff")
    try:
        g.prompt(120)
        run_seeds(g, seeds, a.calls, a.batch, a.exclude, a.timeout_ms, jobs=a.jobs)
        g.send("poweroff")
        g.wait_exit(30)
    except (FuzzFailure, GuestError) as e:
        print("fuzz: FAIL %s" % e.args[0], flush=True)
        return 1
    finally:
        g.kill()
    print("fuzz: PASS seeds %s, %d calls each, at %d MiB" % (" ".join(map(str, seeds)), a.calls, a.mem))
    return 0


if __name__ == "__main__":
    sys.exit(main())
