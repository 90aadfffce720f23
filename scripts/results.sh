#!/usr/bin/env bash
# scripts/results.sh — reproduce the published findings (docs/results.md).
#
#   scripts/results.sh [-o DIR] [--quick]          (or: make results)
#   scripts/results.sh --from DIR                   redo figures and page only
#
# One command, in this order, every guest booted through scripts/vm-run:
#
#  1. backlog matrix   peelbench matrix --kernels $KERNELS --sweep backlog=$BACKLOGS
#                      --assocs $BACKLOG_ASSOCS --repeat $REPEAT
#                      -> per-phase p50/p99 per kernel, ratios to the first
#                         kernel with bootstrap CIs (cell backlog=0), the probe
#                         plans, migration cost against parent backlog
#  2. scaling matrix   peelbench matrix --kernels $KERNELS --sweep assocs=$ASSOCS
#                      --repeat $SCALE_REPEAT --run-repeat 1
#                      -> throughput and p99 vs associations (one measured
#                         round per run: 10,000 associations take ~45 s each)
#  3. tracer overhead  one guest per kernel: $OVERHEAD_ROUNDS interleaved pairs
#                      of `peelbench run --no-trace` and a traced run
#                      ($OVERHEAD_ASSOCS associations), medians and ratio
#  4. figures          peelbench plot on real result files of 1-3, a history
#                      database of them all, peelbench compare examples
#  5. docs/results.md  written by scripts/results-md.py (python3, stdlib) from
#                      matrix.json, the result files and the outputs above;
#                      PNGs copied into docs/img/ (SVGs stay in DIR)
#
# Everything measured lands in DIR (default results/published-TIME); only
# docs/results.md and docs/img/*.png are rewritten in the tree.
# Under QEMU TCG only ratios inside one run of this script carry over to
# real hardware; the page says so.
#
# Knobs (environment): KERNELS (6.1,6.12,7.3), REPEAT (3), BACKLOGS
# (0,256,1024), BACKLOG_ASSOCS (1000), ASSOCS (1000,3000,10000),
# SCALE_REPEAT (3), OVERHEAD_ROUNDS (3), OVERHEAD_ASSOCS (1000),
# DOCS (docs).  --quick: 6.1,7.3, 2 repeats, small counts (a smoke test
# of the whole pipeline; its page is not for publishing).  The full run
# took 19 minutes on this project's 2-core machine under TCG.
#
# Exit: 0 all good; 1 a matrix cell or an overhead run failed (the page is
# still written, with the failures listed); 2 bad option; 3 a tool
# (gnuplot, python3, qemu via vm-run) missing.
set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root" || exit 3

out=
quick=0
from=0
while [ $# -gt 0 ]; do
	case $1 in
	-o) out=${2:?}; shift 2 ;;
	--quick) quick=1; shift ;;
	--from) out=${2:?}; from=1; shift 2 ;;
	-h|--help) sed -n '2,40p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "peelbench: results.sh: unknown option '$1'" >&2; exit 2 ;;
	esac
done

if [ $quick = 1 ]; then
	: "${KERNELS:=6.1,7.3}" "${REPEAT:=2}" "${BACKLOGS:=0,1024}" "${BACKLOG_ASSOCS:=300}"
	: "${ASSOCS:=300,1000}" "${SCALE_REPEAT:=2}" "${OVERHEAD_ROUNDS:=2}" "${OVERHEAD_ASSOCS:=300}"
fi
: "${KERNELS:=6.1,6.12,7.3}" "${REPEAT:=3}" "${BACKLOGS:=0,256,1024}" "${BACKLOG_ASSOCS:=1000}"
: "${ASSOCS:=1000,3000,10000}" "${SCALE_REPEAT:=3}" "${OVERHEAD_ROUNDS:=3}" "${OVERHEAD_ASSOCS:=1000}"
: "${DOCS:=docs}"
: "${out:=results/published-$(date -u +%Y%m%d-%H%M%S)}"

for t in python3 gnuplot; do
	command -v $t >/dev/null || { echo "peelbench: results.sh: $t is missing (scripts/deps.sh)" >&2; exit 3; }
done
make -s all || exit 3
mkdir -p "$out" || exit 3
out=$(cd "$out" && pwd)
db=$out/history.db
log() { printf '[results %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
fail=0
t0=$(date +%s)
# The page names the code that measured it.
[ $from = 1 ] || git describe --always --dirty >"$out/commit" 2>/dev/null || true

if [ $from = 1 ]; then
	[ -f "$out/backlog/matrix.json" ] || { echo "peelbench: results.sh: $out has no backlog/matrix.json" >&2; exit 2; }
	KERNELS=$(python3 -c 'import json,sys; print(",".join(k["label"] for k in json.load(open(sys.argv[1]))["kernels"]))' "$out/backlog/matrix.json")
fi

# 1-2: the matrices.  Exit 1 (a cell failed) is recorded, not fatal.
matrix() {
	local name=$1; shift
	log "matrix $name: peelbench matrix $*"
	local s; s=$(date +%s)
	./peelbench matrix "$@" --db "$db" -o "$out/$name" >"$out/$name.table" 2>"$out/$name.err"
	local rc=$?
	echo "$rc $(( $(date +%s) - s ))" >"$out/$name.rc"
	[ $rc = 0 ] || { fail=1; log "matrix $name: exit $rc (see $out/$name.err)"; }
	[ $rc = 2 ] && exit 2
}
[ $from = 1 ] || matrix backlog --kernels "$KERNELS" --sweep backlog="$BACKLOGS" --assocs "$BACKLOG_ASSOCS" --repeat "$REPEAT"
[ $from = 1 ] || matrix scale --kernels "$KERNELS" --sweep assocs="$ASSOCS" --repeat "$SCALE_REPEAT" --run-repeat 1

# 3: tracer overhead, interleaved in one guest per kernel: untraced,
# traced, untraced, traced, ... (same boot, so the +-15 % boot-to-boot
# spread of TCG does not enter the ratio).
mkdir -p "$out/overhead"
for k in ${KERNELS//,/ }; do
	[ $from = 1 ] && break
	d=$out/overhead/$k
	mkdir -p "$d"
	log "overhead $k: $OVERHEAD_ROUNDS x (--no-trace, traced), $OVERHEAD_ASSOCS associations"
	s=$(date +%s)
	scripts/vm-run --mem $((2048 + OVERHEAD_ASSOCS / 10)) --share "$d" "$k" -- /bin/sh -c '
		d=$1; n=$2; a=$3
		for i in $(seq 1 "$n"); do
			for v in untraced traced; do
				opt=; [ $v = untraced ] && opt=--no-trace
				./peelbench run --no-vm $opt --assocs "$a" --repeat 1 \
					-o "$d/$v-r$i.json" >"$d/$v-r$i.log" 2>&1
				echo "$v $i $?" >>"$d/status.txt"
			done
		done' sh "$d" "$OVERHEAD_ROUNDS" "$OVERHEAD_ASSOCS" >"$d/vm.log" 2>&1
	rc=$?
	echo "$rc $(( $(date +%s) - s ))" >"$d/vm.rc"
	if [ $rc != 0 ] || grep -qv ' 0$' "$d/status.txt" 2>/dev/null; then
		fail=1; log "overhead $k: vm-run exit $rc, runs: $(tr '\n' ' ' <"$d/status.txt" 2>/dev/null)"
	fi
done

# 4: figures from the real result files, and compare examples.
log "figures"
python3 scripts/results-md.py --prepare "$out" "$KERNELS" || fail=1
plots=$out/plots
mkdir -p "$plots"
# (a) per-phase histogram + CDF, and (b) migration vs queue length with its
# slope: the pooled backlog sweep of the first kernel (every event of every
# backlog value and repeat in one file, so the queue length spans the sweep).
first=${KERNELS%%,*}
plot() { echo "\$ peelbench plot $*" >>"$out/plot-commands.txt"; ./peelbench plot "$@" >>"$out/plot-output.txt" 2>&1 || { fail=1; log "plot $* failed"; }; }
: >"$out/plot-commands.txt"; : >"$out/plot-output.txt"
for k in ${KERNELS//,/ }; do
	[ -f "$out/pooled-events/backlog-$k.json" ] && plot "$out/pooled-events/backlog-$k.json" -o "$plots"
done
# (c) throughput and p99 against associations: the first kernel's scaling
# cells, each pooled over its repeats by the matrix (one point per count,
# CI over the repeats)
# shellcheck disable=SC2046
plot $(ls "$out"/scale/pooled/"$first"-assocs=*.json 2>/dev/null | sort -V) -o "$plots/sweep-$first"
# (d) phase p50 with CIs, kernels side by side (backlog=0: the matrix's
# pooled file per kernel, its repeats as rounds)
# shellcheck disable=SC2046
plot $(for k in ${KERNELS//,/ }; do ls "$out/backlog/pooled/$k-backlog=0.json"; done) -o "$plots/kernels"
# (e) history with change points.  The overhead step ran kernel after
# kernel, so its traced results, in time order, are what a history of a
# machine whose kernel was upgraded 6.1 -> 6.12 -> 7.3 looks like: the
# change points must fall where a metric moved with the upgrade.  (The
# matrices' database holds every result, but interleaved: no timeline.)
rm -f "$out/history-upgrade.db"
./peelbench history add --db "$out/history-upgrade.db" $(ls "$out"/overhead/*/traced-r*.json 2>/dev/null) >/dev/null 2>&1
echo "\$ peelbench history add --db history-upgrade.db overhead/*/traced-r*.json" >>"$out/plot-commands.txt"
# alpha 0.05: with $OVERHEAD_ROUNDS results per kernel the permutation test
# cannot reach 0.01 (3 points after 6: p >= 1/84).
plot --history phase.clone.p50_ns --alpha 0.05 --db "$out/history-upgrade.db" -o "$plots/history-upgrade"
echo "\$ peelbench history check phase.clone.p50_ns --alpha 0.05 --db history-upgrade.db" >"$out/history-check.txt"
./peelbench history check phase.clone.p50_ns --alpha 0.05 --db "$out/history-upgrade.db" >>"$out/history-check.txt" 2>&1
./peelbench history list --db "$db" >"$out/history-list.txt" 2>&1

# compare: two kernels (different env: --allow-different), and two repeats
# of one kernel (same setup).
second=${KERNELS##*,}	# the last kernel: the widest gap
name=kernels; echo "\$ peelbench compare --allow-different backlog/$first/backlog=1024-r1.json backlog/$second/backlog=1024-r1.json" >"$out/compare-$name.txt"
(cd "$out" && "$root/peelbench" compare --allow-different "backlog/$first/backlog=1024-r1.json" "backlog/$second/backlog=1024-r1.json") >>"$out/compare-$name.txt" 2>&1
echo "(exit $?)" >>"$out/compare-$name.txt"
name=repeats; echo "\$ peelbench compare backlog/$first/backlog=1024-r1.json backlog/$first/backlog=1024-r2.json" >"$out/compare-$name.txt"
(cd "$out" && "$root/peelbench" compare "backlog/$first/backlog=1024-r1.json" "backlog/$first/backlog=1024-r2.json") >>"$out/compare-$name.txt" 2>&1
echo "(exit $?)" >>"$out/compare-$name.txt"

# 5: the page.
[ $from = 1 ] || echo "$(( $(date +%s) - t0 ))" >"$out/elapsed_s"
log "writing $DOCS/results.md"
python3 scripts/results-md.py --write "$out" "$KERNELS" "$DOCS" || exit 1
log "done in $(( $(date +%s) - t0 )) s: $DOCS/results.md, $DOCS/img/, data in $out"
exit $fail
