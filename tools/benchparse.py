"""Shared by the benchmark harness: vmbench output parsing, RAM-size bisection, progress."""
import re
import sys
import time

BENCH_RX = re.compile(r"BENCH ([A-Za-z0-9_]+) (\d+)$", re.M)
_t0 = time.time()


def progress(msg):
    """One progress line on stderr, with the seconds since the harness started."""
    sys.stderr.write("[bench %4.0fs] %s\n" % (time.time() - _t0, msg))
    sys.stderr.flush()


def parse(text):
    """{metric: int} from the "BENCH name value" lines of vmbench output."""
    return {m.group(1): int(m.group(2)) for m in BENCH_RX.finditer(text)}


def completed(text):
    """vmbench ran to its end without reporting a failed step."""
    return "BENCH-DONE" in text and "BENCH-INFO FAILED" not in text


def smallest(ok, lo, hi, what):
    """Smallest m in (lo, hi] with ok(m), assuming ok is monotone; None if ok(hi) fails."""
    progress("%s: trying -m %d" % (what, hi))
    if not ok(hi):
        return None
    while hi - lo > 1:
        mid = (lo + hi) // 2
        good = ok(mid)
        progress("%s: -m %d %s" % (what, mid, "works" if good else "fails"))
        if good:
            hi = mid
        else:
            lo = mid
    return hi
