#!/usr/bin/env bash
# Run static i386 test programs on Debian's Linux 6.1 (686) kernel under
# qemu-system-i386, for hosts that cannot execute i386 binaries themselves
# (an x86_64 kernel without IA32 emulation). A busybox init runs each
# program in turn (in its own session) with a timeout and prints its output, then
# "linux-vm: NAME status N" per program; the machine then powers off.
# Usage: tests/user/linux-vm.sh BIN...   (paths to static i386 programs)
# The kernel and busybox come from Debian's i386 archive (the i386
# architecture is added and the packages downloaded once, as root), kept in
# LINUX_I386_CACHE (default /tmp/linux-i386).
set -euo pipefail
[ $# -gt 0 ] || { echo "usage: $0 BIN..." >&2; exit 2; }
cache=${LINUX_I386_CACHE:-/tmp/linux-i386}
mkdir -p "$cache"

# fetch PKG: download one Debian i386 package and unpack it into $cache/x.
fetch() {
    if ! dpkg --print-foreign-architectures | grep -qx i386; then
        [ "$(id -u)" = 0 ] || { echo "linux-vm: run 'sudo dpkg --add-architecture i386 && sudo apt-get update' first" >&2; exit 2; }
        dpkg --add-architecture i386
    fi
    (cd "$cache" && { apt-get download "$1:i386" >/dev/null 2>&1 ||
        { apt-get update -qq >/dev/null 2>&1 || true; apt-get download "$1:i386" >/dev/null; }; } &&
        dpkg -x "$(ls -t "$cache"/"${1%%:*}"_*.deb | head -1)" x)
}
if ! ls "$cache"/x/boot/vmlinuz-6.1* >/dev/null 2>&1; then
    pkg=$(apt-cache search --names-only '^linux-image-6\.1\.0-[0-9]+-686-unsigned$' | sort -V | tail -1 | cut -d' ' -f1)
    [ -n "$pkg" ] || { echo "linux-vm: no linux-image-6.1.0-*-686-unsigned package (apt-get update?)" >&2; exit 2; }
    fetch "$pkg"
fi
[ -x "$cache/x/bin/busybox" ] || fetch busybox-static
command -v cpio >/dev/null || { echo "linux-vm: needs cpio (apt-get install cpio)" >&2; exit 2; }

kernel=$(ls "$cache"/x/boot/vmlinuz-6.1* | head -1)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=$work/root
mkdir -p "$root"/{bin,proc,sys,dev,tmp,t}
cp "$cache/x/bin/busybox" "$root/bin/"
for a in sh mount timeout setsid poweroff echo; do ln -s busybox "$root/bin/$a"; done
{
    echo '#!/bin/sh'
    echo 'mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev'
    echo 'ulimit -s 8192; ulimit -c 0'
    for bin in "$@"; do
        name=$(basename "$bin")
        cp "$bin" "$root/t/$name"
        # in a session and process group of its own, as a login shell would start it
        echo "cd /t; timeout 60 setsid /t/$name; echo \"linux-vm: $name status \$?\""
    done
    echo 'poweroff -f'
} >"$root/init"
chmod +x "$root/init"
(cd "$root" && find . | cpio -o -H newc >"$work/initrd.cpio" 2>/dev/null)
timeout 1800 qemu-system-i386 -kernel "$kernel" -initrd "$work/initrd.cpio" \
    -append "console=ttyS0 quiet panic=-1" -m 256 -display none \
    -serial stdio -monitor none -no-reboot 2>&1 | tr -d '\r' | grep -v '^\[ *[0-9]'
