#!/usr/bin/env bash
# Each kernel the project measures boots through scripts/vm-run, has SCTP
# with module BTF, and passes peel50 (50 associations peeled off, 50 round
# trips).  One guest per kernel.  Needs `make` (build/guest/peel50).
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1

. tests/lib/tap.bash

versions=(6.1 6.12 7.3)
require scripts/vm-run build/guest/peel50
plan $(( ${#versions[@]} * 3 ))

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

for v in "${versions[@]}"; do
	scripts/vm-run "$v" -- sh -c '
		echo "kernel $(uname -r)"
		if [ -e /sys/kernel/btf/sctp ]; then echo "btf sctp"; fi
		build/guest/peel50' > "$tmp/out" 2> "$tmp/err"
	rc=$?
	grep -Eq "^kernel ${v//./\\.}[.+-]" "$tmp/out"
	ok $? "$v: the guest boots kernel $v ($(sed -n 's/^kernel //p' "$tmp/out"))"
	grep -qx 'btf sctp' "$tmp/out"
	ok $? "$v: /sys/kernel/btf/sctp exists"
	[ "$rc" = 0 ] && grep -qx 'peel50: 50/50 associations peeled off, 50/50 round trips ok' "$tmp/out"
	ok $? "$v: peel50 peels off 50 associations and all 50 round trips work (exit $rc)"
	if [ "$rc" != 0 ]; then
		sed 's/^/# /' "$tmp/out" "$tmp/err"
	fi
done

finish
