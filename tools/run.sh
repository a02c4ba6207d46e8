#!/bin/sh
# Boot an image in QEMU with the shell on this terminal (serial) and, when a
# display is available, on the VGA window too.
# Usage: run.sh IMAGE.iso|KERNEL.elf [MEM_MB] [QEMU ARGS...]
set -eu
img=$1
mem=${2:-128}
[ $# -ge 2 ] && shift 2 || shift 1
case $img in
    *.iso) boot="-cdrom $img" ;;
    *) boot="-kernel $img" ;;
esac
if [ -n "${DISPLAY:-}" ]; then display=""; else display="-display none"; fi
echo "Booting $img with $mem MiB. The shell is on this terminal; type 'poweroff' to quit (or Ctrl-A X)."
# shellcheck disable=SC2086
exec qemu-system-i386 $boot -m "$mem" $display -serial mon:stdio -no-reboot "$@"
