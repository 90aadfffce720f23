#!/bin/sh
# Runs inside a guest (through scripts/vm-run) for tests/vm/overhead.t:
# `peelbench overhead` four times, then what bpftool still lists.
#   overhead-guest.sh ROOT OUT
ROOT=$1 OUT=$2
PB=$ROOT/peelbench

uname -r > "$OUT/kernel"
"$PB" overhead --rounds 5 --block 20 --modes hist,syscall,floor --json \
	-o "$OUT/a.json" > "$OUT/a.stdout" 2> "$OUT/a.err"
echo $? > "$OUT/a.rc"
"$PB" overhead --rounds 5 --block 10 --modes syscall --min-ratio 10 --no-stats \
	-o "$OUT/b.json" > "$OUT/b.stdout" 2> "$OUT/b.err"
echo $? > "$OUT/b.rc"
# --baseline: two builds' trace -p, each a process around its block (here
# the same binary twice)
"$PB" overhead --rounds 5 --block 10 --baseline "$PB" --phases do_peeloff --no-stats \
	-o "$OUT/d.json" > "$OUT/d.stdout" 2> "$OUT/d.err"
echo $? > "$OUT/d.rc"
# SIGINT once a round is complete: that round is reported, exit 130
"$PB" overhead --rounds 100 --block 10 --modes hist --no-stats \
	-o "$OUT/c.json" > "$OUT/c.stdout" 2> "$OUT/c.err" &
pid=$!
i=0
while [ $i -lt 600 ] && ! grep -q "round 1 of" "$OUT/c.err"; do sleep 0.2; i=$((i + 1)); done
kill -INT $pid
wait $pid
echo $? > "$OUT/c.rc"
bpftool -j prog list > "$OUT/progs-after.json" 2>&1
bpftool -j link list > "$OUT/links-after.json" 2>&1
echo done > "$OUT/done"
