#!/usr/bin/env bash
# Checks the user-space tests themselves: builds every user/t_*.c as a static
# 32-bit glibc program (build/native/) and runs each one on Linux — on this
# host when it can execute i386 programs, otherwise on Debian's Linux 6.1
# i386 kernel under QEMU (tests/user/linux-vm.sh). A test passes when it
# exits 0 and its last line is "PASS t_NAME".
# Ends with "native: N passed, M failed"; exits non-zero on any failure.
# Usage: tests/user/run-native.sh [t_NAME...]   (default: all of them)
set -uo pipefail
cd "$(dirname "$0")/../.."
out=build/native
mkdir -p "$out"

if [ $# -gt 0 ]; then
    names=("$@")
else
    names=()
    for src in user/t_*.c; do
        [ "$src" = user/t_stdin.c ] && continue # interactive: the boot tests type into it
        names+=("$(basename "$src" .c)")
    done
fi

passed=0
failed=0
built=()
for name in "${names[@]}"; do
    if gcc -m32 -static -O2 -Wall -Wextra -Werror "user/$name.c" -o "$out/$name"; then
        built+=("$name")
    else
        echo "FAIL $name: does not compile"
        failed=$((failed + 1))
    fi
done

# verdict NAME LOG STATUS: count one test's result.
verdict() {
    if [ "$3" -eq 0 ] && [ "$(printf '%s\n' "$2" | tail -n 1)" = "PASS $1" ]; then
        passed=$((passed + 1))
    else
        [ "$3" -eq 124 ] || [ "$3" -eq 143 ] && echo "FAIL $1: timed out"
        echo "  ($1 exit status $3)"
        failed=$((failed + 1))
    fi
}

echo 'int main(void){return 0;}' >"$out/probe.c"
if gcc -m32 -static "$out/probe.c" -o "$out/probe" && "$out/probe" 2>/dev/null; then
    # The tests expect Linux defaults: 8 MiB stack limit, no core files.
    ulimit -s 8192 2>/dev/null || echo "run-native: could not set an 8 MiB stack limit"
    ulimit -c 0 2>/dev/null || true
    for name in "${built[@]}"; do
        log=$(timeout 20 "$out/$name" 2>&1)
        rc=$?
        echo "$log"
        verdict "$name" "$log" "$rc"
    done
elif [ ${#built[@]} -gt 0 ]; then
    echo "run-native: this host cannot run i386 programs; running them on Linux 6.1 i386 under QEMU"
    vmlog=$(tests/user/linux-vm.sh "${built[@]/#/$out/}")
    for name in "${built[@]}"; do
        # the program's output: the lines after the previous status line, up to its own
        log=$(printf '%s\n' "$vmlog" | awk -v n="$name" '
            /^linux-vm: .* status [0-9]+$/ { if ($2 == n) { print buf; found = 1; exit } buf = ""; next }
            { buf = buf (buf == "" ? "" : "\n") $0 }')
        rc=$(printf '%s\n' "$vmlog" | sed -n "s/^linux-vm: $name status \([0-9]*\)$/\1/p")
        echo "$log"
        verdict "$name" "$log" "${rc:-1}"
    done
fi

echo "native: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
