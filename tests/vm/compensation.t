#!/usr/bin/env python3
# Does compensation remove the tracer's own cost?  One guest boot per
# kernel (6.1 and 7.3, or the space-separated list in
# $PEELBENCH_COMP_KERNELS) runs tests/vm/compensation-guest.sh: 9
# interleaved rounds ($PEELBENCH_COMP_ROUNDS) of three tracers over the
# same workload (200 peeloffs): the full plan, --phases do_peeloff and
# --phases syscall, each calibrating itself at start.  Per kernel, in TAP:
#   - every trace exits 0, is calibrated and has compensated figures for
#     200 peeloffs in every phase it times;
#   - do_peeloff (full plan against --phases do_peeloff) and syscall (full
#     plan against --phases syscall): the raw p50s are printed with their
#     difference; the compensated p50s agree;
#   - the same verdict on the same data refuses a compensation that
#     subtracts nothing (the raw p50s) and one that subtracts twice what
#     the tracer subtracted, so this test can fail.
# The verdict (agree()) is paired, since the arms of a round run side by
# side: per round the ratio full / alone of the two p50s; they agree when
# the median ratio is within 5 % of 1 or its 95 % CI (distribution-free,
# order statistics) holds 1.  agree() is checked on made-up data first.
import math
import os
import shutil
import sys
import tempfile

from tap import count, load, ok, require, run_guest, text

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
PB = os.path.join(ROOT, "peelbench")
VM_RUN = os.environ.get("PEELBENCH_VM_RUN", os.path.join(ROOT, "scripts", "vm-run"))
KERNELS = os.environ.get("PEELBENCH_COMP_KERNELS", "6.1 7.3").split()
ROUNDS = int(os.environ.get("PEELBENCH_COMP_ROUNDS", "9"))
ARMS = ("full", "peeloff", "syscall")
TOL = 0.05


def median(v):
    s = sorted(v)
    n = len(s)
    return (s[(n - 1) // 2] + s[n // 2]) / 2.0


def median_ci(v, level=0.95):
    """Distribution-free CI of the median: order statistics k and n+1-k,
    k the largest with P(Binomial(n, 1/2) < k) <= (1 - level) / 2."""
    s = sorted(v)
    n = len(s)
    k, cum = 0, 0.0
    while True:
        p = math.comb(n, k) / 2.0 ** n
        if cum + p > (1 - level) / 2:
            break
        cum += p
        k += 1
    k = max(k, 1)
    return s[k - 1], s[n - k]


def agree(a, b, tol=TOL):
    """Paired: per round a/b; (verdict, median ratio, CI)."""
    r = [x / y for x, y in zip(a, b) if y > 0]
    if len(r) != len(a) or not r:
        return False, float("nan"), (float("nan"), float("nan"))
    m = median(r)
    lo, hi = median_ci(r)
    return abs(m - 1) <= tol or lo <= 1 <= hi, m, (lo, hi)


def verdict_selftest():
    same = [100.0, 103, 97, 110, 92, 101, 99, 105, 95]
    ok(agree(same, same)[0], "agree(): an arm agrees with itself")
    ok(agree([x * 1.04 for x in same], same)[0], "agree(): 4 % apart agree")
    ok(not agree([x * 1.12 for x in same], same)[0], "agree(): 12 % apart, steady, disagree")
    noisy = [x * f for x, f in zip(same, (1.3, 0.8, 1.2, 0.9, 1.1, 0.85, 1.25, 0.95, 1.15))]
    ok(agree(noisy, same)[0], "agree(): a CI that holds 1 agrees")


def p50s(out, arm, ph):
    raw, comp = [], []
    for r in range(1, ROUNDS + 1):
        p = load(out, "%s-%d.json" % (arm, r)).get("phases", {}).get(ph, {})
        raw.append(float(p.get("p50_ns", 0)))
        comp.append(float(p.get("compensated", {}).get("p50_ns", 0)))
    return raw, comp


def check_runs(k, out):
    bad, cals = [], []
    for arm in ARMS:
        for r in range(1, ROUNDS + 1):
            t = load(out, "%s-%d.json" % (arm, r))
            rc = text(out, "%s-%d.rc" % (arm, r)).strip()
            cal = t.get("calibration") or {}
            phs = t.get("phases", {})
            if rc != "0" or cal.get("compensated") is not True or not phs or \
               any(p.get("compensated", {}).get("count") != 200 for p in phs.values()):
                bad.append((arm, r, rc, text(out, "%s-%d.err" % (arm, r))[-300:]))
            cals.append(cal)
    ok(not bad, "%s: %d traces exit 0, calibrated, 200 compensated peeloffs per phase" %
       (k, len(ARMS) * ROUNDS), bad[:3])
    for kind in ("fentry", "kprobe", "syscall"):
        c = [x["pairs"][kind] for x in cals if kind in x.get("pairs", {})
             and "added_ns" in x["pairs"][kind]]
        if c:
            print("# %s calibration %-7s added p50 %6.0f ns  self p50 %6.0f ns  (%d traces, %.2f s each)" %
                  (k, kind, median([x["added_ns"] for x in c]), median([x["self_ns"] for x in c]),
                   len(c), median([x.get("seconds", 0) for x in cals])))


def compare(k, out, ph, alone):
    raw_f, comp_f = p50s(out, "full", ph)
    raw_a, comp_a = p50s(out, alone, ph)
    _, mr, _ = agree(raw_f, raw_a)
    print("# %s %s p50 raw: full plan %.1f us, alone %.1f us (paired ratio %.3f)" %
          (k, ph, median(raw_f) / 1e3, median(raw_a) / 1e3, mr))
    v, mc, ci = agree(comp_f, comp_a)
    print("# %s %s p50 compensated: full plan %.1f us, alone %.1f us (paired ratio %.3f, CI [%.3f, %.3f])" %
          (k, ph, median(comp_f) / 1e3, median(comp_a) / 1e3, mc, ci[0], ci[1]))
    ok(v, "%s %s: compensated p50 of the full plan agrees with --phases %s" % (k, ph, ph),
       (comp_f, comp_a))
    ok(not agree(raw_f, raw_a)[0],
       "%s %s: a compensation that subtracts nothing fails the same verdict" % (k, ph),
       (raw_f, raw_a))
    twice_f = [r - 2 * (r - c) for r, c in zip(raw_f, comp_f)]
    twice_a = [r - 2 * (r - c) for r, c in zip(raw_a, comp_a)]
    ok(not agree(twice_f, twice_a)[0],
       "%s %s: one that subtracts twice as much fails it" % (k, ph), (twice_f, twice_a))


def run_kernel(k):
    out = tempfile.mkdtemp(prefix="pb-comp-")
    try:
        with open(os.path.join(out, "rounds"), "w") as f:
            f.write("%d\n" % ROUNDS)
        if not run_guest(VM_RUN, ROOT, k, "compensation-guest.sh", out, 3000,
                         "guest ran %d rounds of 3 tracers" % ROUNDS):
            return
        print("# guest kernel %s" % text(out, "kernel").strip())
        check_runs(k, out)
        compare(k, out, "do_peeloff", "peeloff")
        compare(k, out, "syscall", "syscall")
    finally:
        shutil.rmtree(out, ignore_errors=True)


def main():
    verdict_selftest()
    if not require(VM_RUN, PB, os.path.join(ROOT, "build", "guest", "trace_workload")):
        print("1..%d" % count())
        return 1
    for k in KERNELS:
        run_kernel(k)
    print("1..%d" % count())
    return 0


sys.exit(main())
