#!/usr/bin/env bash
# `peelbench run` in a guest: 2000 associations set up, peeled with
# sctp_peeloff_flags(nonblock,cloexec) and verified; inet6; a peer that
# aborts; bad input and a port in use.
set -uo pipefail
. "$(dirname "$0")/run-lib.sh"

guest '
run() { name=$1; shift; "$P" run --no-trace --no-vm "$@" >"$W/$name.out" 2>"$W/$name.err"; echo $? >"$W/$name.rc"; }
run flags --assocs 2000 --warmup 20 --repeat 1 --flags nonblock,cloexec -o "$W/flags.json"
run plain --assocs 200 --warmup 0 --repeat 2 -o "$W/plain.json"
run inet6 --assocs 300 --warmup 0 --repeat 1 --family inet6 --threads 2 -o "$W/inet6.json"
run abort --assocs 200 --warmup 0 --repeat 1 --abort-peers 7 -o "$W/abort.json"
run queue --assocs 200 --warmup 0 --repeat 1 --assoc-queue 3 --backlog 64 --load-share 0.1 -o "$W/queue.json"
run zero --assocs 0 -o "$W/zero.json"
run badflag --flags nonblock,bogus -o "$W/badflag.json"
run unknown --frobnicate -o "$W/unknown.json"
# A descriptor limit that cannot be raised: fs.nr_open caps even root.
old=$(cat /proc/sys/fs/nr_open)
( ulimit -n 1024 && echo 1500 >/proc/sys/fs/nr_open && run fdlimit --assocs 2000 -o "$W/fdlimit.json" )
echo "$old" >/proc/sys/fs/nr_open
# A port some other socket holds.
python3 -c "import socket,time; s=socket.socket(socket.AF_INET, socket.SOCK_SEQPACKET, 132); s.bind((\"127.0.0.1\", 5999)); s.listen(); open(\"$W/held\",\"w\").close(); time.sleep(60)" &
holder=$!
for i in $(seq 100); do [ -e "$W/held" ] && break; sleep 0.1; done
run port --port 5999 --assocs 10 -o "$W/port.json"
kill $holder
'

f=$work/flags.json
is "$(rc flags)" 0 "2000 associations with nonblock,cloexec: exit 0"
is "$(j "$f" 'd["complete"]')" true "result is complete"
is "$(j "$f" 'd["driver"]["assocs"]')" 2000 "2000 associations set up"
is "$(j "$f" 'd["driver"]["peeled"]')" 2000 "2000 peeled"
is "$(j "$f" 'd["driver"]["verified"]')" 2000 "2000 verified (flags, round trip)"
is "$(j "$f" 'd["driver"]["errors"]')" "{}" "no errors"
is "$(j "$f" 'len(d["samples"]["latency_ns"])')" 2000 "one latency sample per peeloff"
is "$(j "$f" 'd["config"]["call"] + " " + d["config"]["flags"]')" "peeloff_flags nonblock,cloexec" "config records the call and flags"
is "$(j "$f" 'd["driver"]["warmup_peeled"]')" 20 "warm-up peeled apart"
is "$(j "$f" 'd["driver"]["fds_leaked"]')" 0 "no descriptor left open"
is "$(j "$f" 'd["env"]["vm"]')" true "env says guest"
is "$(j "$f" 'd["metrics"]["latency.p50_ns"] <= d["metrics"]["latency.p99_ns"] <= d["metrics"]["latency.max_ns"]')" true "percentiles ordered"
is "$(j "$f" 'sorted(d["samples"]["latency_ns"])[999]')" "$(j "$f" 'd["metrics"]["latency.p50_ns"]')" "p50 is the 1000th of 2000 sorted samples"

f=$work/plain.json
is "$(rc plain)" 0 "sctp_peeloff, 2 rounds: exit 0"
is "$(j "$f" '[r["verified"] for r in d["rounds"]]')" "[200, 200]" "each round verified 200"
is "$(j "$f" 'd["config"]["flags"]')" "null" "sctp_peeloff has no flags"
# The kernel's counters around each round (rounds[].kernel): exactly this
# round's associations established, on each side.
is "$(j "$f" '[(r["kernel"]["delta"].get("SctpActiveEstabs"), r["kernel"]["delta"].get("SctpPassiveEstabs")) for r in d["rounds"]]')" \
	"[[200, 200], [200, 200]]" "each round's SNMP delta: 200 active and 200 passive establishments"
is "$(j "$f" '[r["kernel"]["sctp_mem"]["peak_pages"] >= r["kernel"]["sctp_mem"]["start_pages"] >= 0 and r["kernel"]["sctp_mem"]["pressure_pages"] > 0 for r in d["rounds"]]')" \
	"[true, true]" "SCTP memory sampled: peak >= start, the kernel's thresholds read"
is "$(j "$f" '[d["driver"]["failures"], ["explain" in r["kernel"] for r in d["rounds"]]]')" \
	"[[], [false, false]]" "no failure: nothing to explain"

f=$work/inet6.json
is "$(rc inet6)" 0 "inet6 with 2 workers: exit 0"
is "$(j "$f" 'd["driver"]["verified"]')" 300 "inet6: 300 verified"
is "$(j "$f" 'd["config"]["family"]')" inet6 "config says inet6"

f=$work/abort.json
is "$(rc abort)" 0 "aborting peers do not stop the run"
is "$(j "$f" 'd["driver"]["errors"]')" '{"EINVAL": 7}' "7 aborted peers: 7 peeloffs fail with EINVAL"
is "$(j "$f" 'd["driver"]["verified"]')" 193 "the other 193 verified"
is "$(j "$f" '[[x["error"], x["stage"], x["peeled"], x["round"]] for x in d["driver"]["failures"]] == [["EINVAL", "peeloff", False, 1]] * 7')" \
	true "driver.failures names the 7 failed peeloffs (EINVAL, at the peeloff)"
is "$(j "$f" 'sorted(x["index"] for x in d["driver"]["failures"])')" "[193, 194, 195, 196, 197, 198, 199]" \
	"... the last 7 in peel order, the aborted ones"
is "$(j "$f" 'd["rounds"][0]["kernel"]["delta"].get("SctpAborteds", 0) >= 7')" true "SctpAborteds moved by the 7 aborts at least"
is "$(j "$f" 'd["rounds"][0]["kernel"]["explain"]')" "7 failures, one per peer that --abort-peers aborted (as asked)" \
	"the round explains its failures"
grep -q "^why        round 1: 7 failures, one per peer" "$work/abort.out"
ok $? "the summary prints the explanation" "$(cat "$work/abort.out")"

f=$work/queue.json
is "$(rc queue)" 0 "--assoc-queue 3 --backlog 64 --load-share 0.1: exit 0"
is "$(j "$f" 'd["driver"]["verified"]')" 200 "queued messages migrated with each association (verified)"
is "$(j "$f" 'd["rounds"][0]["backlog"]')" 64 "64 messages left on the parent"

for t in zero badflag unknown; do
	is "$(rc $t)" 2 "bad input ($t): exit 2"
	is "$(wc -l <"$work/$t.err")" 1 "bad input ($t): one line"
	[ ! -e "$work/$t.json" ]
	ok $? "bad input ($t): no result file"
done
grep -q "^peelbench: --flags: unknown flag in 'nonblock,bogus'" "$work/badflag.err"
ok $? "unknown flag name is named" "$(cat "$work/badflag.err")"

is "$(rc fdlimit)" 2 "descriptor limit too low: exit 2"
grep -q "2000 associations need 2065 file descriptors; the limit is 1024" "$work/fdlimit.err"
ok $? "says how many descriptors are needed and the limit" "$(cat "$work/fdlimit.err")"

is "$(rc port)" 4 "port in use: exit 4"
grep -q "port 5999 is already in use" "$work/port.err"
ok $? "port in use: says so" "$(cat "$work/port.err")"
[ ! -e "$work/port.json" ]
ok $? "port in use: no result file"

finish
