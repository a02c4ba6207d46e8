#!/usr/bin/env bash
# The user-space tests on a real i386 Linux, for hosts whose kernel cannot
# run 32-bit programs (no IA32 emulation, so run-native.sh fails with
# 'Syntax error: "(" unexpected'): builds each user/t_NAME.c like
# run-native.sh and runs them all, in one boot, as ordinary processes (not
# PID 1) under a busybox /init on Debian's Linux 6.1 686 kernel in
# qemu-system-i386. Ends with "linux-i386: N passed, M failed".
# Needs the kernel and busybox-static packages that
# ../shared/anchors/linux-i386.sh downloads (run it once), kept in
# LINUX_I386_CACHE (default /tmp/linux-i386).
# Usage: tests/user/run-linux-i386.sh [t_NAME...]   (default: all but t_stdin)
set -uo pipefail
cd "$(dirname "$0")/../.."
cache=${LINUX_I386_CACHE:-/tmp/linux-i386}
kernel=$(ls "$cache"/x/boot/vmlinuz-* 2>/dev/null | head -1)
if [ -z "$kernel" ] || [ ! -x "$cache/x/bin/busybox" ]; then
    echo "run-linux-i386: no i386 kernel or busybox in $cache (see ../shared/anchors/linux-i386.sh)" >&2
    exit 2
fi
if [ $# -gt 0 ]; then
    names=("$@")
else
    names=()
    for src in user/t_*.c; do
        [ "$src" = user/t_stdin.c ] && continue
        names+=("$(basename "$src" .c)")
    done
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/root"/{bin,proc,tmp}
cp "$cache/x/bin/busybox" "$work/root/bin/"
for a in sh mount poweroff timeout tail setsid; do ln -s busybox "$work/root/bin/$a"; done
built=()
failed=0
for name in "${names[@]}"; do
    if gcc -m32 -static -O2 -Wall -Wextra -Werror "user/$name.c" -o "$work/root/bin/$name"; then
        built+=("$name")
    else
        echo "FAIL $name: does not compile"
        failed=$((failed + 1))
    fi
done
{
    echo '#!/bin/sh'
    echo 'mount -t proc proc /proc; cd /; ulimit -s 8192; ulimit -c 0'
    echo 'setsid /bin/sh /tests' # a session and group of their own, not init's session 0
    echo 'poweroff -f'
} > "$work/root/init"
{
    for name in "${built[@]}"; do
        echo "timeout 60 /bin/$name > /tmp/out 2>&1; rc=\$?; cat /tmp/out"
        echo "if [ \$rc -eq 0 ] && [ \"\$(tail -n 1 /tmp/out)\" = 'PASS $name' ]; then echo 'RESULT pass $name'; else echo \"RESULT fail $name (exit status \$rc)\"; fi"
    done
} > "$work/root/tests"
chmod +x "$work/root/init"
(cd "$work/root" && find . | cpio -o -H newc > "$work/initrd.cpio" 2>/dev/null)
log=$(timeout 1200 qemu-system-i386 -kernel "$kernel" -initrd "$work/initrd.cpio" \
    -append "console=ttyS0 quiet panic=-1" -m 256 -display none -serial stdio -monitor none \
    -no-reboot 2>&1 | tr -d '\r' | grep -v '^\[')
echo "$log" | grep -v '^RESULT'
passed=$(echo "$log" | grep -c '^RESULT pass')
failed=$((failed + $(echo "$log" | grep -c '^RESULT fail')))
echo "$log" | grep '^RESULT fail' | sed 's/^RESULT fail/FAIL/'
missing=$(( ${#built[@]} - passed - $(echo "$log" | grep -c '^RESULT fail') ))
[ "$missing" -gt 0 ] && { echo "run-linux-i386: $missing test(s) reported nothing"; failed=$((failed + missing)); }
echo "linux-i386: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
