# shellcheck shell=bash
# Shared by tests/vm/run-*.t: boot one guest per test file, run a script in
# it that leaves exit codes, outputs and result files in a shared work
# folder, then assert on the host with TAP (tests/lib/tap.bash).  Sourced,
# not run by prove.
#
#   PEELBENCH_VM_RUN     the VM runner (default scripts/vm-run)
#   PEELBENCH_VM_KERNEL  guest kernel version (default 6.1)

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
. "$root/tests/lib/tap.bash"
vmrun=${PEELBENCH_VM_RUN:-$root/scripts/vm-run}
kernel=${PEELBENCH_VM_KERNEL:-6.1}
pb=$root/peelbench

require "$vmrun" "$pb"
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

rc() { cat "$work/$1.rc" 2>/dev/null || echo "<none>"; }
