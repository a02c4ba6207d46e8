#!/usr/bin/env bash
# `make bench`: the same static benchmark binary on EYN-OS and on Linux 6.1,
# both under qemu-system-i386 -icount shift=0 -m 128; prints one table and
# writes it to BENCHMARKS.md. Expects `make all bench-initrd` to have run.
# Not a test: nothing here fails because of a number.
set -euo pipefail
cd "$(dirname "$0")/.."
out=build/bench
anchor=${LINUX_ANCHOR:-$(cd .. && pwd)/shared/anchors/linux-i386.sh}
[ -x "$anchor" ] || { echo "bench: no Linux anchor script (set LINUX_ANCHOR)" >&2; exit 1; }

echo "== EYN-OS (build/kernel.elf, -icount shift=0)" >&2
python3 tools/bench_kernel.py build/kernel.elf "$out/initrd.tar" "$out/eyn.json"
echo "== Linux 6.1 686 through $anchor" >&2
python3 tools/bench_linux.py "$anchor" "$out/rootfs/bin/vmbench" "$out/linux.json"
echo "== results" >&2
python3 tools/bench_report.py "$out/eyn.json" "$out/linux.json" BENCHMARKS.md
echo "== memory larger than RAM: swapwork at 64 MiB, EYN-OS and Linux (disk swap, zram)" >&2
python3 tools/bench_swap.py build/kernel.elf build/rootfs/bin/swapwork "$anchor" "$out/swap.json" BENCHMARKS.md
echo "(written to BENCHMARKS.md)" >&2
