#!/usr/bin/env bash
# Does a ratio between two kernel paths survive TCG?  (issue 11, section 6)
# Runs build/guest/path_ratio natively and in a QEMU/TCG guest of the
# nearest Debian kernel at or below the host's own version, alternating
# native and guest runs, and prints one JSON line per run with "where".
#
#   scripts/tcg-ratio.sh [--pairs N] [--kernel V] [-- PATH_RATIO_ARGS...]
#
# Exit: 0, 2 bad option, else the failing run's status.
set -euo pipefail
cd "$(dirname "$0")/.."

pairs=3 kernel= args=()
die() { echo "tcg-ratio: $*" >&2; exit 2; }
while [ $# -gt 0 ]; do
	case $1 in
	--pairs) [[ ${2-} =~ ^[1-9][0-9]?$ ]] || die "--pairs takes 1..99"
		pairs=$2; shift 2 ;;
	--kernel) [ -n "${2-}" ] || die "--kernel takes a version"
		kernel=$2; shift 2 ;;
	--) shift; args=("$@"); break ;;
	*) die "unknown option '$1'" ;;
	esac
done

bin=build/guest/path_ratio
[ -x "$bin" ] || die "$bin is missing: run make first"

# The nearest listed kernel at or below the host's major.minor.
host=$(uname -r | grep -oE '^[0-9]+\.[0-9]+')
if [ -z "$kernel" ]; then
	kernel=$(scripts/vm-run --allow-unverified --list 2>/dev/null |
		awk '{print $1}' | sort -V |
		awk -v h="$host" '{ split($1,a,"."); split(h,b,".");
			if (a[1] < b[1] || (a[1] == b[1] && a[2] <= b[2])) k = $1 }
			END { print k }')
	[ -n "$kernel" ] || die "no listed kernel at or below $host"
fi

echo "# host $(uname -r), guest $kernel, $pairs pairs, load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
lines=$(mktemp)
trap 'rm -f "$lines"' EXIT
for ((i = 1; i <= pairs; i++)); do
	out=$("$bin" "${args[@]}")
	echo "{\"where\":\"native\",\"pair\":$i,\"run\":$out}" | tee -a "$lines"
	out=$(scripts/vm-run --allow-unverified --timeout 1200 "$kernel" -- "$bin" "${args[@]}")
	echo "{\"where\":\"tcg\",\"pair\":$i,\"run\":$out}" | tee -a "$lines"
done

# A table on stderr: each run's median ratio [95 % CI], and how far TCG
# moved each ratio (median of the TCG runs over median of the native ones).
python3 - "$lines" >&2 <<'PY'
import json, statistics, sys
runs = [json.loads(l) for l in open(sys.argv[1])]
for r in ("clone_over_cheap", "clone_over_socket"):
    med = {}
    for w in ("native", "tcg"):
        xs = [x["run"][r] for x in runs if x["where"] == w]
        med[w] = statistics.median(x["median"] for x in xs)
        print("%-17s %-6s %s" % (r, w, "  ".join(
            "%.2f [%.2f, %.2f]" % (x["median"], *x["ci95"]) for x in xs)))
    print("%-17s TCG/native %.2f" % (r, med["tcg"] / med["native"]))
PY
