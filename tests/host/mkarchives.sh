#!/bin/sh
# Real archives for tests/host/test_ustar.c, made with the host's GNU tar.
#   tests/host/mkarchives.sh OUTDIR
# OUTDIR/src and OUTDIR/src2 are the trees; the test compares every archive
# against them. Archives (all with the same owner, group and mtime):
#   ustar-dot.tar    --format=ustar, members "./bin/hello" (prefix field for the long path)
#   ustar-plain.tar  --format=ustar, members "bin/hello"
#   gnu.tar          --format=gnu, src + src2 (GNU 'L'/'K' long names)
#   oldgnu.tar       --format=oldgnu, src + src2
#   pax.tar          --format=pax, src + src2 (pax 'x' headers)
#   nodirs.tar       --format=gnu, no directory entries at all
set -eu

out=${1:?usage: $0 OUTDIR}
rm -rf "$out"
mkdir -p "$out/src" "$out/src2"
cd "$out/src"

a90=$(printf 'a%.0s' $(seq 90))
b90=$(printf 'b%.0s' $(seq 90))
c150=$(printf 'c%.0s' $(seq 150))

mkdir -p bin etc empty loop "long/$a90" deep/1/2/3/4/5/6/7/8
printf 'hello, initrd\n' > bin/hello
ln bin/hello bin/hardhello
ln -s hello bin/sh
seq 1 400 | sed 's/^/motd line /' > etc/motd   # several blocks, not a multiple of 512
ln -s /bin/hello etc/abs
ln -s ../bin etc/up
ln -s b loop/a
ln -s a loop/b
: > emptyfile
printf 'long path\n' > "long/$a90/$b90.txt"
printf 'deep\n' > deep/1/2/3/4/5/6/7/8/file
chmod 0755 bin/hello bin bin etc empty loop long "long/$a90" deep
chmod 0640 etc/motd
chmod 0600 emptyfile
chmod 0644 "long/$a90/$b90.txt" deep/1/2/3/4/5/6/7/8/file

cd "$out/src2"
printf 'very long name\n' > "$c150"
chmod 0644 "$c150"
ln -s "long/$a90/$b90.txt" longlink

cd "$out"
same='--sort=name --mtime=@1700000000 --owner=0 --group=0 --numeric-owner'
# shellcheck disable=SC2086
{
    tar $same --format=ustar -cf ustar-dot.tar -C src .
    tar $same --format=ustar -cf ustar-plain.tar -C src bin deep empty emptyfile etc long loop
    tar $same --format=gnu -cf gnu.tar -C src . -C ../src2 .
    tar $same --format=oldgnu -cf oldgnu.tar -C src . -C ../src2 .
    tar $same --format=pax -cf pax.tar -C src . -C ../src2 .
    (cd src && find . ! -type d | LC_ALL=C sort) > nodirs.list
    tar $same --format=gnu --no-recursion -cf nodirs.tar -C src -T nodirs.list
}
touch stamp
