#!/usr/bin/env bash
# peelbench matrix as the user runs it, with the developer hooks standing
# in for the VM runner and `run` (tests/fixtures/matrix/fake-vm-run,
# fake-peelbench; docs/matrix.md): a kernel the runner does not know, a
# guest that times out, a run that fails in one round, --run-repeat,
# --check, and options every run refuses.  No guest boots.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.bash
plan 13
require ./peelbench

export PEELBENCH_MATRIX_VMRUN=$PWD/tests/fixtures/matrix/fake-vm-run
export PEELBENCH_MATRIX_EXEC=$PWD/tests/fixtures/matrix/fake-peelbench
export PEELBENCH_HISTORY=/nonexistent/history.db LC_ALL=C
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pb-matrix-cli.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
has() { grep -qF -- "$2" "$1"; }	# has FILE TEXT

# 1. A kernel the runner does not know: its cells fail (exit 2, with the
# runner's message), the others complete, the exit code is 1, and the
# table, matrix.json, the result files and the history agree.
FAKE_RUN_LOG=$tmp/runs.log ./peelbench matrix --kernels 6.1,7.3,nosuch \
	--sweep backlog=0,64 --repeat 3 --check --assocs 500 -o "$tmp/m" \
	--db "$tmp/h.db" > "$tmp/out" 2> "$tmp/err"
rc=$?
[ "$rc" = 1 ] && [ "$(wc -l < "$tmp/err")" = 6 ] &&
	has "$tmp/err" "nosuch backlog=0 r1 failed (exit 2): the VM runner refused it" &&
	has "$tmp/err" "no Debian kernel package matches version 'nosuch'"
ok $? "unknown kernel: exit 1 (got $rc), each of its 6 failures on stderr as it happens"
has "$tmp/out" "3 kernels x 2 cells x 3 repeats = 18 runs, 6 failed" &&
	has "$tmp/out" "FAILED (0/3)" &&
	has "$tmp/out" "peel_per_s                   1000/s          1500/s          1.50 [" &&
	has "$tmp/out" "peel_per_s                   936/s           1436/s          1.53 [" &&
	has "$tmp/out" "check: 2 pass, 0 fail, 1 known deviation, 0 not applicable" &&
	has "$tmp/out" "check: 1 pass, 1 fail, 1 known deviation, 0 not applicable (FAIL)" &&
	has "$tmp/out" "probes see: syscall clone; not: do_peeloff" &&
	has "$tmp/out" "phase.syscall.comp.p50_ns    23.5 us         18.5 us         0.79 ["
ok $? "the table: counts, medians, ratios (compensated phases too), check summaries, probe phases"
r=$tmp/m
cat > "$tmp/want" <<WANT
6.1 r1 check --json -o $r/6.1/check.json
6.1 r1 run --assocs 500 --backlog 0 --no-vm -o $r/6.1/backlog=0-r1.json
6.1 r1 run --assocs 500 --backlog 64 --no-vm -o $r/6.1/backlog=64-r1.json
7.3 r1 check --json -o $r/7.3/check.json
7.3 r1 run --assocs 500 --backlog 0 --no-vm -o $r/7.3/backlog=0-r1.json
7.3 r1 run --assocs 500 --backlog 64 --no-vm -o $r/7.3/backlog=64-r1.json
6.1 r2 run --assocs 500 --backlog 0 --no-vm -o $r/6.1/backlog=0-r2.json
WANT
[ "$(wc -l < "$tmp/runs.log")" = 14 ] && head -n 7 "$tmp/runs.log" | diff - "$tmp/want" >&2
ok $? "runs in the interleaved order, one check per kernel, 14 in all"
python3 - "$tmp/m" > "$tmp/py" 2>&1 <<'PY'
import json, sys
d = sys.argv[1]
m = json.load(open(d + "/matrix.json"))
assert m["failed"] == 6, m["failed"]
assert len(m["cells"]) == 2
ok = failed = 0
for cell in m["cells"]:
    assert len(cell["runs"]) == 9
    for run in cell["runs"]:
        if run["kernel"] == "nosuch":
            assert run["status"] == "failed" and run["exit"] == 2, run
            failed += 1
            continue
        assert run["status"] == "ok", run
        ok += 1
        want = json.load(open(run["result"]))["metrics"]["peel_per_s"]
        k = [x for x in cell["metrics"] if x["name"] == "peel_per_s"][0]["kernels"][run["kernel"]]
        assert k["values"][run["round"] - 1] == want, (run, k)
assert (ok, failed) == (12, 6), (ok, failed)
c0 = {x["name"]: x["kernels"] for x in m["cells"][0]["metrics"]}
assert c0["peel_per_s"]["7.3"]["median"] == 1500
assert abs(c0["peel_per_s"]["7.3"]["ratio"] - 1.5) < 1e-12
assert c0["phase.do_peeloff.p50_ns"]["7.3"]["n"] == 0
# compensated figures are a metric like the others: 6.1 23500 24500 22500,
# 7.3 18500 19300 17700 by round (fake-peelbench)
cp = c0["phase.syscall.comp.p50_ns"]
assert cp["6.1"]["median"] == 23500 and cp["7.3"]["median"] == 18500, cp
assert abs(cp["7.3"]["ratio"] - 18500 / 23500) < 1e-12, cp
PY
ok $? "matrix.json agrees with the result files"
show "$tmp/py"
./peelbench history list --db "$tmp/h.db" > "$tmp/hist" 2>&1 &&
	[ "$(wc -l < "$tmp/hist")" = 14 ] && has "$tmp/hist" "12 results in "
ok $? "every good result is in the history, one row each"
if command -v gnuplot > /dev/null; then
	[ -s "$tmp/m/plots/kernels-backlog=64/phases.svg" ]
	ok $? "the kernels' phases side by side, per cell"
else
	ok 1 "gnuplot is missing (make deps installs it)"
fi

# 2. A guest that times out after its first cell, and a run that fails in
# one round only: exactly those cells fail, with their own codes.
FAKE_VM_TIMEOUT=7.3 FAKE_FAIL_KERNEL=host FAKE_FAIL_ROUND=2 ./peelbench matrix \
	--kernels 6.1,7.3,host --sweep assocs=250,500 --repeat 2 --no-history --no-plot \
	-o "$tmp/t" > "$tmp/out" 2> "$tmp/err"
rc=$?
[ "$rc" = 1 ] && [ "$(wc -l < "$tmp/err")" = 4 ]
ok $? "timeout and a failed run: exit 1 (got $rc), 4 failures on stderr"
has "$tmp/out" "7.3 assocs=500 r1: exit 6: the guest exceeded its time limit" &&
	has "$tmp/out" "7.3 assocs=500 r2: exit 6:" &&
	has "$tmp/out" "host assocs=250 r2: exit 4: run exited 4: peelbench: cannot attach" &&
	has "$tmp/out" "host assocs=500 r2: exit 4:" &&
	! has "$tmp/out" "7.3 assocs=250 r" && has "$tmp/out" "host     host.0-fake (native)"
ok $? "exactly the timed-out and failed cells are listed, with their codes"

# 3. All good: exit 0, nothing on stderr, --json prints matrix.json.
./peelbench matrix --kernels 6.1,7.3 --repeat 2 --json --no-history --no-plot \
	-o "$tmp/g" > "$tmp/out" 2> "$tmp/err"
rc=$?
[ "$rc" = 0 ] && [ ! -s "$tmp/err" ] && has "$tmp/out" '"schema":"peelbench-matrix/1"'
ok $? "all good: exit 0 (got $rc), stderr empty, JSON on stdout"

# --run-repeat N reaches every run as --repeat N through the guest's inner
# matrix (which refuses a --repeat written as a run option).
FAKE_RUN_LOG=$tmp/rr.log ./peelbench matrix --kernels 6.1 --repeat 1 --run-repeat 2 \
	--assocs 300 --no-history --no-plot -o "$tmp/rr" > "$tmp/out" 2> "$tmp/err"
rc=$?
[ "$rc" = 0 ] && [ ! -s "$tmp/err" ] &&
	[ "$(grep -c -- 'run --repeat 2 --assocs 300 --no-vm' "$tmp/rr.log")" = 1 ]
ok $? "--run-repeat 2 reaches the run as --repeat 2 (exit $rc)"

# --check: 7.3's fake check has a failing case: exit 1, no run failed.
./peelbench matrix --kernels 6.1,7.3 --repeat 2 --check --no-history --no-plot \
	-o "$tmp/c" > "$tmp/out" 2> "$tmp/err"
rc=$?
[ "$rc" = 1 ] && has "$tmp/out" "= 4 runs, 0 failed" &&
	has "$tmp/out" "check: 1 pass, 1 fail, 1 known deviation, 0 not applicable (FAIL)" &&
	has "$tmp/out" "b     pass    FAIL"
ok $? "--check with a failing case: exit 1 (got $rc), no run failed, FAIL in the cases x kernels table"

# run refuses an option: the matrix checks every cell's options as run
# does, and says so in one line before the first guest boots.
FAKE_VM_LOG=$tmp/vm.log ./peelbench matrix --kernels 6.1,7.3 --repeat 2 --no-history \
	--no-plot --bogus 1 -o "$tmp/b" > "$tmp/out" 2> "$tmp/err"
rc=$?
[ "$rc" = 2 ] && has "$tmp/err" "unknown option '--bogus'" && [ "$(wc -l < "$tmp/err")" = 1 ]
ok $? "options every run refuses: exit 2 (got $rc), one line"
[ ! -e "$tmp/vm.log" ] && [ ! -e "$tmp/b" ]
ok $? "... before any guest, and no folder made"
finish
