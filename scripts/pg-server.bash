# shellcheck shell=bash
# A private PostgreSQL server for the history store's tests and benchmark,
# sourced: pg_server_start DIR [SERVER OPTION...] runs initdb and pg_ctl
# (Debian's postgresql package, /usr/lib/postgresql/*/bin) with the data
# and the Unix socket in DIR (listening on no TCP address), as the
# postgres user when we are root, since initdb refuses root; trust for
# every local role but pbpass, which needs its password (PG_HBA_EXTRA:
# pg_hba.conf lines put before those, e.g. hostssl rules for a TCP test).  pg_server_stop
# DIR stops it; a caller's EXIT trap calls it so nothing is left running.
# pg_psql DIR ARGS... runs psql against it as the superuser pb.

PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)

pg_as_owner() {
	if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_server_start() {	# pg_server_start DIR [postgres -c options...]
	local dir=$1 opts="-c listen_addresses='' -k $1" o
	shift
	for o in "$@"; do opts+=" -c $o"; done
	if [ ! -x "$PG_BIN/initdb" ] || [ ! -x "$PG_BIN/pg_ctl" ]; then
		echo "no PostgreSQL server in /usr/lib/postgresql/*/bin (scripts/deps.sh installs postgresql)" >&2
		return 3
	fi
	[ "$(id -u)" = 0 ] && { chmod 755 "$dir"; chown postgres "$dir"; }
	pg_as_owner "$PG_BIN/initdb" -D "$dir/data" -U pb --auth=trust --no-locale \
		-E UTF8 >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; return 1; }
	printf '%slocal all pbpass scram-sha-256\nlocal all all trust\n' "${PG_HBA_EXTRA-}" \
		>"$dir/data/pg_hba.conf"
	pg_as_owner "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
		-o "$opts" start >/dev/null 2>&1 || { cat "$dir/server.log" >&2; return 1; }
}

pg_server_stop() {	# pg_server_stop DIR
	[ -f "$1/data/postmaster.pid" ] &&
		pg_as_owner "$PG_BIN/pg_ctl" -D "$1/data" -m immediate -w stop >/dev/null 2>&1
	return 0
}

pg_psql() {	# pg_psql DIR psql-args...
	local dir=$1
	shift
	"$PG_BIN/psql" -X -q -t -A -h "$dir" -U pb "$@"
}
