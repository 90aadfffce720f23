#!/usr/bin/env bash
# Each kernel the project measures boots through scripts/vm-run, is the one
# `vm-run --list` names (6.1: the security suite's, when it is newer), has
# SCTP with module BTF, and passes peel50 (50 associations peeled off, 50
# round trips).  One guest per kernel; 6.18, 6.19 and 7.0 today need
# packages that only the archive's pool still has (--allow-unverified).
# Needs `make` (build/guest/peel50).
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1

. tests/lib/tap.bash

versions=(6.1 6.12 6.16 6.18 6.19 7.0 7.3)
require scripts/vm-run build/guest/peel50
plan $(( ${#versions[@]} * 3 ))

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export PEELBENCH_ALLOW_UNVERIFIED=1
scripts/vm-run --list > "$tmp/list" || { echo "Bail out! vm-run --list failed"; exit 1; }

for v in "${versions[@]}"; do
	want=$(awk -v v="$v" '$1 == v { print $2, $3, $4, $5 }' "$tmp/list")
	scripts/vm-run "$v" -- sh -c '
		echo "kernel $(uname -r)"
		echo "source $PEELBENCH_KERNEL_SOURCE"
		if [ -e /sys/kernel/btf/sctp ]; then echo "btf sctp"; fi
		build/guest/peel50' > "$tmp/out" 2> "$tmp/err"
	rc=$?
	grep -Eq "^kernel ${v//./\\.}[.+-]" "$tmp/out" && [ -n "$want" ] && grep -qxF "source $want" "$tmp/out" &&
		grep -qxF "kernel ${want%% *}" <<< "$(sed 's/^kernel /kernel linux-image-/' "$tmp/out")"
	ok $? "$v: the guest boots kernel $v, the one --list names ($want)"
	grep -qx 'btf sctp' "$tmp/out"
	ok $? "$v: /sys/kernel/btf/sctp exists"
	[ "$rc" = 0 ] && grep -qx 'peel50: 50/50 associations peeled off, 50/50 round trips ok' "$tmp/out"
	ok $? "$v: peel50 peels off 50 associations and all 50 round trips work (exit $rc)"
	if [ "$rc" != 0 ]; then
		sed 's/^/# /' "$tmp/out" "$tmp/err"
	fi
done

finish
