#!/usr/bin/env bash
# The CLI's behaviour, byte for byte: every command's --help, the output
# of compare, export, history and plot on the fixtures, and a few errors
# with their exit codes.  `golden.sh record` writes tests/cli/golden/NAME
# from the binary as it is; `golden.sh` (the test, TAP) compares against
# them.  A layout change that changes no behaviour must leave them equal.
set -uo pipefail
cd "$(dirname "$0")/../.."
root=$PWD real=$(pwd -P)
# The checkout the fixtures really live in: the sanitizer run's root
# (build/san/root) reaches them through symlinks, and a path the program
# resolves names this one.
src=$(cd "$(readlink -f tests)/.." && pwd)
export PB=$root/peelbench FX=$root/tests/fixtures
export LC_ALL=C TZ=UTC PEELBENCH_HISTORY=/nonexistent/history.db
unset PEELBENCH_DB PEELBENCH_MACHINE_LABEL PEELBENCH_HOST_MACHINE
mode=${1:-test}
gold=tests/cli/golden
. tests/lib/tap.bash
require "$PB"

# One case's record: exit code, stdout, stderr, then every file under out/
# (name and sha256; SVG and CSV in full, so a diff shows what moved).
record() {	# record NAME COMMAND
	local T out
	T=$(mktemp -d) || return 1
	out=$(cd "$T" && T=$T bash -c "$2" >"$T/.stdout" 2>"$T/.stderr"; echo $?)
	printf 'exit: %s\n--- stdout\n' "$out"
	sed "s#$T#\$T#g; s#$root#\$ROOT#g; s#$real#\$ROOT#g; s#$src#\$ROOT#g" "$T/.stdout"
	printf -- '--- stderr\n'
	sed "s#$T#\$T#g; s#$root#\$ROOT#g; s#$real#\$ROOT#g; s#$src#\$ROOT#g" "$T/.stderr"
	if [ -d "$T/out" ]; then
		(cd "$T/out" && find . -type f | LC_ALL=C sort | while read -r f; do
			case $f in
			*.png) printf -- '--- file %s (png, %s bytes)\n' "$f" "$(wc -c <"$f")" ;;
			*) printf -- '--- file %s\n' "$f"; sed "s#$T#\$T#g; s#$root#\$ROOT#g; s#$real#\$ROOT#g; s#$src#\$ROOT#g" "$f" ;;
			esac
		done)
	fi
	rm -rf "$T"
}

cases=()
while IFS=$'\t' read -r name cmd; do
	case $name in ''|'#'*) continue ;; esac
	cases+=("$name"$'\t'"$cmd")
done < tests/cli/cases.txt

if [ "$mode" = record ]; then
	mkdir -p "$gold"
	for c in "${cases[@]}"; do record "${c%%$'\t'*}" "${c#*$'\t'}" >"$gold/${c%%$'\t'*}"; done
	echo "recorded ${#cases[@]} cases in $gold"
	exit 0
fi

plan ${#cases[@]}
for c in "${cases[@]}"; do
	name=${c%%$'\t'*}
	if [ ! -f "$gold/$name" ]; then
		ok 1 "$name: no golden file (golden.sh record)"; continue
	fi
	d=$(diff -u "$gold/$name" <(record "$name" "${c#*$'\t'}"))
	ok $? "$name" "$(printf '%s\n' "$d" | head -40)"
done
finish
