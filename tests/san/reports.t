#!/usr/bin/env bash
# After the sanitizer run (scripts/run-tests.sh, PEELBENCH_SAN): no ASan,
# LeakSanitizer or UBSan report was written.  A report also aborts the
# program that made it, but a test that only expects "some failure" would
# not notice; this one does, and shows the report.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.bash
plan 1
log=${PEELBENCH_SAN_LOG:?run through scripts/run-tests.sh with PEELBENCH_SAN}
reports=$(find "$log" -type f | LC_ALL=C sort)
[ -z "$reports" ]
ok $? "no sanitizer report in $log" "$(for r in $reports; do echo "== $r"; head -40 "$r"; done)"
finish
