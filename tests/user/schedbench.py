#!/usr/bin/env python3
"""Measure the scheduler with few and many processes alive: build
tests/user/schedbench.c, pack it with build/rootfs into a scratch initrd,
boot build/kernel.elf under qemu -icount shift=0 and run
`/bin/schedbench N` for each N given (default 1 and 1000).
Usage: tests/user/schedbench.py [N...]"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "boot"))
from qemu import Guest  # noqa: E402


def main():
    counts = [int(a) for a in sys.argv[1:]] or [1, 1000]
    tmp = tempfile.mkdtemp()
    try:
        shutil.copytree(os.path.join(ROOT, "build", "rootfs", "bin"), os.path.join(tmp, "bin"), symlinks=True)
        subprocess.check_call(["gcc", "-m32", "-static", "-s", "-O2", "-Wall", "-Wextra", "-Werror",
                               os.path.join(ROOT, "tests", "user", "schedbench.c"), "-o",
                               os.path.join(tmp, "bin", "schedbench")])
        initrd = os.path.join(tmp, "initrd.tar")
        subprocess.check_call(["tar", "--format=ustar", "-C", tmp, "-cf", initrd, "bin"])
        g = Guest(kernel=os.path.join(ROOT, "build", "kernel.elf"), initrd=initrd, mem=128,
                  extra=["-icount", "shift=0"])
        try:
            g.prompt(120)
            for n in counts:
                out = g.run("/bin/schedbench %d" % n, 600)
                m = re.search(r"SCHEDBENCH .*", out)
                print(m.group(0) if m else "no result:\n" + out, flush=True)
            g.send("poweroff")
            g.wait_exit(60)
        finally:
            g.kill()
    finally:
        shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
