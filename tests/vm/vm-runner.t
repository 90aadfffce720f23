#!/usr/bin/env bash
# scripts/vm-run's contract: output, exit status, --share, cwd, errors
# (bad option, unknown version, qemu missing, failed download), timeout
# and guest out-of-memory.  Three guests, all 6.1.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1

. tests/lib/tap.bash
require scripts/vm-run
plan 27

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
vmrun=$PWD/scripts/vm-run
cache=${PEELBENCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/peelbench}

# --- errors found before any guest -----------------------------------------

"$vmrun" --bogus 6.1 -- true > "$tmp/out" 2> "$tmp/err"
rc=$?
[ "$rc" = 2 ] && [ ! -s "$tmp/out" ] && [ "$(cat "$tmp/err")" = "peelbench: unknown option '--bogus' (see --help)" ]
ok $? "bad option: exit 2 and one line (exit $rc)"

"$vmrun" --timeout 10x 6.1 -- true 2> "$tmp/err"
rc=$?
[ "$rc" = 2 ] && [ "$(wc -l < "$tmp/err")" = 1 ] && grep -q -- "--timeout '10x'" "$tmp/err"
ok $? "bad --timeout value: exit 2 and one line naming it (exit $rc)"

"$vmrun" 9.9 -- true > "$tmp/out" 2> "$tmp/err"
rc=$?
[ "$rc" = 2 ] && [ "$(wc -l < "$tmp/err")" = 1 ] &&
	grep -q '^peelbench: no debian kernel 9.9 .*available: .*6\.1 .*6\.12 .*7\.3' "$tmp/err"
ok $? "unknown version: exit 2 and the line lists the versions (exit $rc)"
[ "$rc" = 2 ] || show "$tmp/err"

"$vmrun" --list > "$tmp/out" 2> "$tmp/err"
rc=$?
[ "$rc" = 0 ] && [ ! -s "$tmp/err" ] && grep -q '^6\.1 ' "$tmp/out" && grep -q '^6\.12 ' "$tmp/out" && grep -q '^7\.3 ' "$tmp/out" &&
	awk 'NF != 5 || $1 !~ /^[0-9]+\.[0-9]+$/ || $2 !~ /^linux-image-/ || $5 !~ /^(index|index:[a-z-]+|unverified)$/ { bad = 1 }
		END { exit bad }' "$tmp/out"
ok $? "--list: per major.minor (6.1, 6.12 and 7.3 among them) the package, its version, suite and how it resolved"
[ "$rc" = 0 ] || show "$tmp/err"
abi61=$(awk '$1 == "6.1" { sub(/^linux-image-/, "", $2); print $2 }' "$tmp/out")
awk '$1 == "6.1" && $4 ~ /^bookworm(-security|-updates)?$/ && $5 == "index" { ok = 1 } END { exit !ok }' "$tmp/out"
ok $? "6.1 resolves to the newest 6.1 of bookworm and its security and updates suites ($abi61)"

# qemu missing: a PATH holding every tool but qemu.
mkdir -p "$tmp/bin"
for f in /usr/bin/* /usr/sbin/* /bin/* /sbin/*; do
	b=${f##*/}
	case $b in qemu-system-*) continue ;; esac
	[ -e "$tmp/bin/$b" ] || ln -s "$f" "$tmp/bin/$b"
done
PATH=$tmp/bin "$vmrun" 6.1 -- true > "$tmp/out" 2> "$tmp/err"
rc=$?
[ "$rc" = 3 ] && [ "$(wc -l < "$tmp/err")" = 1 ] && grep -q '^peelbench: qemu-system-x86_64 not found' "$tmp/err"
ok $? "qemu missing: exit 3 and one line (exit $rc)"
[ "$rc" = 3 ] || show "$tmp/err"

# Failed download: the mirror is a closed loopback port.
dead=http://127.0.0.1:9/debian
PEELBENCH_CACHE=$tmp/cache1 PEELBENCH_MIRROR=$dead "$vmrun" 6.1 -- true > "$tmp/out" 2> "$tmp/err"
rc=$?
[ "$rc" = 4 ] && [ "$(wc -l < "$tmp/err")" = 1 ] && grep -q '^peelbench: cannot download the kernel package index' "$tmp/err" &&
	[ ! -e "$tmp/cache1/kernels" ] && [ ! -e "$tmp/cache1/apt/kernels.tsv" ]
ok $? "unreachable mirror: exit 4, one line, no index and no kernel in the cache (exit $rc)"
[ "$rc" = 4 ] || show "$tmp/err"

# The index is there (a copy of the real one, renamed for the dead mirror)
# but the package download fails: nothing half-made is left in kernels/.
mkdir -p "$tmp/cache2/apt/lists"
for f in "$cache"/apt/lists/*_dists_*; do
	[ -e "$f" ] || continue
	case ${f##*_dists_} in
	*-security_*) cp "$f" "$tmp/cache2/apt/lists/127.0.0.1:9_debian-security_dists_${f##*_dists_}" ;;
	*) cp "$f" "$tmp/cache2/apt/lists/127.0.0.1:9_debian_dists_${f##*_dists_}" ;;
	esac
done
awk -v d="$dead" '{ $(NF - 2) = $(NF - 1) ~ /-security$/ ? d "-security" : d; print }' \
	"$cache/apt/sources.list" > "$tmp/cache2/apt/sources.list"
cp "$cache/apt/kernels.tsv" "$tmp/cache2/apt/"
PEELBENCH_CACHE=$tmp/cache2 PEELBENCH_MIRROR=$dead "$vmrun" 6.1 -- true > "$tmp/out" 2> "$tmp/err"
rc=$?
[ "$rc" = 4 ] && [ "$(wc -l < "$tmp/err")" = 1 ] && grep -q '^peelbench: cannot download linux-image-6\.1' "$tmp/err" &&
	[ -d "$tmp/cache2/kernels" ] && [ -z "$(ls -A "$tmp/cache2/kernels")" ]
ok $? "failed package download: exit 4, one line, kernels/ left empty (exit $rc)"
[ "$rc" = 4 ] || { show "$tmp/err"; ls -la "$tmp/cache2/kernels" | show; }

# --- one guest: output, exit status, --share, cwd ----------------------------

share=$tmp/share	# under /tmp: the guest's /tmp is its own, --share brings it
mkdir -p "$share"
head -c 300000 /dev/urandom > "$share/blob"
(cd "$share" && "$vmrun" --share "$share" 6.1 -- bash -c '
	printf "first line\n"
	printf "to stderr\n" >&2
	cat blob
	printf "last, no newline"
	printf "%s\n" "$(pwd)" > written-by-guest
	printf "%s\n" "$#" "$1" "$2" >> written-by-guest
	exit 7' arg0 'two words' "'quoted\"") > "$tmp/out" 2> "$tmp/err"
rc=$?
ok $([ "$rc" = 7 ]; echo $?) "the command's exit status 7 reaches the host (got $rc)"
{ printf 'first line\n'; cat "$share/blob"; printf 'last, no newline'; } > "$tmp/want"
cmp -s "$tmp/out" "$tmp/want"
ok $? "stdout is exactly the command's (text, 300000 random bytes, no final newline)"
[ "$(cat "$tmp/err")" = "to stderr" ]
ok $? "stderr is exactly the command's, apart from stdout"
[ "$rc" = 7 ] || show "$tmp/err"
printf '%s\n' "$share" 2 'two words' "'quoted\"" > "$tmp/want"
cmp -s "$share/written-by-guest" "$tmp/want"
ok $? "--share DIR is writable at its path, cwd is the host's, arguments arrive unchanged"
cmp -s "$share/written-by-guest" "$tmp/want" || show "$share/written-by-guest" 2>&1

# A reader that stops early (`| head`) must not stall the guest: the rest
# of the output is dropped and the command runs to its end.
"$vmrun" --timeout 300 6.1 -- sh -c 'yes | head -c 5000000; echo finished >&2' 2> "$tmp/err" | head -c 4 > "$tmp/out"
rc=${PIPESTATUS[0]}
ok $([ "$rc" = 0 ]; echo $?) "stdout closed early (| head): the command still runs to its end, exit 0 (got $rc)"
[ "$(cat "$tmp/out")" = "$(printf 'y\ny\n')" ] && [ "$(cat "$tmp/err")" = finished ]
ok $? "the reader got the first bytes, stderr the command's last line"
[ "$rc" = 0 ] || show "$tmp/err"

# What the cache holds now: the later runs must not download again.
k=$cache/kernels/$abi61
stamp=$(stat -c %Y.%i "$k/.complete" "$k/vmlinuz" 2>/dev/null)

# --- one guest: the timeout -----------------------------------------------------

mkdir -p "$tmp/runs"
TMPDIR=$tmp/runs "$vmrun" --timeout 40 6.1 -- sleep 600 > "$tmp/out" 2> "$tmp/err"
rc=$?
ok $([ "$rc" = 6 ]; echo $?) "sleep 600 with --timeout 40: exit 6 (got $rc)"
[ "$(cat "$tmp/err")" = "peelbench: guest timed out after 40 s" ]
ok $? "the timeout says so in one line"
[ "$rc" = 6 ] || show "$tmp/err"
! pgrep -f "$tmp/runs" > /dev/null
ok $? "no qemu (or helper) left running after the timeout"
[ -z "$(ls -A "$tmp/runs")" ]
ok $? "no run folder left behind"

# --- one guest: out of memory ---------------------------------------------------

"$vmrun" --mem 256 6.1 -- sh -c 'head -c 2G /dev/zero | tail > /dev/null; echo survived' > "$tmp/out" 2> "$tmp/err"
rc=$?
ok $([ "$rc" = 5 ]; echo $?) "a command that outgrows --mem 256: exit 5 (got $rc)"
grep -q '^peelbench: guest ran out of memory with --mem 256' "$tmp/err"
ok $? "the out-of-memory kill is reported"
grep -q 'Out of memory: Killed process' "$tmp/err"
ok $? "the report carries the guest's console lines"
[ "$rc" = 5 ] || show "$tmp/err"

# --- two short guests: a boot that stalls is a failure, retried once ----------

mkdir -p "$tmp/runs2"
PEELBENCH_BOOT_TIMEOUT=2 PEELBENCH_VM_KEEP=1 TMPDIR=$tmp/runs2 "$vmrun" 6.1 -- true > "$tmp/out" 2> "$tmp/err"
rc=$?
ok $([ "$rc" = 5 ]; echo $?) "a guest that has not started the command within the boot limit: exit 5 (got $rc)"
[ "$(head -n1 "$tmp/err")" = "peelbench: guest boot failed: the command had not started after 2 s" ] &&
	grep -q '^--- last console lines' "$tmp/err"
ok $? "the boot failure is reported with the console's last lines"
[ "$rc" = 5 ] || show "$tmp/err"
ls "$tmp"/runs2/peelbench-vm.*/console.1.log > /dev/null 2>&1 && ! pgrep -f "$tmp/runs2" > /dev/null
ok $? "a boot that fails before the command starts is tried twice; no qemu left"

# --- no guest: the cache ---------------------------------------------------------

[ -n "$k" ] && [ "$(stat -c %Y.%i "$k/.complete" "$k/vmlinuz" 2>/dev/null)" = "$stamp" ]
ok $? "later runs use the cached kernel: nothing downloaded or unpacked again"
[ -n "$k" ] && [ -f "$k/vmlinuz" ] && [ -f "$k/initramfs.cpio.gz" ] && [ -s "$k/SHA256SUMS" ] &&
	[ -z "$(ls -d "$cache"/kernels/.tmp.* 2>/dev/null)" ]
ok $? "the 6.1 cache entry holds vmlinuz, initramfs and the package checksums; no temporary entries"
(cd "$k" && grep -q '  linux-image-6\.1\..*\.deb$' SHA256SUMS)
ok $? "SHA256SUMS names the image package"

finish
