# shellcheck shell=bash
# Booting the guest: accelerator choice and one qemu run with a hard time
# limit.  PB_QEMU_PID is the running qemu, for the caller's exit trap.

PB_QEMU=${PEELBENCH_QEMU:-qemu-system-x86_64}

# The kernel command line: console on the first serial port (the console
# log), panic → immediate reset → qemu exits (-no-reboot).  no_timer_check:
# the IO-APIC timer check that a KVM guest skips on its own (kvm_guest_init
# sets no_timer_check) panics a TCG guest on a loaded host ("IO-APIC +
# timer doesn't work!", seen twice in a row at load 17 on 6.1).
# PEELBENCH_VM_APPEND adds words, to study a boot ("printk.time=1
# initcall_debug loglevel=7" with PEELBENCH_VM_KEEP=1: console.log).
pb_kernel_cmdline() {
	printf 'console=ttyS0 panic=-1 quiet loglevel=4 rdinit=/init 8250.nr_uarts=1 tsc=reliable clocksource=tsc no_timer_check %s' "${1:-}"
	[ -z "${PEELBENCH_VM_APPEND:-}" ] || printf ' %s' "$PEELBENCH_VM_APPEND"
}

# Base qemu arguments shared by the probe and the run.
pb_qemu_base() {
	local kdir=$1 accel=$2 mem=$3 smp=$4 console=$5 extra=${6:-} kernel=$1/vmlinuz
	# The PVH entry of the uncompressed kernel when there is one
	# (pb_kernel_pvh_ensure).
	[ -f "$kdir/vmlinux" ] && [ "${PEELBENCH_VM_BOOT:-}" != bzimage ] && kernel=$kdir/vmlinux
	PB_QEMU_ARGS=(-nodefaults -no-user-config -nographic -no-reboot
		-monitor none -serial "file:$console"
		-m "$mem" -smp "$smp"
		-kernel "$kernel" -initrd "$kdir/initramfs.cpio.gz"
		-append "$(pb_kernel_cmdline "$extra")")
	case $accel in
	kvm) PB_QEMU_ARGS+=(-accel kvm -cpu host) ;;
	*)   PB_QEMU_ARGS+=(-accel tcg -cpu max) ;;
	esac
}

# Sleep without a child process: read with a timeout on a private fifo that
# never gets data.
pb_sleep() {
	local f
	if [ -z "${PB_SLEEP_FD:-}" ]; then
		f=$(mktemp -u "${TMPDIR:-/tmp}/peelbench-sleep.XXXXXX")
		mkfifo "$f" && exec {PB_SLEEP_FD}<>"$f" && rm -f "$f"
	fi
	read -r -t "$1" -u "$PB_SLEEP_FD" _ || true
}

# Wait for qemu (PB_QEMU_PID) at most LIMIT seconds; return 0 if it
# exited, 1 if the time ran out, 2 if CONSOLE (when given) has no
# PEELBENCH-START marker after BOOT_LIMIT seconds: a guest stalled in its
# boot.  qemu is killed in both cases.
pb_qemu_wait() {
	local limit=$1 console=${2:-} boot_limit=${3:-0} start=$SECONDS booted=0
	while kill -0 "$PB_QEMU_PID" 2>/dev/null; do
		if (( SECONDS - start >= limit )); then
			pb_qemu_kill
			return 1
		fi
		if [ -n "$console" ] && [ "$booted" = 0 ] && (( SECONDS - start >= boot_limit )); then
			if ! grep -q PEELBENCH-START "$console" 2>/dev/null; then
				pb_qemu_kill
				return 2
			fi
			booted=1
		fi
		pb_sleep 0.2
	done
	wait "$PB_QEMU_PID" 2>/dev/null
	PB_QEMU_RC=$?
	PB_QEMU_PID=
	return 0
}

# TERM, then KILL after 3 s; reaps it.
pb_qemu_kill() {
	local i
	[ -n "${PB_QEMU_PID:-}" ] || return 0
	kill -TERM "$PB_QEMU_PID" 2>/dev/null
	for ((i = 0; i < 15; i++)); do
		kill -0 "$PB_QEMU_PID" 2>/dev/null || break
		pb_sleep 0.2
	done
	kill -KILL "$PB_QEMU_PID" 2>/dev/null
	wait "$PB_QEMU_PID" 2>/dev/null
	PB_QEMU_PID=
}

# KVM only if it really runs a stock kernel: /dev/kvm can exist on a host
# whose KVM runs nothing but special guests (kvm_pvm: a stock kernel stalls
# during early boot).  Boot the guest kernel to a marker with a short limit;
# the answer (PB_ACCEL) is cached per host boot.  PEELBENCH_ACCEL=kvm|tcg
# overrides.
pb_accel() {
	local kdir=$1 bootid f dir
	case ${PEELBENCH_ACCEL:-} in
	kvm|tcg) PB_ACCEL=$PEELBENCH_ACCEL; return 0 ;;
	"") ;;
	*) pb_die "$PB_EXIT_USAGE" "bad PEELBENCH_ACCEL '$PEELBENCH_ACCEL': want kvm or tcg" ;;
	esac
	PB_ACCEL=tcg
	if [ ! -r /dev/kvm ] || [ ! -w /dev/kvm ]; then
		return 0
	fi
	bootid=$(cat /proc/sys/kernel/random/boot_id 2>/dev/null || echo unknown)
	f="$PB_CACHE/accel.$bootid"
	if [ -s "$f" ]; then
		PB_ACCEL=$(cat "$f")
		return 0
	fi
	pb_progress "probing kvm"
	dir=$(mktemp -d "${TMPDIR:-/tmp}/peelbench-probe.XXXXXX")
	PB_CLEANUP_DIRS+=("$dir")
	pb_qemu_base "$kdir" kvm 256 1 "$dir/console.log" peelbench.probe=1
	"$PB_QEMU" "${PB_QEMU_ARGS[@]}" </dev/null >/dev/null 2>"$dir/qemu.log" &
	PB_QEMU_PID=$!
	if pb_qemu_wait 8 && grep -q PEELBENCH-PROBE-OK "$dir/console.log"; then
		echo kvm > "$f.tmp"
	else
		echo tcg > "$f.tmp"
	fi
	rm -f "$PB_CACHE"/accel.*[!p]
	mv "$f.tmp" "$f"
	pb_progress_done
	PB_ACCEL=$(cat "$f")
}
