#!/usr/bin/env bash
# history on PostgreSQL over TLS: a private server (scripts/pg-server.bash)
# that listens on 127.0.0.1 with a certificate made for the test, and whose
# pg_hba.conf takes TCP connections only with TLS (hostssl; hostnossl is
# rejected).  The TLS parameters of --db reach libpq as they are: a
# connection that requires TLS stores and reads; one without TLS, one that
# verifies against another CA, one whose host name the certificate does
# not name, and TLS asked of a server without it are each refused with one
# line and exit 2, the password never printed.  The trap stops the servers.
set -uo pipefail
cd "$(dirname "$0")/../.."
export PB=$PWD/peelbench FX=$PWD/tests/fixtures LC_ALL=C
unset PEELBENCH_DB PEELBENCH_HISTORY PGHOST PGPORT PGUSER PGDATABASE PGPASSWORD PGSERVICE \
	PGSSLMODE PGSSLROOTCERT
. tests/lib/tap.bash
require "$PB"
. scripts/pg-server.bash
T=$(mktemp -d)
trap 'pg_server_stop "$T/tls"; pg_server_stop "$T/plain"; rm -rf "$T"' EXIT
trap 'exit 130' INT TERM HUP
mkdir -p "$T/tls" "$T/plain" "$T/certs"
chmod 755 "$T"

# A self-signed certificate for "localhost", and one of another CA.
cert() {	# cert NAME CN
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=$2" \
		-keyout "$T/certs/$1.key" -out "$T/certs/$1.crt" >/dev/null 2>&1
}
cert server localhost && cert other localhost ||
	{ echo "Bail out! openssl could not make the test certificates"; exit 1; }
chmod 600 "$T/certs/server.key"
[ "$(id -u)" = 0 ] && { chown postgres "$T/certs/server.key"; chmod 755 "$T/certs"; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
P=$(free_port)
PG_HBA_EXTRA=$'hostssl all pbpass 127.0.0.1/32 scram-sha-256\nhostssl all all 127.0.0.1/32 trust\nhostnossl all all 127.0.0.1/32 reject\n' \
pg_server_start "$T/tls" fsync=off "listen_addresses=127.0.0.1" "port=$P" ssl=on \
	"ssl_cert_file=$T/certs/server.crt" "ssl_key_file=$T/certs/server.key" 2>"$T/start.err" ||
	{ show "$T/start.err" "$T/tls/server.log"; echo "Bail out! the TLS PostgreSQL test server did not start"; exit 1; }
psql() { "$PG_BIN/psql" -X -q -t -A -h "$T/tls" -p "$P" -U pb "$@"; }
psql -d postgres -c "CREATE DATABASE perf" || exit 1
psql -d postgres -c "CREATE ROLE pbpass LOGIN PASSWORD 'right-horse-battery'" || exit 1
psql -d perf -c "GRANT ALL ON SCHEMA public TO pbpass" || exit 1

tcp="host=localhost port=$P dbname=perf"
# good DESC -- COMMAND...: exit 0, nothing on stderr
good() {
	local desc=$1
	shift 2
	"$@" >"$T/out" 2>"$T/err"
	ok $? "$desc" "$(cat "$T/err")"
}
# bad PATTERN DESC -- COMMAND...: exit 2, one stderr line matching, no password
bad() {
	local pat=$1 desc=$2 rc
	shift 3
	"$@" >"$T/out" 2>"$T/err"
	rc=$?
	[ $rc = 2 ] && [ "$(wc -l <"$T/err")" = 1 ] && grep -q -- "$pat" "$T/err" &&
		! grep -q 'right-horse-battery\|wrong-horse' "$T/out" "$T/err"
	ok $? "$desc: exit $rc, $(head -c 200 "$T/err")"
}

good "sslmode=require over TCP: history add stores" -- \
	"$PB" history --db "$tcp user=pb sslmode=require" add "$FX/base.json"
good "sslmode=verify-full with the server's CA: history add stores a second result" -- \
	"$PB" history --db "$tcp user=pb sslmode=verify-full sslrootcert=$T/certs/server.crt" \
	add "$FX/rerun.json"
psql -d perf -c "GRANT SELECT ON ALL TABLES IN SCHEMA public TO pbpass" || exit 1
out=$("$PB" history --db "postgresql://pbpass:right-horse-battery@localhost:$P/perf?sslmode=verify-full&sslrootcert=$T/certs/server.crt" list 2>&1)
[[ $out == *"2 results in "* ]] && [[ $out != *right-horse* ]]
ok $? "a postgresql:// URI with a password, verify-full: lists 2 results, password not printed" "$out"
is "$(psql -d perf -c 'SELECT count(*) FROM peelbench_results')" 2 "the server holds both results"

bad "no encryption" "sslmode=disable: pg_hba.conf takes no TCP connection without TLS" -- \
	"$PB" history --db "$tcp user=pb sslmode=disable" add "$FX/regressed.json"
bad "certificate verify failed" "verify-full against another CA" -- \
	"$PB" history --db "$tcp user=pb sslmode=verify-full sslrootcert=$T/certs/other.crt" list
bad 'does not match host name' "verify-full to 127.0.0.1, a name the certificate does not hold" -- \
	"$PB" history --db "host=127.0.0.1 port=$P dbname=perf user=pb sslmode=verify-full sslrootcert=$T/certs/server.crt" list
bad "password authentication failed" "a wrong password over TLS, never printed" -- \
	"$PB" history --db "$tcp user=pbpass password=wrong-horse sslmode=require" add "$FX/regressed.json"
is "$(psql -d perf -c 'SELECT count(*) FROM peelbench_results')" 2 "nothing stored by the refused adds"

# TLS required of a server that has none.
P2=$(free_port)
pg_server_start "$T/plain" fsync=off "listen_addresses=127.0.0.1" "port=$P2" 2>"$T/start2.err" ||
	{ echo "Bail out! the plain PostgreSQL test server did not start"; show "$T/start2.err"; exit 1; }
bad "does not support SSL" "sslmode=require against a server without TLS" -- \
	"$PB" history --db "host=127.0.0.1 port=$P2 dbname=postgres user=pb sslmode=require" list

pg_server_stop "$T/tls"
pg_server_stop "$T/plain"
! pgrep -f -- "$T/" >/dev/null
ok $? "both servers are stopped, nothing of them left running"
finish
