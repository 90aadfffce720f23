#!/usr/bin/env bash
# `peelbench run` that fails for lack of SCTP memory, and says so: a 6.1
# guest whose net.sctp.sctp_mem is lowered to 100 200 300 pages through
# `--vm-sysctl` (the pass-through a user would use), 200 associations with
# 2,000 messages of 4,000 bytes left unread on the parent.  The parent's
# receive queue takes SCTP past its limit: the kernel drops what it cannot
# charge, the senders retransmit (T3) and time out.  The result must name
# pressure from this round's own load and the setting that avoids it.
# Then a sysctl the guest lacks: one line, exit 2.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/tests/lib/tap.bash"
pb=$root/peelbench
require "$root/scripts/vm-run" "$pb"
work=$(mktemp -d "$root/build/vmtest.XXXXXX")
trap '[ -n "${PEELBENCH_KEEP:-}" ] || rm -rf "$work"' EXIT

f=$work/press.json
"$pb" --vm 6.1 --vm-sysctl 'net.sctp.sctp_mem=100 200 300' run --no-trace \
	--assocs 200 --warmup 0 --repeat 1 --backlog 2000 --msg-size 4000 \
	--verify-timeout 3s -o "$f" >"$work/press.out" 2>"$work/press.err"
rc=$?
"$pb" --vm 6.1 --vm-sysctl 'net.sctp.no_such_knob=1' check >"$work/bad.out" 2>"$work/bad.err"
bad_rc=$?

plan 12
is "$rc" 0 "run under pressure completes: exit 0 (failures are counted, not fatal)"
is "$(j "$f" 'd["complete"]')" true "result is complete"
# The sysctl reached the guest: the thresholds the result read back.
is "$(j "$f" '[d["rounds"][0]["kernel"]["sctp_mem"][k] for k in ("pressure_pages", "max_pages")]')" \
	"[200, 300]" "net.sctp.sctp_mem pressure 200, max 300 pages (--vm-sysctl)"
is "$(j "$f" 'd["rounds"][0]["kernel"]["sctp_mem"]["pressure_seen"]')" true \
	"the memory sampler saw SCTP under pressure"
is "$(j "$f" 'd["rounds"][0]["kernel"]["sctp_mem"]["peak_pages"] > 200')" true \
	"SCTP memory peaked above the pressure threshold ($(j "$f" 'd["rounds"][0]["kernel"]["sctp_mem"]["peak_pages"]') pages)"
is "$(j "$f" '[sorted(d["driver"]["errors"]), sum(d["driver"]["errors"].values()) > 0]')" '[["ETIMEDOUT"], true]' \
	"the failures are timeouts ($(j "$f" 'd["driver"]["errors"]'))"
is "$(j "$f" 'd["rounds"][0]["kernel"]["delta"].get("SctpT3Retransmits", 0) > 0')" true \
	"the kernel retransmitted what it dropped (SctpT3Retransmits +$(j "$f" 'd["rounds"][0]["kernel"]["delta"].get("SctpT3Retransmits")'))"
# The explanation, whole: the count, this round's own 200 associations,
# the peak against the thresholds, the loss counters, and the setting.
want=$(j "$f" '(lambda r, n: "%d failures under SCTP memory pressure that this round'"'"'s own 200 associations created: %d pages at the peak against net.sctp.sctp_mem pressure 200, max 300 (" % (n, r["sctp_mem"]["peak_pages"])
	+ ", ".join("%s %+d" % (k, r["delta"][k]) for k in ("SctpT3Retransmits", "SctpFastRetransmits", "SctpT3RtxExpireds", "SctpInPktDiscards", "SctpInDataChunkDiscards", "SctpOutOfBlues", "SctpAborteds", "SctpChecksumErrors") if r["delta"].get(k))
	+ "); use fewer --assocs per round, or raise net.sctp.sctp_mem to '"'"'%d %d %d'"'"' (in a guest: --vm-sysctl net.sctp.sctp_mem='"'"'%d %d %d'"'"', or a larger --vm-mem)" % tuple(m * r["sctp_mem"]["peak_pages"] for m in (2, 3, 4, 2, 3, 4)))(d["rounds"][0]["kernel"], sum(d["driver"]["errors"].values()))')
is "$(j "$f" 'd["rounds"][0]["kernel"]["explain"]')" "$want" "explain names this round's own pressure and the setting"
is "$(grep '^why' "$work/press.out")" "why        round 1: $want" "the summary prints the same explanation"
is "$(cat "$work/press.err")" "" "nothing on stderr"
is "$bad_rc" 2 "a sysctl the guest lacks: exit 2"
is "$(cat "$work/bad.err")" "peelbench: cannot set sysctl net.sctp.no_such_knob to '1' in the guest" \
	"one line naming it"
finish
