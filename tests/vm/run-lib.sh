# shellcheck shell=bash
# Shared by tests/vm/run-*.t: boot one guest per test file, run a script in
# it that leaves exit codes, outputs and result files in a shared work
# folder, then assert on the host with TAP.  Sourced, not run by prove.
#
#   PEELBENCH_VM_RUN     the VM runner (default scripts/vm-run)
#   PEELBENCH_VM_KERNEL  guest kernel version (default 6.1)

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
vmrun=${PEELBENCH_VM_RUN:-$root/scripts/vm-run}
kernel=${PEELBENCH_VM_KERNEL:-6.1}
pb=$root/peelbench
n=0 failed=0

if [ ! -x "$vmrun" ]; then
	echo "1..0 # SKIP no VM runner at $vmrun"
	exit 0
fi
if [ ! -x "$pb" ]; then
	echo "1..0 # SKIP $pb is not built (make)"
	exit 0
fi
# The guest writes here: a folder of the checkout, shared writable.
work=$(mktemp -d "$root/build/vmtest.XXXXXX")
trap '[ -n "${PEELBENCH_KEEP:-}" ] || rm -rf "$work"' EXIT

# guest SCRIPT: run bash SCRIPT in a guest; W is the work folder there.
guest() {
	"$vmrun" --share "$work" "$kernel" -- env W="$work" P="$pb" bash -c "$1" \
		>"$work/guest.out" 2>"$work/guest.err"
	local rc=$?
	if [ "$rc" -ne 0 ]; then
		echo "Bail out! the guest failed (exit $rc): $(tail -n 3 "$work/guest.err")"
		exit 1
	fi
}

ok() {	# ok CONDITION-STATUS DESCRIPTION [DIAGNOSTIC]
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		[ -n "${3:-}" ] && printf '# %s\n' "$3"
		failed=$((failed + 1))
	fi
}

is() {	# is GOT WANT DESCRIPTION
	[ "$1" = "$2" ]
	ok $? "$3" "got '$1', want '$2'"
}

# j FILE EXPR: a Python expression over the result d.
j() {
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); v=eval(sys.argv[2]); print(json.dumps(v) if not isinstance(v, str) else v)' "$1" "$2" 2>/dev/null || echo "<none>"
}

rc() { cat "$work/$1.rc" 2>/dev/null || echo "<none>"; }

finish() {
	echo "1..$n"
	[ "$failed" -eq 0 ]
}
