#!/bin/sh
# Put Debian's busybox-static (i386) at $1/bin/busybox, downloading the
# package once into build/debs (adding the i386 architecture to dpkg when
# run as root, as tools/deps.sh installs the other packages).
# Usage: busybox.sh ROOTFS
set -eu
root=${1:?usage: busybox.sh ROOTFS}
cache=$(dirname "$0")/../build/debs
mkdir -p "$cache" "$root/bin"
if [ ! -x "$cache/x/bin/busybox" ]; then
    if ! dpkg --print-foreign-architectures | grep -qx i386; then
        [ "$(id -u)" = 0 ] || { echo "busybox: run as root: dpkg --add-architecture i386 && apt-get update" >&2; exit 1; }
        dpkg --add-architecture i386
        apt-get update -qq >/dev/null 2>&1 || true
    fi
    (cd "$cache" && { apt-get download busybox-static:i386 >/dev/null 2>&1 ||
        { apt-get update -qq >/dev/null 2>&1 || true; apt-get download busybox-static:i386 >/dev/null; }; })
    dpkg -x "$(ls -t "$cache"/busybox-static_*.deb | head -1)" "$cache/x"
fi
cp "$cache/x/bin/busybox" "$root/bin/busybox"
