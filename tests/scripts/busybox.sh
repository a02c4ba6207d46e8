#!/bin/sh
# The everyday busybox applets, called by name through their links in
# /bin and /usr/bin, each checked by its exact output: files made, copied,
# moved, linked, listed, searched, sorted, counted, cut, compressed and
# archived in /tmp; pipelines, background jobs, kill and wait, here-documents
# and redirections. Prints "ok NAME" or "FAIL busybox.sh: NAME" (with what was
# expected and what came) per check and "PASS busybox.sh" only if all passed.
d=/tmp/eyn-busybox.$$
failed=0

# check NAME EXPECTED ACTUAL: the two texts must be equal
check() {
    if [ "$2" = "$3" ]; then
        echo "ok $1"
    else
        echo "FAIL busybox.sh: $1"
        echo "  expected: [$2]"
        echo "  got:      [$3]"
        failed=$((failed + 1))
    fi
}

mkdir -p $d/src/sub/deeper
cd $d || exit 1

# --- files: echo, cat, cp, mv, rm, mkdir, ln -s, ls -l, readlink, realpath
printf 'hello\n' > src/hello.txt
check cat "hello" "$(cat src/hello.txt)"
cp src/hello.txt src/copy.txt
check cp "hello" "$(cat src/copy.txt)"
mv src/copy.txt src/sub/moved.txt
check mv "gone hello" "$([ -e src/copy.txt ] || echo gone) $(cat src/sub/moved.txt)"
ln -s ../hello.txt src/sub/link
check "ln -s" "../hello.txt hello" "$(readlink src/sub/link) $(cat src/sub/link)"
check realpath "$d/src/hello.txt" "$(realpath src/sub/link)"
chmod 640 src/hello.txt
check "ls -l" "-rw-r----- 1 root root 6 src/hello.txt" \
    "$(ls -l src/hello.txt | awk '{print $1, $2, $3, $4, $5, $9}')"
check "ls -l symlink" "lrwxrwxrwx root root 12 src/sub/link -> ../hello.txt" \
    "$(ls -l src/sub/link | awk '{print $1, $3, $4, $5, $9, $10, $11}')"
check "ls -ld" "drwxr-xr-x root" "$(ls -ld src | awk '{print $1, $3}')"
check "ls" "hello.txt
sub" "$(ls src)"
rm src/sub/moved.txt
check rm "" "$(ls src/sub/moved.txt 2>/dev/null)"
mkdir src/a src/a/b 2>/dev/null
check "mkdir" "src/a src/a/b" "$(find src/a | sort | xargs echo)"
rmdir src/a/b src/a
touch -d '2020-01-02 03:04:05' src/stamp
check "touch -d, stat" "2020-01-02 03:04:05 0 regular empty file" \
    "$(stat -c '%y %s %F' src/stamp | sed 's/\.0*//; s/ +0000//')"
check "stat -c" "644 root root" "$(stat -c '%a %U %G' src/stamp)"
check "du" "4	src/hello.txt" "$(du src/hello.txt)"
check "basename dirname" "c.txt /a/b" "$(basename /a/b/c.txt) $(dirname /a/b/c.txt)"
t=$(mktemp)
check "mktemp" "yes" "$(case $t in /tmp/tmp.??????) [ -f $t ] && echo yes;; esac)"
rm -f $t

# --- pipelines: find, xargs, grep, sed, awk, sort, uniq, wc, head, tail, cut, tr
for f in one two three four; do echo "word $f" > src/sub/$f.txt; done
echo "other" > src/sub/deeper/five.dat
check "find -name" "src/sub/four.txt
src/sub/one.txt
src/sub/three.txt
src/sub/two.txt" "$(find src -name '*.txt' -path '*sub*' | sort)"
check "find|xargs|grep" "src/sub/three.txt
src/sub/two.txt" "$(find src/sub -type f | xargs grep -l 'word t' | sort)"
check "find -type d" "src
src/sub
src/sub/deeper" "$(find src -type d | sort)"
check "grep -c" "4" "$(cat src/sub/*.txt | grep -c word)"
check "grep -v" "other" "$(cat src/sub/deeper/five.dat src/sub/one.txt | grep -v word)"
check "sed" "WORD one" "$(sed 's/word/WORD/' src/sub/one.txt)"
check "sed -n p" "2" "$(seq 5 | sed -n 2p)"
check "awk" "15 5" "$(seq 5 | awk '{s += $1} END {print s, NR}')"
check "awk -F" "b" "$(echo a:b:c | awk -F: '{print $2}')"
printf 'pear\napple\npear\nfig\napple\npear\n' > fruit
check "sort" "apple apple fig pear pear pear" "$(sort fruit | xargs echo)"
check "sort -r" "pear" "$(sort -r fruit | head -n 1)"
check "sort -n" "2 9 10 100" "$(printf '10\n9\n100\n2\n' | sort -n | xargs echo)"
check "sort|uniq -c" "      2 apple
      1 fig
      3 pear" "$(sort fruit | uniq -c)"
check "uniq" "apple fig pear" "$(sort fruit | uniq | xargs echo)"
check "wc" "        6         6        31 fruit" "$(wc fruit)"
check "wc -l" "6" "$(wc -l < fruit)"
check "head" "1 2 3" "$(seq 10 | head -n 3 | xargs echo)"
check "tail" "9 10" "$(seq 10 | tail -n 2 | xargs echo)"
check "tail -c" "10" "$(seq 10 | tail -c 3)"
check "cut -d -f" "b:c" "$(echo a:b:c | cut -d: -f2-)"
check "cut -c" "ell" "$(echo hello | cut -c 2-4)"
check "tr" "HELLO" "$(echo hello | tr a-z A-Z)"
check "tr -d" "hll" "$(echo hello | tr -d eo)"
check "yes|head" "y y y" "$(yes | head -n 3 | xargs echo)"
check "seq" "1 3 5" "$(seq 1 2 5 | xargs echo)"
check "printf" "x=007 y=ab 1.50" "$(printf 'x=%03d y=%s %.2f' 7 ab 1.5)"
check "expr" "7 3 1" "$(expr 3 + 4) $(expr length abc) $(expr 5 \> 2)"
check "test" "file dir neg" "$(test -f fruit && echo file) $(test -d src && echo dir) $(test 2 -gt 3 || echo neg)"

# --- bytes: dd, md5sum, od, hexdump, cmp, diff
dd if=/dev/zero of=zeros bs=1000 count=3 2>dd.err
check "dd bs count" "3000" "$(stat -c %s zeros)"
check "dd report" "3+0 records in
3+0 records out" "$(head -n 2 dd.err)"
seq 1000 > numbers
dd if=numbers of=part bs=10 skip=1 count=2 2>/dev/null
check "dd skip" "20 $(head -c 30 numbers | tail -c 20)" "$(stat -c %s part) $(cat part)"
check "md5sum" "b1946ac92492d2347c6235b4d2611184  src/hello.txt" "$(md5sum src/hello.txt)"
check "md5sum -" "53d025127ae99ab79e8502aae2d9bea6  -" "$(md5sum < numbers)"
check "od -c" "0000000   a   b  \n
0000003" "$(echo ab | od -c)"
check "od -An -tx1" " 41 42 0a" "$(echo AB | od -An -tx1)"
check "hexdump -C" "00000000  68 65 6c 6c 6f 0a                                 |hello.|
00000006" "$(hexdump -C src/hello.txt)"
check "cmp same" "0" "$(cmp numbers numbers; echo $?)"
seq 999 > fewer
echo 1001 >> fewer
check "cmp differ" "1" "$(cmp -s numbers fewer; echo $?)"
check "diff" "--- numbers
+++ fewer
@@ -997,4 +997,4 @@
 997
 998
 999
-1000
+1001" "$(diff -u numbers fewer | sed 's/\t.*//')"
check "diff same" "0" "$(diff numbers numbers; echo $?)"

# --- compression and archives: gzip, gunzip, tar
cp numbers n2
gzip n2
check "gzip" "n2.gz" "$(ls n2*)"
gunzip n2.gz
check "gunzip" "0" "$(cmp numbers n2; echo $?)"
check "gzip -c|gunzip -c" "0" "$(gzip -c numbers | gunzip -c | cmp - numbers; echo $?)"
check "gzip -9 size" "yes" "$([ "$(gzip -9c numbers | wc -c)" -lt "$(wc -c < numbers)" ] && echo yes)"
tar cf tree.tar src
mkdir out
tar xf tree.tar -C out
check "tar tf" "src/
src/hello.txt
src/stamp
src/sub/
src/sub/deeper/
src/sub/deeper/five.dat
src/sub/four.txt
src/sub/link
src/sub/one.txt
src/sub/three.txt
src/sub/two.txt" "$(tar tf tree.tar | sort)"
check "tar x: same tree" "$(cd src && find . | sort)" "$(cd out/src && find . | sort)"
check "tar x: same bytes" "$(cd src && find . -type f | sort | xargs md5sum)" \
    "$(cd out/src && find . -type f | sort | xargs md5sum)"
check "tar x: diff -r" "0" "$(diff -r src out/src; echo $?)"
check "tar x: symlink" "../hello.txt" "$(readlink out/src/sub/link)"
check "tar x: mode and mtime" "640 $(stat -c %Y src/stamp)" \
    "$(stat -c %a out/src/hello.txt) $(stat -c %Y out/src/stamp)"
tar czf tree.tgz src
check "tar z" "11" "$(tar tzf tree.tgz | wc -l)"

# --- processes: sleep, background jobs, wait, kill
sleep 1 &
p1=$!
sleep 1 &
p2=$!
wait
check "sleep & wait" "gone gone" \
    "$(kill -0 $p1 2>/dev/null || echo gone) $(kill -0 $p2 2>/dev/null || echo gone)"
sleep 1 & p1=$!
(exit 3) & p2=$!
wait $p1
s1=$?
wait $p2
check "wait PID status" "0 3" "$s1 $?"
sleep 100 &
p=$!
kill $p
wait $p
check "kill: SIGTERM status" "143" "$?"
sleep 100 &
p=$!
kill -9 $p
wait $p
check "kill -9 status" "137" "$?"
sleep 100 &
p=$!
kill -s INT $p
wait $p
check "kill -s INT status" "130" "$?"
check "kill -l" "TERM" "$(kill -l 15)"
start=$(date +%s)
sleep 1
check "sleep 1" "yes" "$(e=$(($(date +%s) - start)); [ $e -ge 1 ] && [ $e -le 3 ] && echo yes)"

# --- the shell: here-documents, $(...), redirections
x=world
check "here-document" "hello world
3" "$(cat <<EOF
hello $x
$((1 + 2))
EOF
)"
check "here-document quoted" 'hello $x' "$(cat <<'EOF'
hello $x
EOF
)"
check "here-document <<-" "tabs gone" "$(cat <<-EOF
	tabs gone
	EOF
)"
check "nested \$(...)" "3" "$(echo $(echo $(seq 3 | wc -l)))"
echo first > redir
echo second >> redir
check "> and >>" "first
second" "$(cat < redir)"
check "2>&1" "err" "$( (echo err >&2) 2>&1)"
check "2>/dev/null" "" "$(ls /nonexistent 2>/dev/null)"
check ">/dev/null" "" "$(echo gone >/dev/null)"
check "</dev/null" "0" "$(wc -c </dev/null)"
exec 3>fd3
echo via3 >&3
exec 3>&-
check "exec 3>" "via3" "$(cat fd3)"
check "while read" "a-1 b-2" "$(printf 'a 1\nb 2\n' | while read k v; do printf '%s-%s ' $k $v; done | sed 's/ $//')"

# --- the system: id, hostname, uname, env, which, date, sync
check "id -u -un" "0 root" "$(id -u) $(id -un)"
check "id -g -gn" "0 root" "$(id -g) $(id -gn)"
check "id" "uid=0(root) gid=0(root)" "$(id)"
check "hostname" "$(cat /etc/hostname)" "$(hostname)"
check "uname -m" "i686" "$(uname -m)"
check "env" "FOO=bar" "$(FOO=bar env | grep '^FOO=')"
check "which" "/bin/ls /usr/bin/awk" "$(which ls) $(which awk)"
check "date -d @" "1970-01-02 10:17:36" "$(date -u -d @123456 '+%Y-%m-%d %H:%M:%S')"
check "date" "yes" "$([ "$(date +%Y)" -ge 2024 ] && echo yes)"
sync
check "sync" "0" "$?"

cd /
rm -r $d
check "rm -r" "" "$(ls -d $d 2>/dev/null)"
[ $failed -eq 0 ] && echo "PASS busybox.sh" || echo "FAIL busybox.sh: $failed checks failed"
