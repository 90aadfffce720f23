#!/usr/bin/env python3
# The tracer end to end, one guest boot per kernel (6.1, 6.12, 7.3; or the
# space-separated list in $PEELBENCH_TRACE_KERNELS): tests/vm/trace-guest.sh
# runs `peelbench trace --json -c build/guest/trace_workload` (plain and
# --events) and a SIGKILLed trace inside the guest; this file asserts on
# the results, in TAP:
#   - attempts 203, ok 200, the 3 failures under the errno names the
#     workload itself received, accept_migrations 5 (accept() is not a
#     peeloff), and count 200 in every phase the plan marks available;
#   - with --events: 203 events, none dropped, and the peeloff done with K
#     unread messages of other associations on the parent records a parent
#     queue length >= K;
#   - with --phases clone: the same exact counts, only the syscall and the
#     clone timed (200 each), the others "not selected", accept() not
#     counted (it is told apart at assoc_migrate), features still read;
#   - no peelbench program or link left after the trace exits, nor after
#     SIGKILL of a running trace.
import collections
import os
import shutil
import subprocess
import sys
import tempfile

from tap import count, load, ok, require, run_guest, text

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
PB = os.path.join(ROOT, "peelbench")
VM_RUN = os.environ.get("PEELBENCH_VM_RUN", os.path.join(ROOT, "scripts", "vm-run"))
KERNELS = os.environ.get("PEELBENCH_TRACE_KERNELS", "6.1 6.12 7.3").split()
OUR_PROGS = ("sys_enter_getsockopt", "sys_exit_getsockopt", "fentry_", "fexit_",
             "kprobe_", "kretprobe_")


def events_of(out, tr):
    """The events of a trace result: its sidecar (trace.events_file, beside
    the result), one JSON object a line."""
    name = tr.get("events_file")
    if not name or not os.path.exists(os.path.join(out, name)):
        return []
    with open(os.path.join(out, name)) as f:
        return [__import__("json").loads(line) for line in f if line.strip()]


def ours(progs):
    if not isinstance(progs, list):
        return ["unreadable: %r" % (progs,)]
    return [p.get("name", "") for p in progs
            if any(p.get("name", "").startswith(o) for o in OUR_PROGS)]


def check_counts(k, tr, wl, what, accepts=5):
    po = tr.get("peeloff", {})
    ok(po.get("attempts") == 203, "%s %s: 203 peeloff attempts" % (k, what), po)
    ok(po.get("ok") == 200 and wl.get("ok") == 200,
       "%s %s: 200 successful peeloffs (workload saw %s)" % (k, what, wl.get("ok")), po)
    want = dict(collections.Counter(wl.get("errors", [])))
    ok(po.get("errors") == want,
       "%s %s: failures by errno match what user space got %s" % (k, what, want), po.get("errors"))
    if accepts is not None:
        ok(tr.get("accept_migrations") == accepts and wl.get("accepts") == 5,
           "%s %s: 5 accept() migrations, not counted as peeloffs" % (k, what),
           tr.get("accept_migrations"))
    avail = [p["phase"] for p in tr.get("probes", [])
             if p.get("attach") != "unavailable" and p.get("phase") != "accept"]
    counts = {ph: tr.get("phases", {}).get(ph, {}).get("count") for ph in avail}
    ok(avail and all(c == 200 for c in counts.values()),
       "%s %s: every available phase counted 200 %s" % (k, what, sorted(avail)), counts)
    ok(tr.get("command", {}).get("exit_status") == 0,
       "%s %s: the workload ran as planned" % (k, what), tr.get("command"))


def run_kernel(k):
    out = tempfile.mkdtemp(prefix="pb-trace-")
    try:
        if not run_guest(VM_RUN, ROOT, k, "trace-guest.sh", out, 1500, "guest ran the checks"):
            return
        kern = text(out, "kernel").strip()
        print("# guest kernel %s" % kern)
        probes = load(out, "probes.json")
        for p in probes.get("probes", []):
            print("# plan %-14s %-44s %-11s %s" % (p["phase"], p["symbol"], p["attach"], p["reason"]))

        tr = load(out, "trace.json")
        ok(text(out, "trace.rc").strip() == "0", "%s: trace -c exits 0" % k, text(out, "trace.err"))
        check_counts(k, tr, load(out, "wl1.json"), "trace")

        ev = load(out, "events.json")
        wl2 = load(out, "wl2.json")
        ok(text(out, "events.rc").strip() == "0", "%s: trace --events exits 0" % k,
           text(out, "events.err"))
        check_counts(k, ev, wl2, "trace --events")
        events = events_of(out, ev)
        ok(len(events) == 203 and ev.get("drops") == 0 and ev.get("events_written") == 203 and
           "events" not in ev,
           "%s: 203 events, 0 dropped" % k, "%d events, drops %s" % (len(events), ev.get("drops")))
        special = [e for e in events if e.get("assoc_id") == wl2.get("special_assoc_id")
                   and e.get("flags") == 0o2000000 and e.get("ret", -1) >= 0]
        if ok(len(special) == 1, "%s: the SOCK_CLOEXEC peeloff has one event" % k, special):
            e = special[0]
            ok(e.get("parent_rq_len", -1) >= wl2.get("k", 1 << 30),
               "%s: parent queue length %s >= K=%s unread messages" %
               (k, e.get("parent_rq_len"), wl2.get("k")), e)
            ok(e.get("assocs", 0) >= 1, "%s: associations on the parent recorded (%s)" %
               (k, e.get("assocs")), e)

        ph = load(out, "phases.json")
        wl3 = load(out, "wl3.json")
        ok(text(out, "phases.rc").strip() == "0", "%s: trace --phases clone exits 0" % k,
           text(out, "phases.err"))
        check_counts(k, ph, wl3, "trace --phases clone", accepts=None)
        plan = {p.get("phase"): p for p in ph.get("probes", [])}
        ok(sorted(ph.get("phases", {})) == ["clone", "syscall"] and
           all(ph["phases"][x].get("count") == 200 for x in ("clone", "syscall")),
           "%s --phases clone: only syscall and clone timed, 200 each" % k, ph.get("phases"))
        ok(all(plan.get(x, {}).get("reason") == "not selected (--phases)"
               for x in ("do_peeloff", "assoc_migrate")),
           "%s --phases clone: do_peeloff and assoc_migrate not selected" % k, plan)
        ok(ph.get("accept_migrations", 0) is None and plan.get("accept", {}).get("attach") == "unavailable",
           "%s --phases clone: accept() migrations not counted (null)" % k,
           (ph.get("accept_migrations"), plan.get("accept")))
        sp = [e for e in events_of(out, ph) if e.get("assoc_id") == wl3.get("special_assoc_id")
              and e.get("ret", -1) >= 0]
        ok(len(sp) == 1 and sp[0].get("parent_rq_len", -1) >= wl3.get("k", 1 << 30),
           "%s --phases clone: features still read at the clone (parent queue >= K)" % k, sp)

        ok(not ours(load(out, "progs-after-exit.json")) and
           load(out, "links-after-exit.json") == [],
           "%s: nothing attached after trace exits" % k,
           ours(load(out, "progs-after-exit.json")))
        ok(ours(load(out, "progs-while-running.json")),
           "%s: a running trace is visible to bpftool (the next check can fail)" % k)
        ok(not ours(load(out, "progs-after-kill.json")) and
           load(out, "links-after-kill.json") == [],
           "%s: nothing attached after SIGKILL" % k, ours(load(out, "progs-after-kill.json")))
    finally:
        shutil.rmtree(out, ignore_errors=True)


def main():
    if not require(VM_RUN, PB, os.path.join(ROOT, "build", "guest", "trace_workload")):
        print("1..%d" % count())
        return 1
    # bad phase lists: refused before anything is loaded (host side)
    for cmd in ("trace", "run"):
        r = subprocess.run([PB, cmd, "--phases", "clone,nosuch"],
                           capture_output=True, text=True)
        ok(r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1 and
           "bad phase list 'clone,nosuch'" in r.stderr,
           "%s --phases clone,nosuch: exit 2, one line" % cmd, (r.returncode, r.stderr))
    for k in KERNELS:
        run_kernel(k)
    print("1..%d" % count())
    return 0


sys.exit(main())
