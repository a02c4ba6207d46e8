#!/bin/sh
# A shell script's view of the writable root: files in /tmp made, appended,
# copied, moved, linked, compressed, listed, read back and removed with
# busybox's applets; /dev's memory devices as scripts use them. Prints "PASS tmpfs.sh" only if every step worked.
set -e
bb=/bin/busybox
d=/tmp/eyn-script.$$
fail() { echo "FAIL tmpfs.sh: $*"; exit 1; }

$bb mkdir -p $d/sub
echo "line one" > $d/a
echo "line two" >> $d/a
[ "$($bb cat $d/a)" = "line one
line two" ] || fail "append"
$bb seq 1 2000 > $d/numbers
[ "$($bb wc -l < $d/numbers)" -eq 2000 ] || fail "seq into a file"
[ "$($bb sort -rn $d/numbers | $bb head -n 1)" -eq 2000 ] || fail "sort"
$bb cp $d/a $d/sub/b
$bb mv $d/sub/b $d/c
[ ! -e $d/sub/b ] || fail "mv left the source"
$bb ln -s c $d/link
$bb ln $d/c $d/hard
[ "$($bb readlink $d/link)" = c ] || fail "readlink"
[ "$($bb cat $d/link)" = "$($bb cat $d/a)" ] || fail "read through a symlink"
[ "$($bb stat -c %h $d/c)" -eq 2 ] || fail "link count"
$bb gzip -c $d/numbers > $d/numbers.gz
[ "$($bb gunzip -c $d/numbers.gz | $bb md5sum | $bb cut -d' ' -f1)" = \
  "$($bb md5sum < $d/numbers | $bb cut -d' ' -f1)" ] || fail "gzip round trip"
i=0
while [ $i -lt 100 ]; do echo $i > $d/sub/f$i; i=$((i + 1)); done
[ "$($bb ls $d/sub | $bb wc -l)" -eq 100 ] || fail "100 files listed"
$bb truncate -s 5 $d/numbers
[ "$($bb stat -c %s $d/numbers)" -eq 5 ] || fail "truncate"
[ "$($bb cat $d/numbers)" = "1
2
3" ] || fail "contents after truncate"
echo discarded > /dev/null || fail "/dev/null"
[ "$($bb head -c 100 /dev/zero | $bb wc -c)" -eq 100 ] || fail "/dev/zero"
[ "$($bb head -c 100 /dev/urandom | $bb wc -c)" -eq 100 ] || fail "/dev/urandom"
if echo x 2>/dev/null > /dev/full; then fail "/dev/full accepted a write"; fi
[ -c /dev/null ] && [ -c /dev/tty ] || fail "device nodes"
[ -d /dev/shm ] && [ -d /tmp ] || fail "/dev/shm and /tmp"
$bb rm -r $d
[ ! -e $d ] || fail "rm -r"
echo "PASS tmpfs.sh"
