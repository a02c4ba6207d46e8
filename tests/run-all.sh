#!/usr/bin/env bash
# Every test of the project: host unit tests of the memory core (ASan/UBSan),
# then the QEMU boot tests (which include the in-kernel self-tests).
# Ends with one line "N passed, M failed"; exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/.."
passed=0
failed=0

# tally SUITE-NAME LOGFILE STATUS: add the suite's "N passed, M failed" line
tally() {
    local line p f
    line=$(grep -E '^[a-z]+: [0-9]+ passed, [0-9]+ failed$' "$2" | tail -1)
    if [ -z "$line" ]; then
        echo "$1: no summary line (suite crashed?)"
        failed=$((failed + 1))
        return
    fi
    p=$(echo "$line" | sed -E 's/.*: ([0-9]+) passed.*/\1/')
    f=$(echo "$line" | sed -E 's/.*, ([0-9]+) failed/\1/')
    passed=$((passed + p))
    failed=$((failed + f))
    if [ "$3" -ne 0 ] && [ "$f" -eq 0 ]; then
        echo "$1: exited with status $3"
        failed=$((failed + 1))
    fi
}

log=$(mktemp -d)
trap 'rm -rf "$log"' EXIT

echo "== host unit tests (cmocka, ASan + UBSan)"
tests/host/run.sh 2>&1 | tee "$log/host"
tally host "$log/host" "${PIPESTATUS[0]}"

echo "== boot tests (QEMU over serial)"
if make -s iso >"$log/iso" 2>&1; then
    python3 tests/boot/boottest.py 2>&1 | tee "$log/boot"
    tally boot "$log/boot" "${PIPESTATUS[0]}"
else
    cat "$log/iso"
    echo "boot: could not build the kernel image"
    failed=$((failed + 1))
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
