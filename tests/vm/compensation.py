# Does compensation remove the tracer's own cost?  Shared by
# tests/vm/compensation-6.1.t and -7.3.t (one guest boot each) and by
# tests/cli/compensation-verdict.t (the same checks on made-up results, no
# guest).  docs/compensation.md has the figures and the reasoning.
#
# In the guest, one process: `peelbench overhead --calibrate --modes
# hist,peeloff,syscall`, ROUNDS interleaved rounds (at least 9) of BLOCK
# peeloffs per mode, each tracer calibrated once at its start and attached
# around its own block only, the order turning every round (each block's
# associations set up right before it, untimed: the arms of a round run a
# block's setup apart, about 2-3 ms per peeloff under TCG, never a tracer
# load).  Per kernel, in TAP:
#   - it exits 0, every round complete, every traced block counted by its
#     tracer, each tracer calibrated;
#   - do_peeloff (the full plan against --phases do_peeloff) and syscall
#     (against --phases syscall): the raw p50s and their difference are
#     printed; the compensated p50s must agree: per round the ratio
#     full / alone, the median ratio within 5 % of 1 or its 95 % CI holding
#     1 (the arms are paired by round; each arm's own median and CI are
#     printed too);
#   - a wrong compensation, none (the raw p50s) or twice (raw - 2 x (raw -
#     compensated)), must fail that verdict, asserted where the design can
#     see it: where the shift it makes in the paired ratio exceeds the CI
#     width plus the tolerance (then a correct verdict and a wrong one
#     cannot both pass).  Where it does not, a diagnostic says so, with the
#     numbers: that is a property of this run's noise, not a pass;
#   - the calibrated cost per call (each pair kind's added cost times the
#     pairs a peeloff runs under the full plan) agrees with what the full
#     plan adds per call (median over rounds of its block's median call less
#     the untraced block's): within 25 %, or inside that figure's 95 % CI;
#     asserted where the CI is within +-50 % of its median (a calibration
#     off by a factor of 2 would then be refused), else a diagnostic.
# Every tracer is calibrated on its own, seconds apart.  When two
# calibrations of one pair kind differ by more than STEADY times, the
# guest's speed changed under them (the host's load: docs/compensation.md
# measured 1516 against 3386 ns for one fentry pair in one process), and
# the constants cannot stand for the blocks that follow: that run is said
# so and run again, once; the second run is judged whatever its spread.
import json
import math
import os
import subprocess
import sys

import tap

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
PB = os.path.join(ROOT, "peelbench")
ROUNDS = max(9, int(os.environ.get("PEELBENCH_COMP_ROUNDS", "11")))
BLOCK = int(os.environ.get("PEELBENCH_COMP_BLOCK", "300"))
MODES = "hist,peeloff,syscall"
TOL = 0.05
ADDED_TOL = 0.25
ADDED_POWER = 0.5
STEADY = 1.75
# A known gap, reported as a TAP TODO (prove lists it, it does not fail the
# run): the calibration under-predicts what a pair costs inside a peeloff
# under TCG, 1.8x to 2.5x in 3 of 8 runs (docs/compensation.md).
ADDED_TODO = " # TODO calibration under-predicts a pair's cost inside a peeloff (docs/compensation.md)"


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


def ratios(a, b):
    return [x / y for x, y in zip(a, b) if y > 0]


def paired(a, b):
    """Per round a/b: (median ratio, its CI), printed beside the verdict."""
    r = ratios(a, b)
    if len(r) != len(a) or not r:
        return float("nan"), (float("nan"), float("nan"))
    return median(r), median_ci(r)


def agree(a, b, tol=TOL):
    """The issue's verdict on two arms' per-round p50s: their medians
    within tol of each other, or their 95 % CIs overlap."""
    if not a or len(a) != len(b):
        return False
    ma, mb = median(a), median(b)
    (la, ha), (lb, hb) = median_ci(a), median_ci(b)
    return abs(ma - mb) <= tol * mb or (la <= hb and lb <= ha)


def twice(raw, comp):
    """What a compensation subtracting twice as much would give."""
    return [r - 2 * (r - c) for r, c in zip(raw, comp)]


def power(right, wrong, tol=TOL):
    """Can the verdict tell the right compensation from a wrong one?
    right, wrong: (full, alone) per-round p50s.  d is how far the wrong one
    moves the full arm's median against the alone arm's, w the sum of the
    right arms' CI widths, m the alone arm's median: with d > w + tol m and
    d > 2 tol m, arms that passed by overlapping CIs or by the tolerance
    are moved apart beyond both.  (powered, d / m, w / m)."""
    (f, a), (wf, wa) = right, wrong
    if not f or len(f) != len(a) or len(wf) != len(f) or len(wa) != len(a):
        return False, float("nan"), float("nan")
    m = median(a)
    d = abs((median(wf) - median(f)) - (median(wa) - median(a)))
    w = sum(hi - lo for lo, hi in (median_ci(f), median_ci(a)))
    return d > w + tol * m and d > 2 * tol * m, d / m, w / m


def verdicts(raw_f, comp_f, raw_a, comp_a):
    """(compensated agree, raw refused, twice refused)."""
    return (agree(comp_f, comp_a), not agree(raw_f, raw_a),
            not agree(twice(raw_f, comp_f), twice(raw_a, comp_a)))


def calibration_spread(res):
    """(largest max/min of one pair kind's added cost over the tracers'
    calibrations, that kind); (1.0, None) with fewer than two of a kind."""
    by = {}
    for m in res.get("modes", []):
        for kind, p in m.get("calibration", {}).get("pairs", {}).items():
            if p.get("added_ns", 0) > 0:
                by.setdefault(kind, []).append(p["added_ns"])
    worst = (1.0, None)
    for kind, v in sorted(by.items()):
        if len(v) > 1 and max(v) / min(v) > worst[0]:
            worst = (max(v) / min(v), kind)
    return worst


def selftest():
    """The verdict on made-up rounds: a true cost of 30 per call, steady
    rounds; the right compensation passes, none and twice fail."""
    ok = tap.ok
    base = [100.0, 101, 99, 102, 98, 100.5, 99.5, 101.5, 98.5]
    noise = [1.01, 0.99, 1.0, 0.995, 1.005, 0.99, 1.0, 1.01, 0.995]
    alone = [b * n for b, n in zip(base, noise)]
    full = [b + 30 for b in base]
    wide = [100.0, 130, 75, 110, 90, 140, 70, 120, 85]
    ok(agree(base, base), "agree(): an arm agrees with itself")
    ok(agree([x * 1.04 for x in base], base), "agree(): 4 % apart agree")
    ok(not agree([x * 1.12 for x in base], base), "agree(): 12 % apart, steady, disagree")
    ok(agree([x * 1.12 for x in wide], wide), "agree(): 12 % apart, CIs overlapping, agree")
    c, n, t = verdicts(full, [f - 30 for f in full], alone, alone)
    ok(c and n and t, "a compensation that subtracts the cost passes; none and twice fail")
    c, _, _ = verdicts(full, full, alone, alone)
    ok(not c, "a compensation that subtracts nothing fails")
    c, _, _ = verdicts(full, [f - 60 for f in full], alone, alone)
    ok(not c, "a compensation that subtracts twice the cost fails")
    p, d, w = power((alone, alone), (full, alone))
    ok(p and abs(d - 0.30) < 0.01, "power(): a 30 %% shift is seen through CIs %.2f wide" % w, (d, w))
    p, d, w = power((wide, wide), ([x + 30 for x in wide], wide))
    ok(not p, "power(): not through CIs %.2f wide" % w, (d, w))
    p, _, _ = power((alone, alone), ([a * 1.08 for a in alone], alone))
    ok(not p, "power(): an 8 % shift is not, with a 5 % tolerance")
    cal = lambda **k: {"calibration": {"pairs": {n: {"added_ns": v} for n, v in k.items()}}}
    r, kind = calibration_spread({"modes": [cal(fentry=1516, syscall=3070), cal(syscall=4631),
                                            cal(fentry=3386, syscall=1768)]})
    ok(kind == "syscall" and abs(r - 4631 / 1768) < 1e-9 and r > STEADY,
       "calibration_spread(): 1768 against 4631 ns for one kind is unsteady", (r, kind))
    r, kind = calibration_spread({"modes": [cal(fentry=916, kprobe=2277), cal(kprobe=3416)]})
    ok(kind == "kprobe" and r < STEADY, "calibration_spread(): 2277 against 3416 ns is not", (r, kind))


def mode(res, name):
    return next((m for m in res.get("modes", []) if m.get("mode") == name), {})


def phase(m, ph):
    p = m.get("phases", {}).get(ph, {})
    return p.get("rounds_p50_ns", []), p.get("rounds_comp_p50_ns", [])


def us(v):
    return v / 1e3


def arm(v):
    lo, hi = median_ci(v)
    return "%.1f us [%.1f, %.1f]" % (us(median(v)), us(lo), us(hi))


def sensitivity(k, ph, what, right, wrong, ok, note):
    """Assert that a wrong compensation fails the verdict where this run
    has the power to see it; otherwise say why not, with numbers."""
    p, d, w = power(right, wrong)
    refused = not agree(*wrong)
    if p:
        ok(refused, "%s %s: a compensation that subtracts %s fails the verdict "
           "(full plan %s, alone %s; it moves them %.0f %% apart, CIs %.0f %% wide)" %
           (k, ph, what, arm(wrong[0]), arm(wrong[1]), 100 * d, 100 * w), wrong)
    else:
        note("%s %s: no power to refuse a compensation that subtracts %s: it moves the arms "
             "%.0f %% apart, not more than their CIs' widths %.0f %% + %.0f %% (or 2 x %.0f %%); "
             "it gives full plan %s, alone %s: %s" %
             (k, ph, what, 100 * d, 100 * w, 100 * TOL, 100 * TOL, arm(wrong[0]),
              arm(wrong[1]), "refused anyway" if refused else "it passes"))
    return p


def compare(k, res, ph, alone, rounds, ok=tap.ok, note=print):
    raw_f, comp_f = phase(mode(res, "hist"), ph)
    raw_a, comp_a = phase(mode(res, alone), ph)
    if not ok(len(raw_f) == len(raw_a) == len(comp_f) == len(comp_a) == rounds,
              "%s %s: %d blocks per arm" % (k, ph, rounds),
              (len(raw_f), len(raw_a), len(comp_f), len(comp_a))):
        return
    mr, ci = paired(raw_f, raw_a)
    note("%s %s p50 raw: full plan %s, alone %s: they differ by %.1f us (%+.0f %%; paired "
         "ratio %.3f [%.3f, %.3f])" %
         (k, ph, arm(raw_f), arm(raw_a), us(median(raw_f) - median(raw_a)),
          100 * (median(raw_f) / median(raw_a) - 1), mr, ci[0], ci[1]))
    mc, ci = paired(comp_f, comp_a)
    ok(agree(comp_f, comp_a),
       "%s %s: compensated p50 of the full plan %s agrees with --phases %s %s "
       "(within 5 %% or CIs overlapping; paired ratio %.3f [%.3f, %.3f])" %
       (k, ph, arm(comp_f), ph, arm(comp_a), mc, ci[0], ci[1]), (comp_f, comp_a))
    right = (comp_f, comp_a)
    sensitivity(k, ph, "nothing (the raw p50s)", right, (raw_f, raw_a), ok, note)
    sensitivity(k, ph, "twice as much", right,
                (twice(raw_f, comp_f), twice(raw_a, comp_a)), ok, note)


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


def check_added(k, res, ok=tap.ok, note=print):
    h = mode(res, "hist")
    cal = h.get("calibration", {}).get("pairs", {})
    n = pairs_per_call(h)
    est = sum(c * cal.get(kind, {}).get("added_ns", float("nan")) for kind, c in n.items())
    got = h.get("added_ns_per_call", float("nan"))
    lo, hi = h.get("added_ci95") or (float("nan"), float("nan"))
    note("%s calibrated %s x added = %.1f us per call; the full plan adds %.1f us [%.1f, %.1f]" %
         (k, ", ".join("%d %s" % (c, kind) for kind, c in sorted(n.items())), us(est),
          us(got), us(lo), us(hi)))
    within = got > 0 and (abs(est - got) <= ADDED_TOL * got or lo <= est <= hi)
    if got > 0 and lo >= (1 - ADDED_POWER) * got and hi <= (1 + ADDED_POWER) * got:
        ok(within, "%s: calibrated cost per call %.1f us within 25 %% of the full plan's added "
           "time %.1f us or inside its CI [%.1f, %.1f]%s" % (k, us(est), us(got), us(lo), us(hi),
                                                           ADDED_TODO), (est, got, lo, hi))
    else:
        note("%s: no power to judge the calibrated cost per call: the full plan's added time "
             "%.1f us has a CI [%.1f, %.1f], wider than +-%d %%, which would hold a calibration "
             "off by 2x; %.1f us is %s" %
             (k, us(got), us(lo), us(hi), ADDED_POWER * 100, us(est),
              "within it" if within else "outside it"))


def check_run(k, res, rc, err, rounds, ok=tap.ok, note=print):
    ok(rc == 0 and res.get("complete") is True and res.get("rounds") == rounds,
       "%s: overhead --calibrate exits 0 with %d complete rounds" % (k, rounds), err[-2000:])
    bad = [m.get("mode") for m in res.get("modes", [])
           if m.get("mode") in ("hist", "peeloff", "syscall") and
           (m.get("tracer_saw_every_peeloff") is not True or
            m.get("calibration", {}).get("compensated") is not True)]
    ok(not bad and len(res.get("modes", [])) == 4,
       "%s: every tracer calibrated and saw every peeloff of its blocks" % k, bad)
    for m in res.get("modes", []):
        c = m.get("calibration")
        if c:
            note("%s %-8s calibration %s (%.1f s); block %.2f s" % (
                k, m["mode"], ", ".join("%s added %.0f ns self %.0f ns" % (
                    kind, p.get("added_ns", 0), p.get("self_ns", 0))
                    for kind, p in sorted(c.get("pairs", {}).items())),
                c.get("seconds", 0), m.get("block_s_p50", 0)))


def analyse(k, res, rc=0, err="", rounds=ROUNDS, ok=tap.ok, note=None):
    """Every check on one overhead --calibrate result."""
    note = note or (lambda s: print("# " + s))
    check_run(k, res, rc, err, rounds, ok, note)
    compare(k, res, "do_peeloff", "peeloff", rounds, ok, note)
    compare(k, res, "syscall", "syscall", rounds, ok, note)
    check_added(k, res, ok, note)


def main(kernel):
    selftest()
    if not tap.require(PB):
        print("1..%d" % tap.count())
        return 1
    cmd = [PB, "--vm", kernel, "overhead", "--calibrate", "--no-stats", "--json",
           "--modes", MODES, "--rounds", str(ROUNDS), "--block", str(BLOCK)]
    for attempt in (1, 2):
        print("# " + " ".join(cmd[1:]))
        r = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
        try:
            res = json.loads(r.stdout)
        except ValueError:
            res = {}
        spread, kind = calibration_spread(res)
        print("# calibrations agree within %.2fx (%s)" % (spread, kind or "one of each kind"))
        if spread <= STEADY or attempt == 2:
            break
        print("# the tracers' calibrations of the %s pair differ %.2fx (more than %.2fx): the "
              "guest's speed changed under them, so this run is run again" % (kind, spread, STEADY))
    # Kept for docs/compensation.md: `compensation.py FILE` re-reads it.
    out = os.path.join(ROOT, "build", "compensation-%s.json" % kernel)
    try:
        with open(out, "w") as f:
            f.write(r.stdout)
        print("# result kept in %s" % out)
    except OSError:
        pass
    analyse(res.get("kernel", kernel), res, r.returncode, r.stderr)
    print("1..%d" % tap.count())
    return 0


if __name__ == "__main__":
    # compensation.py FILE: the checks on a kept result, no guest.
    with open(sys.argv[1]) as f:
        res = json.load(f)
    analyse(res.get("kernel", "?"), res, rounds=res.get("rounds", 0))
    print("1..%d" % tap.count())
