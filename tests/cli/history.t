#!/usr/bin/env bash
# peelbench history as the user runs it, beyond the golden cases: a batch
# with a bad file adds nothing; check on 40 nightly results finds the
# step in migrate (a regression, exit 1), in clone (an improvement, exit
# 0), none in the flat throughput, and none above a raised threshold.
# And the cross-kernel groups are stored with each result: a 6.1 result's
# copy_migrate is its clone + migrate, a 7.3 result's its clone alone.
set -uo pipefail
cd "$(dirname "$0")/../.."
PB=$PWD/peelbench FX=$PWD/tests/fixtures
[ -x "$PB" ] || { echo "Bail out! $PB is not built (make)"; exit 1; }
T=$(mktemp -d) || exit 1
trap 'rm -rf "$T"' EXIT
n=0
ok() {	# ok CONDITION-STATUS NAME
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi
}
echo "1..15"

"$PB" history --db "$T/a.db" add "$FX/base.json" >/dev/null
"$PB" history --db "$T/a.db" add "$FX/rerun.json" "$FX/malformed.json" >"$T/out" 2>"$T/err"
ok $(( $? != 2 )) "a batch with a malformed file exits 2"
ok $(( $(wc -l <"$T/err") != 1 )) "with one error line"
grep -q 'malformed.json' "$T/err"; ok $? "naming the file"
"$PB" history --db "$T/a.db" list | grep -q '^1 result in'; ok $? "and adds nothing"

# migrate +20% and clone -20% from night 25 on, throughput flat; 2% noise
python3 - "$T" <<'PY'
import json, random, sys
rng = random.Random(11)
for i in range(40):
    step = 0.2 if i >= 25 else 0
    m = {"phase.migrate.p50_ns": 6400 * (1 + step) * (1 + 0.02 * rng.gauss(0, 1)),
         "phase.clone.p50_ns": 3100 * (1 - step) * (1 + 0.02 * rng.gauss(0, 1)),
         "peel_per_s": 58000 * (1 + 0.02 * rng.gauss(0, 1))}
    created = "2026-10-%02dT0%d:00:00Z" % (i // 2 + 1, 3 * (i % 2))
    with open("%s/night-%02d.json" % (sys.argv[1], i), "w") as f:
        json.dump({"schema": "peelbench-result/1", "created": created, "metrics": m}, f)
PY
"$PB" history --db "$T/h.db" add "$T"/night-*.json | grep -q '^added 40 results'
ok $? "40 nights added"

"$PB" history --db "$T/h.db" check phase.migrate.p50_ns >"$T/out"
ok $(( $? != 1 )) "migrate: exit 1"
idx=$(awk '/REGRESSION$/ { i = $1 } END { print i + 0 }' "$T/out")
ok $(( idx < 24 || idx > 26 )) "migrate: the regression at night 24 .. 26 ($idx)"
tail -1 "$T/out" | grep -qx 'the newest change point is a regression'
ok $? "migrate: said last"

"$PB" history --db "$T/h.db" check phase.clone.p50_ns >"$T/out"
ok $? "clone: exit 0"
grep -q ' improvement$' "$T/out"; ok $? "clone: an improvement"

"$PB" history --db "$T/h.db" check peel_per_s | grep -qx 'no change point'
ok $? "throughput: no change point"
"$PB" history --db "$T/h.db" check --threshold 30 phase.migrate.p50_ns >/dev/null
ok $? "migrate above a 30% threshold: exit 0"

python3 - "$T" "$FX" <<'PY'
import json, sys
t, fx = sys.argv[1:]
for i, (k, m) in enumerate((("6.1", {"phase.clone.p50_ns": 2440, "phase.migrate.p50_ns": 33300,
                                    "phase.do_peeloff.p50_ns": 40000}),
                           ("7.3", {"phase.clone.p50_ns": 64800, "phase.do_peeloff.p50_ns": 70000}))):
    probes = json.load(open("%s/probes-%s.json" % (fx, k)))["probes"]
    json.dump({"schema": "peelbench-result/1", "created": "2026-10-0%dT00:00:00Z" % (i + 1),
               "env": {"kernel": k}, "trace": {"probes": probes}, "metrics": m},
              open("%s/group-%s.json" % (t, k), "w"))
PY
"$PB" history --db "$T/g.db" add "$T/group-6.1.json" "$T/group-7.3.json" >/dev/null
ok $? "results of 6.1 and 7.3 probe plans added"
"$PB" history --db "$T/g.db" export group.copy_migrate.p50_ns | cut -d, -f3,8 >"$T/out"
printf 'kernel,group.copy_migrate.p50_ns\n6.1,35740\n7.3,64800\n' | cmp -s - "$T/out"
ok $? "history export: copy_migrate is 2440+33300 on 6.1 and 64800 on 7.3"
"$PB" history --db "$T/g.db" export group.copy_migrate.p999_ns | cut -d, -f8 >"$T/out"
printf 'group.copy_migrate.p999_ns\n\n\n' | cmp -s - "$T/out"
ok $? "no group stored where the phases' figures are missing"
