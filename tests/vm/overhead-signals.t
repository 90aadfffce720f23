#!/usr/bin/env bash
# SIGTERM and SIGHUP stop `overhead` as SIGINT does (tests/vm/overhead.t):
# exit 128+signal, the complete rounds written with complete:false, and
# nothing left attached or running: no program or link of ours, no peer
# tool (each signal is sent while the bpftrace peer runs its block), no
# SCTP endpoint.  One 6.1 guest for both.
set -uo pipefail
. "$(dirname "$0")/run-lib.sh"
plan 15

# The bpftrace peer is skipped when it does not stop within 5 s of its
# test start (under TCG at high load it may not): such a run is stopped
# and tried again, up to 3 times, so that the signal lands in a peer block.
guest '
for sig in TERM HUP; do
	for try in 1 2 3; do
		"$P" overhead --rounds 100 --block 10 --modes hist,bpftrace --no-stats \
			-o "$W/$sig.json" >"$W/$sig.out" 2>"$W/$sig.err" &
		pid=$!
		i=0
		while [ $i -lt 900 ] && ! grep -q "round 1 of\|bpftrace skipped" "$W/$sig.err"; do
			sleep 0.2
			i=$((i + 1))
		done
		grep -q "bpftrace skipped" "$W/$sig.err" || break
		kill -INT $pid
		wait $pid
	done
	# then into a bpftrace block
	i=0
	while [ $i -lt 900 ] && ! pgrep -x bpftrace >/dev/null; do sleep 0.1; i=$((i + 1)); done
	pgrep -x bpftrace >/dev/null; echo $? >"$W/$sig.peer-before"
	kill -s $sig $pid
	wait $pid
	echo $? >"$W/$sig.rc"
	sleep 1
	pgrep -x bpftrace | wc -l >"$W/$sig.peers"
	bpftool -j prog list >"$W/$sig.progs" 2>&1
	bpftool -j link list >"$W/$sig.links" 2>&1
done
wc -l </proc/net/sctp/eps >"$W/eps"
true
'

ours='[p.get("name", "") for p in d if p.get("name", "").startswith(("fentry_", "fexit_", "kprobe_", "kretprobe_", "sys_enter_getso", "sys_exit_getso", "floor_"))] + [p for p in d if p.get("type") == "tracing"]'
for sig in TERM HUP; do
	want=$((128 + $(kill -l "$sig")))
	is "$(cat "$work/$sig.peer-before" 2>/dev/null)" 0 "SIG$sig: sent while a bpftrace peer ran"
	is "$(rc "$sig")" "$want" "SIG$sig: exit $want"
	is "$(j "$work/$sig.json" 'd["complete"]')" false "SIG$sig: the result says complete:false"
	is "$(j "$work/$sig.json" '0 < d["rounds"] < 100')" true \
		"SIG$sig: the complete rounds, fewer than asked"
	is "$(cat "$work/$sig.peers" 2>/dev/null)" 0 "SIG$sig: no bpftrace left running"
	is "$(j "$work/$sig.progs" "$ours")" "[]" "SIG$sig: none of our programs stays loaded"
	is "$(j "$work/$sig.links" '[l for l in d if l.get("type") in ("tracing", "perf_event", "kprobe_multi")]')" \
		"[]" "SIG$sig: no tracing link left"
done
is "$(cat "$work/eps" 2>/dev/null)" 1 "no SCTP endpoint left in the kernel"
finish
