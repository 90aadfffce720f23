#!/usr/bin/env bash
# Faults and hostile input against the commands that run without a guest:
# special files (FIFO, device, folder) as inputs and as targets, stdout
# on /dev/full and on a full filesystem (a small tmpfs this test mounts,
# in a mount namespace of its own), JSON that json-c would take
# leniently, control characters, out-of-range VM numbers, options that
# must be refused before anything runs, errors as JSON under --json,
# tables that would overwrite each other, SIGHUP during history add.
# Each case: the exit code, exactly one stderr line, nothing hangs, no
# file changed, half-written or empty.
set -uo pipefail
# A mount namespace of our own: the tmpfs goes away with us, whatever
# happens.  (Root is needed; without it the mount cases fail, not skip.)
# Before the cd: "$0" may be relative to where we were started.
if [ -z "${PB_FAULTS_NS:-}" ] && command -v unshare > /dev/null; then
	PB_FAULTS_NS=1 exec unshare -m --propagation private bash "$0" "$@"
fi
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.bash
plan 117
require ./peelbench

export PEELBENCH_HISTORY=/nonexistent/history.db LC_ALL=C
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pb-faults.XXXXXX")
trap 'umount "$tmp/full" 2> /dev/null; rm -rf "$tmp"' EXIT
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
	"history --db $tmp/h.db export" "probes --json" "export --csv -o $tmp/csv $B" \
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

# 5. A full filesystem: a tmpfs of a few pages.  plot: gnuplot exits 0
# when its write fails, so the figures are checked (the export of its
# tables fails first on the smallest).  Every figure left is whole (PNG
# ends with IEND, SVG with </svg>), and no temporary file stays.
full=$tmp/full
mkdir "$full"
whole_figures() {	# whole_figures DIR: every PNG/SVG complete, no .tmp.
	local f
	compgen -G "$1/*.tmp.*" > /dev/null && return 1
	compgen -G "$1/data/*.tmp.*" > /dev/null && return 1
	for f in "$1"/*.png; do
		[ -e "$f" ] || continue
		[ "$(tail -c 8 "$f" | od -An -tx1 | tr -d ' \n')" = 49454e44ae426082 ] || return 1
	done
	for f in "$1"/*.svg; do
		[ -e "$f" ] || continue
		tail -c 16 "$f" | grep -q '</svg>' || return 1
	done
}
for size in 32k 48k 64k 96k; do
	if ! mount -t tmpfs -o "size=$size" tmpfs "$full"; then
		ok 1 "mount a $size tmpfs (as root)"; ok 1 "plot onto it"
		continue
	fi
	fault "plot onto a full $size filesystem" 4 plot -o "$full/p" "$B"
	whole_figures "$full/p"
	ok $? "... every figure left is whole, no temporary file" "$(ls -lR "$full")"
	umount "$full"
done
# stdout on a full filesystem: exit 4, and the file is cut back to
# empty, no truncated CSV (history export: 30 results, 15 kB, with 8 kB
# free: part of it would fit).
FX=$PWD/$F
. tests/cli/history-lib.bash
mkdir "$tmp/v30" && variants "$tmp/v30" 30
./peelbench history --db "$tmp/h30.db" add "$tmp/v30"/*.json > /dev/null
if mount -t tmpfs -o size=64k tmpfs "$full"; then
	head -c $((56 * 1024)) /dev/zero > "$full/fill"
	OUT=$full/h.csv fault "history export onto a full filesystem" 4 \
		history --db "$tmp/h30.db" export
	[ -f "$full/h.csv" ] && [ ! -s "$full/h.csv" ]
	ok $? "... the CSV is left empty, not truncated" "$(wc -c < "$full/h.csv")"
	cat /dev/zero > "$full/fill2" 2> /dev/null
	for args in "compare --json $B $I" "probes --json" "history --db $tmp/h30.db list"; do
		# shellcheck disable=SC2086
		OUT=$full/out fault "peelbench $args onto a full filesystem" 4 $args
		[ ! -s "$full/out" ]
		ok $? "... the output file is left empty"
	done
	umount "$full"
else
	for i in 1 2 3 4 5 6 7 8; do ok 1 "mount a 64k tmpfs (as root)"; done
fi

# 6. Control characters: whatever an error quotes (a file name, an
# argument, a JSON string) is escaped; the error stays one line, without
# the raw byte.
raw() { grep -q "$(printf '%b' "$1")" "$tmp/err"; }
fault "compare a file name with a newline" 2 compare "$tmp/a
b.json" "$B"
grep -qF 'a\nb.json' "$tmp/err"
ok $? "... quoted as a\\nb.json"
fault "an unknown command with an escape sequence" 2 $'x\e[31mred'
! raw '\033' && grep -qF 'x\x1b[31mred' "$tmp/err"
ok $? "... quoted as \\x1b, no raw escape byte"
fault "compare --metric with a carriage return" 2 compare --metric $'lat\rx' "$B" "$I"
! raw '\r'
ok $? "... no raw carriage return"
fault "history --db with a tab and a newline" 2 history --db $'/nonexistent/a\tb\nc.db' list
python3 -c '
import json, sys
d = json.load(open(sys.argv[1])); d["schema"] = "peelbench-result/1\nforged line\x01"
json.dump(d, open(sys.argv[2], "w"))' "$B" "$tmp/ctl.json"
fault "compare a result whose schema string holds a newline" 2 compare "$tmp/ctl.json" "$B"
fault "export with a newline in -o's folder" 2 export --csv -o "$tmp/x
y" "$tmp/ctl.json"

# 7. VM numbers: as strict as every other number, refused before a guest
# boots (20 s at most, a boot takes longer).
for args in "--vm-mem 99999999999999999999" "--vm-timeout 18446744073709551617" \
	"--vm-mem -5" "--vm-mem 4096x" "--vm-timeout 0" "--vm-timeout 1e3" \
	"--vm-mem 255"; do
	# shellcheck disable=SC2086
	fault "--vm 6.1 $args probes" 2 --vm 6.1 $args probes
done
fault "run --vm-mem 99999999999999999999" 2 run --vm-mem 99999999999999999999
# --vm-sysctl: KEY=VALUE with a dotted lowercase KEY, checked by the
# runner before anything boots; without a guest it has nothing to set.
for arg in "net.sctp.sctp_mem" "=1" "../../etc/passwd=1" "net.sctp.Sctp_mem=1"; do
	fault "--vm 6.1 --vm-sysctl '$arg' check" 2 --vm 6.1 --vm-sysctl "$arg" check
done
grep -q "^peelbench: bad --vm-sysctl 'net.sctp.Sctp_mem=1': want KEY=VALUE, KEY like net.sctp.sctp_mem$" "$tmp/err"
ok $? "the line names --vm-sysctl and the form it wants"
fault "--vm-sysctl without a guest" 2 --vm-sysctl net.sctp.sctp_mem=1 check
fault "matrix --vm-timeout 18446744073709551617" 2 matrix --kernels 6.1 \
	--vm-timeout 18446744073709551617 --no-history -o "$tmp/mvm"

# 8. Options checked before anything runs: a matrix's run options before
# the first boot (no folder, no guest), -o's target before the benchmark.
export PEELBENCH_MATRIX_VMRUN=$PWD/$F/matrix/fake-vm-run \
	PEELBENCH_MATRIX_EXEC=$PWD/$F/matrix/fake-peelbench FAKE_VM_LOG=$tmp/vm.log
fault "matrix --assocs -5" 2 matrix --kernels 6.1,7.3 --assocs -5 --repeat 1 \
	--no-history -o "$tmp/mneg"
fault "matrix --sweep assocs=100,-5" 2 matrix --kernels 6.1 --sweep assocs=100,-5 \
	--repeat 1 --no-history -o "$tmp/mneg"
fault "matrix --phases nosuch" 2 matrix --kernels 6.1 --phases nosuch \
	--repeat 1 --no-history -o "$tmp/mneg"
[ ! -e "$tmp/vm.log" ] && [ ! -e "$tmp/mneg" ]
ok $? "... no guest started, no folder made"
unset PEELBENCH_MATRIX_VMRUN PEELBENCH_MATRIX_EXEC FAKE_VM_LOG
for cmd in run trace check overhead; do
	fault "$cmd -o ''" 2 $cmd -o ''
	fault "$cmd -o /dev/null" 2 $cmd -o /dev/null
done
fault "run -o a folder" 2 run -o "$tmp"
[ -c /dev/null ]
ok $? "/dev/null is still a character device"

# 9. With --json, a failing command's error is also a JSON object on
# stdout ({"error": ..., "exit": N}); a command that ran prints its own.
json_err() {	# json_err DESC RC ARGS...: fault, then stdout is the object
	local desc=$1 want=$2
	OUT=$tmp/json.out fault "$@"
	python3 - "$tmp/json.out" "$want" "$tmp/err" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
line = open(sys.argv[3]).read().rstrip("\n")
assert set(d) == {"error", "exit"}, d
assert d["exit"] == int(sys.argv[2]), d
assert "peelbench: " + d["error"] == line, (d, line)
PY
	ok $? "$desc: stdout is {\"error\": \"...\", \"exit\": $want}" "$(cat "$tmp/json.out")"
}
json_err "compare --json a missing file" 2 compare --json /nonexistent.json "$B"
json_err "compare --bogus --json (before the parser reaches --json)" 2 compare --bogus --json "$B" "$I"
json_err "probes --json with an extra argument" 2 probes --json extra
json_err "trace --json -o ''" 2 trace --json -o ''
json_err "check --json -o a device" 2 check --json -o /dev/null
json_err "matrix --json --assocs -5" 2 matrix --json --kernels 6.1 --assocs -5 \
	--no-history -o "$tmp/mjson"
./peelbench compare --json "$B" "$I" > "$tmp/json.out" 2> /dev/null
python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); assert "error" not in d' "$tmp/json.out"
ok $? "compare --json that ran: its own JSON, no error object"
./peelbench compare "$tmp/nosuch.json" "$B" > "$tmp/json.out" 2> /dev/null
[ ! -s "$tmp/json.out" ]
ok $? "without --json, stdout stays empty on an error"

# 10. Tables that would overwrite each other: two results named alike.
mkdir -p "$tmp/ta" "$tmp/tb" "$tmp/tables"
cp "$B" "$tmp/ta/" && cp "$I" "$tmp/tb/base.json"
fault "export two results both named base" 2 export --csv -o "$tmp/tables" \
	"$tmp/ta/base.json" "$tmp/tb/base.json"
[ ! -e "$tmp/tables" ] || [ -z "$(ls -A "$tmp/tables")" ]
ok $? "... no table written"
fault "plot two results both named base" 2 plot -o "$tmp/tplots" \
	"$tmp/ta/base.json" "$tmp/tb/base.json"
./peelbench export --csv -o "$tmp/tables2" "$B" "$I" > "$tmp/out" 2> /dev/null &&
	[ "$(grep -o '^wrote [0-9]*' "$tmp/out")" = "wrote $(ls "$tmp/tables2" | wc -l)" ]
ok $? "export says how many files it wrote" "$(cat "$tmp/out"; ls "$tmp/tables2")"

# 10b. A zstd events sidecar (trace --events-zstd, or zstd(1)'s own):
# read whole by export; truncated, or a plain file under a .zst name,
# one line naming the sidecar and why.
mkdir "$tmp/z" && python3 - "$F/base.json" "$tmp/z" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["trace"]["events_file"] = "r.events.ndjson.zst"
d["trace"].pop("events", None)
json.dump(d, open(sys.argv[2] + "/r.json", "w"))
with open(sys.argv[2] + "/plain", "w") as f:
    for i in range(3000):
        f.write(json.dumps({"pid": 1, "tid": 1, "assoc_id": i + 1, "flags": 0, "ret": 3,
                            "errno": None, "migrate_ns": 5000 + 30 * (i % 4) * 256,
                            "parent_rq_len": (i % 4) * 256}) + "\n")
PY
zstd -q "$tmp/z/plain" -o "$tmp/z/whole.zst"
cp "$tmp/z/whole.zst" "$tmp/z/r.events.ndjson.zst"
./peelbench export --csv -o "$tmp/z/csv" "$tmp/z/r.json" > /dev/null 2> "$tmp/err" &&
	[ "$(wc -l < "$tmp/z/csv/r.events.csv")" = 3001 ]
ok $? "export reads a zstd sidecar whole (3000 events)" "$(cat "$tmp/err")"
head -c $(($(stat -c %s "$tmp/z/whole.zst") / 2)) "$tmp/z/whole.zst" > "$tmp/z/r.events.ndjson.zst"
fault "export with a truncated .zst sidecar" 2 export --csv -o "$tmp/z/csv2" "$tmp/z/r.json"
grep -q 'r.events.ndjson.zst: truncated zstd stream$' "$tmp/err"
ok $? "... the line says: truncated zstd stream" "$(cat "$tmp/err")"
cp "$tmp/z/plain" "$tmp/z/r.events.ndjson.zst"
fault "plot with a plain file as its .zst sidecar" 2 plot -o "$tmp/z/p" "$tmp/z/r.json"
grep -q 'r.events.ndjson.zst: corrupt zstd data: ' "$tmp/err"
ok $? "... the line says: corrupt zstd data" "$(cat "$tmp/err")"

# 11. Exit codes: a folder as the history database is bad input.
fault "history list --db a folder" 2 history --db "$tmp" list

# 12. SIGHUP during history add, as SIGINT and SIGTERM (history-sqlite.t):
# exit 129 (or 0 when it was done), the batch whole or not at all,
# readers work.
mkdir "$tmp/v100" && variants "$tmp/v100" 100
db=$tmp/hup.db
./peelbench history --db "$db" add "$B" > /dev/null
./peelbench history --db "$db" add "$tmp/v100"/*.json > /dev/null 2>&1 &
pid=$!
sleep 0.3
kill -HUP "$pid"
wait "$pid" 2> /dev/null
rc=$?
got=$(PB=./peelbench count "$db")
{ [ "$rc" = 129 ] && [ "$got" = 1 ]; } || { [ "$rc" = 0 ] && [ "$got" = 101 ]; }
ok $? "SIGHUP during add: exit $rc, $got results (129 and 1, or 0 and 101)"

finish
