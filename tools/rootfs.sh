#!/bin/sh
# Finish the root file system tree at $1 before it is packed into the initrd:
# busybox's applet links, as its own `busybox --list-full` says, each a
# symlink to /bin/busybox (a program already there, one of the project's own
# in /bin, wins over an applet of the same name); /bin/sh; the files of
# tools/skel (/etc/passwd, group, hostname, profile...); /root, /home/user.
# busybox is an i386 static program: it runs natively where the host kernel
# can, otherwise under qemu-i386 (Debian's qemu-user, see tools/deps.sh).
# Usage: rootfs.sh ROOTFS
set -eu
root=${1:?usage: rootfs.sh ROOTFS}
here=$(dirname "$0")
bb=$root/bin/busybox

if "$bb" true >/dev/null 2>&1; then
    list=$("$bb" --list-full)
elif command -v qemu-i386 >/dev/null 2>&1; then
    list=$(qemu-i386 "$bb" --list-full)
else
    echo "rootfs: cannot run the i386 busybox to list its applets; install qemu-user (tools/deps.sh)" >&2
    exit 1
fi
[ -n "$list" ] || { echo "rootfs: busybox --list-full printed nothing" >&2; exit 1; }

mkdir -p "$root/bin" "$root/sbin" "$root/usr/bin" "$root/usr/sbin"
n=0
for path in $list; do
    dst=$root/$path
    case $path in */*) ;; *) continue ;; esac  # the four bin directories, not /linuxrc
    [ "$path" = bin/busybox ] && continue
    # a real file here is one of the project's programs: it stays
    if [ -e "$dst" ] && [ ! -L "$dst" ]; then continue; fi
    mkdir -p "$(dirname "$dst")"
    ln -sfn /bin/busybox "$dst"
    n=$((n + 1))
done
echo "rootfs: $n busybox applet links"

cp -R "$here/skel/." "$root/"
chmod 0644 "$root"/etc/*
mkdir -p "$root/root" "$root/home/user"
chmod 0700 "$root/root"
chmod 0755 "$root/home/user"
