#!/usr/bin/env bash
# env.machine through a real guest, as a user starts it (`peelbench --vm
# 6.1 --machine-label L run`): the result names the host, not the guest's
# TCG CPU (the host's fields travel in PEELBENCH_HOST_MACHINE), the label
# given, and the accelerator the runner chose; compare then refuses it
# against the same result from another host, naming the field.  One guest.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.bash
require ./peelbench scripts/vm-run
plan 9

mkdir -p build
tmp=$(mktemp -d "$PWD/build/vmmachine.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
f=$tmp/r.json

./peelbench --vm "${PEELBENCH_VM_KERNEL:-6.1}" --machine-label 'lab rack 7' run --no-trace \
	--assocs 100 --warmup 0 --repeat 1 -o "$f" >"$tmp/out" 2>"$tmp/err"
is "$?" 0 "a run in a guest: exit 0"
is "$(j "$f" 'd["env"]["machine"]["label"]')" "lab rack 7" "the label given"
is "$(j "$f" 'd["env"]["machine"]["host_kernel"]')" "$(uname -r)" "the host's kernel, not the guest's"
is "$(j "$f" 'd["env"]["machine"]["cpu"]')" \
	"$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)" "the host's CPU model"
is "$(j "$f" 'd["env"]["machine"]["ncpu"]')" "$(getconf _NPROCESSORS_ONLN)" "the host's CPU count"
is "$(j "$f" 'd["env"]["machine"]["hypervisor"] == d["env"]["accel"] and d["env"]["accel"] in ("tcg", "kvm")')" \
	true "the hypervisor is the accelerator the runner chose"
is "$(j "$f" 'len(d["env"]["machine"]["id"]) == 16 and int(d["env"]["machine"]["id"], 16) >= 0')" \
	true "a 16-hex-digit id"

python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); d["env"]["machine"]["host_kernel"]="9.9.9-other"; json.dump(d, open(sys.argv[2], "w"))' \
	"$f" "$tmp/other.json"
./peelbench compare "$f" "$tmp/other.json" >"$tmp/cmp.out" 2>"$tmp/cmp.err"
is "$?" 2 "compare refuses another host's result"
[ "$(wc -l <"$tmp/cmp.err")" = 1 ] &&
	grep -q "different machines (host_kernel: \"$(uname -r)\" -> \"9.9.9-other\")" "$tmp/cmp.err"
ok $? "in one line naming the field" "$(cat "$tmp/cmp.err")"
finish
