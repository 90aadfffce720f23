#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The events benchmark (issue 15, "A million events, bounded memory"):
# `peelbench trace` over N peeloffs (default 1,000,000; tests/guest/
# peel_loop.c, batches of 256 associations) in a KERNEL guest, once
# without --events, once with, once with --events-zstd (the sidecar
# compressed as it is written), and the tracer's own peak RSS
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
scripts/vm-run --timeout $((600 + n / 30)) --share "$out" "$k" -- /bin/sh -c '
	d=$1; n=$2
	for mode in noevents events zstd; do
		opt=; [ $mode = events ] && opt=--events; [ $mode = zstd ] && opt=--events-zstd
		./peelbench trace $opt -o "$d/$mode.json" -c "build/guest/peel_loop $n" \
			>"$d/$mode.log" 2>&1
		echo "$mode $?" >>"$d/status"
	done' sh "$out" "$n" >"$out/vm.log" 2>&1 || { echo "peelbench: bench-events: vm-run failed, see $out/vm.log" >&2; exit 5; }
python3 - "$out" "$n" "$k" <<'PY'
import json, os, sys
out, n, k = sys.argv[1], int(sys.argv[2]), sys.argv[3]
modes = ("noevents", "events", "zstd")
r = {m: json.load(open(os.path.join(out, m + ".json"))) for m in modes}
side = {m: os.path.join(out, r[m].get("events_file") or "missing") for m in modes}
size = {m: os.path.getsize(side[m]) if os.path.exists(side[m]) else -1 for m in modes}
print("bench-events: %d peeloffs on %s (%s)" % (n, k, r["events"]["kernel"]))
for m in modes:
    t = r[m]
    print("  %-8s peak RSS %7.1f MiB  ok %d  drops %d  events written %d  result %d B" % (
        m, t["peak_rss_kib"] / 1024, t["peeloff"]["ok"], t["drops"], t.get("events_written", 0),
        os.path.getsize(os.path.join(out, m + ".json"))))
for m, opt in (("events", "--events"), ("zstd", "--events-zstd")):
    d = (r[m]["peak_rss_kib"] - r["noevents"]["peak_rss_kib"]) / 1024
    print("  %s costs %.1f MiB more (target <= 64 MiB at 1,000,000); sidecar %s, %d B" % (
        opt, d, os.path.basename(side[m]), size[m]))
if size["events"] > 0 and size["zstd"] > 0:
    print("  zstd sidecar: %.1fx smaller" % (size["events"] / size["zstd"]))
PY
