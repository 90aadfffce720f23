# shellcheck shell=bash
# Sourced by tests/vm/check-VERSION.t: `peelbench check --json` in a guest
# booted from Debian kernel VERSION (one boot), asserted on its JSON.
# TAP on stdout (tests/lib/tap.bash).  The runner is the checkout's
# scripts/vm-run, reached the way a user reaches it: `peelbench --vm
# VERSION check`.
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
. "$root/tests/lib/tap.bash"

# check_in_guest VERSION NOT_INHERITED: NOT_INHERITED is the JSON list of
# "OPTION=observed" for the inherit- cases whose observed is not
# "inherited" (what that kernel's source says, docs/check.md).
check_in_guest() {
	local version=$1 inherit_not_inherited=$2 rc kernel cases
	require "$root/scripts/vm-run" "$root/peelbench"
	out=$(mktemp) err=$(mktemp)
	trap 'rm -f "$out" "$err"' EXIT
	"$root/peelbench" --vm "$version" --vm-timeout 1200 check --json >"$out" 2>"$err"
	rc=$?
	plan 11
	[ "$rc" = 0 ]
	ok $? "check in a $version guest exits 0 (got $rc)" "$(tail -c 2000 "$err")"
	is "$(j "$out" '[d["schema"], d["complete"]]')" '["peelbench-result/1", true]' \
		"schema peelbench-result/1, complete"
	kernel=$(j "$out" 'd["env"]["kernel"]')
	[[ $kernel == "$version".* ]]
	ok $? "ran on the guest kernel ($kernel)"
	cases='d["check"]["cases"]'
	is "$(j "$out" "[len($cases), len({c['name'] for c in $cases})]")" "[75, 75]" \
		"75 distinct cases"
	is "$(j "$out" "[c['name'] + ': expected ' + c['expected'] + ', observed ' + c['observed']
	                for c in $cases if c['verdict'] not in ('pass', 'known deviation', 'not applicable')]")" "[]" \
		"every case pass, known deviation or not applicable"
	is "$(j "$out" "(lambda s, cs: s['fail'] == 0 and s['pass'] + s['known_deviation'] + s['not_applicable'] == len(cs)
	                 and s['known_deviation'] == sum(c['verdict'] == 'known deviation' for c in cs)
	               )(d['check']['summary'], $cases)")" true \
		"summary agrees with the cases ($(j "$out" 'd["check"]["summary"]'))"
	# The deviation the project exists to point at is still there, with its reference.
	is "$(j "$out" "[[c['observed'], c['reference']] for c in $cases if c['name'] == 'so-type-one-to-one']")" \
		'[["SOCK_SEQPACKET", "lksctp-tools issue #70"]]' \
		"peeled-off SO_TYPE is SOCK_SEQPACKET, known deviation lksctp-tools issue #70"
	# The kernel log watch ran and charged nothing to any case.
	is "$(j "$out" "[c['name'] + ': ' + c['kernel_log'] for c in $cases if 'kernel_log' in c]")" "[]" \
		"no WARNING, BUG or refcount_t line in the kernel log during check"
	# The new cases, by what they observed (a pass of each is its expected text).
	is "$(j "$out" "[c['observed'] for c in $cases if c['name'] == 'accounting-balance']")" '["balanced"]' \
		"1000 associations peeled and closed: every counter back at its start"
	is "$(j "$out" "[c['observed'] for c in $cases if c['name'] == 'busy-assoc-peel']")" \
		'["peeloff returned fd, sender EPIPE, then delivered"]' \
		"peeloff of an association with a sleeping sender: peeled, sender EPIPE, association works"
	is "$(j "$out" "sorted({c['name'][8:] + '=' + c['observed'] for c in $cases
	                if c['name'].startswith('inherit-') and c['observed'] != 'inherited'})")" \
		"$inherit_not_inherited" "options not inherited: $inherit_not_inherited"
	finish
}
