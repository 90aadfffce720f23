# shellcheck shell=bash
# TAP for every bash test (tests/vm/*.t, tests/cli/*.t), sourced: numbered
# ok/not ok lines with diagnostics, the plan, and the exit status prove
# reads.  (The Python guest tests have the same in tests/vm/tap.py.)
#
#   plan N                 print the plan first (else finish prints it last)
#   ok STATUS DESC [DIAG]  STATUS 0 passes; DIAG lines follow a failure
#   is GOT WANT DESC       GOT = WANT, else says both
#   show FILE...           FILEs as diagnostics
#   require FILE...        each must be an executable this project builds or
#                          ships; a missing one is a failure, never a skip:
#                          one "not ok" per file, then exit 1
#   j FILE EXPR            a Python expression over the JSON in FILE (d),
#                          printed as JSON unless a string; "<none>" if it fails
#   finish                 the plan if not printed yet; status 1 on any failure
tap_n=0 tap_failed=0 tap_planned=

plan() {
	tap_planned=$1
	echo "1..$1"
}

ok() {
	tap_n=$((tap_n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $tap_n - $2"
		return 0
	fi
	echo "not ok $tap_n - $2"
	tap_failed=$((tap_failed + 1))
	[ -z "${3:-}" ] || printf '%s\n' "$3" | sed 's/^/# /'
	return 1
}

is() {
	[ "$1" = "$2" ]
	ok $? "$3" "got '$1', want '$2'"
}

show() { sed 's/^/# /' "$@"; }

require() {
	local f missing=0
	for f; do
		[ -x "$f" ] && continue
		ok 1 "$f is there" "missing: $f (run make in the checkout)"
		missing=1
	done
	[ "$missing" = 0 ] && return 0
	[ -n "$tap_planned" ] || echo "1..$tap_n"
	exit 1
}

j() {
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); v=eval(sys.argv[2]); print(json.dumps(v) if not isinstance(v, str) else v)' "$1" "$2" 2>/dev/null || echo "<none>"
}

finish() {
	[ -n "$tap_planned" ] || echo "1..$tap_n"
	[ "$tap_failed" = 0 ]
}
