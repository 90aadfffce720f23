#!/usr/bin/env bash
# SIGTERM and SIGHUP stop `run` and `trace` as SIGINT does (tests/vm/
# run-sigint.t): exit 128+signal, what was gathered kept (complete:false),
# every socket closed, nothing attached.  And `trace -c CMD` returns
# CMD's own status once the trace succeeded, CMD started with the signal
# dispositions a shell would give it (SIGPIPE not ignored).  One guest for all.
set -uo pipefail
. "$(dirname "$0")/run-lib.sh"
plan 16

guest '
for sig in TERM HUP; do
	"$P" run --no-trace --no-vm --assocs 1500 --warmup 0 --repeat 20 -o "$W/$sig.json" >"$W/$sig.out" 2>"$W/$sig.err" &
	pid=$!
	sleep 12	# past the first round (1500 setups take a few seconds)
	kill -s $sig $pid
	wait $pid
	echo $? >"$W/$sig.rc"
done
sleep 1
wc -l </proc/net/sctp/eps >"$W/eps"
# trace: its command'"'"'s status, and a SIGTERM to the tracer itself
"$P" trace -c "exit 3" >"$W/c3.out" 2>"$W/c3.err"; echo $? >"$W/c3.rc"
"$P" trace -c "kill -TERM \$\$" >"$W/ck.out" 2>"$W/ck.err"; echo $? >"$W/ck.rc"
"$P" trace -c "kill -PIPE \$\$" >"$W/cp.out" 2>"$W/cp.err"; echo $? >"$W/cp.rc"
"$P" trace --json -o "$W/tt.json" >"$W/tt.out" 2>"$W/tt.err" &
pid=$!
i=0
while [ $i -lt 300 ] && ! bpftool prog list 2>/dev/null | grep -q getso; do sleep 0.2; i=$((i + 1)); done
kill -TERM $pid
wait $pid
echo $? >"$W/tt.rc"
sleep 1
bpftool prog list 2>/dev/null | grep -c getso >"$W/progs-after"
true
'

for sig in TERM HUP; do
	f=$work/$sig.json
	want=$((128 + $(kill -l "$sig")))
	is "$(rc "$sig")" "$want" "SIG$sig: exit $want"
	is "$(j "$f" 'd["complete"]' 2>/dev/null)" false "SIG$sig: a result file that says complete:false"
	is "$(j "$f" 'd["driver"]["rounds"] < 20')" true "SIG$sig: fewer rounds than asked"
	is "$(j "$f" 'd["driver"]["fds_leaked"]')" 0 "SIG$sig: every socket the driver opened is closed"
done
is "$(cat "$work/eps" 2>/dev/null)" 1 "no SCTP endpoint left in the kernel"
ls "$work"/*.json.tmp.* >/dev/null 2>&1
ok $((!$?)) "no temporary file left"
is "$(rc c3)" 3 "trace -c 'exit 3': exit 3"
is "$(rc ck)" 143 "trace -c CMD killed by SIGTERM: exit 143"
is "$(rc cp)" 141 "trace -c CMD starts with SIGPIPE at its default: killed by it, exit 141"
is "$(rc tt)" 143 "SIGTERM to trace: exit 143"
is "$(j "$work/tt.json" 'd["complete"]' 2>/dev/null)" false "... its result says complete:false"
is "$(cat "$work/progs-after" 2>/dev/null)" 0 "... and none of its programs stays loaded"
finish
