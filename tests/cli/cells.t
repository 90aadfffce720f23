#!/usr/bin/env bash
# matrix --plan / --cell / --collect under a real job engine: GNU parallel
# (-j2, through scripts/cells/parallel-ssh.sh on this machine) runs the
# cells of a 2-kernel x 3-repeat plan against a private PostgreSQL server
# (scripts/pg-server.bash), with the developer hooks standing in for the
# guests (tests/fixtures/matrix/fake-vm-run, fake-peelbench: known noise
# per run).  --collect must give the single-process matrix's rows, ratios
# within each other's CIs; then a failed and a missing cell, two machines
# (ratios within each machine, pooled), bad input (one line, exit code,
# nothing written), and the recipes under scripts/cells/ syntax-checked.
set -uo pipefail
cd "$(dirname "$0")/../.."
export PB=$PWD/peelbench LC_ALL=C
unset PEELBENCH_DB PEELBENCH_HISTORY PGHOST PGPORT PGUSER PGDATABASE PGPASSWORD PGSERVICE
unset PEELBENCH_MACHINE_LABEL PEELBENCH_HOST_MACHINE FAKE_MACHINE FAKE_SPEED FAKE_JITTER
. tests/lib/tap.bash
plan 25
require "$PB" scripts/cells/parallel-ssh.sh
export PEELBENCH_MATRIX_VMRUN=$PWD/tests/fixtures/matrix/fake-vm-run
export PEELBENCH_MATRIX_EXEC=$PWD/tests/fixtures/matrix/fake-peelbench
. scripts/pg-server.bash
T=$(mktemp -d)
trap 'pg_server_stop "$T"; rm -rf "$T"' EXIT
trap 'exit 130' INT TERM HUP
pg_server_start "$T" fsync=off 2>"$T/start.err" ||
	{ echo "Bail out! the PostgreSQL test server did not start"; show "$T/start.err"; exit 1; }
psql() { pg_psql "$T" "$@"; }
psql -d postgres -c "CREATE DATABASE cells" || exit 1
psql -d postgres -c "CREATE ROLE pbpass LOGIN PASSWORD 'right-horse-battery'" || exit 1
DB="host=$T dbname=cells user=pb"
rows() { psql -d cells -c "SELECT count(*) FROM peelbench_results WHERE json LIKE '%$1%'"; }
command -v parallel >/dev/null || { ok 1 "GNU parallel is missing (scripts/deps.sh installs it)"; finish; exit; }

# 1. The single-process matrix, into the same history.
FAKE_JITTER=one "$PB" matrix --kernels 6.1,7.3 --repeat 3 --assocs 500 --db "$DB" --no-plot \
	-o "$T/single" > "$T/single.out" 2> "$T/single.err"
rc=$?
[ $rc = 0 ] && [ ! -s "$T/single.err" ]
ok $? "the single-process matrix: exit $rc"

# 2. The same matrix as a plan; its cells under parallel -j2.
"$PB" matrix --plan "$T/p.json" --kernels 6.1,7.3 --repeat 3 --assocs 500 > "$T/plan.out" 2>&1
rc=$?
id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$T/p.json" 2>/dev/null)
[ $rc = 0 ] && grep -q "id $id, 3 cells (2 kernels x 1 sweep cell each)" "$T/plan.out" &&
	[ "$(j "$T/p.json" 'd["argv"]')" = '["--kernels", "6.1,7.3", "--repeat", "3", "--", "--assocs", "500"]' ]
ok $? "--plan writes 3 cells and says how to run them (exit $rc, id $id)"
FAKE_JITTER=two JOBS=2 JOBLOG=$T/joblog scripts/cells/parallel-ssh.sh "$T/p.json" "$DB" \
	> "$T/par.out" 2> "$T/par.err"
rc=$?
[ $rc = 0 ] && [ "$(awk 'NR > 1 && $7 == 0' "$T/joblog" | wc -l)" = 3 ] &&
	[ "$(grep -c "cell [123] of plan $T/p.json ($id): 2 runs, 0 failed; 2 results added to $DB" "$T/par.out")" = 3 ]
ok $? "parallel -j2 ran the 3 cells, each exit 0, 2 results each (exit $rc)" \
	"$(cat "$T/par.err" "$T/joblog" | head -20)"
is "$(rows "$id")" 6 "6 results in the server tagged with the plan's id"
is "$(psql -d cells -c 'SELECT count(*) FROM peelbench_results')" 12 \
	"12 in all: the single-process matrix's 6 untouched"
grep -q "plan $T/p.json ($id): 6 results from 1 machine" "$T/par.out" &&
	grep -q "2 kernels x 1 cell x 3 repeats = 6 runs, 0 failed" "$T/par.out"
ok $? "the recipe ends with --collect's table"

"$PB" matrix --collect --plan "$T/p.json" --db "$DB" --json --no-plot -o "$T/col" \
	> "$T/col.json" 2> "$T/col.err"
rc=$?
[ $rc = 0 ] && [ ! -s "$T/col.err" ] && [ -s "$T/col/matrix.json" ]
ok $? "--collect --json: exit $rc, nothing on stderr, matrix.json written"
python3 - "$T/single/matrix.json" "$T/col.json" > "$T/cmp" 2>&1 <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
assert a["failed"] == b["failed"] == 0
assert [c["name"] for c in a["cells"]] == [c["name"] for c in b["cells"]]
differ = 0
for ca, cb in zip(a["cells"], b["cells"]):
    ma = {m["name"]: m["kernels"] for m in ca["metrics"]}
    mb = {m["name"]: m["kernels"] for m in cb["metrics"]}
    assert list(ma) == list(mb), (list(ma), list(mb))
    for name in ma:
        assert list(ma[name]) == list(mb[name]) == ["6.1", "7.3"]
        ka, kb = ma[name]["7.3"], mb[name]["7.3"]
        assert ka["n"] == kb["n"] == (0 if name == "phase.do_peeloff.p50_ns" else 3)
        if ka["ratio"] is None:
            assert kb["ratio"] is None
            continue
        lo, hi = ka["ratio_ci95"]
        assert lo <= kb["ratio"] <= hi, (name, kb["ratio"], ka["ratio_ci95"])
        lo, hi = kb["ratio_ci95"]
        assert lo <= ka["ratio"] <= hi, (name, ka["ratio"], kb["ratio_ci95"])
        differ += ka["values"] != kb["values"]
assert differ >= 1, "the noise should differ between the two runs"
print("rows", sum(len(c["metrics"]) for c in a["cells"]))
PY
ok $? "--collect: the same cells, metrics and kernels as the single-process matrix; ratios within each other's CIs ($(tail -n 1 "$T/cmp"))" "$(cat "$T/cmp")"

# The same plan's cells into an SQLite file, one after the other.
for n in 3 1 2; do "$PB" matrix --cell $n --plan "$T/p.json" --db "$T/h.db" -o "$T/sq" \
	>/dev/null 2>&1 || echo "cell $n failed" >> "$T/sq.err"; done
"$PB" matrix --collect --plan "$T/p.json" --db "$T/h.db" --no-plot -o "$T/sqcol" > "$T/out" 2>&1
rc=$?
[ $rc = 0 ] && [ ! -e "$T/sq.err" ] && grep -q "($id): 6 results from 1 machine" "$T/out" &&
	grep -Eq "^peel_per_s +1000/s +1500/s +1.50 \[" "$T/out"
ok $? "SQLite: cells in any order, --collect: exit $rc, the table" "$(head -20 "$T/out")"

# 3. A run that fails in cell 2 and a cell that never runs: reported, the
# rest still make the table, exit 1.
"$PB" matrix --plan "$T/f.json" --kernels 6.1,7.3 --repeat 4 > /dev/null
fid=$(j "$T/f.json" 'd["id"]')
for n in 1 3; do "$PB" matrix --cell $n --plan "$T/f.json" --db "$DB" -o "$T/fc" >/dev/null 2>&1; done
FAKE_FAIL_KERNEL=7.3 "$PB" matrix --cell 2 --plan "$T/f.json" --db "$DB" -o "$T/fc" \
	> "$T/out" 2> "$T/err"
rc=$?
[ $rc = 1 ] && grep -q "7.3 default r2 failed (exit 4)" "$T/err" &&
	grep -q "2 runs, 1 failed; 1 results added" "$T/out"
ok $? "a cell with a failed run: exit $rc, the good result stored" "$(cat "$T/err")"
"$PB" matrix --collect --plan "$T/f.json" --db "$DB" --no-plot -o "$T/fcol" > "$T/out" 2> "$T/err"
rc=$?
[ $rc = 1 ] && [ "$(wc -l < "$T/err")" = 2 ] &&
	grep -q "cell 2 of plan $T/f.json is missing 1 of its 2 runs (7.3 default)" "$T/err" &&
	grep -q "cell 4 of plan $T/f.json is missing: no result in the history" "$T/err"
ok $? "--collect names the failed and the missing cell: exit $rc" "$(cat "$T/err")"
grep -q "= 8 runs, 3 failed" "$T/out" && grep -q "3/4 ok          2/4 ok" "$T/out" &&
	grep -q "7.3 default r4: exit 1: missing: cell 4 stored no result for it" "$T/out" &&
	grep -Eq "^peel_per_s +1000/s +1425/s +1\.4[23] \[" "$T/out"
ok $? "... and the table of the rest: 6.1 3/4, 7.3 2/4, ratio 1425/1000" "$(head -20 "$T/out")"

# 4. Two machines, the second four times slower: ratios within each, the
# pooled one their median; never one machine's figure over the other's.
"$PB" matrix --plan "$T/m.json" --kernels 6.1,7.3 --repeat 3 > /dev/null
for n in 1 3; do FAKE_MACHINE=lab-a "$PB" matrix --cell $n --plan "$T/m.json" --db "$DB" \
	-o "$T/mc" >/dev/null 2>&1; done
FAKE_MACHINE=lab-b FAKE_SPEED=4 "$PB" matrix --cell 2 --plan "$T/m.json" --db "$DB" -o "$T/mc" \
	>/dev/null 2>&1
"$PB" matrix --collect --plan "$T/m.json" --db "$DB" --json --no-plot -o "$T/mcol" \
	> "$T/m.out" 2> "$T/err"
rc=$?
python3 - "$T/m.out" > "$T/cmp" 2>&1 <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
assert [x["label"] for x in m["machines"]] == ["lab-a", "lab-b"], m["machines"]
k = {x["name"]: x["kernels"] for x in m["cells"][0]["metrics"]}["peel_per_s"]["7.3"]
per = k["machines"]
assert per["lab-a"]["n"] == 2 and per["lab-b"]["n"] == 1, per
assert per["lab-a"]["ratio"] == 1.5, per            # 1500/1000, 1350/900
assert abs(per["lab-b"]["ratio"] - 412 / 275) < 1e-9, per  # 1650/4 over 1100/4
assert abs(k["ratio"] - (1.5 + 412 / 275) / 2) < 1e-9, k["ratio"]
lo, hi = k["ratio_ci95"]
assert 1.3 < lo <= k["ratio"] <= hi < 1.9, k["ratio_ci95"]
print("pooled", round(k["ratio"], 4), [round(lo, 3), round(hi, 3)])
PY
ok $? "two machines: per-machine ratios 1.5 and 1.498, pooled their median (exit $rc; $(tail -n 1 "$T/cmp"))" \
	"$(cat "$T/cmp" "$T/err")"

# 5. Bad input: one line, its exit code, nothing written anywhere.
before=$(psql -d cells -c 'SELECT count(*) FROM peelbench_results')
bad() {	# bad WANT_EXIT PATTERN DESCRIPTION -- COMMAND...
	local want=$1 pat=$2 desc=$3 rc
	shift 4
	rm -rf "$T/nope"
	"$@" >"$T/out" 2>"$T/err"
	rc=$?
	[ $rc = "$want" ] && [ "$(wc -l <"$T/err")" = 1 ] && grep -q -- "$pat" "$T/err" &&
		[ ! -e "$T/nope" ] && ! grep -q 'right-horse\|wrong-horse' "$T/out" "$T/err" &&
		[ "$(psql -d cells -c 'SELECT count(*) FROM peelbench_results')" = "$before" ]
	ok $? "$desc: exit $rc, $(head -c 160 "$T/err")"
}
bad 2 "\-\-cell 4: plan $T/p.json has cells 1 to 3" "a cell number out of range" -- \
	"$PB" matrix --cell 4 --plan "$T/p.json" --db "$DB" -o "$T/nope"
printf 'cells: 3\n' > "$T/notaplan.json"
bad 2 "not a plan (want the JSON" "a plan file that is not one" -- \
	"$PB" matrix --cell 1 --plan "$T/notaplan.json" --db "$DB" -o "$T/nope"
sed 's/"repeat":3/"repeat":2/' "$T/p.json" > "$T/edited.json"
bad 2 "its id does not match its content" "a plan edited by hand" -- \
	"$PB" matrix --collect --plan "$T/edited.json" --db "$DB" -o "$T/nope"
bad 2 "\-\-cell needs --plan FILE" "--cell without --plan" -- \
	"$PB" matrix --cell 1 --db "$DB" -o "$T/nope"
bad 2 "\-\-repeat conflicts with --plan" "options that conflict with the plan's" -- \
	"$PB" matrix --cell 1 --plan "$T/p.json" --repeat 5 --db "$DB" -o "$T/nope"
bad 4 "could not connect\|No such file" "--cell with no server at the address" -- \
	"$PB" matrix --cell 1 --plan "$T/p.json" --db "host=$T/nowhere dbname=x user=pb" -o "$T/nope"
bad 2 "password authentication failed" "--cell with a wrong password, never printed" -- \
	"$PB" matrix --cell 1 --plan "$T/p.json" --db "postgresql://pbpass:wrong-horse@/cells?host=$T" \
	-o "$T/nope"
sum=$(sha256sum < "$T/p.json")
bad 2 "exists: a plan is written once" "a plan written over an existing one" -- \
	"$PB" matrix --plan "$T/p.json" --kernels 6.1
is "$(sha256sum < "$T/p.json")" "$sum" "... which is left as it was"

# 6. The recipes: shell syntax, and the Kubernetes Job's structure.
bash -n scripts/cells/parallel-ssh.sh && bash -n scripts/cells/slurm-array.sbatch &&
	grep -q '^#SBATCH --job-name' scripts/cells/slurm-array.sbatch &&
	grep -q 'SLURM_ARRAY_TASK_ID' scripts/cells/slurm-array.sbatch
ok $? "scripts/cells/parallel-ssh.sh and slurm-array.sbatch: bash -n, #SBATCH lines"
python3 - scripts/cells/k8s-indexed-job.yaml > "$T/yaml" 2>&1 <<'PY'
import sys
text = open(sys.argv[1]).read()
try:
    import yaml
except ImportError:		# a structural check without the parser
    for need in ("kind: Job", "completionMode: Indexed", "JOB_COMPLETION_INDEX", "--cell"):
        assert need in text, need
    assert "\t" not in text
    print("structure (no python3-yaml)")
    sys.exit(0)
d = yaml.safe_load(text)
assert d["kind"] == "Job" and d["spec"]["completionMode"] == "Indexed"
c = d["spec"]["template"]["spec"]["containers"][0]
args = " ".join(c["args"])
assert "--cell" in args and "JOB_COMPLETION_INDEX + 1" in args and "--plan" in args, args
print("yaml")
PY
ok $? "scripts/cells/k8s-indexed-job.yaml: an Indexed Job running --cell (checked: $(tail -n 1 "$T/yaml"))" \
	"$(cat "$T/yaml")"

pg_server_stop "$T"
! pgrep -f -- "$T/data" >/dev/null
ok $? "the server is stopped, nothing of it left running"
finish
