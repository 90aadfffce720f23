#!/usr/bin/env python3
# The compensation proof's checks (tests/vm/compensation.py) on made-up
# overhead --calibrate results, no guest: the guest tests' own analyse()
# accepts the right compensation and refuses a planted wrong one (none,
# twice the cost), asserts the sensitivity checks only where the rounds
# have the power to see a wrong compensation, and says so where not.
import os
import random
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "vm"))
import compensation as C  # noqa: E402
import tap  # noqa: E402

SELF = 600.0        # a pair's self time, ns
ADDED = 2000.0      # a nested pair's added cost, ns


def rounds(n, seed, drift, jitter, base, extra):
    """Per-round p50s of two arms: a shared drift per round (the host's
    load), each arm its own jitter, arm 2 `extra` ns slower."""
    rng = random.Random(seed)
    a, b = [], []
    for _ in range(n):
        d = base * rng.lognormvariate(0, drift)
        a.append(d * rng.lognormvariate(0, jitter))
        b.append(d * rng.lognormvariate(0, jitter) + extra)
    return a, b


def result(n=15, nested=3, drift=0.03, jitter=0.01, wrong=None, added_ci=0.2, cal=1.0, seed=1):
    """An overhead --calibrate result; `nested` fentry pairs inside
    do_peeloff under the full plan (and one more, do_peeloff's, inside
    syscall); `wrong` = "none" or "twice" plants a wrong compensation."""
    def comp(raw, sub):
        k = {None: 1, "none": 0, "twice": 2}[wrong]
        return [r - k * sub for r in raw]

    res = {"kernel": "made-up", "rounds": n, "complete": True, "modes": [{"mode": "none"}]}
    cost = {"do_peeloff": nested * ADDED, "syscall": (nested + 1) * ADDED}
    phases = {"hist": {}, "peeloff": {}, "syscall": {}}
    for i, (ph, alone, base) in enumerate((("do_peeloff", "peeloff", 20000.0),
                                           ("syscall", "syscall", 25000.0))):
        true_a, true_f = rounds(n, seed + i, drift, jitter, base, 0)
        raw_a = [t + SELF for t in true_a]
        raw_f = [t + SELF + cost[ph] for t in true_f]
        phases["hist"][ph] = {"rounds_p50_ns": raw_f, "rounds_comp_p50_ns": comp(raw_f, SELF + cost[ph])}
        phases[alone][ph] = {"rounds_p50_ns": raw_a, "rounds_comp_p50_ns": comp(raw_a, SELF)}
    probes = [{"phase": "syscall", "attach": "fentry"}, {"phase": "do_peeloff", "attach": "fentry"}] + \
        [{"phase": "p%d" % j, "attach": "fentry"} for j in range(nested)]
    added = ADDED * (nested + 2)
    for name in ("hist", "peeloff", "syscall"):
        res["modes"].append({
            "mode": name, "tracer_saw_every_peeloff": True, "phases": phases[name],
            "probes": probes if name == "hist" else [],
            "calibration": {"compensated": True, "pairs": {
                "fentry": {"added_ns": ADDED * cal, "self_ns": SELF},
                "syscall": {"added_ns": ADDED * cal, "self_ns": SELF}}},
            "added_ns_per_call": added,
            "added_ci95": [added * (1 - added_ci), added * (1 + added_ci)]})
    return res


def run(res):
    """analyse() on res: {check name's start: verdict}, notes."""
    got, notes = [], []
    C.analyse("k", res, rounds=res["rounds"], ok=lambda c, name, diag=None: got.append((c, name)) or c,
              note=notes.append)
    return got, notes


def verdict(got, words):
    v = [c for c, name in got if all(w in name for w in words)]
    return v[0] if len(v) == 1 else None


def noted(notes, words):
    return any(all(w in s for w in words) for s in notes)


C.selftest()
ok = tap.ok

got, notes = run(result())
ok(all(c for c, _ in got) and len(got) == 11,
   "right compensation, quiet rounds: all 11 checks pass, sensitivity asserted", got)
for ph in ("do_peeloff", "syscall"):
    ok(verdict(got, [ph, "subtracts nothing"]) is True and verdict(got, [ph, "twice"]) is True,
       "%s: none and twice are asserted refused (the design has the power)" % ph, got)

for wrong in ("none", "twice"):
    got, _ = run(result(wrong=wrong))
    for ph in ("do_peeloff", "syscall"):
        ok(verdict(got, [ph, "agrees with --phases"]) is False,
           "planted: a compensation that subtracts %s fails %s's verdict" %
           ("nothing" if wrong == "none" else "twice the cost", ph), got)

# 7.3-like: one nested pair (10 % of do_peeloff), rounds as noisy as at load 10-20
got, notes = run(result(nested=1, drift=0.15, jitter=0.08, seed=3))
ok(verdict(got, ["do_peeloff", "subtracts nothing"]) is None and
   verdict(got, ["do_peeloff", "twice"]) is None,
   "noisy rounds, small nested cost: no sensitivity assertion for do_peeloff", got)
ok(noted(notes, ["do_peeloff: no power to refuse", "twice", "CIs' widths"]) and
   noted(notes, ["do_peeloff: no power to refuse", "nothing", "CIs' widths"]),
   "... and a diagnostic says why, with the shift and the CI width", notes)

got, notes = run(result(cal=0.5))
ok(verdict(got, ["calibrated cost per call"]) is False,
   "planted: a calibration of half the cost fails the cost-per-call check", got)
got, notes = run(result(cal=1.1))
ok(verdict(got, ["calibrated cost per call"]) is True, "a calibration 10 % off passes it", got)
got, notes = run(result(cal=0.5, added_ci=0.7))
ok(verdict(got, ["calibrated cost per call"]) is None and
   noted(notes, ["no power to judge the calibrated cost", "off by 2x"]),
   "a measured cost with a CI of +-70 %: no assertion, a diagnostic why", (got, notes))

got, _ = run(dict(result(), rounds=8))
ok(verdict(got, ["exits 0 with 8 complete rounds"]) is True and
   verdict(got, ["do_peeloff: 8 blocks per arm"]) is False,
   "a result whose arms hold another number of blocks than its rounds fails", got)
ok(C.ROUNDS >= 9, "the guest tests run at least 9 rounds per arm (%d)" % C.ROUNDS)
print("1..%d" % tap.count())
