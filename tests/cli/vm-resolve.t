#!/usr/bin/env bash
# The VM runner's kernel resolver (scripts/vm/index.sh) on fixture indexes
# (tests/fixtures/apt): every suite a Debian user gets kernels from, the
# highest ABI across them, a dependency that an index dropped (found in
# another suite's index, in the pool, or nowhere), --list, and the archive
# addresses taken from an apt configuration.  No network: the "pool" is a
# file:// folder.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1

. tests/lib/tap.bash
plan 16
. scripts/vm/common.sh
. scripts/vm/index.sh

fx=$PWD/tests/fixtures/apt
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# --- the archive addresses, from an apt configuration ------------------------

PB_APT_ETC=$fx/etc
[ "$(pb_mirror)" = http://archive.example/debian ] && [ "$(pb_security_mirror)" = http://security.example/debian-security ]
ok $? "deb822 sources: the mirror and the security archive (by its -security suite), a third-party source skipped"
PB_APT_ETC=$fx/etc-oneline
[ "$(pb_mirror)" = http://oneline.example/debian ] && [ "$(pb_security_mirror)" = http://oneline-security.example/debian-security ]
ok $? "one-line sources.list: [options] skipped, deb-src ignored, the security archive found"
[ "$(PEELBENCH_MIRROR=http://m.example/debian pb_security_mirror)" = http://m.example/debian-security ]
ok $? "PEELBENCH_MIRROR alone: the security archive is its -security sibling"

PB_CACHE=$tmp
PEELBENCH_MIRROR=http://m.example/debian PEELBENCH_SECURITY_MIRROR=http://s.example/sec pb_apt_write_sources
[ "$(grep -c '^deb \[signed-by=[^]]*\] http://m.example/debian [a-z-]* main$' "$tmp/apt/sources.list")" = 7 ] &&
	[ "$(grep -c '^deb \[signed-by=[^]]*\] http://s.example/sec [a-z]*-security main$' "$tmp/apt/sources.list")" = 2 ] &&
	grep -q ' bookworm-updates main$' "$tmp/apt/sources.list" && grep -q ' trixie-updates main$' "$tmp/apt/sources.list"
ok $? "the private sources.list has 9 suites, the two -security ones on the security archive"

# --- the table ---------------------------------------------------------------

mkdir -p "$tmp/apt"
{
	for s in bookworm trixie-backports sid; do echo "deb [signed-by=k] file://$fx/mirror $s main"; done
	echo "deb [signed-by=k] file://$fx/mirror-security bookworm-security main"
} > "$tmp/apt/sources.list"
pb_kernel_table "$fx/lists" "$tmp/apt/sources.list" > "$tmp/apt/kernels.tsv"
cut -d' ' -f1-5 "$tmp/apt/kernels.tsv" > "$tmp/rows"
cat > "$tmp/want" <<'EOF'
6.1.170 linux-image-6.1.0-47-amd64 6.1.170-3 bookworm index
6.1.176 linux-image-6.1.0-50-amd64 6.1.176-1 bookworm index
6.1.176 linux-image-6.1.0-50-amd64 6.1.176-1 bookworm-security index
6.1.192 linux-image-6.1.0-56-amd64 6.1.192-2 bookworm-security index
6.1.192 linux-image-6.1.0-57-amd64 6.1.192-3 bookworm-security index
6.18.15 linux-image-6.18.15+deb13-amd64 6.18.15-1~bpo13+1 trixie-backports unverified
6.19.8 linux-image-6.19.8+deb13-amd64 6.19.8-1~bpo13+1 trixie-backports index
7.0.13 linux-image-7.0.13+deb13-amd64 7.0.13-1~bpo13+1 trixie-backports index:sid
7.3.4 linux-image-7.3.4+deb13-amd64 7.3.4-1~bpo13+1 trixie-backports index
EOF
diff "$tmp/want" "$tmp/rows" > "$tmp/diff"
ok $? "one row per kernel and suite; no meta, cloud or rt image; 6.19.14 (its modules nowhere) left out"
show "$tmp/diff"

grep -q '^7\.3\.4 .* linux-image-7\.3\.4+deb13-amd64=7\.3\.4-1~bpo13+1@trixie-backports,linux-base-7\.3\.4+deb13-amd64=7\.3\.4-1~bpo13+1@trixie-backports,linux-binary-7\.3\.4+deb13-amd64=7\.3\.4-1~bpo13+1@trixie-backports,linux-modules-7\.3\.4+deb13-amd64=7\.3\.4-1~bpo13+1@trixie-backports$' "$tmp/apt/kernels.tsv"
ok $? "a meta image's parts: its linux-{base,binary,modules}-ABI dependencies at the exact version"
grep -q '^7\.0\.13 .*,linux-base-7\.0\.13+deb13-amd64=7\.0\.13-1~bpo13+1@sid,' "$tmp/apt/kernels.tsv"
ok $? "a dependency its own suite dropped comes from the suite that still lists it"
grep -q '^6\.18\.15 .*,linux-base-6\.18\.15+deb13-amd64=6\.18\.15-1~bpo13+1@pool:pool/main/l/linux/linux-base-6\.18\.15+deb13-amd64_6\.18\.15-1~bpo13+1_amd64\.deb$' "$tmp/apt/kernels.tsv"
ok $? "a dependency no index lists comes from the pool folder where its kind lives"

# --- resolving a version -----------------------------------------------------

PB_ALLOW_UNVERIFIED=0
pb_kernel_resolve 6.1
[ "$PB_KPKG $PB_KVER $PB_KSUITE $PB_KHOW" = "linux-image-6.1.0-57-amd64 6.1.192-3 bookworm-security index" ]
ok $? "6.1: the highest ABI of all suites (bookworm-security's 6.1.0-57, not bookworm's 6.1.0-50)"
pb_kernel_resolve 6.1.176
[ "$PB_KPKG $PB_KSUITE" = "linux-image-6.1.0-50-amd64 bookworm-security" ]
ok $? "6.1.176: exactly that release"
pb_kernel_resolve 6.19
[ "$PB_KPKG $PB_KHOW" = "linux-image-6.19.8+deb13-amd64 index" ]
ok $? "6.19: the newest kernel whose packages can all be fetched (6.19.8, not 6.19.14)"
pb_kernel_resolve 7.0
[ "$PB_KHOW" = index:sid ] && [ "$(tr ',' '\n' <<< "$PB_KPARTS" | grep -c '@sid$')" = 3 ]
ok $? "7.0: resolved through sid's index, three of its packages from there"

PB_INDEX_MISS_AGE=999999999	# no refresh of the index on a miss
(pb_kernel_resolve 6.18) > "$tmp/out" 2> "$tmp/err"
rc=$?
[ "$rc" = 2 ] && [ "$(cat "$tmp/err")" = "peelbench: debian kernel 6.18 (linux-image-6.18.15+deb13-amd64 6.18.15-1~bpo13+1) has packages only in the archive's pool, with no signed checksum: use --allow-unverified" ]
ok $? "6.18 without --allow-unverified: exit 2 and one line saying why (exit $rc)"
[ "$rc" = 2 ] || show "$tmp/err"
PB_ALLOW_UNVERIFIED=1
pb_kernel_resolve 6.18
[ "$PB_KPKG $PB_KHOW" = "linux-image-6.18.15+deb13-amd64 unverified" ]
ok $? "6.18 with --allow-unverified: resolved, marked unverified"
PB_ALLOW_UNVERIFIED=0
(pb_kernel_resolve 6.12) 2> "$tmp/err"
rc=$?
[ "$rc" = 2 ] && [ "$(cat "$tmp/err")" = "peelbench: no debian kernel 6.12 in ${PB_SUITES[*]}; available: 6.1 6.18 6.19 7.0 7.3" ]
ok $? "a version no suite has: exit 2, the line lists the versions (exit $rc)"

# --- --list ------------------------------------------------------------------

pb_kernel_list > "$tmp/list"
cat > "$tmp/want" <<'EOF'
6.1   linux-image-6.1.0-57-amd64           6.1.192-3              bookworm-security  index
6.18  linux-image-6.18.15+deb13-amd64      6.18.15-1~bpo13+1      trixie-backports   unverified
6.19  linux-image-6.19.8+deb13-amd64       6.19.8-1~bpo13+1       trixie-backports   index
7.0   linux-image-7.0.13+deb13-amd64       7.0.13-1~bpo13+1       trixie-backports   index:sid
7.3   linux-image-7.3.4+deb13-amd64        7.3.4-1~bpo13+1        trixie-backports   index
EOF
diff "$tmp/want" "$tmp/list" > "$tmp/diff"
ok $? "--list: per version the package, its version and suite, and how it resolved"
show "$tmp/diff"

finish
