#!/usr/bin/env bash
# `probes` where it cannot read available_filter_functions (tracefs hidden
# under an empty tmpfs, in a mount namespace of this test's own): it
# promises fentry or a kprobe only after a test program attached, and
# says "unknown" when it cannot try.  As a user who may not load BPF, the
# answer is "unknown" (with kernel BTF; without it, "unavailable, no
# kernel BTF"); as root it is a test attach's verdict, never the old
# "in BTF and ftrace-able".  (The guest side, where the test attaches
# succeed and trace keeps the promise: tests/vm/probes-notracefs.t.)
set -uo pipefail
if [ -z "${PB_PROBES_NS:-}" ] && command -v unshare > /dev/null; then
	PB_PROBES_NS=1 exec unshare -m --propagation private bash "$0" "$@"
fi
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.bash
plan 9
require ./peelbench

tmp=$(mktemp -d "${TMPDIR:-/tmp}/pb-probes.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
for d in /sys/kernel/tracing /sys/kernel/debug; do
	[ -d "$d" ] && mount -t tmpfs none "$d"
done
ls /sys/kernel/tracing/available_filter_functions \
	/sys/kernel/debug/tracing/available_filter_functions > /dev/null 2>&1
ok $((!$?)) "no available_filter_functions to read here"
chmod 755 "$tmp"

# As a user without the right to load BPF: nothing can be tried.
setpriv --reuid 65534 --regid 65534 --clear-groups ./peelbench probes --json \
	> "$tmp/nobody.json" 2> "$tmp/nobody.err"
is "$?" 0 "probes as nobody exits 0"
syscall='[p for p in d["probes"] if p["phase"] == "syscall"][0]'
if [ -r /sys/kernel/btf/vmlinux ]; then
	is "$(j "$tmp/nobody.json" "$syscall[\"attach\"]")" unknown \
		"as nobody, with kernel BTF: the syscall's fentry is unknown"
	is "$(j "$tmp/nobody.json" "'not root: no test attach' in $syscall[\"reason\"]")" true \
		"... and the reason says no test attach could run"
else
	is "$(j "$tmp/nobody.json" "$syscall[\"attach\"]")" unavailable \
		"as nobody, without kernel BTF: unavailable"
	is "$(j "$tmp/nobody.json" "'no kernel BTF' in $syscall[\"reason\"]")" true \
		"... because there is no kernel BTF"
fi
setpriv --reuid 65534 --regid 65534 --clear-groups ./peelbench probes > "$tmp/nobody.txt" 2>&1
grep -q '^syscall .* \(unknown\|unavailable\) ' "$tmp/nobody.txt"
ok $? "the table says it too" "$(cat "$tmp/nobody.txt")"

# As root: a test attach decides.  fentry only with one that attached;
# anything else is unknown (no load allowed) or unavailable (it failed).
./peelbench probes --json > "$tmp/root.json" 2> "$tmp/root.err"
is "$?" 0 "probes as root exits 0"
att=$(j "$tmp/root.json" "$syscall[\"attach\"]")
why=$(j "$tmp/root.json" "$syscall[\"reason\"]")
case $att in
fentry) [[ $why == *"a test program attached and detached"* ]] ;;
unknown|unavailable) [[ $why == *"fentry on __sys_getsockopt: "* || $why == *"no kernel BTF"* ]] ;;
*) false ;;
esac
ok $? "as root: '$att' backed by a test attach's verdict" "$why"
[[ $why != *"ftrace-able"* ]]
ok $? "... never 'ftrace-able' without ftrace's list" "$why"
is "$(j "$tmp/root.json" '[p["phase"] for p in d["probes"] if p["attach"] in ("fentry", "kprobe") and "a test program attached" not in p["reason"]]')" \
	"[]" "no phase is promised without a test attach"
finish
