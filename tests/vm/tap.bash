# shellcheck shell=bash
# TAP helpers for the bash guest tests (tests/vm/*.t), sourced: numbered
# ok/not ok lines and diagnostics.  (tests/vm/run-lib.sh has its own
# ok/is, which also count failures for its summary.)
n=0
check() {	# check STATUS DESCRIPTION: STATUS 0 is a pass
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi
}
show() { sed 's/^/# /' "$@"; }	# show FILE...: as TAP diagnostics
