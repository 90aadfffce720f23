#!/bin/sh
# Tracer overhead, inside one guest (a benchmark: prints figures, asserts
# nothing).  Run from the host:
#   scripts/vm-run 6.1 -- tests/vm/trace-overhead.sh [ROUNDS] [N]
# Interleaves ROUNDS (default 5) of three variants over the same workload
# (N associations peeled, default 300): no tracer, `trace` (histograms),
# `trace --events`; prints each round's peel_per_s, the medians and the
# ratios to the baseline.  Then the per-hit run time of every program
# from bpf_stats (run_time_ns / run_cnt).
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PB=$ROOT/peelbench
W=$ROOT/build/guest/trace_overhead
ROUNDS=${1:-5}
N=${2:-300}
R=/tmp/trace-overhead
mkdir -p $R
: > $R/base; : > $R/hist; : > $R/events

rate() { sed -n 's/^peel_per_s \([0-9.]*\).*/\1/p'; }
median() { sort -n "$1" | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

"$W" 50 > /dev/null	# warm-up
i=1
while [ "$i" -le "$ROUNDS" ]; do
	b=$("$W" "$N" | rate)
	h=$("$PB" trace -c "$W $N" 2>/dev/null | rate)
	e=$("$PB" trace --events -c "$W $N" 2>/dev/null | rate)
	echo "$b" >> $R/base; echo "$h" >> $R/hist; echo "$e" >> $R/events
	echo "round $i: peel_per_s none $b  trace $h  trace --events $e"
	i=$((i + 1))
done
mb=$(median $R/base); mh=$(median $R/hist); me=$(median $R/events)
echo "median peel_per_s: none $mb  trace $mh  trace --events $me"
awk -v b="$mb" -v h="$mh" -v e="$me" 'BEGIN {
	printf "ratio to no tracer: trace %.3f  trace --events %.3f\n", h / b, e / b }'

# Per-hit cost of each program, as the kernel accounts it.
echo 1 > /proc/sys/kernel/bpf_stats_enabled
for mode in "" "--events"; do
	"$PB" trace $mode -d 3600 > /dev/null 2>&1 &
	pid=$!
	j=0
	while [ $j -lt 300 ] && ! bpftool prog list 2>/dev/null | grep -q getsoc; do
		sleep 0.2; j=$((j + 1))
	done
	"$W" "$N" > /dev/null
	echo "bpf_stats, trace ${mode:-(histograms)}: program run_cnt ns/hit"
	bpftool -j prog list | /usr/bin/python3 -c '
import json, sys
for p in json.load(sys.stdin):
    if p.get("run_cnt"):
        print("  %-24s %7d %9.0f" % (p["name"], p["run_cnt"], p["run_time_ns"] / p["run_cnt"]))'
	kill -INT $pid; wait $pid
done
echo 0 > /proc/sys/kernel/bpf_stats_enabled
