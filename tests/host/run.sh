#!/bin/sh
# Build (unless --no-build) and run every host unit test binary.
# Prints one line per binary, the failing cases with their messages, and as
# its last line exactly: "host: N passed, M failed" (N, M count test cases).
# A binary that crashes or exits non-zero counts its unreported cases as
# failed (at least one). Exit status: 0 only if everything passed.
#   tests/host/run.sh [--no-build] [-v]     (-v: print every binary's full output)

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out="$root/build/host"
tests="test_pmm test_buddy test_pmap test_rmap test_kheap test_fault test_vm_map test_ustar test_vm test_vm_model test_tmpfs test_reclaim test_prefetch test_lz4 test_lz4_w32 test_zpool test_blk test_swap test_swapout"

build=1
verbose=0
for arg in "$@"; do
    case "$arg" in
    --no-build) build=0 ;;
    -v) verbose=1 ;;
    *) echo "usage: $0 [--no-build] [-v]" >&2; exit 2 ;;
    esac
done

mkdir -p "$out"
if [ "$build" = 1 ]; then
    if ! make -s -C "$here" >"$out/build.log" 2>&1; then
        cat "$out/build.log"
        echo "host tests: build failed"
        echo "host: 0 passed, 1 failed"
        exit 1
    fi
fi

passed=0
failed=0
for t in $tests; do
    bin="$out/$t"
    log="$out/$t.log"
    if [ ! -x "$bin" ]; then
        echo "$t: missing binary $bin"
        failed=$((failed + 1))
        continue
    fi
    CMOCKA_MESSAGE_OUTPUT=TAP ASAN_OPTIONS="${ASAN_OPTIONS:-abort_on_error=0:detect_leaks=1}" \
        "$bin" >"$log" 2>&1
    rc=$?
    plan=$(sed -n 's/^[[:space:]]*1\.\.\([0-9][0-9]*\).*/\1/p' "$log" | head -n 1)
    ok=$(grep -c '^ok [0-9]' "$log")
    bad=$(grep -c '^not ok [0-9]' "$log")
    [ -n "$plan" ] || plan=$((ok + bad))
    missing=$((plan - ok - bad))
    [ "$missing" -ge 0 ] || missing=0
    note=""
    if [ "$missing" -gt 0 ]; then
        note=" (crashed: $missing case(s) did not report, exit status $rc)"
        bad=$((bad + missing))
    elif [ "$rc" -ne 0 ] && [ "$bad" -eq 0 ]; then
        note=" (exit status $rc after all cases passed: sanitizer or leak report)"
        bad=1
    fi
    passed=$((passed + ok))
    failed=$((failed + bad))
    echo "$t: $ok passed, $bad failed$note"
    if [ "$verbose" = 1 ]; then
        sed 's/^/    /' "$log"
    elif [ "$bad" -gt 0 ]; then
        # the failing cases, cmocka's messages and any sanitizer report
        grep -v '^ok [0-9]' "$log" | sed 's/^/    /'
    fi
done

echo "host: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
