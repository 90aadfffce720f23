#!/usr/bin/env python3
"""The peer table of issue 11 section 4 from `peelbench overhead` results.

    scripts/peer-table.py RUN.json [RUN.json ...]

Per run and mode: the time added per peeloff (median over rounds of this
mode's block median call less the untraced block's of the same round) with
the 95 % CI peelbench computed, and the rate ratio with its CI.  Then the
issue's targets, per run, on the medians over rounds and with a paired
percentile bootstrap over rounds (2000 resamples, fixed seed) of

    median(added hist) / median(added bpftrace)     target <= 0.6
    median(added peeloff) / median(added bpftrace)  target <= 0.35

A target is "met" when the CI's upper end is at or below it, "not met" when
its lower end is above it, else "undecided".  With two runs or more, runs of
the same kernel are compared mode by mode: "agree" when each run's median
lies inside the other's CI, "overlap" when only the CIs overlap, else
"disagree".  Markdown on stdout.  Exit 0, or 2 on a bad file.
"""
import json
import random
import statistics
import sys

TARGETS = (("hist", 0.6), ("peeloff", 0.35))
NAMES = {"none": "untraced", "hist": "full plan (`hist`)",
         "peeloff": "`--phases do_peeloff`", "bpftrace": "`bpftrace`",
         "funclatency": "`funclatency`"}


def load(path):
    try:
        with open(path) as f:
            res = json.load(f)
        modes = {m["mode"]: m for m in res["modes"]}
        modes["none"]["rounds_call_p50_ns"]
    except (OSError, ValueError, KeyError) as e:
        sys.exit("peer-table: %s: not an overhead result (%s)" % (path, e))
    res["by_mode"] = modes
    res["path"] = path
    return res


def added_rounds(res, mode):
    base = res["by_mode"]["none"]["rounds_call_p50_ns"]
    return [a - b for a, b in zip(res["by_mode"][mode]["rounds_call_p50_ns"], base)]


def ratio_ci(num, den, seed):
    """Median(num)/median(den) and its paired bootstrap 95 % CI."""
    rng = random.Random(seed)
    n = len(num)
    est = statistics.median(num) / statistics.median(den)
    boots = []
    for _ in range(2000):
        idx = [rng.randrange(n) for _ in range(n)]
        d = statistics.median(den[i] for i in idx)
        if d > 0:
            boots.append(statistics.median(num[i] for i in idx) / d)
    boots.sort()
    if len(boots) < 1900:  # the denominator's median is <= 0 too often
        return est, None
    return est, (boots[int(0.025 * len(boots))], boots[int(0.975 * len(boots)) - 1])


def us(v):
    return "%+.1f" % (v / 1e3)


def cell(m):
    ci = m.get("added_ci95")
    s = "%s µs" % us(m["added_ns_per_call"])
    if ci:
        s += " [%s, %s]" % (us(ci[0]).lstrip("+"), us(ci[1]).lstrip("+"))
    r = m.get("ratio_ci95")
    s += "; ratio %.2f" % m["ratio"]
    if r:
        s += " [%.2f, %.2f]" % tuple(r)
    return s


def verdict(est, ci, target):
    if ci is None:
        return "undecided (bpftrace's added time is not above 0 in enough resamples)"
    word = "met" if ci[1] <= target else "not met" if ci[0] > target else "undecided"
    return "%.2f [%.2f, %.2f] (target ≤ %.2f): **%s**" % (est, ci[0], ci[1], target, word)


def main(paths):
    runs = [load(p) for p in paths]
    for i, r in enumerate(runs):
        b = r.get("blocks", {})
        print("- run %d `%s`: kernel %s, %d rounds, blocks of %d peeloffs (+%d warm-up); "
              "untraced blocks %.3f s median, %d of %d below %.2f s" %
              (i + 1, r["path"], r["kernel"], r["rounds"], r["block"], b.get("warmup", 0),
               r["by_mode"]["none"]["block_s_p50"], b.get("untraced_short", -1),
               r["rounds"], b.get("target_s", 0)))
    print()
    print("| mode | " + " | ".join("run %d (%s)" % (i + 1, r["kernel"].split("-")[0])
                                   for i, r in enumerate(runs)) + " |")
    print("|---" * (len(runs) + 1) + "|")
    for mode in NAMES:
        row = []
        for r in runs:
            m = r["by_mode"].get(mode)
            skip = [s["reason"] for s in r.get("skipped", []) if s["mode"] == mode]
            if mode == "none" and m:
                row.append("call p50 %.1f µs" % (m["call_p50_ns"] / 1e3))
            elif m:
                row.append(cell(m))
            elif skip:
                row.append("skipped: \"%s\"" % skip[0])
            else:
                row.append("not run")
        print("| %s | %s |" % (NAMES[mode], " | ".join(row)))
    print()
    for i, r in enumerate(runs):
        if "bpftrace" not in r["by_mode"]:
            print("- run %d: targets not measurable (bpftrace skipped)" % (i + 1))
            continue
        den = added_rounds(r, "bpftrace")
        for mode, target in TARGETS:
            if mode in r["by_mode"]:
                est, ci = ratio_ci(added_rounds(r, mode), den, 0x5eed + i)
                print("- run %d: %s added / bpftrace added = %s" %
                      (i + 1, NAMES[mode], verdict(est, ci, target)))
    for i in range(len(runs)):
        for j in range(i + 1, len(runs)):
            a, b = runs[i], runs[j]
            if a["kernel"] != b["kernel"]:
                continue
            words = []
            for mode in NAMES:
                ma, mb = a["by_mode"].get(mode), b["by_mode"].get(mode)
                if mode == "none" or not ma or not mb or not ma.get("added_ci95") \
                        or not mb.get("added_ci95"):
                    continue
                ca, cb = ma["added_ci95"], mb["added_ci95"]
                xa, xb = ma["added_ns_per_call"], mb["added_ns_per_call"]
                if cb[0] <= xa <= cb[1] and ca[0] <= xb <= ca[1]:
                    w = "agree"
                elif ca[0] <= cb[1] and cb[0] <= ca[1]:
                    w = "overlap"
                else:
                    w = "disagree"
                words.append("%s %s (%s vs %s µs)" % (mode, w, us(xa), us(xb)))
            print("- runs %d and %d (%s): %s" % (i + 1, j + 1, a["kernel"], "; ".join(words)))
    return 0


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: scripts/peer-table.py RUN.json [RUN.json ...]")
    sys.exit(main(sys.argv[1:]))
