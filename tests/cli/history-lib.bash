# shellcheck shell=bash
# The history test suite, sourced by history-sqlite.t and history-pg.t so
# that both stores run the same cases: history_suite DB DIR runs them
# against DB (a file path or a PostgreSQL conninfo) with scratch files in
# DIR.  Needs PB (the binary) and FX (tests/fixtures); prints TAP lines
# through ok() (tests/lib/tap.bash).

# variants DIR N [LABEL]: N distinct copies of base.json (their "created"
# differs), DIR/v-I.json, on machine LABEL when given.
variants() {
	python3 - "$FX/base.json" "$@" <<'PY'
import hashlib, json, sys
src, out, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
label = sys.argv[4] if len(sys.argv) > 4 else None
base = json.load(open(src))
for i in range(n):
    r = json.loads(json.dumps(base))
    r["created"] = "2026-10-%02dT%02d:%02d:00Z" % (1 + i // 1440, i // 60 % 24, i % 60)
    if label is not None:
        r["env"]["machine"] = {"id": hashlib.sha256(label.encode()).hexdigest()[:16],
                               "label": label, "cpu": "x", "microcode": "",
                               "ncpu": 2, "mem_gib": 8, "hypervisor": "none",
                               "host_kernel": "k"}
    json.dump(r, open("%s/v-%d.json" % (out, i), "w"))
PY
}

# hostile DIR: a result whose metric names and machine label hold quotes,
# semicolons, SQL and a newline.
hostile() {
	python3 - "$FX/base.json" "$1/hostile.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
r["created"] = "2026-12-01T00:00:00Z"
r["metrics"] = {"it's_ns": 1.5, "x\"); DROP TABLE metrics; --_ns": 2.5,
                "line\nbreak_ns": 3.5, "back\\slash;_ns": 4.5}
r["env"]["machine"] = {"id": "0123456789abcdef", "label": "o'hara; DELETE FROM results",
                       "cpu": "x", "microcode": "", "ncpu": 1, "mem_gib": 1,
                       "hypervisor": "none", "host_kernel": "k"}
json.dump(r, open(sys.argv[2], "w"))
PY
}

# count DB: the number of results that `history list` reports, -1 on error.
count() {
	local out
	out=$("$PB" history --db "$1" list 2>/dev/null | tail -n 1) || { echo -1; return; }
	echo "${out%% result*}"
}

# metric_rows DB: the metrics stored, summed over `history list` (the
# count stands before the file, an absolute path here).
metric_rows() {
	"$PB" history --db "$1" list 2>/dev/null | grep -oP ' \K[0-9]+(?=  /)' |
		awk '{ s += $1 } END { print s + 0 }'
}

history_suite() {
	local db=$1 d=$2 out rc i ok pids
	mkdir -p "$d/v" "$d/m" "$d/c"

	out=$("$PB" history --db "$db" add "$FX/base.json" "$FX/rerun.json" "$FX/regressed.json" 2>&1)
	ok $? "add three results"
	[[ $out == "added 3 results to "* ]]; ok $? "add says so: $out"
	out=$("$PB" history --db "$db" add "$FX/base.json" "$FX/base.json" 2>&1)
	[[ $out == *"added 0 results"*"(2 already stored)"* ]]; ok $? "adding the same result again is recognised: $out"
	[ "$(count "$db")" = 3 ]; ok $? "list counts 3 results"
	[ "$(metric_rows "$db")" = 60 ]; ok $? "60 metric rows (20 per result)"

	out=$("$PB" history --db "$db" show peel_per_s 2>&1)
	[ "$(printf '%s\n' "$out" | grep -c '^ *[0-9]')" = 3 ] &&
		[[ $out == *"58183.3"*"57623.7"*"52898.2"* ]]
	ok $? "show gives the three values oldest first"
	out=$("$PB" history --db "$db" export peel_per_s 2>&1)
	[ "$(printf '%s\n' "$out" | wc -l)" = 4 ] &&
		[[ $out == "time,result,kernel,accel,config,machine,machine_label,peel_per_s"* ]]
	ok $? "export: header and three rows"

	# a batch with a bad file lands nothing
	out=$("$PB" history --db "$db" add "$FX/other-config.json" "$FX/malformed.json" 2>&1)
	rc=$?
	[ $rc = 2 ] && [ "$(printf '%s\n' "$out" | wc -l)" = 1 ] && [ "$(count "$db")" = 3 ]
	ok $? "a batch with a malformed file: exit 2, one line, nothing added"

	# series per machine: the two machines and the unknown one apart
	"$PB" history --db "$db" add "$FX/machine-a.json" "$FX/machine-b.json" >/dev/null 2>&1
	out=$("$PB" history --db "$db" check peel_per_s --alpha 0.5 2>&1)
	[ "$(printf '%s\n' "$out" | grep -c '^peel_per_s on machine')" = 3 ] &&
		[[ $out == *"machine lab-a"*"1 result,"* ]] && [[ $out == *"machine lab-b"*"1 result,"* ]]
	ok $? "check runs one series per machine"

	# hostile names and labels: stored and read back as they are
	hostile "$d/m"
	out=$("$PB" history --db "$db" add "$d/m/hostile.json" 2>&1)
	ok $? "a result with hostile metric names and label is added: $out"
	fails=0
	for i in "it's_ns:1.5" "x\"); DROP TABLE metrics; --_ns:2.5" \
		 $'line\nbreak_ns:3.5' "back\\slash;_ns:4.5"; do
		out=$("$PB" history --db "$db" show "${i%:*}" 2>&1) &&
			[[ $out == *" ${i##*:}"* ]] || fails=1
	done
	ok $fails "each hostile metric reads back its value"
	out=$("$PB" history --db "$db" list 2>&1)
	[[ $out == *"o'hara; DELETE FROM results"* ]] && [ "$(count "$db")" = 6 ]
	ok $? "the hostile label is listed and nothing was deleted"
	[ "$(metric_rows "$db")" = 104 ]; ok $? "every metric row is there (5 x 20 + 4)"

	# 16 writers at once, distinct results: every one lands
	variants "$d/v" 16 "conc"
	pids=()
	for i in $(seq 0 15); do
		"$PB" history --db "$db" add "$d/v/v-$i.json" >"$d/c/$i.out" 2>&1 &
		pids+=($!)
	done
	fails=0
	for i in "${pids[@]}"; do wait "$i" || fails=1; done
	[ $fails = 0 ] || show "$d"/c/*.out
	ok $fails "16 concurrent adds all succeed"
	[ "$(count "$db")" = 22 ]; ok $? "22 results after them, none lost"
	[ "$(metric_rows "$db")" = 424 ]; ok $? "424 metric rows, none lost"

	# the same result from 4 writers at once: stored once
	variants "$d/v" 1 "dup"
	pids=()
	for i in 1 2 3 4; do
		"$PB" history --db "$db" add "$d/v/v-0.json" >"$d/c/d$i.out" 2>&1 &
		pids+=($!)
	done
	fails=0
	for i in "${pids[@]}"; do wait "$i" || fails=1; done
	[ $fails = 0 ] && [ "$(cat "$d"/c/d*.out | grep -c 'added 1 result')" = 1 ] &&
		[ "$(count "$db")" = 23 ]
	ok $? "one result added by 4 writers at once is stored once"
}
