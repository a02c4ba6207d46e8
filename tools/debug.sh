#!/bin/sh
# Boot an image in QEMU as tools/run.sh does, but frozen at the first
# instruction with QEMU's GDB stub listening (-S -gdb tcp::PORT; PORT 1234
# is QEMU's -s), after printing the gdb command that attaches with the
# kernel's symbols.
# Usage: debug.sh IMAGE.iso|KERNEL.elf SYMBOLS.elf [MEM_MB] [PORT] [QEMU ARGS...]
set -eu
img=$1
elf=$2
mem=${3:-128}
port=${4:-1234}
[ $# -ge 4 ] && shift 4 || shift $#
echo "QEMU waits for gdb on port $port. In another terminal, attach with:"
echo
echo "    gdb $elf -ex 'target remote localhost:$port'"
echo
echo "then e.g. 'break page_fault_trap', 'continue', and after it stops 'bt'."
exec "$(dirname "$0")/run.sh" "$img" "$mem" -S -gdb "tcp::$port" "$@"
