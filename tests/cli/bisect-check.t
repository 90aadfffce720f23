#!/usr/bin/env bash
# `peelbench bisect check.CASE` as the user runs it, with the developer
# hooks standing in for the VM runner's --list and for `peelbench --vm K
# check` (docs/matrix.md): the case fails from 6.17 on, 6.16 fails it once
# in three runs.  The search, the step lines, the answer, the report, the
# interleaving, the history, and the exit codes.  No guest boots.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.bash
plan 8
require ./peelbench

tmp=$(mktemp -d "${TMPDIR:-/tmp}/pb-bisect-check.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cat > "$tmp/vm-run" <<'SH'
#!/usr/bin/env bash
[ "$1" = --list ] || exit 2
for v in 6.1 6.12 6.16 6.17 6.18 7.3; do echo "$v  linux-image-$v-amd64  $v-1  fake  index"; done
SH
# fake peelbench: --vm K check --json -o OUT
cat > "$tmp/peelbench" <<'SH'
#!/usr/bin/env bash
k=$2 out=${*: -1} r=${out##*-r}
r=${r%.json}
echo "$k r$r" >> "$FAKE_CALLS"
v=pass
case $k in 6.17|6.18|7.3) v=fail ;; 6.16) [ "$r" = 2 ] && v=fail ;; esac
n=$(wc -l < "$FAKE_CALLS")	# each run its own time, as real ones have
sed -e "s/6.1.0-57-amd64/$k-fake/" -e "s/2026-12-02T13:00:00Z/2026-12-02T13:$(printf %02d $((n / 60))):$(printf %02d $((n % 60)))Z/" -e "/\"name\": \"returns-new-fd\"/,/verdict/s/\"verdict\": \"pass\"/\"verdict\": \"$v\"/" \
	"$FX/check-6.1.json" > "$out"
[ $v = pass ]
SH
chmod +x "$tmp/vm-run" "$tmp/peelbench"
export PEELBENCH_MATRIX_VMRUN=$tmp/vm-run PEELBENCH_MATRIX_EXEC=$tmp/peelbench
export FX=$PWD/tests/fixtures FAKE_CALLS=$tmp/calls LC_ALL=C
pb=$PWD/peelbench
cd "$tmp" || exit 1

"$pb" bisect check.returns-new-fd --good 6.1 --bad 7.3 --db "$tmp/h.db" -o "$tmp/r.json" \
	> "$tmp/out" 2> "$tmp/err"
rc=$?
is "$rc" 0 "a verdict step is found: exit 0" || show "$tmp/err"
is "$(tail -n1 "$tmp/out")" \
	"first bad version: 6.17 (last good: 6.16): check.returns-new-fd fails in 3 of 3 runs (6.1 fails it in 0 of 3)" \
	"the answer names 6.17, with its runs"
grep -qx 'step 2: 6.16 against 6.1: good (check.returns-new-fd: 6.16 fails 1 of 3 runs (mostly pass), 6.1 0 of 3 (mostly pass))' "$tmp/out"
ok $? "6.16, failing once in three runs, is good" "$(cat "$tmp/out")"
is "$(j "$tmp/r.json" '" ".join(s["version"] + ":" + s["verdict"] for s in d["steps"]) + " " + d["first_bad"]')" \
	"7.3:bad 6.16:good 6.17:bad 6.17" "the report: 7.3 first, then halves"
is "$(head -n 6 "$tmp/calls" | paste -sd,)" "6.1 r1,7.3 r1,7.3 r2,6.1 r2,6.1 r3,7.3 r3" \
	"each step's runs interleave, good end first in odd repeats"
is "$("$pb" history list --db "$tmp/h.db" 2>/dev/null | grep -c fake)" 18 \
	"every check result went to the history (3 steps x 2 sides x 3)"

# no step: the case never fails up to 6.16 (once in 3 there)
"$pb" bisect check.returns-new-fd --good 6.1 --bad 6.16 --no-history -o "$tmp/n.json" \
	> "$tmp/out" 2> "$tmp/err"
rc=$?
[ "$rc" = 1 ] && [ "$(tail -n1 "$tmp/out")" = "no step: 6.16 does not fail check.returns-new-fd" ]
ok $? "no step between the ends: exit 1" "exit $rc: $(cat "$tmp/out" "$tmp/err")"
# the good end fails the case too: cannot be judged
"$pb" bisect check.returns-new-fd --good 6.17 --bad 7.3 --no-history -o "$tmp/f.json" \
	> "$tmp/out" 2> "$tmp/err"
rc=$?
[ "$rc" = 1 ] && [ "$(tail -n1 "$tmp/out")" = "no answer: failed at the bad end 7.3: the good end 6.17 fails the case too (3 of 3 runs)" ]
ok $? "a good end that fails the case: no answer, exit 1" "exit $rc: $(cat "$tmp/out" "$tmp/err")"

finish
