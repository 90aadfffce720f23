#!/bin/sh
# Runs inside a guest (through scripts/vm-run) for tests/vm/trace-kernels.t:
# every tracer check of one kernel in one boot.  Writes into OUT (a folder
# shared with the host); the .t file asserts on what is there.
#   trace-guest.sh ROOT OUT
ROOT=$1 OUT=$2
PB=$ROOT/peelbench
WL=$ROOT/build/guest/trace_workload

uname -r > "$OUT/kernel"
"$PB" probes --json > "$OUT/probes.json" 2> "$OUT/probes.err"

# 1. histograms and counters
"$PB" trace --json -c "$WL $OUT/wl1.json" > "$OUT/trace.json" 2> "$OUT/trace.err"
echo $? > "$OUT/trace.rc"

# 2. events and migration-cost features
# (-o: the events go to the result's sidecar, events.events.ndjson)
"$PB" trace --json --events --walk-cap 256 -o "$OUT/events.json" -c "$WL $OUT/wl2.json" > "$OUT/events.stdout" 2> "$OUT/events.err"
echo $? > "$OUT/events.rc"

# 3. --phases: the syscall and the clone only, with events
"$PB" trace --json --events --phases clone -o "$OUT/phases.json" -c "$WL $OUT/wl3.json" > "$OUT/phases.stdout" 2> "$OUT/phases.err"
echo $? > "$OUT/phases.rc"

# 4. nothing of ours stays attached after a normal exit ...
bpftool -j prog list > "$OUT/progs-after-exit.json" 2>&1
bpftool -j link list > "$OUT/links-after-exit.json" 2>&1

# 5. ... nor after SIGKILL of a running trace
"$PB" trace -d 600 > /dev/null 2>&1 &
pid=$!
i=0
while [ $i -lt 600 ]; do
	bpftool prog list 2>/dev/null | grep -q getso && break
	sleep 0.2
	i=$((i + 1))
done
bpftool -j prog list > "$OUT/progs-while-running.json" 2>&1
kill -9 $pid
wait $pid 2>/dev/null
sleep 1
bpftool -j prog list > "$OUT/progs-after-kill.json" 2>&1
bpftool -j link list > "$OUT/links-after-kill.json" 2>&1
echo done > "$OUT/done"
