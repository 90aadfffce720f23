#!/usr/bin/env bash
# `probes` on a kernel where available_filter_functions cannot be read
# (tracefs and debugfs unmounted in a 6.1 guest): it promises fentry only
# after a test program attached to the function and was detached, and the
# promises hold: `trace` attaches exactly that plan and counts every
# peeloff in every phase.  No test program stays loaded.  (The host side,
# where nothing can be tried, is tests/cli/probes-unknown.t.)
set -uo pipefail
. "$(dirname "$0")/run-lib.sh"
require "$root/build/guest/trace_workload"
plan 8

guest '
umount /sys/kernel/debug 2>/dev/null
umount /sys/kernel/tracing 2>/dev/null
ls /sys/kernel/tracing/available_filter_functions /sys/kernel/debug/tracing/available_filter_functions >/dev/null 2>&1
echo $? >"$W/tfs.rc"
modprobe sctp
"$P" probes --json >"$W/probes.json" 2>"$W/probes.err"; echo $? >"$W/probes.rc"
"$P" trace --json -o "$W/t.json" -c "${P%/*}/build/guest/trace_workload $W/wl.json" >"$W/trace.out" 2>"$W/trace.err"
echo $? >"$W/trace.rc"
bpftool prog list 2>/dev/null | grep -c pb_try >"$W/left"
true
'

[ "$(rc tfs)" != 0 ]
ok $? "the guest has no available_filter_functions" "$(rc tfs)"
is "$(rc probes)" 0 "probes exits 0"
is "$(j "$work/probes.json" '[p["phase"] for p in d["probes"] if p["attach"] != "fentry"]')" "[]" \
	"every phase (6.1: all of them fentry) is promised as fentry"
is "$(j "$work/probes.json" 'all("a test program attached and detached" in p["reason"] for p in d["probes"])')" \
	true "... each after a test program attached and detached"
is "$(rc trace)" 0 "trace with that plan exits 0" 
is "$(j "$work/t.json" '{p["phase"]: p["attach"] for p in d["probes"]} == {p["phase"]: p["attach"] for p in json.load(open("'"$work"'/probes.json"))["probes"]}')" \
	true "trace attached exactly the plan probes promised"
is "$(j "$work/t.json" 'sorted({k: v["count"] for k, v in d["phases"].items()}.items())')" \
	'[["assoc_migrate", 200], ["clone", 200], ["do_peeloff", 200], ["migrate", 200], ["syscall", 200]]' \
	"every phase counted the 200 peeloffs"
is "$(cat "$work/left" 2>/dev/null)" 0 "no test program stays loaded"
finish
