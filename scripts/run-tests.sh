#!/usr/bin/env bash
# Run every test under one TAP harness so that `make test` ends with one
# summary line: the cmocka unit tests (compiled, TAP output) given as
# arguments, the CLI tests in tests/cli/*.t (the built binary), then the guest tests in tests/vm/*.t, which boot Debian kernels
# through scripts/vm-run.  PEELBENCH_NO_VM_TESTS=1 skips the guest tests.
set -euo pipefail
cd "$(dirname "$0")/.."

export CMOCKA_MESSAGE_OUTPUT=TAP
tests=("$@" tests/cli/*.t)
if [ -z "${PEELBENCH_NO_VM_TESTS:-}" ]; then
	tests+=(tests/vm/*.t)
fi
exec prove --exec '' "${tests[@]}"
