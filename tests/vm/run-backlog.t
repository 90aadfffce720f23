#!/usr/bin/env bash
# --backlog 0/64/1024 with the tracer: the parent's receive queue that
# each traced peeloff meets grows with the backlog, and the tracer counts
# exactly the driver's successful peeloffs.
set -uo pipefail
. "$(dirname "$0")/run-lib.sh"

guest '
for b in 0 64 1024; do
	"$P" run --no-vm --assocs 200 --warmup 0 --repeat 1 --backlog $b -o "$W/b$b.json" >"$W/b$b.out" 2>"$W/b$b.err"
	echo $? >"$W/b$b.rc"
done
'

# the events are in the result's sidecar (trace.events_file), one JSON line each
med='sorted(e["parent_rq_len"] for e in map(__import__("json").loads, open(__import__("os").path.join(__import__("os").path.dirname(sys.argv[1]), d["trace"]["events_file"]))) if e.get("ret", -1) >= 0 and "parent_rq_len" in e)'
for b in 0 64 1024; do
	f=$work/b$b.json
	is "$(rc b$b)" 0 "--backlog $b: exit 0"
	is "$(j "$f" 'd["driver"]["verified"]')" 200 "--backlog $b: 200 verified"
	is "$(j "$f" 'd["driver"]["tracer_agrees"]')" true "--backlog $b: tracer ok count = driver's"
	is "$(j "$f" 'd["rounds"][0]["backlog"]')" "$b" "--backlog $b: $b messages left on the parent"
	is "$(j "$f" "min($med) >= $b")" true "--backlog $b: every peeloff met at least $b queued messages"
done
m0=$(j "$work/b0.json" "$med[len($med)//2]")
m64=$(j "$work/b64.json" "$med[len($med)//2]")
m1024=$(j "$work/b1024.json" "$med[len($med)//2]")
[ "$m0" -lt "$m64" ] && [ "$m64" -lt "$m1024" ]
ok $? "median parent queue rises with --backlog" "medians $m0 $m64 $m1024"

finish
