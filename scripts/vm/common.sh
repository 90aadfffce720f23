# shellcheck shell=bash
# Shared by scripts/vm-run and scripts/vm/*.sh: messages, exit codes, the
# cache location.  Exit codes are README.md's (enum pb_exit in user/peelbench.h).

readonly PB_EXIT_USAGE=2	# bad option, unknown version
readonly PB_EXIT_ENV=3		# qemu (or another tool) missing
readonly PB_EXIT_RUNTIME=4	# download, unpack, disk
readonly PB_EXIT_GUEST=5	# boot failure, panic, out of memory
readonly PB_EXIT_TIMEOUT=6	# --timeout reached

# One lowercase line on stderr, the project's error format.
pb_err() { printf 'peelbench: %s\n' "$*" >&2; }
pb_die() { local code=$1; shift; pb_err "$@"; exit "$code"; }

# Progress for a human: only when stderr is a terminal, so that scripts and
# tests see exactly the command's own output.
PB_TTY=0
[ -t 2 ] && PB_TTY=1
pb_progress() { [ "$PB_TTY" = 1 ] && printf '[vm-run] %s\n' "$*" >&"${PB_STDERR:-2}"; return 0; }
pb_progress_done() { return 0; }

pb_default_cache() {
	printf '%s\n' "${PEELBENCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/peelbench}"
}
