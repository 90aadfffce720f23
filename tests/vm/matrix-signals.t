#!/usr/bin/env bash
# SIGTERM and SIGHUP stop `matrix` as SIGINT does (docs/matrix.md, exit):
# sent while the guest of round 2 runs, the matrix exits 128+signal, keeps
# round 1's result, writes matrix.json with complete:false, and leaves
# nothing running: no qemu and no VM runner of its own (each found by its
# output folder on the command line), no temporary file.  Real guests
# (6.1), two matrices.
set -uo pipefail
. "$(dirname "$0")/run-lib.sh"
plan 12

mine() { pgrep -f -- "$1.*$2" | grep -vx "$$" | wc -l; }	# mine PATTERN DIR
for sig in TERM HUP; do
	d=$work/$sig
	"$pb" matrix --kernels "$kernel" --repeat 3 --assocs 200 --no-history --no-plot \
		-o "$d" > "$work/$sig.out" 2> "$work/$sig.err" &
	pid=$!
	i=0	# round 1's result, round 2's batch started, its guest up
	while [ $i -lt 3000 ] && ! { ls "$d"/*/*-r1.json > /dev/null 2>&1 &&
				     ls "$d"/*/batch-r2.log > /dev/null 2>&1 &&
				     [ "$(mine qemu-system "$d")" -gt 0 ]; }; do
		sleep 0.2
		i=$((i + 1))
	done
	running=$(mine qemu-system "$d")
	kill -s "$sig" "$pid"
	wait "$pid"
	rc=$?
	sleep 2
	want=$((128 + $(kill -l "$sig")))
	[ "$running" -gt 0 ]
	ok $? "SIG$sig: sent while round 2's guest ran" "$(tail -n 5 "$work/$sig.err")"
	is "$rc" "$want" "SIG$sig: exit $want"
	is "$(j "$d/matrix.json" 'd["complete"]')" false "SIG$sig: matrix.json says complete:false"
	ls "$d"/*/*-r1.json > /dev/null 2>&1
	ok $? "SIG$sig: round 1's result is kept" "$(ls -R "$d")"
	is "$(mine qemu-system "$d")/$(mine vm-run "$d")" 0/0 "SIG$sig: no qemu, no VM runner left"
	is "$(find "$d" -name '*.tmp.*' | wc -l)" 0 "SIG$sig: no temporary file left"
done
finish
