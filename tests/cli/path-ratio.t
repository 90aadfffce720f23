#!/usr/bin/env bash
# tests/guest/path_ratio (the TCG-ratio benchmark's probe, `make
# bench-tcg-ratio`) on the host: its options, its one JSON line, and the
# order of its three paths' costs; scripts/tcg-ratio.sh's bad options.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.bash
B=build/guest/path_ratio
require "$B"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

for bad in "--rounds 2" "--rounds 1001" "--block-ms 0" "--block-ms 5x" "--rounds" "--frobnicate 3"; do
	# shellcheck disable=SC2086
	"$B" $bad >"$tmp/out" 2>"$tmp/err"
	is "$?:$(wc -l <"$tmp/err"):$(wc -c <"$tmp/out")" "2:1:0" "path_ratio $bad: exit 2, one line, no output"
done

"$B" --rounds 5 --block-ms 50 >"$tmp/run.json" 2>"$tmp/err"
is "$?" 0 "path_ratio --rounds 5 --block-ms 50 exits 0"
is "$(wc -l <"$tmp/run.json")" 1 "one line of output"
is "$(j "$tmp/run.json" 'd["rounds"], d["block_ms"], d["release"] == __import__("os").uname().release')" \
	"[5, 50, true]" "rounds, block and the kernel release as asked"
is "$(j "$tmp/run.json" '[d[p]["ops_per_block"] >= 1 and d[p]["ns_p50"] > 0 for p in ("clone", "socket", "cheap")]')" \
	"[true, true, true]" "every path ran and was timed"
# A clone (connect + accept + close of two sockets) costs more than one
# socket, which costs more than a getsockopt, on any kernel: judged on the
# medians of the per-round ratios (paths interleaved within each round),
# which a busy machine moves far less than the paths' own medians.
is "$(j "$tmp/run.json" 'd["clone_over_cheap"]["median"] > d["clone_over_socket"]["median"] > 1')" \
	"true" "clone > socket > cheap"
is "$(j "$tmp/run.json" 'all(d[r]["ci95"][0] <= d[r]["median"] <= d[r]["ci95"][1] and d[r]["median"] > 1
	for r in ("clone_over_cheap", "clone_over_socket"))')" "true" "each ratio's median lies in its CI, above 1"

scripts/tcg-ratio.sh --pairs 0 >"$tmp/out" 2>"$tmp/err"
is "$?:$(wc -l <"$tmp/err")" "2:1" "tcg-ratio.sh --pairs 0: exit 2, one line"
scripts/tcg-ratio.sh --bogus >"$tmp/out" 2>"$tmp/err"
is "$?:$(wc -l <"$tmp/err")" "2:1" "tcg-ratio.sh --bogus: exit 2, one line"
finish
