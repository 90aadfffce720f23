#!/usr/bin/env bash
# A user's own kernel build: `peelbench --vm-kernel-image FILE --vm-modules
# DIR`, fed a Debian kernel's own vmlinuz and its unpacked module tree (the
# runner's cache entry for 6.1), boots and runs peelbench, and the result's
# env names the image (build id, uname -v).  Refused before any guest: a
# missing file, a file that is no kernel, a modules tree for another
# release (exit 2), and a copy of the module tree without sctp.ko (exit 3,
# naming CONFIG_IP_SCTP).  One 6.1 guest (two when 6.1 is not cached yet).
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1

. tests/lib/tap.bash
require scripts/vm-run peelbench
plan 13

tmp=$(mktemp -d "${TMPDIR:-/var/tmp}/pb-image.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
vmrun=$PWD/scripts/vm-run
cache=${PEELBENCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/peelbench}

# The 6.1 kernel the runner resolves to, unpacked in its cache.
abi=$("$vmrun" --list | awk '$1 == "6.1" { sub("linux-image-", "", $2); print $2 }')
k=$cache/kernels/$abi
[ -f "$k/.complete" ] || "$vmrun" 6.1 -- true ||
	{ echo "Bail out! cannot fetch the 6.1 kernel"; exit 1; }
[ -f "$k/vmlinuz" ] && [ -d "$k/lib/modules/$abi/kernel" ] ||
	{ echo "Bail out! no vmlinuz and module tree in $k"; exit 1; }

# --- refusals, no guest ------------------------------------------------------

refused() {	# refused CODE WANT-LINE ARGS...: that exit, that one line, no entry
	local code=$1 want=$2 rc
	shift 2
	PEELBENCH_CACHE=$tmp/cache ./peelbench "$@" probes > "$tmp/out" 2> "$tmp/err"
	rc=$?
	[ "$rc" = "$code" ] && [ ! -s "$tmp/out" ] && [ "$(cat "$tmp/err")" = "$want" ] &&
		[ -z "$(ls "$tmp/cache/kernels" 2>/dev/null)" ]
	ok $? "$*: exit $code, one line" "exit $rc; stderr: $(head -c 300 "$tmp/err")"
}
refused 2 "peelbench: --kernel-image $tmp/none: no such file" \
	--vm-kernel-image "$tmp/none" --vm-modules "$k"
refused 2 "peelbench: --kernel-image $k/config: not a kernel image (no bzImage header, no vmlinux version banner)" \
	--vm-kernel-image "$k/config" --vm-modules "$k"
refused 2 "peelbench: --kernel-image needs --modules DIR (its modules_install tree or build tree)" \
	--vm-kernel-image "$k/vmlinuz"
mkdir -p "$tmp/other/lib/modules/6.1.0-1-amd64"
refused 2 "peelbench: --modules $tmp/other holds modules for 6.1.0-1-amd64, not for the image's $abi" \
	--vm-kernel-image "$k/vmlinuz" --vm-modules "$tmp/other"
refused 2 "peelbench: --modules $tmp: not a modules tree (make modules_install INSTALL_MOD_PATH=DIR) nor a kernel build tree" \
	--vm-kernel-image "$k/vmlinuz" --vm-modules "$tmp"
# A copy of the tree (links) without sctp.ko.
mkdir -p "$tmp/nosctp/lib/modules"
cp -rs "$k/lib/modules/$abi" "$tmp/nosctp/lib/modules/"
find "$tmp/nosctp" -name 'sctp.ko*' -delete
refused 3 "peelbench: kernel $k/vmlinuz ($abi) lacks what peelbench needs: CONFIG_IP_SCTP" \
	--vm-kernel-image "$k/vmlinuz" --vm-modules "$tmp/nosctp"
# ... and with sctp.ko stripped of its BTF: the module BTF option is named.
rm -rf "$tmp/nosctp"
mkdir -p "$tmp/nobtf/lib/modules"
cp -rs "$k/lib/modules/$abi" "$tmp/nobtf/lib/modules/"
s=$(find "$tmp/nobtf" -name 'sctp.ko*')
rm "$s"
case $s in
*.xz) xz -dc "$k/lib/modules/$abi/${s#*/lib/modules/$abi/}" ;; *) cat "$k/lib/modules/$abi/${s#*/lib/modules/$abi/}" ;;
esac > "$tmp/sctp.ko"
objcopy --remove-section=.BTF "$tmp/sctp.ko" "${s%.xz}"
refused 3 "peelbench: kernel $k/vmlinuz ($abi) lacks what peelbench needs: CONFIG_DEBUG_INFO_BTF_MODULES" \
	--vm-kernel-image "$k/vmlinuz" --vm-modules "$tmp/nobtf"

# --- one guest from the image and its module tree -----------------------------

PEELBENCH_CACHE=$tmp/cache ./peelbench --vm-kernel-image "$k/vmlinuz" --vm-modules "$k" \
	run --assocs 50 --warmup 0 --repeat 1 -o "$tmp/r.json" > "$tmp/out" 2> "$tmp/err"
rc=$?
is "$rc" 0 "the image boots and peelbench runs in it" || show "$tmp/err"
is "$(j "$tmp/r.json" 'd["env"]["kernel"]')" "$abi" "env.kernel is the image's release"
is "$(j "$tmp/r.json" 'd["env"]["kernel_source"]["how"] + " " + d["env"]["kernel_source"]["version"]')" \
	"image $abi" "env.kernel_source says it was a kernel image"
want=$(readelf -n "$k/vmlinux" 2>/dev/null | awk '/Build ID:/ { print $3; exit }')
is "$(j "$tmp/r.json" 'd["env"]["kernel_build_id"]["kind"] + " " + d["env"]["kernel_build_id"]["id"]')" \
	"gnu-build-id $want" "env.kernel_build_id is the image's GNU build id"
j "$tmp/r.json" 'd["env"]["uname_v"]' | grep -qE '^#1 SMP PREEMPT_DYNAMIC Debian 6\.1\.[0-9]+'
ok $? "env.uname_v is the Debian kernel's uname -v" "$(j "$tmp/r.json" 'd["env"]["uname_v"]')"
e=$(ls -d "$tmp"/cache/kernels/img-* 2>/dev/null)
[ "$(printf '%s\n' "$e" | wc -l)" = 1 ] && [ -L "$e/lib/modules/$abi/kernel" ] &&
	[ -f "$e/lib/modules/$abi/modules.dep" ] && [ -f "$e/config" ] &&
	[ "$(cat "$e/source")" = "kernel-image $abi local image" ]
ok $? "one cache entry img-KEY: links to the tree, its own modules.dep, the config beside the image"

finish
