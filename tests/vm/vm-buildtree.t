#!/usr/bin/env bash
# A kernel build tree as `make bzImage modules` leaves it, given to
# `peelbench --vm-kernel-image arch/x86/boot/bzImage --vm-modules TREE`.
# The tree is made from the Debian 6.1 kernel's own binaries (the runner's
# cache entry) in a build tree's layout: arch/x86/boot/bzImage, vmlinux,
# .config, include/config/kernel.release, modules.order in the build's own
# form (6.1: "net/sctp/sctp.ko", no "kernel/"; 6.2 and later list the .o),
# modules.builtin{,.modinfo}, and each .ko at its source path
# (net/sctp/sctp.ko).  One guest boots it and runs peelbench; the cache
# entry of a 6.2+ style tree (.o in modules.order) is checked without a
# guest; and the refusals: a tree of another release, one without
# modules.order (exit 2), one without sctp.ko (exit 3).
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1

. tests/lib/tap.bash
require scripts/vm-run peelbench
plan 9

tmp=$(mktemp -d "${TMPDIR:-/var/tmp}/pb-btree.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
vmrun=$PWD/scripts/vm-run
cache=${PEELBENCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/peelbench}

abi=$("$vmrun" --list | awk '$1 == "6.1" { sub("linux-image-", "", $2); print $2 }')
k=$cache/kernels/$abi
[ -f "$k/.complete" ] || "$vmrun" 6.1 -- true ||
	{ echo "Bail out! cannot fetch the 6.1 kernel"; exit 1; }
m=$k/lib/modules/$abi
[ -f "$k/vmlinuz" ] && [ -f "$k/vmlinux" ] && [ -f "$m/modules.order" ] ||
	{ echo "Bail out! no vmlinuz, vmlinux and module tree in $k"; exit 1; }

# buildtree DIR SUFFIX: the build tree of the cached 6.1 kernel in DIR;
# modules.order lists PATH.SUFFIX (ko: 6.1's kbuild, o: 6.2's and later).
buildtree() {
	local bt=$1 suffix=$2
	mkdir -p "$bt/arch/x86/boot" "$bt/include/config"
	cp "$k/vmlinuz" "$bt/arch/x86/boot/bzImage"
	ln "$k/vmlinux" "$bt/vmlinux" 2>/dev/null || cp "$k/vmlinux" "$bt/vmlinux"
	cp "$k/config" "$bt/.config"
	printf '%s\n' "$abi" > "$bt/include/config/kernel.release"
	cp "$m/modules.builtin" "$m/modules.builtin.modinfo" "$bt/"
	# kernel/net/sctp/sctp.ko is net/sctp/sctp.ko in the tree (hard links:
	# 6.1's modules are not compressed)
	cp -al "$m/kernel/." "$bt/" 2>/dev/null || cp -a "$m/kernel/." "$bt/"
	sed -e 's#^kernel/##' -e "s#\.ko\$#.$suffix#" "$m/modules.order" > "$bt/modules.order"
	# what a build leaves beside the modules: objects, sources
	printf 'obj-$(CONFIG_IP_SCTP) += sctp.o\n' > "$bt/net/sctp/Makefile"
	: > "$bt/net/sctp/socket.o"
}

bt=$tmp/linux
buildtree "$bt" ko
[ "$(find "$bt" -name '*.ko' | wc -l)" = "$(wc -l < "$m/modules.order")" ] &&
	[ -f "$bt/net/sctp/sctp.ko" ] && grep -qx 'net/sctp/sctp.ko' "$bt/modules.order"
ok $? "the fixture tree holds every module of the package at its source path"

# --- one guest from the build tree -------------------------------------------

PEELBENCH_CACHE=$tmp/cache ./peelbench --vm-kernel-image "$bt/arch/x86/boot/bzImage" \
	--vm-modules "$bt" run --assocs 50 --warmup 0 --repeat 1 -o "$tmp/r.json" \
	> "$tmp/out" 2> "$tmp/err"
rc=$?
is "$rc" 0 "the build tree's bzImage boots with its modules and peelbench runs" || show "$tmp/err"
is "$(j "$tmp/r.json" 'd["env"]["kernel"] + " " + d["env"]["kernel_source"]["how"]')" \
	"$abi image" "env names the build's release and says it was a kernel image"
is "$(j "$tmp/r.json" 'd["env"]["kernel_config"]["HZ"]')" "$(sed -n 's/^CONFIG_HZ=//p' "$bt/.config")" \
	"env.kernel_config comes from the build tree's .config"
e=$(ls -d "$tmp"/cache/kernels/img-* 2>/dev/null)
[ "$(printf '%s\n' "$e" | wc -l)" = 1 ] &&
	[ "$(readlink "$e/lib/modules/$abi/kernel")" = "$(readlink -f "$bt")" ] &&
	[ "$e/lib/modules/$abi/kernel/net/sctp/sctp.ko" -ef "$bt/net/sctp/sctp.ko" ] &&
	[ "$(wc -l < "$e/lib/modules/$abi/modules.order")" = "$(wc -l < "$bt/modules.order")" ] &&
	grep -q '^kernel/net/sctp/sctp.ko:' "$e/lib/modules/$abi/modules.dep" &&
	cmp -s "$e/config" "$bt/.config"
ok $? "the cache entry's kernel/ is the tree (kernel/net/sctp/sctp.ko its net/sctp/sctp.ko), with every module and the .config"

# --- a 6.2+ tree (modules.order lists .o), no guest --------------------------

bo=$tmp/linux-o
buildtree "$bo" o
rm -rf "$tmp/cache"
PEELBENCH_CACHE=$tmp/cache PEELBENCH_QEMU=false "$vmrun" --kernel-image "$bo/arch/x86/boot/bzImage" \
	--modules "$bo" -- true > /dev/null 2>&1
e=$(ls -d "$tmp"/cache/kernels/img-* 2>/dev/null)
[ -n "$e" ] && [ -f "$e/.complete" ] &&
	[ "$(readlink "$e/lib/modules/$abi/kernel")" = "$(readlink -f "$bo")" ] &&
	grep -qx 'kernel/net/sctp/sctp.ko' "$e/lib/modules/$abi/modules.order" &&
	[ "$(wc -l < "$e/lib/modules/$abi/modules.order")" = "$(wc -l < "$bo/modules.order")" ] &&
	grep -q '^kernel/net/sctp/sctp.ko:' "$e/lib/modules/$abi/modules.dep"
ok $? "a tree whose modules.order lists .o files (6.2+) gives the same entry"

# --- refusals, no guest ------------------------------------------------------

refused() {	# refused CODE WANT-LINE ARGS...: that exit, that one line, no entry
	local code=$1 want=$2 rc
	shift 2
	rm -rf "$tmp/cache"
	PEELBENCH_CACHE=$tmp/cache ./peelbench "$@" probes > "$tmp/out" 2> "$tmp/err"
	rc=$?
	[ "$rc" = "$code" ] && [ ! -s "$tmp/out" ] && [ "$(cat "$tmp/err")" = "$want" ] &&
		[ -z "$(ls "$tmp/cache/kernels" 2>/dev/null)" ]
	ok $? "$*: exit $code, one line" "exit $rc; stderr: $(head -c 300 "$tmp/err")"
}
img=$bt/arch/x86/boot/bzImage
echo 6.1.0-1-amd64 > "$bo/include/config/kernel.release"
refused 2 "peelbench: --modules $bo is the build tree of 6.1.0-1-amd64, not of the image's $abi" \
	--vm-kernel-image "$img" --vm-modules "$bo"
echo "$abi" > "$bo/include/config/kernel.release"
mv "$bo/modules.order" "$tmp/order"
refused 2 "peelbench: --modules $bo: no modules.order (run make modules)" \
	--vm-kernel-image "$img" --vm-modules "$bo"
mv "$tmp/order" "$bo/modules.order"
rm "$bo/net/sctp/sctp.ko"
refused 3 "peelbench: kernel $img ($abi) lacks what peelbench needs: CONFIG_IP_SCTP" \
	--vm-kernel-image "$img" --vm-modules "$bo"

finish
