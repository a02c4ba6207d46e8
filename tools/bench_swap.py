#!/usr/bin/env python3
"""The swap part of `make bench`: swapwork (user/swapwork.c: a third zero
pages, a third text, a third random bytes; written, read back, 20000 random
reads and writes, every page checked) at 64 and 96 MiB in a 64 MiB machine,
on EYN-OS and on Linux 6.1, both under qemu -icount shift=0: with a 512 MiB
swap disk, and with compression only (EYN-OS: its compressed pool and no
disk; Linux: lz4 zram of 256 MiB as its only swap). Writes the section
"Memory larger than RAM" of BENCHMARKS.md (replacing an earlier one).
Usage: bench_swap.py KERNEL SWAPWORK ANCHOR OUT.json BENCHMARKS.md"""
import json
import os
import re
import subprocess
import sys
import tarfile
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "boot"))
from qemu import Guest, GuestError  # noqa: E402

MEM = 64
SIZES = (64, 96)
OPS = 20000
PHASES = ("write", "read", "random")
OUT_RX = r"paged out: (\d+) \((\d+) to the pool, (\d+) to disk\), paged in: (\d+)"


def parse(out):
    """{phase: cycles per page} and whether every page was verified."""
    got = {p: int(v) for p, v in re.findall(r"SWAPWORK (\w+) cycles_per_page (\d+)", out)}
    return got, bool(re.search(r"SWAPWORK PASS \d+ pages verified", out))


def eyn_run(kernel, initrd, mib, disk):
    """One EYN-OS boot: swapwork MIB OPS, with a fresh swap disk or none. The result dict."""
    extra = ["-icount", "shift=0"]
    img = None
    if disk:
        img = tempfile.NamedTemporaryFile(suffix=".img", delete=False).name
        with open(img, "wb") as f:
            f.truncate(512 << 20)
        extra += ["-drive", "file=%s,if=virtio,format=raw" % img]
    g = Guest(kernel=kernel, initrd=initrd, mem=MEM, extra=extra)
    res = {"completed": False}
    try:
        g.prompt(120)
        if disk:
            g.run("/bin/busybox mkswap /dev/vda", 120)
            g.run("/bin/busybox swapon /dev/vda", 120)
        out = g.run("/bin/swapwork %d %d" % (mib, OPS), 3600)
        res["phases"], res["completed"] = parse(out)
        res["killed"] = "out of memory" in out
        stats = g.run("memory stats", 60)
        moved = re.search(OUT_RX, stats)
        if moved:
            res["paged_out"], res["to_pool"], res["to_disk"], res["paged_in"] = (int(x) for x in moved.groups())
        life = re.search(r"since boot: (\d+) pages compressed at ratio (\d+\.\d+)", stats)
        res["pool_ratio"] = life.group(2) if life else None
        cyc = re.search(r"cycles per page: out to the pool (\d+), to disk (\d+); in from the pool (\d+), from disk (\d+)",
                        stats)
        if cyc:
            res["cycles"] = dict(zip(("out_pool", "out_disk", "in_pool", "in_disk"), (int(x) for x in cyc.groups())))
    except GuestError as e:
        res["error"] = str(e)[:200]
    finally:
        g.kill()
        if img:
            os.unlink(img)
    return res


def linux_run(anchor, swapwork, mib, kind):
    """One Linux boot through the anchor with SWAP=disk:512 or zram:256."""
    env = dict(os.environ, SWAP="disk:512" if kind == "disk" else "zram:256")
    try:
        out = subprocess.run([anchor, swapwork, str(MEM), str(mib), str(OPS)], env=env, capture_output=True,
                             timeout=3600).stdout.decode("latin-1")
    except subprocess.TimeoutExpired:
        return {"completed": False, "error": "timeout"}
    phases, ok = parse(out)
    res = {"phases": phases, "completed": ok, "killed": "Killed" in out or "Out of memory" in out}
    m = re.search(r"zram mm_stat: ([\d ]+)", out)
    if m:  # orig_data_size compr_data_size mem_used_total ...
        f = [int(x) for x in m.group(1).split()]
        res["zram_ratio"] = "%.2f" % (f[0] / f[1]) if len(f) > 1 and f[1] else None
    return res


def cell(r, phase):
    if not r.get("completed"):
        return "killed" if r.get("killed") else "failed"
    return str(r["phases"].get(phase, "-"))


def ratio(e, l, phase):
    if not (e.get("completed") and l.get("completed")):
        return "-"
    return "%.2f" % (e["phases"][phase] / l["phases"][phase])


def report(results, path):
    lines = ["## Memory larger than RAM", "",
             "`tools/bench_swap.py` (part of `make bench`) runs `user/swapwork.c` in a 64 MiB machine under "
             "`qemu -icount shift=0`: a third zero pages, a third text, a third random bytes; every page written, "
             "read back in order, then %d random reads and writes; every page checked. Cycles per page of each "
             "phase (the random phase per operation). EYN-OS pages out to its compressed pool (40%% of RAM at "
             "most), then to a 512 MiB virtio swap disk when there is one; Linux 6.1 swaps to the same disk "
             "(`SWAP=disk:512`) or to lz4 zram of 256 MiB as its only swap (`SWAP=zram:256`)." % OPS, "",
             "| set | swap | phase | EYN-OS | Linux 6.1 | ratio |", "|---|---|---|---:|---:|---:|"]
    for mib in SIZES:
        for kind in ("disk", "zram"):
            e, l = results["eyn"]["%s-%d" % (kind, mib)], results["linux"]["%s-%d" % (kind, mib)]
            swap = "disk" if kind == "disk" else "compression only (EYN pool / Linux zram)"
            for ph in PHASES:
                lines.append("| %d MiB | %s | %s | %s | %s | %s |" % (mib, swap, ph, cell(e, ph), cell(l, ph),
                                                                 ratio(e, l, ph)))
    lines += ["", "Compression ratio seen at the end (EYN pool / Linux zram mm_stat orig/compr): " + "; ".join(
        "%s-%d: %s / %s" % (k.split("-")[0], int(k.split("-")[1]), results["eyn"][k].get("pool_ratio"),
                            results["linux"][k].get("zram_ratio")) for k in sorted(results["eyn"]) if "zram" in k), ""]
    lines += ["EYN-OS's pageout and swap-in costs (cycles per page, from `memory stats`), and where pages went:", ""]
    for k in sorted(results["eyn"]):
        e = results["eyn"][k]
        c = e.get("cycles", {})
        lines.append("- %s: out to the pool %s, to disk %s; in from the pool %s, from disk %s; paged out %s (%s to the "
                     "pool, %s to disk), paged in %s" % (k, c.get("out_pool"), c.get("out_disk"), c.get("in_pool"),
                                                        c.get("in_disk"), e.get("paged_out"), e.get("to_pool"),
                                                        e.get("to_disk"), e.get("paged_in")))
    lines.append("")
    text = open(path).read() if os.path.exists(path) else ""
    text = re.sub(r"\n## Memory larger than RAM\n.*?(?=\n## |\Z)", "\n", text, flags=re.S).rstrip("\n")
    with open(path, "w") as f:
        f.write(text + "\n\n" + "\n".join(lines))
    print("\n".join(lines))


def main():
    kernel, swapwork, anchor, out_json, md = sys.argv[1:6]
    tmp = tempfile.mkdtemp()
    initrd = os.path.join(tmp, "initrd.tar")
    with tarfile.open(initrd, "w", format=tarfile.USTAR_FORMAT) as tar:
        for name, src in (("swapwork", swapwork),
                          ("busybox", os.path.join(os.path.dirname(swapwork), "busybox"))):
            tar.add(src, arcname="bin/" + name)
    results = {"eyn": {}, "linux": {}}
    for mib in SIZES:
        for kind in ("disk", "zram"):
            key = "%s-%d" % (kind, mib)
            print("== %s" % key, file=sys.stderr, flush=True)
            results["eyn"][key] = eyn_run(kernel, initrd, mib, kind == "disk")
            results["linux"][key] = linux_run(anchor, swapwork, mib, kind)
            print(json.dumps({k: results[s][key] for k, s in (("eyn", "eyn"), ("linux", "linux"))}),
                  file=sys.stderr, flush=True)
    with open(out_json, "w") as f:
        json.dump(results, f, indent=1)
    report(results, md)


if __name__ == "__main__":
    main()
