#!/usr/bin/env bash
# Run the cells of a peelbench matrix plan with GNU parallel, here or over
# SSH on other hosts, then build the table from the shared history.
#
#   scripts/cells/parallel-ssh.sh PLAN DB [HOSTS]
#
# PLAN  a plan written by `peelbench matrix --plan PLAN --kernels ...`,
#       on a path every host sees at the same place (NFS, or copy it first)
# DB    the shared history: a postgresql:// URI or a libpq conninfo that
#       every host can reach (the password from ~/.pgpass, not the URI)
# HOSTS GNU parallel --sshlogin list ("4/alice@lab-a,2/lab-b", ":" is this
#       machine); default: this machine only, $JOBS cells at once
#
# Each host needs peelbench built at $PEELBENCH (default: this checkout's
# path) and qemu for the guests.  A cell that fails is reported by
# parallel (exit codes in $JOBLOG) and again by --collect, which builds
# the table from the cells that arrived.  Environment: JOBS (default 2),
# JOBLOG (default PLAN.joblog), PEELBENCH.
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: $0 PLAN DB [HOSTS]" >&2; exit 2; }
plan=$1 db=$2 hosts=${3:-:}
here=$(cd "$(dirname "$0")/../.." && pwd)
pb=${PEELBENCH:-$here/peelbench}
jobs=${JOBS:-2}
joblog=${JOBLOG:-$plan.joblog}
ncells=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["cells"]))' "$plan")

rc=0
seq 1 "$ncells" | parallel --will-cite --jobs "$jobs" --sshlogin "$hosts" --joblog "$joblog" \
	--line-buffer --tagstring 'cell {}' \
	-q "$pb" matrix --cell {} --plan "$plan" --db "$db" || rc=$?
"$pb" matrix --collect --plan "$plan" --db "$db" || rc=$?
exit "$rc"
