#!/usr/bin/env bash
# The history store's benchmark (issue: regression tracking past one
# machine): `history add` throughput on SQLite and on PostgreSQL with 1
# and 16 writers, each writer a loop of `peelbench history add` with one
# result per process, as CI jobs add theirs; then the time of `history
# check` over CHECK_N results of one series.  PostgreSQL is a private
# server (scripts/pg-server.bash) with its default durability (fsync on),
# as SQLite's; both stores live on the same disk.  Prints one line per
# figure.  ADDS (default 320, a multiple of 16) and CHECK_N (default
# 10000) change the sizes.
set -euo pipefail
cd "$(dirname "$0")/.."
PB=$PWD/peelbench
ADDS=${ADDS:-320}
CHECK_N=${CHECK_N:-10000}
. scripts/pg-server.bash
T=$(mktemp -d)
trap 'pg_server_stop "$T/pg"; rm -rf "$T"' EXIT
trap 'exit 130' INT TERM HUP

# Results that differ in "created" only, without samples, trace and check
# (history keeps the flat metrics): small files, one series.
python3 - tests/fixtures/base.json "$T/r" "$CHECK_N" <<'PY'
import datetime, json, os, random, sys
src, out, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
os.makedirs(out)
base = json.load(open(src))
for k in ("samples", "trace", "check"):
    base.pop(k, None)
rng = random.Random(1)
for i in range(n):
    t = datetime.datetime(2026, 1, 1) + datetime.timedelta(minutes=i)
    base["created"] = t.strftime("%Y-%m-%dT%H:%M:%SZ")
    base["metrics"]["peel_per_s"] = 58000 * (1 + 0.02 * rng.gauss(0, 1))
    json.dump(base, open("%s/r-%d.json" % (out, i), "w"))
PY

mkdir -p "$T/pg"
chmod 755 "$T"	# the server runs as postgres when we are root
pg_server_start "$T/pg" max_connections=60
for db in s1 s16 chk; do pg_psql "$T/pg" -d postgres -c "CREATE DATABASE $db"; done

now() { date +%s.%N; }

# writers DB W: W processes at once, each adding ADDS/W results one by
# one; the rate, and how many adds failed (none should).
writers() {
	local db=$1 w=$2 per=$(( ADDS / $2 )) i j start end pids=() failed=0
	start=$(now)
	for i in $(seq 0 $((w - 1))); do
		( f=0
		  for j in $(seq $((i * per)) $(((i + 1) * per - 1))); do
			"$PB" history --db "$db" add "$T/r/r-$j.json" >/dev/null || f=$((f + 1))
		  done
		  exit $f ) &
		pids+=($!)
	done
	for i in "${pids[@]}"; do wait "$i" || failed=$((failed + $?)); done
	end=$(now)
	echo "$start $end" | awk -v n="$ADDS" -v f="$failed" \
		'{ printf "%.1f results/s (%.2f s, %d adds failed)", (n - f) / ($2 - $1), $2 - $1, f }'
}

for w in 1 16; do
	printf 'history add, %2d writer(s), %d results: sqlite %s, ' "$w" "$ADDS" \
		"$(writers "$T/s$w.db" "$w")"
	printf 'postgresql %s\n' "$(writers "host=$T/pg dbname=s$w user=pb" "$w")"
done

# history check over CHECK_N results (added in batches of 1000)
for db in "$T/check.db" "host=$T/pg dbname=chk user=pb"; do
	start=$(now)
	for i in $(seq 0 1000 $((CHECK_N - 1))); do
		last=$(( i + 999 < CHECK_N - 1 ? i + 999 : CHECK_N - 1 ))
		"$PB" history --db "$db" add $(seq -f "$T/r/r-%g.json" "$i" "$last") >/dev/null
	done
	mid=$(now)
	"$PB" history --db "$db" check peel_per_s >/dev/null || [ $? = 1 ]
	end=$(now)
	echo "$start $mid $end" | awk -v n="$CHECK_N" -v db="${db%% *}" '{
		printf "%s: add %d results in batches of 1000: %.0f results/s; history check over them: %.2f s\n",
		       db ~ /^host=/ ? "postgresql" : "sqlite", n, n / ($2 - $1), $3 - $2 }'
done
