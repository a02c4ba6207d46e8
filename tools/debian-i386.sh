#!/bin/sh
# Put files of Debian's i386 packages into a root file system tree, as
# tools/debian-i386.list names them: each package is downloaded once into
# build/debs (adding the i386 architecture to dpkg when run as root, as
# tools/busybox.sh does), unpacked there, and the listed paths copied.
# Usage: debian-i386.sh ROOTFS [LIST]
set -eu
root=${1:?usage: debian-i386.sh ROOTFS [LIST]}
list=${2:-$(dirname "$0")/debian-i386.list}
cache=$(dirname "$0")/../build/debs
mkdir -p "$cache"

i386_arch() {
    dpkg --print-foreign-architectures | grep -qx i386 && return 0
    [ "$(id -u)" = 0 ] || { echo "debian-i386: run as root: dpkg --add-architecture i386 && apt-get update" >&2; exit 1; }
    dpkg --add-architecture i386
    apt-get update -qq >/dev/null 2>&1 || true
}

# fetch PACKAGE: unpack the newest cached (or newly downloaded) .deb into $cache/pkg-PACKAGE
fetch() {
    dir="$cache/pkg-$1"
    [ -d "$dir" ] && return 0
    if ! ls "$cache/$1"_*_i386.deb >/dev/null 2>&1; then
        i386_arch
        (cd "$cache" && { apt-get download "$1:i386" >/dev/null 2>&1 ||
            { apt-get update -qq >/dev/null 2>&1 || true; apt-get download "$1:i386" >/dev/null; }; })
    fi
    deb=$(ls -t "$cache/$1"_*_i386.deb | head -1)
    rm -rf "$dir.tmp"
    dpkg -x "$deb" "$dir.tmp"
    mv "$dir.tmp" "$dir"
}

grep -v '^[[:space:]]*\(#\|$\)' "$list" | while read -r pkg paths; do
    fetch "$pkg"
    for p in $paths; do
        [ -e "$cache/pkg-$pkg/$p" ] || [ -L "$cache/pkg-$pkg/$p" ] || { echo "debian-i386: $pkg has no $p" >&2; exit 1; }
        mkdir -p "$root/$(dirname "$p")"
        cp -a "$cache/pkg-$pkg/$p" "$root/$p"
        if [ -L "$cache/pkg-$pkg/$p" ]; then # a library's soname link: its file too
            t=$(readlink "$cache/pkg-$pkg/$p")
            case $t in /*) t=${t#/} ;; *) t=$(dirname "$p")/$t ;; esac
            [ -e "$cache/pkg-$pkg/$t" ] && { mkdir -p "$root/$(dirname "$t")"; cp -a "$cache/pkg-$pkg/$t" "$root/$t"; }
        fi
    done
done
