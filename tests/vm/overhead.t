#!/usr/bin/env python3
# `peelbench overhead` end to end in a 6.1 guest (tests/vm/overhead-guest.sh),
# and its refusals on the host, in TAP.  Asserts what a user relies on, not
# the figures (those are a benchmark's, README "Tracer overhead"):
#   - every block peeled exactly --block associations; in every traced block
#     the tracer counted exactly those (floor: 0, its programs filter us out);
#   - bpf_stats lists exactly the programs of each mode, the sctp ones hit
#     once per peeloff;
#   - the JSON on stdout is the file; --min-ratio 10 exits 1 and still
#     writes the file; SIGINT exits 130 with the complete rounds written;
#     nothing stays attached;
#   - bad options exit 2 with one line; no SCTP on the host exits 3.
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile

from tap import count, load, ok, require, run_guest, text

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
PB = os.path.join(ROOT, "peelbench")
VM_RUN = os.environ.get("PEELBENCH_VM_RUN", os.path.join(ROOT, "scripts", "vm-run"))
KERNEL = os.environ.get("PEELBENCH_OVERHEAD_KERNEL", "6.1")
PHASE_PROGS = ["do_peeloff", "clone", "migrate", "assoc_migrate"]


def host_has_sctp():
    try:
        socket.socket(socket.AF_INET, socket.SOCK_SEQPACKET, socket.IPPROTO_SCTP).close()
        return True
    except OSError:
        return False


def host_checks():
    for args, what in ((["--rounds", "4"], "bad round count '4'"),
                       (["--block", "9"], "bad block size '9'"),
                       (["--modes", "hist,nosuch"], "bad mode list 'hist,nosuch'"),
                       (["--phases", "nosuch"], "bad phase list 'nosuch'"),
                       (["--min-ratio", "0"], "bad minimum ratio '0'"),
                       (["extra"], "unexpected argument 'extra'")):
        r = subprocess.run([PB, "overhead"] + args, capture_output=True, text=True)
        ok(r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1 and what in r.stderr,
           "overhead %s: exit 2, one line" % " ".join(args), (r.returncode, r.stderr))
    # --baseline PATH: refused at parse time, before any guest or load
    tmp = tempfile.mkdtemp(prefix="pb-baseline-")
    try:
        plain = os.path.join(tmp, "plain")
        with open(plain, "w") as f:
            f.write("#!/bin/sh\n")
        os.chmod(plain, 0o644)
        for path, what in ((os.path.join(tmp, "missing"), "ENOENT"),
                           (plain, "not an executable file"),
                           (tmp, "not an executable file")):
            r = subprocess.run([PB, "overhead", "--baseline", path], capture_output=True,
                               text=True)
            ok(r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1 and
               ("--baseline %s: %s" % (path, what)) in r.stderr,
               "overhead --baseline %s: exit 2, one line" % os.path.basename(path),
               (r.returncode, r.stderr))
        r = subprocess.run([PB, "overhead", "--modes", "baseline"], capture_output=True, text=True)
        ok(r.returncode == 2 and "bad mode list 'baseline'" in r.stderr,
           "overhead --modes baseline: not a mode of its own (--baseline PATH)", r.stderr)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if os.geteuid() == 0 and not host_has_sctp():
        r = subprocess.run([PB, "overhead"], capture_output=True, text=True)
        ok(r.returncode == 3 and len(r.stderr.strip().splitlines()) == 1 and
           "no SCTP" in r.stderr and "--vm" in r.stderr,
           "overhead on a host without SCTP: exit 3, one line naming --vm", (r.returncode, r.stderr))


def progs(mode):
    return {p["prog"]: p["run_cnt"] for p in (mode.get("bpf_stats") or [])}


def guest_checks():
    out = tempfile.mkdtemp(prefix="pb-overhead-")
    try:
        if not run_guest(VM_RUN, ROOT, KERNEL, "overhead-guest.sh", out, 900,
                         "guest ran overhead"):
            return
        print("# guest kernel %s" % text(out, "kernel").strip())
        a = load(out, "a.json")
        ok(text(out, "a.rc").strip() == "0", "overhead exits 0", text(out, "a.err"))
        try:
            stdout_json = json.loads(text(out, "a.stdout"))
        except ValueError:
            stdout_json = None
        ok(stdout_json == a, "--json prints what -o wrote")
        modes = {m.get("mode"): m for m in a.get("modes", [])}
        ok([m.get("mode") for m in a.get("modes", [])] == ["none", "hist", "syscall", "floor"]
           and a.get("rounds") == 5 and a.get("block") == 20 and a.get("complete") is True,
           "5 complete rounds of none, hist, syscall, floor", a)
        ok(all(m.get("peeled") == 100 for m in modes.values()),
           "every mode peeled 5 x 20", [m.get("peeled") for m in modes.values()])
        for name in ("hist", "syscall"):
            m = modes.get(name, {})
            ok(m.get("rounds_traced_ok") == [20] * 5 and m.get("tracer_saw_every_peeloff") is True,
               "%s: the tracer counted exactly the 20 peeloffs of each block" % name,
               m.get("rounds_traced_ok"))
        ok(modes.get("floor", {}).get("rounds_traced_ok") == [0] * 5,
           "floor: its programs run but count nothing of ours",
           modes.get("floor", {}).get("rounds_traced_ok"))
        ok(isinstance(modes.get("hist", {}).get("ratio"), float) and
           len(modes.get("hist", {}).get("ratio_ci95") or []) == 2 and
           modes.get("none", {}).get("ratio") == 1.0,
           "a ratio with its 95% CI per traced mode, none = 1", modes.get("hist"))

        h = progs(modes.get("hist", {}))
        want = ["fentry_getsockopt", "fexit_getsockopt"] + \
            ["%s_%s" % (k, p) for p in PHASE_PROGS for k in ("fentry", "fexit")]
        ok(sorted(h) == sorted(want), "hist: bpf_stats of the 10 programs of the plan", h)
        ok(all(h.get("%s_%s" % (k, p)) == 20 for p in PHASE_PROGS for k in ("fentry", "fexit")),
           "hist: every phase program hit once per peeloff (20)", h)
        s = progs(modes.get("syscall", {}))
        ok(sorted(s) == ["fentry_getsockopt", "fexit_getsockopt"] and
           all(v >= 20 for v in s.values()),
           "syscall: only the two getsockopt programs", s)
        ok(modes.get("hist", {}).get("bpf_ns_per_peeloff", 0) > 0,
           "hist: BPF time per peeloff reported", modes.get("hist", {}).get("bpf_ns_per_peeloff"))

        b = load(out, "b.json")
        ok(text(out, "b.rc").strip() == "1" and "below --min-ratio" in text(out, "b.err"),
           "--min-ratio 10: exit 1, said why", (text(out, "b.rc"), text(out, "b.err")))
        ok(b.get("min_ratio") == 10 and b.get("complete") is True and
           b.get("modes", [{}])[-1].get("bpf_stats") is None,
           "--min-ratio 10: the result is still written (no bpf_stats: --no-stats)", b)

        d = load(out, "d.json")
        dm = {m.get("mode"): m for m in d.get("modes", [])}
        ok(text(out, "d.rc").strip() == "0" and list(dm) == ["none", "baseline", "build"] and
           all(m.get("peeled") == 50 for m in dm.values()) and not d.get("skipped"),
           "--baseline (this binary as both builds): none, baseline, build, 5 x 10 each",
           (text(out, "d.rc"), list(dm), d.get("skipped"), text(out, "d.err")[-300:]))
        ok(all(isinstance(dm.get(n, {}).get("added_ns_per_call"), float) and
               len(dm.get(n, {}).get("added_ci95") or []) == 2 for n in ("baseline", "build")),
           "--baseline: time added per call with its CI for both builds",
           [dm.get(n) for n in ("baseline", "build")])

        c = load(out, "c.json")
        ok(text(out, "c.rc").strip() == "130" and c.get("complete") is False and
           1 <= c.get("rounds", 0) < 100 and
           all(len(m.get("rounds_ratio", [])) == c.get("rounds") for m in c.get("modes", [])),
           "SIGINT: exit 130, the complete rounds reported and written",
           (text(out, "c.rc"), c.get("rounds"), c.get("complete"), text(out, "c.err")[-500:]))

        ours = [p.get("name") for p in load(out, "progs-after.json")
                if p.get("name", "").startswith(("fentry_", "fexit_", "kprobe_", "kretprobe_",
                                                  "sys_enter_", "sys_exit_"))] \
            if isinstance(load(out, "progs-after.json"), list) else ["unreadable"]
        ok(not ours and load(out, "links-after.json") == [], "nothing attached afterwards", ours)
    finally:
        shutil.rmtree(out, ignore_errors=True)


def main():
    if not require(PB, VM_RUN):
        print("1..%d" % count())
        return 1
    host_checks()
    guest_checks()
    print("1..%d" % count())
    return 0


sys.exit(main())
