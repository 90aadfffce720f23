#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Assemble docs/results.md from what scripts/results.sh measured.

  results-md.py --prepare OUT KERNELS        pooled-events/backlog-K.json
  results-md.py --release OUT K              print K's uname -r
  results-md.py --write OUT KERNELS DOCS     DOCS/results.md, DOCS/img/*.png

OUT is the folder results.sh filled: backlog/ and scale/ (peelbench matrix
output: matrix.json, KERNEL/CELL-rN.json, pooled/), overhead/KERNEL/
({untraced,traced}-rN.json), plots/, compare-*.txt, history-*.txt.
Standard library only.  Numbers on the page come from those files; the
page is regenerated whole on every run.
"""
import glob
import json
import os
import shutil
import statistics
import sys

IMG_LIMIT = 150 * 1024


def load(path):
    with open(path) as f:
        r = json.load(f)
    r["_path"] = path
    return r


def events_of(res):
    """The result's events: the NDJSON sidecar trace.events_file names
    (beside the result), else inline trace.events (older results)."""
    t = res.get("trace") or {}
    name = t.get("events_file")
    if not name:
        return t.get("events") or []
    with open(os.path.join(os.path.dirname(res["_path"]), name)) as f:
        return [json.loads(line) for line in f if line.strip()]


def ok_events(res):
    return [e for e in events_of(res) if (e.get("ret") is not None and e["ret"] >= 0)]


def fit_of(out, k):
    """The migration fit `peelbench plot` wrote for the pooled backlog sweep
    of kernel k (plots/data/backlog-K.fit.csv: the one definition of
    migrate.per_queued_msg_ns, Theil-Sen with its bootstrap CI), or None."""
    path = os.path.join(out, "plots", "data", "backlog-%s.fit.csv" % k)
    if not os.path.exists(path):
        return None
    with open(path) as f:
        head, row = f.read().split("\n")[:2]
    return dict(zip(head.split(","), row.split(",")))


def phases_of(results):
    """The phases, in the probe plans' (path) order: the plan entries that
    time something in one of results, a histogram under trace.phases or a
    PHASE_ns in its events (so not the accept hook, which only counts)."""
    timed = set()
    for r in results:
        t = r.get("trace") or {}
        timed |= set(t.get("phases") or {})
        for e in events_of(r)[:1]:
            timed |= {k[:-3] for k in e if k.endswith("_ns")}
    out = []
    for r in results:
        for p in (r.get("trace") or {}).get("probes") or []:
            if p["phase"] in timed and p["phase"] not in out:
                out.append(p["phase"])
    return out


def migration_phase(res):
    """The innermost phase that contains sctp_sock_migrate's walk: migrate
    itself, else clone (7.x inlines sctp_sock_migrate into sctp_clone_sock)."""
    probes = (res.get("trace") or {}).get("probes") or []
    seen = {p["phase"] for p in probes if p.get("attach") != "unavailable"}
    return "migrate" if "migrate" in seen else "clone"


def fmt_ns(v):
    if v is None:
        return "–"
    if v >= 1e6:
        return "%.2f ms" % (v / 1e6)
    if v >= 1e3:
        return "%.1f µs" % (v / 1e3)
    return "%.0f ns" % v


def fmt_metric(name, v):
    if v is None:
        return "–"
    if name.endswith("_per_s"):
        return "%.0f/s" % v
    if name.endswith("_ns"):
        return fmt_ns(v)
    return "%.3g" % v


def release_of(out, k):
    for f in sorted(glob.glob(os.path.join(out, "*", k, "*-r*.json"))):
        try:
            return load(f)["env"]["kernel"]
        except (OSError, KeyError, ValueError):
            continue
    return k


def cell_files(mdir, k, cell):
    return sorted(glob.glob(os.path.join(mdir, k, cell + "-r*.json")),
                  key=lambda p: int(p.rsplit("-r", 1)[1].split(".")[0]))


def prepare(out, kernels):
    """One file per kernel with every event (and summed histograms) of the
    whole backlog sweep, so that `peelbench plot` fits the migration cost
    over the full range of parent queue lengths (one run alone has a fixed
    backlog, hence one queue length)."""
    mdir = os.path.join(out, "backlog")
    os.makedirs(os.path.join(out, "pooled-events"), exist_ok=True)
    for k in kernels:
        files = sorted(glob.glob(os.path.join(mdir, k, "backlog=*-r*.json")))
        if not files:
            continue
        base = None
        events, hists, n = [], {}, 0
        for f in files:
            r = load(f)
            if base is None or r["config"].get("backlog", 0) > base["config"].get("backlog", 0):
                base = r
            events += events_of(r)
            for ph, v in ((r.get("trace") or {}).get("phases") or {}).items():
                h = hists.setdefault(ph, {})
                for lo, c in v.get("hist", []):
                    h[lo] = h.get(lo, 0) + c
            n += 1
        pooled = json.loads(json.dumps(base))
        pooled.pop("samples", None)
        pooled.pop("rounds", None)
        pooled.pop("_path", None)
        pooled["metrics"].pop("migrate.per_queued_msg_ns", None)   # the base run's
        pooled["trace"].pop("events", None)
        pooled["trace"].pop("migration_fit", None)
        pooled["trace"]["events_file"] = "backlog-%s.events.ndjson" % k
        with open(os.path.join(out, "pooled-events", pooled["trace"]["events_file"]), "w") as f:
            for e in events:
                f.write(json.dumps(e) + "\n")
        for ph, h in hists.items():
            if ph in pooled["trace"]["phases"]:
                pooled["trace"]["phases"][ph]["hist"] = [[lo, h[lo]] for lo in sorted(h)]
                pooled["trace"]["phases"][ph]["count"] = sum(h.values())
        pooled["config"]["backlog"] = "sweep"
        pooled["pooled_from"] = [os.path.relpath(f, out) for f in files]
        dst = os.path.join(out, "pooled-events", "backlog-%s.json" % k)
        with open(dst + ".tmp", "w") as f:
            json.dump(pooled, f)
        os.replace(dst + ".tmp", dst)


def md_table(head, rows):
    s = "| " + " | ".join(head) + " |\n|" + "|".join("---" for _ in head) + "|\n"
    for r in rows:
        s += "| " + " | ".join(str(c) for c in r) + " |\n"
    return s


def run_args_str(m):
    """The matrix's run options as written on its command line: a
    `--repeat N` among them came from --run-repeat N."""
    a, out = list(m.get("run_args", [])), []
    i = 0
    while i < len(a):
        if a[i] == "--repeat" and i + 1 < len(a):
            out += ["--run-repeat", a[i + 1]]
            i += 2
            continue
        out.append(a[i])
        i += 1
    return " ".join(out)


def metric_of(cell, name, k):
    m = next((m for m in cell["metrics"] if m["name"] == name), None)
    return m["kernels"].get(k, {}) if m else {}


def ratio_str(v):
    if v.get("ratio") is None:
        return "(n<2)" if v.get("n") else "–"
    ci = v.get("ratio_ci95")
    if not ci:
        return "%.2f" % v["ratio"]
    star = " *" if ci[0] > 1 or ci[1] < 1 else ""
    return "%.2f [%.2f, %.2f]%s" % (v["ratio"], ci[0], ci[1], star)


def read(path, default=""):
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return default


# Sections of docs/results.md that other commands measure (each names its
# own command): a regeneration keeps them verbatim.
KEPT_SECTIONS = ("## Does a TCG ratio carry over?",
                 "## Bisect across releases (by hand, not part of `make results`)")


def kept_sections(path):
    kept, keep = [], False
    for line in read(path).splitlines(keepends=True):
        if line.startswith("## "):
            keep = line.rstrip("\n") in KEPT_SECTIONS
        if keep:
            kept.append(line)
    return "".join(kept)


def write(out, kernels, docs):
    img = os.path.join(docs, "img")
    os.makedirs(img, exist_ok=True)
    page = []
    P = page.append
    bm = load(os.path.join(out, "backlog", "matrix.json"))
    sm_path = os.path.join(out, "scale", "matrix.json")
    sm = load(sm_path) if os.path.exists(sm_path) else None
    first = kernels[0]
    elapsed = read(os.path.join(out, "elapsed_s"), "?").strip()
    any_res = load(sorted(glob.glob(os.path.join(out, "backlog", first, "*-r*.json")))[0])

    P("# peelbench: published results\n")
    commit = read(os.path.join(out, "commit"), "unknown").strip()
    P("Generated by `make results` (`scripts/results.sh`) at peelbench commit `%s` "
      "in %s s of wall time "
      "(guest boots included); raw data in `%s` (not committed). "
      "Rerun the same command to reproduce every number and figure on this page.\n"
      % (commit, elapsed, os.path.relpath(out)))
    P("> **Read this first.** Every guest here ran under **QEMU TCG emulation** "
      "(`env.accel = %s`, CPU model `%s`, %s vCPUs), on a shared 2-core host: "
      "KVM is not usable on this machine. Emulated code runs 20 to 100 times "
      "slower than native and not uniformly so, and boot-to-boot spread is about "
      "±15 %%. **Absolute times on this page do not describe real hardware. Only "
      "ratios measured within one matrix run (same workload, kernels interleaved "
      "round by round) are meant to carry over**, and even those only as a "
      "direction to check on real hardware (`peelbench matrix --kernels host` "
      "on a machine with SCTP, or the same script where KVM works).\n"
      % (any_res["env"].get("accel"), any_res["env"].get("cpu"), any_res["env"].get("vcpus")))

    summary_at = len(page)
    summary = []

    # Kernels and probe plans
    P("## Kernels and what the tracer can see on each\n")
    rows, firsts = [], {}
    for kk in bm["kernels"]:
        f = sorted(glob.glob(os.path.join(out, "backlog", kk["label"], "*-r*.json")))
        firsts[kk["label"]] = load(f[0]) if f else {}
    phases = phases_of(firsts.values())
    for kk in bm["kernels"]:
        k = kk["label"]
        plan = (firsts[k].get("trace") or {}).get("probes", [])
        cells = []
        for ph in phases:
            p = next((p for p in plan if p["phase"] == ph), None)
            if not p:
                cells.append("?")
            elif p["attach"] == "unavailable":
                cells.append("**not visible**")
            else:
                cells.append("`%s` (%s%s)" % (p["symbol"], p["attach"], ", enclosing" if p.get("enclosing") else ""))
        rows.append([k, "`%s`" % kk.get("release")] + cells)
    P(md_table(["kernel", "release"] + phases, rows))
    P("\nOn 7.x `sctp_do_peeloff` and `sctp_sock_migrate` are inlined: `do_peeloff` "
      "is measured on the enclosing `sctp_getsockopt_peeloff_common` (which also "
      "allocates and installs the fd), and the migration's cost is inside `clone` "
      "(`sctp_clone_sock` does `sk_clone()` and the inlined migrate). So a 7.x "
      "`clone` is not comparable to a 6.x `clone` (`sctp_copy_sock` alone); "
      "compare 7.x `clone` with 6.x `clone + migrate`.\n")

    # Per-phase table
    P("## Per-phase latency, p50 and p99, ratio to %s\n" % first)
    P("Workload: `%s` (cell `backlog=0` of the backlog matrix), %d repeats per "
      "kernel, each in a fresh guest boot, rounds interleaved across kernels. "
      "Values are medians over the repeats; the ratio is to %s's median with the "
      "percentile-bootstrap 95 %% CI over the per-repeat values; `*` marks a CI "
      "that excludes 1.\n"
      % ("peelbench matrix " + run_args_str(bm) + " --sweep backlog=...", bm["repeat"], first))
    cell = next(c for c in bm["cells"] if c["values"].get("backlog") in ("0", 0))
    head = ["metric"] + ["%s median" % k for k in kernels] + ["%s / %s" % (k, first) for k in kernels[1:]]
    rows = []
    for met in cell["metrics"]:
        r = [met["name"]]
        for k in kernels:
            v = met["kernels"].get(k, {})
            r.append(fmt_metric(met["name"], v.get("median")) if v.get("n") else "–")
        for k in kernels[1:]:
            r.append(ratio_str(met["kernels"].get(k, {})))
        rows.append(r)
    P(md_table(head, rows))
    for k in kernels[1:]:
        sig = []
        for met in cell["metrics"]:
            v = met["kernels"].get(k, {})
            ci = v.get("ratio_ci95")
            if v.get("ratio") is not None and ci and (ci[0] > 1 or ci[1] < 1):
                sig.append("`%s` %.2fx [%.2f, %.2f]" % (met["name"], v["ratio"], ci[0], ci[1]))
        summary.append("%s against %s (1000 associations, no backlog): %s." % (
            k, first, "; ".join(sig) if sig else "no ratio whose 95 % CI excludes 1"))
    g = lambda k, n: metric_of(cell, n, k).get("median")
    if g(kernels[-1], "phase.clone.p50_ns") and g(first, "phase.migrate.p50_ns"):
        summary.append("The 7.x peeloff core: `sctp_clone_sock` (sk_clone + the inlined "
                       "migrate) p50 %s on %s against `sctp_copy_sock` + `sctp_sock_migrate` "
                       "%s + %s on %s." % (fmt_ns(g(kernels[-1], "phase.clone.p50_ns")), kernels[-1],
                                          fmt_ns(g(first, "phase.clone.p50_ns")), fmt_ns(g(first, "phase.migrate.p50_ns")), first))
    P("\n![phase p50 per kernel](img/results-kernels-phases.png)\n")
    P("Derived: the 6.x `clone + migrate` p50 against the 7.x `clone` p50 "
      "(what `sctp_clone_sock` now does in one function):\n")
    rows = []
    for k in kernels:
        g = lambda n: next((m["kernels"].get(k, {}).get("median") for m in cell["metrics"] if m["name"] == n), None)
        c, mg = g("phase.clone.p50_ns"), g("phase.migrate.p50_ns")
        if c is None:
            continue
        rows.append([k, fmt_ns(c), fmt_ns(mg), fmt_ns(c + (mg or 0))])
    P(md_table(["kernel", "clone p50", "migrate p50", "clone + migrate"], rows))
    P("\n(Sum of medians, an approximation of the median of the sum.)\n")

    # Migration vs backlog
    P("## Migration cost against the parent's receive queue\n")
    P("Backlog sweep `%s`: `--backlog M` leaves M messages of 16 other "
      "associations unread on the one-to-many parent for the whole peel phase, so "
      "`sctp_sock_migrate` walks them on every peeloff. Per kernel and backlog: "
      "the median `parent_rq_len` the tracer read at the start of each peeloff "
      "(all successful peeloffs of all repeats), the median of the phase holding "
      "the migration (6.x `migrate`, 7.x `clone`), and `migrate.per_queued_msg_ns` "
      "of the run (median over repeats). Within one run every peeloff sees the "
      "same queue length, so a run alone has no spread in x: it reports no "
      "slope (`–`), and the slope that matters is the one across the sweep.\n"
      % ",".join(bm["sweeps"].get("backlog", [])))
    rows = []
    backlogs = bm["sweeps"].get("backlog", [])
    for k in kernels:
        for b in backlogs:
            files = cell_files(os.path.join(out, "backlog"), k, "backlog=%s" % b)
            rq, dur, sl = [], [], []
            for f in files:
                r = load(f)
                ph = migration_phase(r)
                for e in ok_events(r):
                    if e.get("parent_rq_len") is None or e.get(ph + "_ns") is None:
                        continue
                    rq.append(e["parent_rq_len"])
                    dur.append(e[ph + "_ns"])
                s = r["metrics"].get("migrate.per_queued_msg_ns")
                if s is not None:
                    sl.append(s)
            if not rq:
                continue
            rows.append([k, b, "%d" % statistics.median(rq), "%s (%s)" % (fmt_ns(statistics.median(dur)), ph),
                         "%.1f" % statistics.median(sl) if sl else "–", len(rq)])
    P(md_table(["kernel", "--backlog", "median parent_rq_len", "median phase time", "run's migrate.per_queued_msg_ns", "peeloffs"], rows))
    P("\nSlope across the sweep: `migrate.per_queued_msg_ns` as every reader "
      "computes it (`peelbench run`, `plot`, `export`, `matrix`: "
      "user/results/migration_fit.c), the Theil-Sen slope (median of the "
      "slopes of all pairs of peeloffs with different queue lengths; exact up "
      "to 2^20 pairs, the median of 2^20 random pairs above) over every "
      "successful peeloff of every backlog value and repeat, with a "
      "percentile-bootstrap 95 %% CI (400 resamples). A few TCG stalls 100x "
      "the median cannot move it, as they moved the least-squares slope this "
      "page used to give. The numbers are those of the figures below "
      "(`plots/data/backlog-K.fit.csv`).\n")
    rows, fits = [], {}
    for k in kernels:
        f = fit_of(out, k)
        if not f:
            continue
        fits[k] = f
        ratio = "–"
        if fits.get(first):
            ratio = "%.2f" % (float(f["ns_per_msg"]) / float(fits[first]["ns_per_msg"]))
        rows.append([k, "%.1f ns [%.1f, %.1f]" % (float(f["ns_per_msg"]), float(f["ci_lo"]), float(f["ci_hi"])),
                     f["phase"], f["events"], "yes" if f["sampled"] == "1" else "no", ratio])
    summary.append("Migration cost per message queued on the parent by other associations "
                   "(Theil-Sen with 95 %% CI, backlog %s): %s." % (",".join(backlogs), ", ".join(
                       "%s %.1f ns [%.1f, %.1f]" % (k, float(f["ns_per_msg"]), float(f["ci_lo"]), float(f["ci_hi"]))
                       for k, f in fits.items())))
    P(md_table(["kernel", "ns per queued message [95 % CI]", "phase", "peeloffs", "sampled pairs",
                "ratio to %s" % first], rows))
    P("\nOn 7.x the phase is `clone` (`sctp_clone_sock` with the inlined "
      "migrate), so its intercept also holds `sk_clone()`; the slope is the "
      "per-message part alone and compares across kernels.\n")
    P("\nFigures (every event of the sweep, one point per peeloff, with the Theil-Sen line and its CI band):\n")
    for k in kernels:
        src = os.path.join(out, "plots", "backlog-%s-migrate-vs-rq.png" % k)
        if os.path.exists(src):
            P("![migration vs queue, %s](img/results-migrate-vs-rq-%s.png)\n" % (k, k))

    # Scaling
    if sm:
        P("## Scaling with the number of associations\n")
        P("`peelbench matrix %s --sweep assocs=%s --repeat %d`: medians over "
          "repeats (one association count per run; all associations on one "
          "one-to-many socket).\n"
          % (run_args_str(sm), ",".join(sm["sweeps"].get("assocs", [])), sm["repeat"]))
        names = ["peel_per_s", "setup_per_s", "latency.p50_ns", "latency.p99_ns", "phase.syscall.p50_ns", "phase.syscall.p99_ns"]
        rows = []
        for k in kernels:
            for c in sm["cells"]:
                r = [k, c["values"].get("assocs")]
                for n in names:
                    m = next((m for m in c["metrics"] if m["name"] == n), None)
                    v = m["kernels"].get(k, {}) if m else {}
                    r.append(fmt_metric(n, v.get("median")) if v.get("n") else "–")
                rows.append(r)
        P(md_table(["kernel", "assocs"] + names, rows))
        top, low = sm["cells"][-1], sm["cells"][0]
        P("\nGrowth from %s to %s associations, per kernel (ratio of the medians):\n"
          % (low["values"].get("assocs"), top["values"].get("assocs")))
        rows = []
        for k in kernels:
            r = [k]
            for n in names:
                a, b = metric_of(low, n, k).get("median"), metric_of(top, n, k).get("median")
                r.append("%.2f" % (b / a) if a and b else "–")
            rows.append(r)
        P(md_table(["kernel"] + names, rows))
        summary.append("From %s to %s associations on one socket, peel_per_s at %s over at %s (ratio of medians): %s." % (
            low["values"].get("assocs"), top["values"].get("assocs"), top["values"].get("assocs"),
            low["values"].get("assocs"), ", ".join("%s %s" % (r[0], r[1]) for r in rows)))
        P("\nRatios to %s at %s associations:\n" % (first, top["values"].get("assocs")))
        rows = [[m["name"]] + [ratio_str(m["kernels"].get(k, {})) for k in kernels[1:]] for m in top["metrics"]]
        P(md_table(["metric"] + ["%s / %s" % (k, first) for k in kernels[1:]], rows))
        for k in kernels:
            if os.path.exists(os.path.join(out, "scale", "plots", "sweep-%s" % k, "sweep.png")):
                P("\n![scaling %s](img/results-sweep-%s.png)\n" % (k, k))
        if "10000" not in sm["sweeps"].get("assocs", []):
            P("\n(10,000 associations were not in this sweep: see the knob ASSOCS.)\n")

    # Overhead
    P("## Tracer overhead\n")
    P("In one guest per kernel, pairs of `peelbench run --no-vm --repeat 1` "
      "with `--no-trace` and traced (the default: histograms **and** the "
      "per-peeloff event stream with the migration features), interleaved. "
      "Medians over the pairs; the ratio is traced / untraced.\n")
    rows = []
    for k in kernels:
        d = os.path.join(out, "overhead", k)
        u = [load(f) for f in sorted(glob.glob(os.path.join(d, "untraced-r*.json")))]
        t = [load(f) for f in sorted(glob.glob(os.path.join(d, "traced-r*.json")))]
        if not u or not t:
            rows.append([k, "failed: see %s" % os.path.relpath(d)] + [""] * 5)
            continue
        med = lambda rs, n: statistics.median(r["metrics"][n] for r in rs)
        pu, pt = med(u, "peel_per_s"), med(t, "peel_per_s")
        lu, lt = med(u, "latency.p50_ns"), med(t, "latency.p50_ns")
        assocs = u[0]["config"]["assocs"]
        summary.append("Tracer (with events) on %s: peel_per_s x%.2f, user-side p50 x%.2f (TCG)." % (k, pt / pu, lt / lu))
        rows.append([k, "%d x %d" % (len(u), assocs), "%.0f/s" % pu, "%.0f/s" % pt, "%.2f" % (pt / pu),
                     "%s → %s" % (fmt_ns(lu), fmt_ns(lt)), "%.2f" % (lt / lu)])
    P(md_table(["kernel", "pairs x assocs", "peel_per_s untraced", "traced", "ratio", "user p50 untraced → traced", "ratio"], rows))
    P("\nThe traced run always keeps the event stream (`peelbench run` asks the "
      "tracer for events so that it can fit the migration slope); histogram-only "
      "tracing costs less (docs/README-trace.md). Under TCG a BPF program's cost is "
      "inflated like every other instruction, so these ratios are the least "
      "transferable figures on this page.\n")

    # Plot examples
    P("## Plot examples (real results of this run)\n")
    P("Made with these commands (from `%s`):\n\n```\n%s```\n"
      % (os.path.relpath(out), read(os.path.join(out, "plot-commands.txt")).replace(out + "/", "")))
    shown = []
    for src, dst, title in plot_list(out, kernels):
        if os.path.exists(src):
            shown.append((src, dst, title))
    for src, dst, title in shown:
        P("**%s** (`%s`)\n\n![%s](img/%s)\n" % (title, os.path.relpath(src, out), title, dst))
    P("`peelbench plot` printed:\n\n```\n%s```\n" % read(os.path.join(out, "plot-output.txt")).replace(out + "/", ""))

    # compare
    P("## `peelbench compare` on real results\n")
    for name, what in (("kernels", "two kernels (different env, so `--allow-different`)"),
                       ("repeats", "two repeats of the same kernel and cell")):
        P("%s:\n\n```\n%s```\n" % (what[0].upper() + what[1:], read(os.path.join(out, "compare-%s.txt" % name))))
    P("How to read these: (1) metrics tested on `rounds` have 3 values a side, "
      "and a two-sided Mann-Whitney test on 3 against 3 cannot go below p = 0.1, "
      "so even a 15x change (`phase.clone.p50_ns` between 6.x and 7.x) stays `no "
      "change`: give `peelbench run --repeat 4` or more when a compare should be "
      "able to decide on rounds. (2) Metrics tested on `samples` treat the 3000 "
      "per-call latencies of one run as independent, but under TCG a whole boot "
      "is faster or slower (±15 %): two repeats of the same kernel can then differ "
      "\"significantly\" (a `REGRESSION` or `improvement` between the two repeats "
      "above is such a boot-to-boot difference, not a kernel's). Across boots, trust the matrix's CI over "
      "repeats, not a two-file compare.\n")
    P("Change points of the 'upgrade' timeline (the overhead step's traced "
      "runs, kernel after kernel, so a change point should sit on a kernel "
      "switch where the metric moved; `--alpha 0.05` because with 3 results "
      "per kernel the permutation test cannot reach 0.01):\n\n```\n%s```\n"
      % read(os.path.join(out, "history-check.txt")).replace(out + "/", ""))

    # Sections measured by other commands, kept as they are
    P(kept_sections(os.path.join(docs, "results.md")))

    # Failures and raw tables
    P("## Failures\n")
    fl = []
    for name, m in (("backlog", bm), ("scale", sm)):
        if not m:
            fl.append("- %s matrix: missing" % name)
            continue
        for c in m["cells"]:
            for r in c["runs"]:
                if r["status"] != "ok":
                    fl.append("- %s matrix, %s, %s r%d: %s (exit %s) %s" % (name, r["kernel"], c["name"], r["round"], r["status"], r.get("exit"), r.get("reason", "")))
    for k in kernels:
        st = read(os.path.join(out, "overhead", k, "status.txt"))
        for line in st.splitlines():
            if not line.endswith(" 0"):
                fl.append("- overhead %s: %s" % (k, line))
    P("\n".join(fl) + "\n" if fl else "None: every run of this page exited 0.\n")
    P("\n## The matrices' own tables (verbatim `peelbench matrix` output)\n")
    for name in ("backlog", "scale"):
        P("```\n%s```\n" % read(os.path.join(out, "%s.table" % name)).replace(out + "/", ""))

    page[summary_at:summary_at] = [
        "## In brief (generated from the tables below)\n",
        "\n".join("- " + x for x in summary) + "\n",
        "Reading: only ratios inside this page carry over (TCG). Kernel differences "
        "whose CI includes 1 are not findings; 3 repeats is a small sample.\n"]

    # images
    for f in glob.glob(os.path.join(img, "results-*.png")):
        os.unlink(f)	# stale figures of an earlier run
    copy_images(out, kernels, img)
    tmp = os.path.join(docs, "results.md.tmp")
    with open(tmp, "w") as f:
        f.write("\n".join(page))
    os.replace(tmp, os.path.join(docs, "results.md"))


def plot_list(out, kernels):
    first = kernels[0]
    p = os.path.join(out, "plots")
    last = kernels[-1]
    return [
        (os.path.join(p, "backlog-%s-phase-hist.png" % first), "results-phase-hist-%s.png" % first, "Per-phase latency histogram, %s (backlog sweep pooled)" % first),
        (os.path.join(p, "backlog-%s-phase-cdf.png" % first), "results-phase-cdf-%s.png" % first, "Per-phase latency CDF, %s" % first),
        (os.path.join(p, "backlog-%s-phase-cdf.png" % last), "results-phase-cdf-%s.png" % last, "Per-phase latency CDF, %s" % last),
        (os.path.join(p, "backlog-%s-migrate-vs-rq.png" % first), "results-migrate-vs-rq-%s.png" % first, "Migration cost vs parent receive queue, %s" % first),
        (os.path.join(p, "backlog-%s-migrate-vs-rq.png" % last), "results-migrate-vs-rq-%s.png" % last, "Migration cost vs parent receive queue, %s" % last),
        (os.path.join(p, "sweep-%s" % first, "sweep.png"), "results-sweep-plot-%s.png" % first, "Throughput and p99 vs associations, %s" % first),
        (os.path.join(p, "kernels", "phases.png"), "results-kernels-phases.png", "Phase p50 per kernel with 95% CIs (backlog=0)"),
        (os.path.join(p, "history-upgrade", "history-phase.clone.p50_ns.png"), "results-history-upgrade-clone-p50.png", "History with change points: phase.clone.p50_ns of the overhead step's traced runs, which ran kernel after kernel (an 'upgrade' timeline)"),
    ]


def copy_images(out, kernels, img):
    pairs = [(s, d) for s, d, _ in plot_list(out, kernels)]
    for k in kernels:
        pairs.append((os.path.join(out, "plots", "backlog-%s-migrate-vs-rq.png" % k), "results-migrate-vs-rq-%s.png" % k))
        pairs.append((os.path.join(out, "scale", "plots", "sweep-%s" % k, "sweep.png"), "results-sweep-%s.png" % k))
    for src, dst in pairs:
        if not os.path.exists(src):
            continue
        if os.path.getsize(src) > IMG_LIMIT:
            print("results-md: %s is %d bytes, over %d" % (src, os.path.getsize(src), IMG_LIMIT), file=sys.stderr)
        shutil.copyfile(src, os.path.join(img, dst))


def main(argv):
    if len(argv) >= 4 and argv[1] == "--prepare":
        prepare(argv[2], argv[3].split(","))
    elif len(argv) >= 4 and argv[1] == "--release":
        print(release_of(argv[2], argv[3]))
    elif len(argv) >= 5 and argv[1] == "--write":
        write(argv[2], argv[3].split(","), argv[4])
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
