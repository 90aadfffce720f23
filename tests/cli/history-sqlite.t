#!/usr/bin/env bash
# history on SQLite: the shared suite (history-lib.bash), then what only a
# file has: a hot journal left by a killed writer (readers roll it back),
# concurrent first writers on a new file (the schema is made once, under
# the lock), a folder or FIFO as --db, version 1 migrated, a newer one
# refused.
set -uo pipefail
cd "$(dirname "$0")/../.."
export PB=$PWD/peelbench FX=$PWD/tests/fixtures LC_ALL=C
unset PEELBENCH_DB PEELBENCH_HISTORY
. tests/lib/tap.bash
require "$PB"
. tests/cli/history-lib.bash
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

history_suite "$T/suite.db" "$T/suite"

# A writer killed inside its transaction leaves a hot journal.
db=$T/hot.db
"$PB" history --db "$db" add "$FX/base.json" >/dev/null
# (a subshell, so that bash's "Killed" goes with its stderr)
(python3 - "$db" <<'PY'
import os, sqlite3, sys
con = sqlite3.connect(sys.argv[1], isolation_level=None)
con.execute("PRAGMA cache_size=1")	# spill: the journal and the file change
con.execute("BEGIN IMMEDIATE")
for i in range(2000):
    con.execute("INSERT INTO metrics (result_id, name, value) VALUES (1, ?, ?)",
                ("junk%d" % i, i))
os.kill(os.getpid(), 9)
PY
true) 2>/dev/null
[ -s "$db-journal" ]; ok $? "a killed writer left a hot journal"
fails=0
for cmd in list "show peel_per_s" "export peel_per_s" "check peel_per_s"; do
	# shellcheck disable=SC2086
	"$PB" history --db "$db" $cmd >"$T/out" 2>&1 || { fails=1; show "$T/out"; }
done
ok $fails "list, show, export and check read through it"
[ "$(metric_rows "$db")" = 20 ] && [ ! -e "$db-journal" ]
ok $? "rolled back: 20 metric rows, no journal"

# SIGKILL, SIGTERM, SIGINT during a real add of 100 files, at a random
# moment: afterwards every reader works and the batch is there whole or
# not at all.  (perl restores SIGINT, which bash ignores in a background
# job.)
mkdir -p "$T/many"
variants "$T/many" 100
for sig in KILL TERM INT KILL TERM INT; do
	db=$T/sig-$sig.db
	rm -f "$db"
	"$PB" history --db "$db" add "$FX/base.json" >/dev/null
	perl -e '$SIG{INT} = "DEFAULT"; exec @ARGV' \
		"$PB" history --db "$db" add "$T"/many/v-*.json >/dev/null 2>&1 &
	pid=$!
	sleep "$((RANDOM % 3)).$((RANDOM % 10))"
	kill -s "$sig" "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	got=$(count "$db")
	{ [ "$got" = 1 ] || [ "$got" = 101 ]; } &&
		"$PB" history --db "$db" show peel_per_s >/dev/null 2>&1
	ok $? "SIG$sig during add: readers work, all or nothing ($got results)"
done

# Eight first writers at once on a new file, five times.
mkdir -p "$T/eight"
variants "$T/eight" 8
fails=0
for trial in 1 2 3 4 5; do
	db=$T/new-$trial.db
	pids=()
	for i in 0 1 2 3 4 5 6 7; do
		"$PB" history --db "$db" add "$T/eight/v-$i.json" >"$T/eight/$i.out" 2>&1 &
		pids+=($!)
	done
	for p in "${pids[@]}"; do wait "$p" || fails=1; done
	[ "$(count "$db")" = 8 ] || fails=1
done
[ $fails = 0 ] || show "$T"/eight/*.out
ok $fails "8 concurrent first writers on a new file, 5 trials: all succeed, 8 results"

# Not a file.
mkfifo "$T/fifo"
fails=0
for cmd in list "show peel_per_s" "add $FX/base.json"; do
	for where in "$T" "$T/fifo"; do
		# shellcheck disable=SC2086
		timeout 10 "$PB" history --db "$where" $cmd >"$T/out" 2>"$T/err"
		[ $? = 2 ] && [ "$(wc -l <"$T/err")" = 1 ] &&
			grep -q 'is not a regular file' "$T/err" || fails=1
	done
done
[ -p "$T/fifo" ] || fails=1
ok $fails "a folder or FIFO as --db: exit 2, one line, left as it was"

# Version 1 (no machine columns) is migrated; a newer version is refused.
db=$T/v1.db
python3 - "$db" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.executescript("""
CREATE TABLE results (id INTEGER PRIMARY KEY, created TEXT NOT NULL,
 added TEXT NOT NULL, path TEXT NOT NULL, kernel TEXT NOT NULL,
 accel TEXT NOT NULL, config TEXT NOT NULL, complete INTEGER NOT NULL,
 digest TEXT NOT NULL UNIQUE, json TEXT NOT NULL);
CREATE TABLE metrics (result_id INTEGER NOT NULL REFERENCES results(id)
 ON DELETE CASCADE, name TEXT NOT NULL, value REAL NOT NULL,
 PRIMARY KEY (result_id, name)) WITHOUT ROWID;
CREATE INDEX metrics_by_name ON metrics(name, result_id);
INSERT INTO results VALUES (1, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z',
 'old.json', '6.1', 'tcg', '{}', 1, 'd1', '{}');
INSERT INTO metrics VALUES (1, 'peel_per_s', 1000);
PRAGMA application_id = 1346718786;
PRAGMA user_version = 1;
""")
c.commit()
PY
out=$("$PB" history --db "$db" show peel_per_s 2>&1)
[[ $out == *"1000.0"* ]] &&
	[ "$(python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("PRAGMA user_version").fetchone()[0])' "$db")" = 2 ]
ok $? "a version 1 database is migrated to 2 and read"
"$PB" history --db "$db" add "$FX/machine-a.json" >/dev/null 2>&1 &&
	[[ $("$PB" history --db "$db" list 2>&1) == *"lab-a"* ]]
ok $? "and takes results with a machine"
python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute("PRAGMA user_version = 3"); c.commit()' "$db"
cp "$db" "$T/before.db"
"$PB" history --db "$db" add "$FX/base.json" >"$T/out" 2>"$T/err"
[ $? = 2 ] && [ "$(wc -l <"$T/err")" = 1 ] && grep -q 'schema version 3; this peelbench knows 2' "$T/err" &&
	cmp -s "$db" "$T/before.db"
ok $? "a newer schema version: exit 2, one line, the file unchanged"

finish
