# shellcheck shell=bash
# Guest kernels from Debian's archive: download the packages that
# scripts/vm/index.sh resolved a version to, verify them, unpack them into
# "$PB_CACHE"/kernels/ABI/ (vmlinuz, lib/modules/ABI, config, SHA256SUMS,
# source).  The caller holds the cache lock (pb_cache_lock).

# Field FIELD of package PKG at version VER from the index.
pb_pkg_field() {
	apt-cache "${PB_APT_OPTS[@]}" show "$1=$2" 2>/dev/null |
		awk -v f="$3:" '$1 == f { print $2; exit }'
}

# The address of SUITE's archive in the private sources.list.
pb_suite_uri() {
	awk -v s="$1" '$1 == "deb" && $(NF - 1) == s { print $(NF - 2); exit }' "$(pb_apt_dir)/sources.list"
}

# One package into DIR: from an index (any suite's: apt finds the exact
# version), checked against the index's SHA256; or from the pool by its
# path, with no checksum to check (resolved so only with --allow-unverified).
# Prints the .deb's path.
pb_part_download() {
	local dir=$1 name=$2 ver=$3 where=$4 deb want sum uri
	pb_progress "downloading $name $ver${where#pool*}"
	if [[ "$where" == pool:* ]]; then
		uri=$(pb_suite_uri "$PB_KSUITE")
		deb="$dir/${where##*/}"
		curl -sfS --max-time 600 -o "$deb" "${uri%/}/${where#pool:}" 2> "$dir/download.log" ||
			pb_die "$PB_EXIT_RUNTIME" "cannot download $name $ver from the pool: $(head -n1 "$dir/download.log" | cut -c1-200)"
	else
		if ! (cd "$dir" && apt-get -q "${PB_APT_OPTS[@]}" download "$name=$ver") > "$dir/download.log" 2>&1; then
			pb_progress_done
			pb_die "$PB_EXIT_RUNTIME" "cannot download $name $ver: $(grep -E '^(E|Err):' "$dir/download.log" | head -n1 | cut -c1-200)"
		fi
		deb=$(ls "$dir/${name}_"*.deb 2>/dev/null | head -n1)
		[ -n "$deb" ] || pb_die "$PB_EXIT_RUNTIME" "cannot download $name $ver: no .deb file"
		want=$(pb_pkg_field "$name" "$ver" SHA256)
		sum=$(sha256sum "$deb" | cut -d' ' -f1)
		[ -n "$want" ] && [ "$sum" = "$want" ] ||
			pb_die "$PB_EXIT_RUNTIME" "checksum mismatch for ${deb##*/}: got $sum, index says ${want:-nothing}"
	fi
	printf '%s\n' "$deb"
}

# Download, verify against the index, unpack into kernels/ABI.
pb_kernel_fetch() {
	local pkg=$1 ver=$2 abi=${1#linux-image-} tmp part name pver where deb
	PB_KDIR="$PB_CACHE/kernels/$abi"
	[ -f "$PB_KDIR/.complete" ] && [ "$(cat "$PB_KDIR/.complete")" = "$ver" ] && return 0
	tmp=$(pb_kernel_tmp "$abi") || exit
	PB_CLEANUP_DIRS+=("$tmp")
	for part in ${PB_KPARTS//,/ }; do
		name=${part%%=*} pver=${part#*=} where=${part#*@}
		pver=${pver%%@*}
		deb=$(pb_part_download "$tmp/debs" "$name" "$pver" "$where") || exit
		printf '%s  %s\n' "$(sha256sum "$deb" | cut -d' ' -f1)" "${deb##*/}" >> "$tmp/SHA256SUMS"
	done
	pb_kernel_install "$tmp" "$abi" "$ver"
}

# --deb FILE...: local packages, one of them a linux-image-ABI, with the
# linux-{base,binary,modules}-ABI packages it depends on.  Sets what
# pb_kernel_resolve does (suite and how: "local") and PB_KDIR, an entry
# kernels/deb-KEY named by the files' checksums.
pb_kernel_local() {
	local f name pkg='' ver='' img='' abi sums key tmp dep names=' '
	for f in "$@"; do
		name=$(dpkg-deb -f "$f" Package 2>/dev/null) ||
			pb_die "$PB_EXIT_USAGE" "--deb $f: not a Debian package"
		names+="$name "
		case $name in
		linux-image-*-dbg|linux-image-*-unsigned) ;;
		linux-image-*)
			[ -z "$pkg" ] || pb_die "$PB_EXIT_USAGE" "--deb: two kernel images ($pkg and $name)"
			pkg=$name img=$f ver=$(dpkg-deb -f "$f" Version) ;;
		esac
	done
	[ -n "$pkg" ] || pb_die "$PB_EXIT_USAGE" "--deb: no linux-image package among the files"
	abi=${pkg#linux-image-}
	for dep in $(dpkg-deb -f "$img" Depends | tr -d ' ' | tr ',' '\n' | sed 's/[(|].*//'); do
		case $dep in
		linux-base-"$abi"|linux-binary-"$abi"|linux-modules-"$abi")
			[[ "$names" == *" $dep "* ]] ||
				pb_die "$PB_EXIT_USAGE" "--deb: $pkg needs $dep: give its .deb too" ;;
		esac
	done
	PB_KPKG=$pkg PB_KVER=$ver PB_KSUITE=local PB_KHOW=local
	sums=$(sha256sum "$@" | awk '{ print $1 }' | sort)
	key=$(sha256sum <<< "$sums" | cut -c1-16)
	PB_KDIR="$PB_CACHE/kernels/deb-$key"
	[ -f "$PB_KDIR/.complete" ] && [ "$(cat "$PB_KDIR/.complete")" = "$ver" ] && return 0
	tmp=$(pb_kernel_tmp "deb-$key") || exit
	PB_CLEANUP_DIRS+=("$tmp")
	for f in "$@"; do
		ln -s "$(readlink -f "$f")" "$tmp/debs/${f##*/}"
		printf '%s  %s\n' "$(sha256sum "$f" | cut -d' ' -f1)" "${f##*/}" >> "$tmp/SHA256SUMS"
	done
	pb_kernel_install "$tmp" "${pkg#linux-image-}" "$ver"
}

# A temporary entry for NAME (built, then renamed: an interrupted run
# leaves no half entry), with its debs/ and root/ folders.
pb_kernel_tmp() {
	local tmp
	mkdir -p "$PB_CACHE/kernels"
	# We hold the lock: a temporary entry is a killed run's leftover.
	rm -rf "$PB_CACHE"/kernels/.tmp.* "$PB_CACHE"/kernels/*/.initramfs.*
	tmp=$(mktemp -d "$PB_CACHE/kernels/.tmp.$1.XXXXXX")
	mkdir -p "$tmp/debs" "$tmp/root"
	printf '%s\n' "$tmp"
}

# Unpack TMP/debs into TMP, normalize, and rename TMP to PB_KDIR.
pb_kernel_install() {
	local tmp=$1 abi=$2 ver=$3 deb
	for deb in "$tmp"/debs/*.deb; do
		pb_progress "unpacking ${deb##*/}"
		dpkg-deb -x "$deb" "$tmp/root" || pb_die "$PB_EXIT_RUNTIME" "cannot unpack ${deb##*/}"
	done
	pb_kernel_normalize "$tmp" "$abi"
	rm -rf "$tmp/debs" "$tmp/root"
	printf '%s %s %s %s\n' "$PB_KPKG" "$ver" "$PB_KSUITE" "$PB_KHOW" > "$tmp/source"
	printf '%s\n' "$ver" > "$tmp/.complete"
	chmod 755 "$tmp"	# mktemp's 0700 would hide a shared cache from others
	rm -rf "$PB_KDIR"
	mv "$tmp" "$PB_KDIR"
	pb_progress_done
}

# One layout for every release: vmlinuz and lib/modules/ABI (6.1 ships
# /boot/vmlinuz-ABI and /lib/modules; 7.x /usr/lib/modules/ABI/vmlinuz),
# then depmod, since the packages carry no modules.dep.
pb_kernel_normalize() {
	local tmp=$1 abi=$2 m
	for m in "$tmp/root/lib/modules/$abi" "$tmp/root/usr/lib/modules/$abi"; do
		[ -d "$m/kernel" ] && break
	done
	[ -d "$m/kernel" ] || pb_die "$PB_EXIT_RUNTIME" "no modules for $abi in its packages"
	mkdir -p "$tmp/lib/modules"
	mv "$m" "$tmp/lib/modules/$abi"
	if [ -f "$tmp/root/boot/vmlinuz-$abi" ]; then
		mv "$tmp/root/boot/vmlinuz-$abi" "$tmp/vmlinuz"
	elif [ -f "$tmp/lib/modules/$abi/vmlinuz" ]; then
		mv "$tmp/lib/modules/$abi/vmlinuz" "$tmp/vmlinuz"
	else
		pb_die "$PB_EXIT_RUNTIME" "no vmlinuz for $abi in its packages"
	fi
	[ -f "$tmp/root/boot/config-$abi" ] && mv "$tmp/root/boot/config-$abi" "$tmp/config"
	[ -f "$tmp/lib/modules/$abi/config" ] && mv "$tmp/lib/modules/$abi/config" "$tmp/config"
	pb_progress "depmod $abi"
	"$PB_DEPMOD" -b "$tmp" "$abi" || pb_die "$PB_EXIT_RUNTIME" "depmod failed for $abi"
}

# kernels/ABI/vmlinux: the kernel uncompressed, when it has a PVH entry
# (CONFIG_PVH): qemu starts it there, without the bzImage's decompressor,
# which is slow under TCG (6.1's XZ image: about 4 of its 13 s).  The
# kernel and the machine are the same; only the decompressor and the
# 16-bit setup code are left out.  PEELBENCH_VM_BOOT=bzimage boots vmlinuz.
pb_kernel_pvh_ensure() {
	local kdir=$1
	[ -f "$kdir/vmlinux" ] && return 0
	grep -q '^CONFIG_PVH=y' "$kdir/config" 2>/dev/null || return 0
	pb_progress "uncompressing $(basename "$kdir")"
	# XEN_ELFNOTE_PHYS32_ENTRY (18): the PVH entry qemu looks for
	if pb_kernel_uncompress "$kdir/vmlinuz" "$kdir/.vmlinux.tmp" &&
	   readelf -n "$kdir/.vmlinux.tmp" 2>/dev/null | grep -q 'note type: (0x00000012)'; then
		mv "$kdir/.vmlinux.tmp" "$kdir/vmlinux"
	fi
	rm -f "$kdir/.vmlinux.tmp"
	pb_progress_done
}

# The ELF kernel inside bzImage IN, into OUT: the first xz, zstd or gzip
# stream that unpacks to an ELF file.
pb_kernel_uncompress() {
	local in=$1 out=$2 m off
	for m in '\xfd7zXZ\x00 xz' '\x28\xb5\x2f\xfd zstd' '\x1f\x8b\x08 gzip'; do
		off=$(LC_ALL=C grep -obUaP "${m% *}" "$in" | head -n1 | cut -d: -f1)
		[ -n "$off" ] || continue
		tail -c +$((off + 1)) "$in" | "${m#* }" -dc > "$out" 2>/dev/null
		[ "$(head -c4 "$out" | od -An -tx1 | tr -d ' ')" = 7f454c46 ] && return 0
	done
	return 1
}
