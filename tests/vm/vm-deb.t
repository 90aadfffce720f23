#!/usr/bin/env bash
# scripts/vm-run --deb FILE...: a Debian kernel package file fed through the
# runner boots (the package 6.1 resolves to, downloaded with the runner's
# private apt setup), its cache entry is named by the files' checksums, and
# bad input gets one line and exit 2 before any guest.  One 6.1 guest.
# Needs `make` (build/guest/peel50).
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1

. tests/lib/tap.bash
require scripts/vm-run build/guest/peel50
plan 9

tmp=$(mktemp -d "${TMPDIR:-/var/tmp}/pb-deb.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
vmrun=$PWD/scripts/vm-run
cache=${PEELBENCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/peelbench}

# The packages: 6.1's image, and 7.3's meta image with one of its parts.
"$vmrun" --list > "$tmp/list" || { echo "Bail out! vm-run --list failed"; exit 1; }
a=$cache/apt
fetch() {
	(cd "$tmp" && apt-get -q -o "Dir::Etc::SourceList=$a/sources.list" -o Dir::Etc::SourceParts=/dev/null \
		-o "Dir::State::Lists=$a/lists" -o "Dir::Cache=$a/cache" -o Dir::State::status=/dev/null \
		-o APT::Architectures=amd64 $([ "$(id -u)" = 0 ] && echo -o APT::Sandbox::User=root) \
		download "$@") > "$tmp/apt.log" 2>&1
}
read -r pkg61 ver61 < <(awk '$1 == "6.1" { print $2, $3 }' "$tmp/list")
read -r pkg73 ver73 < <(awk '$1 == "7.3" { print $2, $3 }' "$tmp/list")
fetch "$pkg61=$ver61" "$pkg73=$ver73" "${pkg73/image/binary}=$ver73" ||
	{ echo "Bail out! cannot download the test packages: $(tail -n1 "$tmp/apt.log")"; exit 1; }
deb61=$(ls "$tmp/${pkg61}"_*.deb) deb73=$(ls "$tmp/${pkg73}"_*.deb) bin73=$(ls "$tmp/${pkg73/image/binary}"_*.deb)

# --- refusals, no guest ------------------------------------------------------

refused() {	# refused WANT-LINE ARGS...: exit 2, that one line, nothing else
	local want=$1 rc
	shift
	PEELBENCH_CACHE=$tmp/cache "$vmrun" "$@" > "$tmp/out" 2> "$tmp/err"
	rc=$?
	[ "$rc" = 2 ] && [ ! -s "$tmp/out" ] && [ "$(cat "$tmp/err")" = "$want" ] && [ ! -e "$tmp/cache/kernels" ]
}
refused "peelbench: --deb $tmp/nothing.deb: no such file" --deb "$tmp/nothing.deb" -- true
ok $? "a missing file: exit 2, one line"
refused "peelbench: --deb $tmp/list: not a Debian package" --deb "$tmp/list" -- true
ok $? "a file that is no package: exit 2, one line"
refused "peelbench: --deb: no linux-image package among the files" --deb "$bin73" -- true
ok $? "no kernel image among the packages: exit 2, one line"
refused "peelbench: --deb: $pkg73 needs ${pkg73/image/base}: give its .deb too" --deb "$deb73" --deb "$bin73" -- true
ok $? "a meta image without the packages it needs: exit 2, one line naming one"
refused "peelbench: --deb boots the given packages: no VERSION ('6.1')" --deb "$deb61" 6.1 -- true
ok $? "--deb with a VERSION: exit 2, one line"

# --- one guest from the 6.1 package file ---------------------------------------

PEELBENCH_CACHE=$tmp/cache "$vmrun" --deb "$deb61" -- sh -c '
	echo "kernel $(uname -r)"
	echo "source $PEELBENCH_KERNEL_SOURCE"
	build/guest/peel50' > "$tmp/out" 2> "$tmp/err"
rc=$?
grep -qx "kernel ${pkg61#linux-image-}" "$tmp/out"
ok $? "the guest runs the package's kernel (${pkg61#linux-image-})"
grep -qxF "source $pkg61 $ver61 local local" "$tmp/out"
ok $? "the guest is told the kernel came from a local package"
[ "$rc" = 0 ] && grep -qx 'peel50: 50/50 associations peeled off, 50/50 round trips ok' "$tmp/out"
ok $? "peel50 passes on it (exit $rc)"
[ "$rc" = 0 ] || show "$tmp/out" "$tmp/err"
k=$(ls -d "$tmp"/cache/kernels/deb-* 2>/dev/null)
[ "$(printf '%s\n' "$k" | wc -l)" = 1 ] && [ -f "$k/vmlinuz" ] && [ -f "$k/initramfs.cpio.gz" ] &&
	[ "$(cat "$k/source")" = "$pkg61 $ver61 local local" ] &&
	[ "$(cat "$k/SHA256SUMS")" = "$(sha256sum "$deb61" | cut -d' ' -f1)  ${deb61##*/}" ]
ok $? "one cache entry deb-KEY with vmlinuz, initramfs, source and the file's checksum"

finish
