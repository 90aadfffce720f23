#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The events benchmark (issue 15, "A million events, bounded memory"):
# `peelbench trace` over N peeloffs (default 1,000,000; tests/guest/
# peel_loop.c, batches of 256 associations) in a KERNEL guest, once
# without and once with --events, and the tracer's own peak RSS
# (peak_rss_kib, getrusage of the trace process), drops, events written,
# and the sizes of the result file and its sidecar.  Under TCG a
# million peeloffs take about an hour (1.5 ms each here): pass a smaller N.
#
# Usage: scripts/bench-events.sh [N] [KERNEL] [OUT]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000000}
k=${2:-6.1}
out=${3:-results/bench-events-$(date -u +%Y%m%dT%H%M%SZ)}
[ -x ./peelbench ] && [ -x build/guest/peel_loop ] || { echo "peelbench: bench-events: run make first" >&2; exit 2; }
mkdir -p "$out"
out=$(cd "$out" && pwd)
: >"$out/status"
# shellcheck disable=SC2016
scripts/vm-run --timeout $((600 + n / 50)) --share "$out" "$k" -- /bin/sh -c '
	d=$1; n=$2
	for mode in noevents events; do
		opt=; [ $mode = events ] && opt=--events
		./peelbench trace $opt -o "$d/$mode.json" -c "build/guest/peel_loop $n" \
			>"$d/$mode.log" 2>&1
		echo "$mode $?" >>"$d/status"
	done' sh "$out" "$n" >"$out/vm.log" 2>&1 || { echo "peelbench: bench-events: vm-run failed, see $out/vm.log" >&2; exit 5; }
python3 - "$out" "$n" "$k" <<'PY'
import json, os, sys
out, n, k = sys.argv[1], int(sys.argv[2]), sys.argv[3]
r = {m: json.load(open(os.path.join(out, m + ".json"))) for m in ("noevents", "events")}
side = os.path.join(out, r["events"].get("events_file") or "missing")
print("bench-events: %d peeloffs on %s (%s)" % (n, k, r["events"]["kernel"]))
for m in ("noevents", "events"):
    t = r[m]
    print("  %-8s peak RSS %7.1f MiB  ok %d  drops %d  events written %d  result %d B" % (
        m, t["peak_rss_kib"] / 1024, t["peeloff"]["ok"], t["drops"], t.get("events_written", 0),
        os.path.getsize(os.path.join(out, m + ".json"))))
d = (r["events"]["peak_rss_kib"] - r["noevents"]["peak_rss_kib"]) / 1024
print("  --events costs %.1f MiB more (target <= 64 MiB at 1,000,000); sidecar %s, %d B" % (
    d, os.path.basename(side), os.path.getsize(side) if os.path.exists(side) else -1))
PY
