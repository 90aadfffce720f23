# shellcheck shell=bash
# One guest run: the per-run folder (shared into the guest as 9p tag
# "pbrun"), the command file, the output streams, qemu, and the verdict.
#
# Run folder: cmd.sh (the command: the kernel command line is short and
# mangles quotes), kernel-config (the package's /boot/config), shares ("TAG PATH" per --share), out and err (fifos
# behind the virtio-serial ports pb.out and pb.err), status (written by the
# guest), console.log (kernel and /init messages), qemu.log.

PB_RUN_DIR=
# A boot takes 10 to 45 s under TCG on a busy 2-core machine: a guest that
# has not started the command after this long is stuck, not slow.
PB_BOOT_LIMIT=${PEELBENCH_BOOT_TIMEOUT:-300}
[[ "$PB_BOOT_LIMIT" =~ ^[0-9]+$ ]] || pb_die "$PB_EXIT_USAGE" "bad PEELBENCH_BOOT_TIMEOUT '$PB_BOOT_LIMIT': want seconds"
PB_OUT_CAT= PB_ERR_CAT= PB_STDERR=2

# The guest's /tmp, /run, /dev, /proc and /sys are its own: a cwd there is
# not the host's unless it is inside a --share.  A cwd under /tmp or /run (a
# checkout cloned there, say) is shared for the run; the others are refused.
pb_run_check_cwd() {
	local cwd=$1 p s
	for s in "${PB_SHARES[@]}"; do
		[[ "$cwd/" == "$s/"* ]] && return 0
	done
	for p in /tmp /run; do
		if [[ "$cwd/" == "$p/"?* ]]; then
			PB_SHARES+=("$cwd")
			return 0
		fi
	done
	for p in /tmp /run /dev /proc /sys; do
		[[ "$cwd/" == "$p/"* ]] &&
			pb_die "$PB_EXIT_USAGE" "current directory $cwd is not the host's in the guest ($p is the guest's own): cd elsewhere or --share it"
	done
	return 0
}

pb_run_write_cmd() {
	local f=$1 cwd=$2 v
	{
		echo '# written by scripts/vm-run: the guest runs this with bash'
		printf 'cd -- %q || exit 126\n' "$cwd"
		printf 'export PATH=%q HOME=%q USER=root LOGNAME=root\n' "$PATH" "$HOME"
		for v in LANG LC_ALL TERM TZ; do
			[ -n "${!v:-}" ] && printf 'export %s=%q\n' "$v" "${!v}"
		done
		# peelbench's own settings (verbosity, paths) follow the command.
		while read -r v; do
			[ "$v" = PEELBENCH_CACHE ] && continue
			printf 'export %s=%q\n' "$v" "${!v}"
		done < <(compgen -e | grep '^PEELBENCH_' || true)
		# --sysctl: written as root before the command; one the guest
		# kernel lacks (or refuses) ends the run with a usage error.
		for v in "${PB_SYSCTLS[@]}"; do
			printf '{ printf "%%s\\n" %q > %q; } 2>/dev/null || { echo %q >&2; exit %d; }\n' \
				"${v#*=}" "/proc/sys/$(tr . / <<<"${v%%=*}")" \
				"peelbench: cannot set sysctl ${v%%=*} to '${v#*=}' in the guest" "$PB_EXIT_USAGE"
		done
		printf 'exec'
		printf ' %q' "${PB_CMD[@]}"
		printf '\n'
	} > "$f"
}

# stdout/stderr: each port's chardev writes into a fifo that a cat copies
# to our own stdout/stderr as the data comes.
pb_run_open_streams() {
	rm -f "$PB_RUN_DIR/out" "$PB_RUN_DIR/err"
	mkfifo "$PB_RUN_DIR/out" "$PB_RUN_DIR/err" || pb_die "$PB_EXIT_RUNTIME" "cannot create fifos in $PB_RUN_DIR"
	pb_run_copy "$PB_RUN_DIR/out" &
	PB_OUT_CAT=$!
	pb_run_copy "$PB_RUN_DIR/err" >&"$PB_STDERR" &
	PB_ERR_CAT=$!
}

# Copy FIFO to stdout until end-of-file.  When stdout breaks (the reader of
# `vm-run ... | head` is gone), the rest is read and dropped: qemu retries a
# failed write forever, which would stall the guest until --timeout.
pb_run_copy() {
	trap '' PIPE
	exec 3<"$1"
	cat <&3 2>/dev/null || exec cat <&3 >/dev/null
}

# After qemu: a cat that has its fifo open gets end-of-file now that qemu
# is gone, and is waited for however slow our stdout is.  A cat still
# blocked in open() (qemu died before opening its end) is let through by a
# writer that opens and closes at once.
pb_run_reap_cat() {
	local pid=$1 fifo=$2 i l fd
	for ((i = 0; i < 50; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		for l in /proc/"$pid"/fd/*; do
			if [ "$(readlink "$l" 2>/dev/null)" = "$fifo" ]; then
				wait "$pid" 2>/dev/null
				return 0
			fi
		done
		if exec {fd}<>"$fifo"; then exec {fd}>&-; fi
		pb_sleep 0.1
	done
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	return 0
}

pb_run_close_streams() {
	[ -n "${PB_OUT_CAT:-}" ] && pb_run_reap_cat "$PB_OUT_CAT" "$PB_RUN_DIR/out"
	[ -n "${PB_ERR_CAT:-}" ] && pb_run_reap_cat "$PB_ERR_CAT" "$PB_RUN_DIR/err"
	PB_OUT_CAT= PB_ERR_CAT=
	return 0
}

# Interrupted: the output no longer matters.
pb_run_kill_streams() {
	local pid
	for pid in "${PB_OUT_CAT:-}" "${PB_ERR_CAT:-}"; do
		[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	done
	PB_OUT_CAT= PB_ERR_CAT=
	return 0
}

pb_run_qemu_args() {
	local kdir=$1 accel=$2 i=0 s
	pb_qemu_base "$kdir" "$accel" "$PB_MEM" "$PB_SMP" "$PB_RUN_DIR/console.log"
	PB_QEMU_ARGS+=(
		-virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap
		-virtfs "local,path=$PB_RUN_DIR,mount_tag=pbrun,security_model=none"
		-device virtio-serial-pci,id=vser0
		-chardev "file,id=pbout,path=$PB_RUN_DIR/out"
		-device virtserialport,bus=vser0.0,chardev=pbout,name=pb.out
		-chardev "file,id=pberr,path=$PB_RUN_DIR/err"
		-device virtserialport,bus=vser0.0,chardev=pberr,name=pb.err
	)
	: > "$PB_RUN_DIR/shares"
	for s in "${PB_SHARES[@]}"; do
		# qemu's option syntax: a comma in a path is written twice.
		PB_QEMU_ARGS+=(-virtfs "local,path=${s//,/,,},mount_tag=pbshare$i,security_model=none,multidevs=remap")
		printf 'pbshare%d %s\n' "$i" "$s" >> "$PB_RUN_DIR/shares"
		i=$((i + 1))
	done
}

# The last lines of the console, for a failure report.
pb_run_console_tail() {
	local where=
	[ -n "${PEELBENCH_VM_KEEP:-}" ] && where=" ($PB_RUN_DIR/console.log)"
	echo "--- last console lines$where ---" >&2
	# Without the firmware's terminal escapes.
	tail -n 20 "$PB_RUN_DIR/console.log" 2>/dev/null |
		sed 's/\x1b\[[0-9;?]*[A-Za-z]//g; s/\x1b[A-Za-z]//g; s/\r//g' >&2
	if [ -s "$PB_RUN_DIR/qemu.log" ]; then
		echo "--- qemu ---" >&2
		tail -n 5 "$PB_RUN_DIR/qemu.log" >&2
	fi
}

# Turn what the run left into our exit status.
pb_run_verdict() {
	local con="$PB_RUN_DIR/console.log" status line
	status=$(cat "$PB_RUN_DIR/status" 2>/dev/null)
	if [ -n "$status" ]; then
		# A process the OOM killer took makes any result suspect, even
		# when the command's own status hides it (a pipeline, a child).
		if grep -q 'Out of memory' "$con" 2>/dev/null; then
			line=$(grep -a -m1 'Out of memory' "$con" | tr -d '\r' | sed 's/^\[[^]]*\] *//')
			# peelbench names its own option (--vm-mem); twice the
			# size is what to try next
			pb_err "guest ran out of memory with ${PEELBENCH_VM_MEM_OPT:---mem} $PB_MEM (command exit status $status; try ${PEELBENCH_VM_MEM_OPT:---mem} $((PB_MEM * 2))): $line"
			pb_run_console_tail
			return "$PB_EXIT_GUEST"
		fi
		return "$status"
	fi
	if line=$(grep -a -m1 'Kernel panic' "$con" 2>/dev/null); then
		pb_err "guest kernel panic: $(printf '%s' "$line" | tr -d '\r' | sed 's/^\[[^]]*\] *//')"
	elif line=$(grep -a -m1 'PEELBENCH-FAIL:' "$con" 2>/dev/null); then
		pb_err "guest boot failed: $(printf '%s' "${line#*PEELBENCH-FAIL: }" | tr -d '\r')"
	elif grep -q 'PEELBENCH-START' "$con" 2>/dev/null; then
		pb_err "guest stopped before the command finished (qemu exit status ${PB_QEMU_RC:-?})"
	else
		pb_err "guest boot failed: no init message on the console (qemu exit status ${PB_QEMU_RC:-?})"
	fi
	pb_run_console_tail
	return "$PB_EXIT_GUEST"
}

# One boot; returns its verdict.
pb_run_boot() {
	local kdir=$1 abi=$2 accel=$3 limit=$4
	rm -f "$PB_RUN_DIR/status" "$PB_RUN_DIR/console.log"
	pb_run_open_streams
	pb_progress "booting $abi ($accel, $PB_MEM MiB, $PB_SMP cpus; log $PB_RUN_DIR/console.log)"
	"$PB_QEMU" "${PB_QEMU_ARGS[@]}" </dev/null >/dev/null 2>"$PB_RUN_DIR/qemu.log" &
	PB_QEMU_PID=$!
	pb_qemu_wait "$limit" "$PB_RUN_DIR/console.log" "$PB_BOOT_LIMIT"
	case $? in
	1)	pb_run_close_streams
		pb_err "guest timed out after $PB_TIMEOUT s"
		return "$PB_EXIT_TIMEOUT" ;;
	2)	pb_run_close_streams
		pb_err "guest boot failed: the command had not started after $PB_BOOT_LIMIT s"
		pb_run_console_tail
		return "$PB_EXIT_GUEST" ;;
	esac
	pb_run_close_streams
	pb_run_verdict
}

pb_run_started() { grep -q PEELBENCH-START "$PB_RUN_DIR/console.log" 2>/dev/null; }

pb_run() {
	local kdir=$1 abi=$2 accel=$3 cwd rc start=$SECONDS
	cwd=$(pwd -P)
	PB_RUN_DIR=$(mktemp -d "${TMPDIR:-/tmp}/peelbench-vm.XXXXXX") || pb_die "$PB_EXIT_RUNTIME" "cannot create a run folder"
	# Canonical: pb_run_reap_cat compares it with /proc/PID/fd links.
	PB_RUN_DIR=$(readlink -f "$PB_RUN_DIR")
	[ -n "${PEELBENCH_VM_KEEP:-}" ] || PB_CLEANUP_DIRS+=("$PB_RUN_DIR")
	# The guest's results name the accelerator (env.accel, env.machine).
	export PEELBENCH_ACCEL=$accel
	pb_run_write_cmd "$PB_RUN_DIR/cmd.sh" "$cwd"
	[ -f "$kdir/config" ] && cp "$kdir/config" "$PB_RUN_DIR/kernel-config"
	pb_run_qemu_args "$kdir" "$accel"
	# The command's stderr, while ours goes through $PB_RUN_DIR/verdict.
	exec {PB_STDERR}>&2
	# Under TCG with 2 vCPUs, 7.3 panics in early boot in about one boot of
	# fifteen (int3 during text patching).  The command has not run yet
	# then: boot once more, quietly (the first console log is kept).
	pb_run_boot "$kdir" "$abi" "$accel" "$PB_TIMEOUT" 2>"$PB_RUN_DIR/verdict"
	rc=$?
	if [ "$rc" = "$PB_EXIT_GUEST" ] && ! pb_run_started && (( SECONDS - start < PB_TIMEOUT )); then
		mv "$PB_RUN_DIR/console.log" "$PB_RUN_DIR/console.1.log"
		pb_progress "the guest failed to boot ($(head -n1 "$PB_RUN_DIR/verdict")): booting again"
		pb_run_boot "$kdir" "$abi" "$accel" $(( PB_TIMEOUT - (SECONDS - start) ))
		return
	fi
	cat "$PB_RUN_DIR/verdict" >&2
	return "$rc"
}
