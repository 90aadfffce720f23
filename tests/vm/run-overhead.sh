#!/bin/sh
# Tracer overhead on the real driver, inside one guest (a benchmark:
# prints figures, asserts nothing).  Run from the host:
#   scripts/vm-run --mem 4096 6.1 -- tests/vm/run-overhead.sh [ROUNDS] [ASSOCS]
# Interleaves ROUNDS (default 5) pairs of `peelbench run --no-vm --assocs
# ASSOCS --repeat 1 --warmup 0`, `--no-trace` then traced (run traces with
# events: the migration-slope features need them), and prints per round
# and as medians: metrics.peel_per_s (the peel phase, verification
# included) and metrics.latency.{p50,mean}_ns (CLOCK_MONOTONIC around the
# getsockopt alone), the traced/untraced ratios, and the driver's
# user-space share of one peel operation from each traced result:
# (latency - phase.syscall) / latency, at p50 and for the means.  First,
# the floor under any timed getsockopt (entry/exit + two clock reads, no
# peeloff: build/guest/getsockopt_floor), untraced and under the tracer.
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PB=$ROOT/peelbench
ROUNDS=${1:-5}
N=${2:-2000}
R=/tmp/run-overhead
mkdir -p $R
rm -f $R/*.json

F=$ROOT/build/guest/getsockopt_floor
echo "getsockopt floor, no tracer: $("$F" 20000)"
echo "getsockopt floor, under trace: $("$PB" trace -c "$F 20000" 2>/dev/null | grep floor_)"

i=1
while [ "$i" -le "$ROUNDS" ]; do
	"$PB" run --no-vm --no-trace --assocs "$N" --repeat 1 --warmup 0 -o $R/base-$i.json > /dev/null 2>$R/base-$i.err ||
		{ echo "round $i: untraced run failed: $(tail -n 1 $R/base-$i.err)"; }
	"$PB" run --no-vm --assocs "$N" --repeat 1 --warmup 0 -o $R/trace-$i.json > /dev/null 2>$R/trace-$i.err ||
		{ echo "round $i: traced run failed: $(tail -n 1 $R/trace-$i.err)"; }
	i=$((i + 1))
done
/usr/bin/python3 - "$R" "$ROUNDS" <<'PY'
import json, statistics, sys
r, rounds = sys.argv[1], int(sys.argv[2])
def m(kind, i):
    try:
        return json.load(open("%s/%s-%d.json" % (r, kind, i)))["metrics"]
    except Exception:
        return None
keys = ["peel_per_s", "latency.p50_ns", "latency.mean_ns"]
cols = {("base", k): [] for k in keys}
cols.update({("trace", k): [] for k in keys})
share_p50, share_mean = [], []
for i in range(1, rounds + 1):
    b, t = m("base", i), m("trace", i)
    if not b or not t:
        print("round %d: missing result" % i)
        continue
    for k in keys:
        cols[("base", k)].append(b[k]); cols[("trace", k)].append(t[k])
    sp = (t["latency.p50_ns"] - t["phase.syscall.p50_ns"]) / t["latency.p50_ns"]
    sm = (t["latency.mean_ns"] - t["phase.syscall.mean_ns"]) / t["latency.mean_ns"]
    share_p50.append(sp); share_mean.append(sm)
    print("round %d: peel_per_s none %.0f traced %.0f | latency p50 none %d traced %d ns | "
          "syscall p50 %d mean %.0f ns | user share p50 %.3f mean %.3f" %
          (i, b["peel_per_s"], t["peel_per_s"], b["latency.p50_ns"], t["latency.p50_ns"],
           t["phase.syscall.p50_ns"], t["phase.syscall.mean_ns"], sp, sm))
if share_p50:
    med = {c: statistics.median(v) for c, v in cols.items()}
    print("median: peel_per_s none %.0f traced %.0f (ratio %.3f); latency p50 none %d traced %d "
          "(untraced/traced %.3f); latency mean none %.0f traced %.0f (untraced/traced %.3f)" %
          (med[("base", "peel_per_s")], med[("trace", "peel_per_s")],
           med[("trace", "peel_per_s")] / med[("base", "peel_per_s")],
           med[("base", "latency.p50_ns")], med[("trace", "latency.p50_ns")],
           med[("base", "latency.p50_ns")] / med[("trace", "latency.p50_ns")],
           med[("base", "latency.mean_ns")], med[("trace", "latency.mean_ns")],
           med[("base", "latency.mean_ns")] / med[("trace", "latency.mean_ns")]))
    print("median user-space share of a peel operation (traced runs): p50 %.3f, means %.3f" %
          (statistics.median(share_p50), statistics.median(share_mean)))
PY
