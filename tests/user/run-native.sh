#!/usr/bin/env bash
# Checks the user-space tests themselves: builds every user/t_*.c as a static
# 32-bit glibc program for this Linux host (build/native/) and runs each one
# natively. A test passes when it exits 0 and its last line is "PASS t_NAME".
# Ends with "native: N passed, M failed"; exits non-zero on any failure.
# Usage: tests/user/run-native.sh [t_NAME...]   (default: all of them)
set -uo pipefail
cd "$(dirname "$0")/../.."
out=build/native
mkdir -p "$out"

# The tests expect Linux defaults: 8 MiB stack limit, no core files.
ulimit -s 8192 2>/dev/null || echo "run-native: could not set an 8 MiB stack limit"
ulimit -c 0 2>/dev/null || true

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
for name in "${names[@]}"; do
    bin="$out/$name"
    if ! gcc -m32 -static -O2 -Wall -Wextra -Werror "user/$name.c" -o "$bin"; then
        echo "FAIL $name: does not compile"
        failed=$((failed + 1))
        continue
    fi
    log=$(timeout 20 "$bin" 2>&1)
    rc=$?
    echo "$log"
    if [ $rc -eq 0 ] && [ "$(echo "$log" | tail -n 1)" = "PASS $name" ]; then
        passed=$((passed + 1))
    else
        [ $rc -eq 124 ] && echo "FAIL $name: timed out"
        echo "  ($name exit status $rc)"
        failed=$((failed + 1))
    fi
done

echo "native: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
