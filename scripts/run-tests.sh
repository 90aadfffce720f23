#!/usr/bin/env bash
# Run every test under one TAP harness so that `make test` ends with one
# summary line: the cmocka unit tests (compiled, TAP output) given as
# arguments, the CLI tests in tests/cli/*.t (the built binary), then the
# guest tests in tests/vm/*.t, which boot Debian kernels through
# scripts/vm-run.  PEELBENCH_NO_VM_TESTS=1 skips the guest tests.
#
# PEELBENCH_SAN=DIR (the Makefile's build/san) adds the sanitizer run: the
# unit tests built with ASan and UBSan (DIR/tests) and the CLI tests in
# SAN_CLI against DIR/root/peelbench.  Every sanitizer report goes to a
# file in DIR/log, and tests/san/reports.t, last, fails on any.
# PEELBENCH_ONLY_SAN=1 runs only that.  PEELBENCH_FUZZ=DIR adds the replay
# of each fuzz corpus through the targets in DIR (tests/san/fuzz-replay.t).
set -euo pipefail
cd "$(dirname "$0")/.."

# Under the sanitizers: the CLI tests that cover every command without a
# guest in the least time (golden: each command's output and errors;
# faults: special files, /dev/full, hostile JSON).  The others (history-*,
# matrix, vm-resolve) add 40 s of CPU under ASan for little more code.
SAN_CLI=(golden faults)

export CMOCKA_MESSAGE_OUTPUT=TAP
tests=()
if [ -z "${PEELBENCH_ONLY_SAN:-}" ]; then
	tests+=("$@" tests/cli/*.t)
fi
if [ -n "${PEELBENCH_SAN:-}" ]; then
	san=$(cd "$PEELBENCH_SAN" && pwd)
	rm -rf "$san/log" && mkdir -p "$san/log"
	export ASAN_OPTIONS="halt_on_error=1:abort_on_error=1:detect_leaks=1:log_path=$san/log/asan"
	export UBSAN_OPTIONS="halt_on_error=1:abort_on_error=1:print_stacktrace=1:log_path=$san/log/ubsan"
	export PEELBENCH_SAN_LOG=$san/log
	for t in "$san"/tests/test_*; do
		case $t in *.d) ;; *) tests+=("$PEELBENCH_SAN/tests/${t##*/}") ;; esac
	done
	for t in "${SAN_CLI[@]}"; do tests+=("$PEELBENCH_SAN/root/tests/cli/$t.t"); done
fi
if [ -n "${PEELBENCH_FUZZ:-}" ]; then
	export PEELBENCH_FUZZ
	tests+=(tests/san/fuzz-replay.t)
fi
if [ -n "${PEELBENCH_SAN:-}" ]; then
	tests+=(tests/san/reports.t)
fi
if [ -z "${PEELBENCH_NO_VM_TESTS:-}" ] && [ -z "${PEELBENCH_ONLY_SAN:-}" ]; then
	tests+=(tests/vm/*.t)
fi
exec prove --exec '' "${tests[@]}"
