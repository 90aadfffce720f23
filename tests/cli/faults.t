#!/usr/bin/env bash
# Faults and hostile input against the commands that run without a guest:
# special files (FIFO, device, folder) as inputs and as targets, stdout
# on /dev/full, JSON that json-c would take leniently.  Each case: the
# exit code, exactly one stderr line, nothing hangs, no file changed.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.bash
plan 38
require ./peelbench

export PEELBENCH_HISTORY=/nonexistent/history.db LC_ALL=C
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pb-faults.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
F=tests/fixtures
cp "$F/base.json" "$F/identical.json" "$tmp/"
B=$tmp/base.json I=$tmp/identical.json
mkfifo "$tmp/fifo"
sums() { md5sum "$B" "$I"; }
sums > "$tmp/sums"

# fault DESC RC [ARGS...]: peelbench ARGS (stdout as $OUT, default
# /dev/null; 20 s at most) exits RC with one "peelbench: " line on stderr,
# and the input files are unchanged.
fault() {
	local desc=$1 want=$2 rc lines
	shift 2
	timeout 20 ./peelbench "$@" > "${OUT:-/dev/null}" 2> "$tmp/err" < /dev/null
	rc=$?
	lines=$(wc -l < "$tmp/err")
	[ "$rc" = "$want" ] && [ "$lines" = 1 ] && grep -q '^peelbench: ' "$tmp/err" &&
		sums | cmp -s - "$tmp/sums"
	ok $? "$desc: exit $want, one line" "exit $rc, $lines stderr lines:
$(cat "$tmp/err")"
}

# 1. Special files as result files: refused at once, left as they were.
fault "compare FIFO base" 2 compare "$tmp/fifo" "$B"
fault "compare base FIFO" 2 compare "$B" "$tmp/fifo"
fault "compare a folder" 2 compare "$tmp" "$B"
fault "compare /dev/null (a device)" 2 compare /dev/null "$B"
fault "history add FIFO" 2 history --db "$tmp/add.db" add "$tmp/fifo"
fault "export FIFO" 2 export --csv -o "$tmp/x" "$tmp/fifo"
fault "plot FIFO" 2 plot -o "$tmp/p" "$tmp/fifo"
grep -q 'not a regular file' "$tmp/err"
ok $? "the line says why: not a regular file"
[ -p "$tmp/fifo" ]
ok $? "the FIFO is still a FIFO"

# 2. Special files as targets: export's tables, matrix.json (the atomic
# writer, through the matrix developer hooks: no guest boots).
mkdir "$tmp/e" && mkfifo "$tmp/e/base.metrics.csv"
fault "export onto a FIFO table" 2 export --csv -o "$tmp/e" "$B"
[ -p "$tmp/e/base.metrics.csv" ] && [ "$(ls -A "$tmp/e")" = base.metrics.csv ]
ok $? "the FIFO is still a FIFO, and no table or temporary file is left" "$(ls -lA "$tmp/e")"
mkdir "$tmp/m" && mkfifo "$tmp/m/matrix.json"
PEELBENCH_MATRIX_VMRUN=$PWD/$F/matrix/fake-vm-run \
PEELBENCH_MATRIX_EXEC=$PWD/$F/matrix/fake-peelbench \
	fault "matrix -o onto a FIFO matrix.json" 2 matrix --kernels 6.1 --repeat 1 \
	--assocs 500 -o "$tmp/m" --db "$tmp/m.db"
[ -p "$tmp/m/matrix.json" ] && ! compgen -G "$tmp/m/*.tmp.*" > /dev/null
ok $? "matrix.json is still a FIFO, no temporary file left" "$(ls -lA "$tmp/m")"

# 3. stdout on /dev/full: exit 4, one line; the same commands succeed on
# /dev/null, so the failure is the write's.
./peelbench history --db "$tmp/h.db" add "$B" > /dev/null 2>&1
cp "$tmp/h.db" "$tmp/h.copy"
for args in "compare $B $I" "compare --json $B $I" "history --db $tmp/h.db list" \
	"history --db $tmp/h.db export" "probes --json" "export --csv -o $tmp/full $B" \
	"--help" "compare --help"; do
	# shellcheck disable=SC2086
	./peelbench $args > /dev/null 2>&1
	ok $? "peelbench $args onto /dev/null: exit 0"
	# shellcheck disable=SC2086
	OUT=/dev/full fault "peelbench $args onto /dev/full" 4 $args
done
cmp -s "$tmp/h.db" "$tmp/h.copy"
ok $? "the history database is unchanged"

# 4. Lenient JSON: each variant of base.json that json-c would take (or
# clamp) is refused with exit 2; the largest int64 is still taken.
variant() {	# variant NAME PREFIX: PREFIX, then base.json after its '{'
	{ printf '%s' "$2"; tail -c +2 "$B"; } > "$tmp/$1.json"
}
variant squote "{'zz': 1, "
variant comment '{/* c */ '
variant nan '{"zz": NaN, '
variant inf '{"zz": -Infinity, '
variant bigint '{"zz": 99999999999999999999, '
variant negint '{"zz": -99999999999999999999, '
variant bigdbl '{"zz": 1e999, '
variant maxint '{"zz": 9223372036854775807, '
for v in squote comment nan inf bigint negint bigdbl; do
	fault "compare with $v JSON" 2 compare "$tmp/$v.json" "$B"
done
./peelbench compare "$tmp/maxint.json" "$B" > /dev/null 2>&1
ok $? "the largest int64 is taken"

finish
