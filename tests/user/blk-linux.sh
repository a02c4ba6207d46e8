#!/usr/bin/env bash
# Run user/blkcheck on Debian's Linux 6.1 (686) kernel under QEMU, on a
# writable and a read-only virtio disk, so its expectations are checked
# against Linux itself (the boot tests run the same program here).
# Usage: tests/user/blk-linux.sh     (prints blkcheck's lines; exit 0 if both passed)
# Needs what tests/user/linux-vm.sh needs, after one run of it (the kernel,
# its modules and busybox in LINUX_I386_CACHE, default /tmp/linux-i386).
set -euo pipefail
cd "$(dirname "$0")/../.."
cache=${LINUX_I386_CACHE:-/tmp/linux-i386}
kernel=$(ls "$cache"/x/boot/vmlinuz-6.1* | head -1)
mods=$(ls -d "$cache"/x/lib/modules/*/kernel)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=$work/root
mkdir -p "$root"/{bin,proc,sys,dev,mod}
cp "$cache/x/bin/busybox" "$root/bin/"
for a in sh mount insmod poweroff echo; do ln -s busybox "$root/bin/$a"; done
cp "$mods"/drivers/virtio/{virtio,virtio_ring,virtio_pci_modern_dev,virtio_pci_legacy_dev,virtio_pci}.ko \
   "$mods"/drivers/block/virtio_blk.ko "$root/mod/"
gcc -m32 -static -O2 -Wall -Wextra -Werror user/blkcheck.c -o "$root/blkcheck"
size=$((4 << 20))
head -c $size /dev/urandom >"$work/rw.img"
head -c $size /dev/urandom >"$work/ro.img"
cat >"$root/init" <<INIT
#!/bin/sh
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
for m in virtio virtio_ring virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci virtio_blk; do insmod /mod/\$m.ko; done
/blkcheck /dev/vda $size; echo "blk-linux: vda status \$?"
/blkcheck /dev/vdb $size ro; echo "blk-linux: vdb status \$?"
poweroff -f
INIT
chmod +x "$root/init"
(cd "$root" && find . | cpio -o -H newc >"$work/initrd.cpio" 2>/dev/null)
cp "$work/rw.img" "$work/rw.orig"
out=$(timeout 600 qemu-system-i386 -kernel "$kernel" -initrd "$work/initrd.cpio" \
    -append "console=ttyS0 quiet panic=-1" -m 256 -display none -serial stdio -monitor none -no-reboot \
    -drive file="$work/rw.img",if=virtio,format=raw -drive file="$work/ro.img",if=virtio,format=raw,readonly=on \
    2>&1 | tr -d '\r' | grep -E 'blkcheck|blk-linux')
echo "$out"
cmp -s "$work/rw.img" "$work/rw.orig" || { echo "blk-linux: blkcheck left the disk changed"; exit 1; }
[ "$(echo "$out" | grep -c 'status 0')" = 2 ]
