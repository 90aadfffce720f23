#!/usr/bin/env bash
# SIGINT in the middle of `peelbench run`: exit 130, a result file with
# complete:false and what was gathered, every socket closed.
set -uo pipefail
. "$(dirname "$0")/run-lib.sh"

guest '
"$P" run --no-trace --no-vm --assocs 1500 --warmup 0 --repeat 20 -o "$W/int.json" >"$W/int.out" 2>"$W/int.err" &
pid=$!
# Interrupt once the first round is over (its result line is not printed
# until the end, so watch the clock: 1500 setups take a few seconds).
sleep 12
kill -INT $pid
wait $pid
echo $? >"$W/int.rc"
sleep 1
# Endpoints left in the kernel: the header line only.
wc -l </proc/net/sctp/eps >"$W/eps"
'

f=$work/int.json
is "$(rc int)" 130 "SIGINT: exit 130"
[ -s "$f" ]
ok $? "SIGINT: a result file is written"
is "$(j "$f" 'd["complete"]')" false "result says complete:false"
is "$(j "$f" 'd["rounds"][-1]["complete"]')" false "the interrupted round says so"
is "$(j "$f" 'd["driver"]["rounds"] < 20')" true "fewer rounds than asked"
is "$(j "$f" 'd["driver"]["fds_leaked"]')" 0 "every socket the driver opened is closed"
is "$(j "$f" 'len(d["samples"]["latency_ns"]) == d["driver"]["peeled"]')" true "samples kept for every peeloff done"
is "$(cat "$work/eps" 2>/dev/null)" 1 "no SCTP endpoint left in the kernel"
ls "$work"/int.json.tmp.* >/dev/null 2>&1
ok $((!$?)) "no temporary file left"

finish
