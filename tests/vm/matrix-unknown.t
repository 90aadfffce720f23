#!/usr/bin/env bash
# peelbench matrix on real guests: a tiny matrix, 6.1 and a kernel the VM
# runner does not know, two interleaved repeats of 200 associations.  The
# unknown kernel's cells are reported as failed with the runner's exit
# code, 6.1's complete, the matrix exits 1, and the table, matrix.json,
# the result files and the history agree.  Two 6.1 guests.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1

. tests/lib/tap.bash

# PEELBENCH_MATRIX_VMRUN (docs/matrix.md) may point at a runner from
# elsewhere; otherwise the checkout's must be there.
require ./peelbench
[ -n "${PEELBENCH_MATRIX_VMRUN:-}" ] || require scripts/vm-run
plan 8

tmp=$(mktemp -d "${TMPDIR:-/var/tmp}/pb-matrix.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

./peelbench matrix --kernels 6.1,nosuch --assocs 200 --repeat 2 --no-plot \
	--db "$tmp/h.db" -o "$tmp/m" > "$tmp/out" 2> "$tmp/err"
rc=$?
[ "$rc" = 1 ]
ok $? "a failed kernel makes the exit code 1 (exit $rc)"
[ "$rc" = 1 ] || { show "$tmp/out" "$tmp/err"; }

grep -q '^  nosuch default r1: exit 2: ' "$tmp/out" &&
	grep -q '^  nosuch default r2: exit 2: ' "$tmp/out"
ok $? "the unknown kernel's cells are listed as failed, with exit code 2"

[ "$(grep -c 'matrix: nosuch default r[12] failed (exit 2)' "$tmp/err")" = 2 ]
ok $? "each failure is reported on stderr as it happens"

grep -q '^matrix: 2 kernels x 1 cell x 2 repeats = 4 runs, 2 failed' "$tmp/out"
ok $? "the table's summary counts 2 failed runs of 4"

[ -s "$tmp/m/6.1/default-r1.json" ] && [ -s "$tmp/m/6.1/default-r2.json" ] &&
	./peelbench compare --allow-different "$tmp/m/6.1/default-r1.json" \
		"$tmp/m/6.1/default-r2.json" > /dev/null 2>&1
rc=$?
[ "$rc" = 0 ] || [ "$rc" = 1 ]
ok $? "6.1 completed both repeats with valid result files"

# matrix.json agrees with the result files: every value, and the median
python3 - "$tmp/m" > "$tmp/py" 2>&1 <<'PY'
import json, statistics, sys
d = sys.argv[1]
m = json.load(open(d + "/matrix.json"))
assert m["failed"] == 2, m["failed"]
cell = m["cells"][0]
for met in cell["metrics"]:
    k = met["kernels"]["6.1"]
    vals = [json.load(open(f"{d}/6.1/default-r{r}.json"))["metrics"].get(met["name"])
            for r in (1, 2)]
    vals = [v for v in vals if v is not None]
    assert k["values"] == vals, (met["name"], k["values"], vals)
    assert abs(k["median"] - statistics.median(vals)) < 1e-9 * abs(k["median"] or 1)
    assert met["kernels"]["nosuch"]["n"] == 0
runs = {(r["kernel"], r["round"]): r for r in cell["runs"]}
assert runs[("nosuch", 1)]["status"] == "failed" and runs[("nosuch", 1)]["exit"] == 2
assert runs[("6.1", 2)]["status"] == "ok"
print("checked", len(cell["metrics"]), "metrics")
PY
ok $? "matrix.json agrees with the result files"
show "$tmp/py"

line=$(grep '^peel_per_s ' "$tmp/out")
med=$(python3 -c "import json; print('%.0f/s' % json.load(open('$tmp/m/matrix.json'))['cells'][0]['metrics'][0]['kernels']['6.1']['median'])")
[[ "$line" == *"$med"* ]] && [[ "$line" == *FAILED* ]]
ok $? "the table shows 6.1's median peel_per_s ($med) and nosuch as FAILED"

[ "$(./peelbench history list --db "$tmp/h.db" | tail -n 1)" = "2 results in $tmp/h.db" ]
ok $? "both 6.1 results are in the history database"

finish
