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

# Download, verify against the index, unpack into kernels/ABI.  Built in a
# temporary folder and renamed: an interrupted run leaves no half entry.
pb_kernel_fetch() {
	local pkg=$1 ver=$2 abi=${1#linux-image-} kdir tmp part name pver where deb
	kdir="$PB_CACHE/kernels/$abi"
	if [ -f "$kdir/.complete" ] && [ "$(cat "$kdir/.complete")" = "$ver" ]; then
		return 0
	fi
	mkdir -p "$PB_CACHE/kernels"
	# We hold the lock: a temporary entry is a killed run's leftover.
	rm -rf "$PB_CACHE"/kernels/.tmp.* "$PB_CACHE"/kernels/*/.initramfs.*
	tmp=$(mktemp -d "$PB_CACHE/kernels/.tmp.$abi.XXXXXX")
	PB_CLEANUP_DIRS+=("$tmp")
	mkdir -p "$tmp/debs" "$tmp/root"
	for part in ${PB_KPARTS//,/ }; do
		name=${part%%=*} pver=${part#*=} where=${part#*@}
		pver=${pver%%@*}
		deb=$(pb_part_download "$tmp/debs" "$name" "$pver" "$where") || exit
		printf '%s  %s\n' "$(sha256sum "$deb" | cut -d' ' -f1)" "${deb##*/}" >> "$tmp/SHA256SUMS"
		pb_progress "unpacking ${deb##*/}"
		dpkg-deb -x "$deb" "$tmp/root" || pb_die "$PB_EXIT_RUNTIME" "cannot unpack ${deb##*/}"
	done
	pb_kernel_normalize "$tmp" "$abi"
	rm -rf "$tmp/debs" "$tmp/root" "$tmp/download.log"
	printf '%s %s %s %s\n' "$pkg" "$ver" "$PB_KSUITE" "$PB_KHOW" > "$tmp/source"
	printf '%s\n' "$ver" > "$tmp/.complete"
	chmod 755 "$tmp"	# mktemp's 0700 would hide a shared cache from others
	rm -rf "$kdir"
	mv "$tmp" "$kdir"
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
