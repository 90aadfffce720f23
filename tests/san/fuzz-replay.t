#!/usr/bin/env bash
# Replay every fuzz corpus (fuzz/corpus/NAME: seeds and the reproducers of
# bugs fuzzing found) through its libFuzzer target ($PEELBENCH_FUZZ/
# fuzz_NAME, ASan and UBSan): each input runs once and none crashes, so a
# fixed bug stays fixed.  Each corpus must hold inputs, and each target
# must have a corpus.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.bash
dir=${PEELBENCH_FUZZ:?the folder of the fuzz targets (make test sets it)}
names=()
for f in fuzz/fuzz_*.c; do n=${f#fuzz/fuzz_}; names+=("${n%.c}"); done
plan $((${#names[@]} * 2))
tmp=$(mktemp) && trap 'rm -f "$tmp"' EXIT
for n in "${names[@]}"; do
	files=()
	[ -d "fuzz/corpus/$n" ] && mapfile -t files < <(find "fuzz/corpus/$n" -type f | LC_ALL=C sort)
	[ ${#files[@]} -gt 0 ]
	ok $? "fuzz/corpus/$n has inputs (${#files[@]})"
	if [ ! -x "$dir/fuzz_$n" ]; then
		ok 1 "fuzz_$n replays its corpus" "missing: $dir/fuzz_$n (make $dir/fuzz_$n)"
		continue
	fi
	timeout 300 "$dir/fuzz_$n" -close_fd_mask=2 "${files[@]}" > "$tmp" 2>&1
	ok $? "fuzz_$n replays its ${#files[@]} inputs" "$(grep -v '^Running:\|^Executed' "$tmp" | head -40)"
done
finish
