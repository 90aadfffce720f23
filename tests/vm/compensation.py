# Does compensation remove the tracer's own cost?  Shared by
# tests/vm/compensation-6.1.bench and -7.3.t (one guest boot each) and by
# tests/cli/compensation-verdict.t (the verdict on made-up data, no guest).
#
# In the guest, one process: `peelbench overhead --calibrate --modes
# hist,peeloff,syscall,floor`, ROUNDS interleaved rounds of BLOCK peeloffs
# per mode, each tracer calibrated once at its start and attached around
# its own block only, so the arms of a round run seconds apart, not
# minutes.  Per kernel, in TAP:
#   - it exits 0, every round complete, every traced block counted by its
#     tracer, each tracer calibrated;
#   - do_peeloff (the full plan against --phases do_peeloff) and syscall
#     (against --phases syscall): the raw p50s' difference is printed; the
#     compensated p50s agree (paired per round: the median of full / alone
#     within 5 % of 1, or its 95 % CI holding 1);
#   - the same verdict, on the same blocks, refuses a compensation that
#     subtracts nothing (the raw p50s) and one that subtracts twice what
#     the tracer subtracted: this test can fail;
#   - the calibrated cost per call (the added cost of each pair kind times
#     the pairs a peeloff runs, from the full plan's calibration) agrees
#     within 25 % with what the full plan adds per call (median over rounds
#     of its block's median call less the untraced block's).  The floor's
#     added time is printed beside it: its programs stop at the pid filter,
#     so they run less than a calibrated pair does (docs/trace.md).
import math
import os
import subprocess
import sys

from tap import count, ok, require

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
PB = os.path.join(ROOT, "peelbench")
ROUNDS = int(os.environ.get("PEELBENCH_COMP_ROUNDS", "9"))
BLOCK = int(os.environ.get("PEELBENCH_COMP_BLOCK", "1000"))
TOL = 0.05
ADDED_TOL = 0.25


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


def twice(raw, comp):
    """What a compensation subtracting twice as much would give."""
    return [r - 2 * (r - c) for r, c in zip(raw, comp)]


def verdicts(raw_f, comp_f, raw_a, comp_a):
    """(compensated agree, raw refused, twice refused)."""
    return (agree(comp_f, comp_a)[0], not agree(raw_f, raw_a)[0],
            not agree(twice(raw_f, comp_f), twice(raw_a, comp_a))[0])


def selftest():
    """The verdict on made-up rounds: a true cost of 30 per call, noisy
    rounds; the right compensation passes, none and twice fail."""
    base = [100.0, 103, 97, 110, 92, 101, 99, 105, 95]
    noise = [1.02, 0.98, 1.01, 0.99, 1.03, 0.97, 1.0, 1.02, 0.98]
    alone = [b * n for b, n in zip(base, noise)]
    full = [b + 30 for b in base]
    ok(agree(base, base)[0], "agree(): an arm agrees with itself")
    ok(agree([x * 1.04 for x in base], base)[0], "agree(): 4 % apart agree")
    ok(not agree([x * 1.12 for x in base], base)[0], "agree(): 12 % apart, steady, disagree")
    c, n, t = verdicts(full, [f - 30 for f in full], alone, alone)
    ok(c and n and t, "a compensation that subtracts the cost passes; none and twice fail")
    c, _, _ = verdicts(full, full, alone, alone)
    ok(not c, "a compensation that subtracts nothing fails")
    c, _, _ = verdicts(full, [f - 60 for f in full], alone, alone)
    ok(not c, "a compensation that subtracts twice the cost fails")


def mode(res, name):
    return next((m for m in res.get("modes", []) if m.get("mode") == name), {})


def phase(m, ph):
    p = m.get("phases", {}).get(ph, {})
    return p.get("rounds_p50_ns", []), p.get("rounds_comp_p50_ns", [])


def compare(k, res, ph, alone):
    raw_f, comp_f = phase(mode(res, "hist"), ph)
    raw_a, comp_a = phase(mode(res, alone), ph)
    if not ok(len(raw_f) == len(raw_a) == ROUNDS, "%s %s: %d blocks per arm" % (k, ph, ROUNDS)):
        return
    _, mr, ci = agree(raw_f, raw_a)
    print("# %s %s p50 raw: full plan %.1f us, alone %.1f us, difference %.1f us (paired ratio %.3f [%.3f, %.3f])" %
          (k, ph, median(raw_f) / 1e3, median(raw_a) / 1e3,
           median([f - a for f, a in zip(raw_f, raw_a)]) / 1e3, mr, ci[0], ci[1]))
    _, mc, ci = agree(comp_f, comp_a)
    print("# %s %s p50 compensated: full plan %.1f us, alone %.1f us (paired ratio %.3f [%.3f, %.3f])" %
          (k, ph, median(comp_f) / 1e3, median(comp_a) / 1e3, mc, ci[0], ci[1]))
    c, n, t = verdicts(raw_f, comp_f, raw_a, comp_a)
    ok(c, "%s %s: compensated p50 of the full plan agrees with --phases %s" % (k, ph, ph),
       (comp_f, comp_a))
    ok(n, "%s %s: a compensation that subtracts nothing fails the same verdict" % (k, ph),
       (raw_f, raw_a))
    ok(t, "%s %s: one that subtracts twice as much fails it" % (k, ph),
       (twice(raw_f, comp_f), twice(raw_a, comp_a)))


def pairs_per_call(m):
    """Pairs of each kind a peeloff runs under mode m's plan: the syscall
    pair and one per timed phase (accept does not fire in a peeloff)."""
    n = {}
    for p in m.get("probes", []):
        if p.get("attach") == "unavailable" or p.get("phase") == "accept":
            continue
        kind = "syscall" if p.get("phase") == "syscall" else \
            "kprobe" if p.get("attach") == "kprobe" else "fentry"
        n[kind] = n.get(kind, 0) + 1
    return n


def check_added(k, res):
    h, fl = mode(res, "hist"), mode(res, "floor")
    cal = h.get("calibration", {}).get("pairs", {})
    n = pairs_per_call(h)
    est = sum(c * cal.get(kind, {}).get("added_ns", float("nan")) for kind, c in n.items())
    got = fl.get("added_ns_per_call", float("nan"))
    print("# %s calibrated %s x added = %.1f us per call; floor adds %.1f us %s, the full plan %.1f us %s" %
          (k, n, est / 1e3, got / 1e3, fl.get("added_ci95"), h.get("added_ns_per_call", 0) / 1e3,
           h.get("added_ci95")))
    got = h.get("added_ns_per_call", float("nan"))
    ok(got > 0 and abs(est - got) <= ADDED_TOL * got,
       "%s: calibrated cost per call within 25 %% of the full plan's added time" % k,
       (est, got))


def check_run(k, res, rc, err):
    ok(rc == 0 and res.get("complete") is True and res.get("rounds") == ROUNDS,
       "%s: overhead --calibrate exits 0 with %d complete rounds" % (k, ROUNDS), err[-2000:])
    bad = [m.get("mode") for m in res.get("modes", [])
           if m.get("mode") in ("hist", "peeloff", "syscall") and
           (m.get("tracer_saw_every_peeloff") is not True or
            m.get("calibration", {}).get("compensated") is not True)]
    ok(not bad and len(res.get("modes", [])) == 5,
       "%s: every tracer calibrated and saw every peeloff of its blocks" % k, bad)
    for m in res.get("modes", []):
        c = m.get("calibration")
        if c:
            print("# %s %-8s calibration %s (%.1f s); block %.2f s" % (
                k, m["mode"], ", ".join("%s added %.0f ns self %.0f ns" % (
                    kind, p.get("added_ns", 0), p.get("self_ns", 0))
                    for kind, p in sorted(c.get("pairs", {}).items())),
                c.get("seconds", 0), m.get("block_s_p50", 0)))


def main(kernel):
    selftest()
    if not require(PB):
        print("1..%d" % count())
        return 1
    cmd = [PB, "--vm", kernel, "overhead", "--calibrate", "--no-stats", "--json",
           "--modes", "hist,peeloff,syscall,floor", "--rounds", str(ROUNDS),
           "--block", str(BLOCK)]
    r = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    try:
        import json
        res = json.loads(r.stdout)
    except ValueError:
        res = {}
    k = res.get("kernel", kernel)
    print("# " + " ".join(cmd[1:]))
    check_run(k, res, r.returncode, r.stderr)
    compare(k, res, "do_peeloff", "peeloff")
    compare(k, res, "syscall", "syscall")
    check_added(k, res)
    print("1..%d" % count())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "6.1"))
