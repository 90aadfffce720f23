#!/bin/sh
# Runs inside a guest (through scripts/vm-run) for tests/vm/compensation.bench:
# ROUNDS interleaved rounds (the arms' order rotates each round) of
#   full      peelbench trace --json -c WORKLOAD          (every phase)
#   peeloff   the same with --phases do_peeloff
#   syscall   the same with --phases syscall
# each its own tracer process, so each calibrates on its own.  Writes
# OUT/ARM-R.json and OUT/ARM-R.rc; the .t file compares the arms.
#   compensation-guest.sh ROOT OUT   (OUT/rounds: how many, default 9)
ROOT=$1 OUT=$2
ROUNDS=$(cat "$OUT/rounds" 2>/dev/null || echo 9)
PB=$ROOT/peelbench
WL=$ROOT/build/guest/trace_workload

uname -r > "$OUT/kernel"
arm() {
	case $1 in
	full) set -- full ;;
	peeloff) set -- peeloff --phases do_peeloff ;;
	syscall) set -- syscall --phases syscall ;;
	esac
	name=$1
	shift
	"$PB" trace --json "$@" -c "$WL /tmp/wl.json" > "$OUT/$name-$r.json" 2> "$OUT/$name-$r.err"
	echo $? > "$OUT/$name-$r.rc"
}
r=1
while [ $r -le "$ROUNDS" ]; do
	case $((r % 3)) in
	0) arm full; arm peeloff; arm syscall ;;
	1) arm peeloff; arm syscall; arm full ;;
	2) arm syscall; arm full; arm peeloff ;;
	esac
	r=$((r + 1))
done
echo done > "$OUT/done"
