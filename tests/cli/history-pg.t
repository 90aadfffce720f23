#!/usr/bin/env bash
# history on PostgreSQL: a private server (scripts/pg-server.bash: initdb
# + pg_ctl, Unix socket only, in a temporary folder that is removed with
# it), the shared suite (history-lib.bash) as on SQLite, every row
# counted in the server, then bad input: no server, wrong password (never
# printed), a TLS parameter that libpq checks, another schema version, a
# foreign table, a bad address.  The trap stops the server however the
# test ends.
set -uo pipefail
cd "$(dirname "$0")/../.."
export PB=$PWD/peelbench FX=$PWD/tests/fixtures LC_ALL=C
unset PEELBENCH_DB PEELBENCH_HISTORY PGHOST PGPORT PGUSER PGDATABASE PGPASSWORD PGSERVICE
. tests/lib/tap.bash
require "$PB"
. tests/cli/history-lib.bash
. scripts/pg-server.bash
T=$(mktemp -d)
trap 'pg_server_stop "$T"; rm -rf "$T"' EXIT
trap 'exit 130' INT TERM HUP
pg_server_start "$T" fsync=off max_connections=60 2>"$T/start.err" ||
	{ echo "Bail out! the PostgreSQL test server did not start"; show "$T/start.err"; exit 1; }
psql() { pg_psql "$T" "$@"; }
for db in suite bad other; do psql -d postgres -c "CREATE DATABASE $db" || exit 1; done
psql -d postgres -c "CREATE ROLE pbpass LOGIN PASSWORD 'right-horse-battery'" || exit 1

history_suite "host=$T dbname=suite user=pb" "$T/suite"
[ "$(psql -d suite -c 'SELECT count(*) FROM peelbench_results')" = 23 ] &&
	[ "$(psql -d suite -c 'SELECT count(*) FROM peelbench_metrics')" = 444 ]
ok $? "the server holds every row: 23 results, 444 metrics"
out=$("$PB" history --db "postgresql:///suite?host=$T&user=pb" list 2>&1 | tail -n 1)
[ "$out" = "23 results in host=$T dbname=suite user=pb" ]
ok $? "a postgresql:// URI names the same store: $out"
out=$(PEELBENCH_DB="host=$T dbname=suite user=pb" "$PB" history list 2>&1 | tail -n 1)
[[ $out == "23 results in "* ]]; ok $? "PEELBENCH_DB selects it too"

# Eight first writers at once on a new database, three times.
mkdir -p "$T/eight"
variants "$T/eight" 8
fails=0
for trial in 1 2 3; do
	psql -d postgres -c "CREATE DATABASE fresh$trial" || fails=1
	pids=()
	for i in 0 1 2 3 4 5 6 7; do
		"$PB" history --db "host=$T dbname=fresh$trial user=pb" add "$T/eight/v-$i.json" \
			>"$T/eight/$i.out" 2>&1 &
		pids+=($!)
	done
	for p in "${pids[@]}"; do wait "$p" || fails=1; done
	[ "$(psql -d "fresh$trial" -c 'SELECT count(*) FROM peelbench_results')" = 8 ] || fails=1
done
[ $fails = 0 ] || show "$T"/eight/*.out
ok $fails "8 concurrent first writers on a new database, 3 trials: the schema made once, 8 results"

# bad input: exit code, one line, nothing written
bad() {	# bad WANT_EXIT PATTERN DESCRIPTION -- COMMAND...
	local want=$1 pat=$2 desc=$3 rc
	shift 4
	"$@" >"$T/out" 2>"$T/err"
	rc=$?
	[ $rc = "$want" ] && [ "$(wc -l <"$T/err")" = 1 ] && grep -q -- "$pat" "$T/err" &&
		! grep -q 'right-horse-battery\|wrong-horse' "$T/out" "$T/err"
	ok $? "$desc: exit $rc, $(head -c 200 "$T/err")"
}
bad 4 "could not connect\|No such file" "no server at the address" -- \
	"$PB" history --db "host=$T/nowhere dbname=x user=pb" add "$FX/base.json"
bad 2 "password authentication failed" "a wrong password, never printed" -- \
	"$PB" history --db "postgresql://pbpass:wrong-horse@/bad?host=$T" add "$FX/base.json"
bad 2 "password authentication failed" "a wrong password in a conninfo" -- \
	"$PB" history --db "host=$T dbname=bad user=pbpass password=wrong-horse" list
out=$("$PB" history --db "host=$T dbname=bad user=pbpass password=right-horse-battery" list 2>&1)
[[ $out == *"no peelbench history in host=$T dbname=bad user=pbpass;"* ]] &&
	[[ $out != *right-horse* ]]
ok $? "the right password connects and is not printed"
bad 2 'invalid sslmode value: "bogus"' "TLS parameters reach libpq (sslmode checked)" -- \
	"$PB" history --db "host=$T dbname=bad user=pb sslmode=bogus" list
bad 4 "Connection refused" "nothing listening on a TCP port" -- \
	"$PB" history --db "host=127.0.0.1 port=1 dbname=bad user=pb connect_timeout=2" list
[ "$(psql -d bad -c "SELECT count(*) FROM pg_tables WHERE tablename LIKE 'peelbench%'")" = 0 ]
ok $? "nothing was created by the failed adds"
bad 2 "not a valid postgresql" "a broken conninfo" -- \
	"$PB" history --db "host=$T dbname='unterminated password=wrong-horse" list

"$PB" history --db "host=$T dbname=other user=pb" add "$FX/base.json" >/dev/null
psql -d other -c "UPDATE peelbench_schema SET version = 3"
bad 2 "schema version 3; this peelbench knows 2" "another schema version" -- \
	"$PB" history --db "host=$T dbname=other user=pb" add "$FX/rerun.json"
[ "$(psql -d other -c 'SELECT count(*) FROM peelbench_results')" = 1 ]
ok $? "nothing added to it"
psql -d other -c "DROP TABLE peelbench_schema"
bad 2 "no peelbench_schema" "a peelbench_results table without its schema" -- \
	"$PB" history --db "host=$T dbname=other user=pb" add "$FX/rerun.json"
bad 2 "no peelbench history in" "a database without a history, read" -- \
	"$PB" history --db "host=$T dbname=postgres user=pb" show peel_per_s

pg_server_stop "$T"
! pgrep -f -- "$T/data" >/dev/null
ok $? "the server is stopped, nothing of it left running"
finish
