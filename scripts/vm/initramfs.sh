# shellcheck shell=bash
# The guest's initramfs, cached per kernel as kernels/ABI/initramfs.cpio.gz:
# a static busybox, scripts/vm/guest-init as /init, and the modules the
# guest needs (decompressed: busybox modprobe reads no .ko.xz) with their
# dependencies and a modules.dep of their own.

# Loaded by /init in this order, after PB_MODULES_EARLY; a missing one fails
# the boot.  9p root, virtio-serial for stdout/stderr, SCTP.
PB_MODULES_REQUIRED=(virtio_pci virtio_console 9pnet_virtio 9p sctp)
# Loaded first when the kernel has them: up to 6.13 sctp needs libcrc32c,
# whose init asks the crypto API for "crc32c" (a softdep busybox modprobe
# does not follow; 6.14+ has crc32c as a plain library).
PB_MODULES_EARLY=(crc32c_intel crc32c_generic)
# Loaded last when the kernel has them: sctp_diag for `ss`, veth for
# network namespaces.
PB_MODULES_OPTIONAL=(sctp_diag veth)

# Key of what the initramfs is built from: rebuilt when the init script, the
# module lists or busybox change.
pb_initramfs_key() {
	{
		cat "$PB_VM_DIR/guest-init" "$PB_VM_DIR/initramfs.sh"
		ls -l --time-style=+%s "$PB_BUSYBOX"
	} | sha256sum | cut -c1-16
}

# The initramfs of kernel ABI, whose entry is KDIR.
pb_initramfs_ensure() {
	local abi=$1 kdir=$2 out key
	out="$kdir/initramfs.cpio.gz"
	key=$(pb_initramfs_key)
	[ -f "$out" ] && [ "$(cat "$kdir/initramfs.key" 2>/dev/null)" = "$key" ] && return 0
	pb_progress "building the initramfs for $abi"
	pb_initramfs_build "$abi" "$kdir" "$out.tmp"
	mv "$out.tmp" "$out"
	printf '%s\n' "$key" > "$kdir/initramfs.key"
	pb_progress_done
}

# Print the module files (relative to lib/modules/ABI) MOD needs, itself
# last; "builtin" modules print nothing.
pb_module_files() {
	local kdir=$1 abi=$2 mod=$3
	"$PB_MODPROBE" -d "$kdir" -S "$abi" --show-depends "$mod" 2>/dev/null |
		awk -v pre="$kdir/lib/modules/$abi/" '$1 == "insmod" && index($2, pre) == 1 { print substr($2, length(pre) + 1) }'
}

pb_initramfs_build() {
	local abi=$1 kdir=$2 out=$3 root m f files=() mods=()
	root=$(mktemp -d "$kdir/.initramfs.XXXXXX")
	PB_CLEANUP_DIRS+=("$root")
	mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,dev,proc,sys,newroot,etc,lib/modules/"$abi"}
	cp "$PB_BUSYBOX" "$root/bin/busybox"
	cp "$PB_VM_DIR/guest-init" "$root/init"
	chmod 755 "$root/init" "$root/bin/busybox"
	for m in "${PB_MODULES_EARLY[@]}"; do
		"$PB_MODPROBE" -d "$kdir" -S "$abi" --show-depends "$m" >/dev/null 2>&1 || continue
		mapfile -t -O "${#files[@]}" files < <(pb_module_files "$kdir" "$abi" "$m")
		mods+=("$m")
	done
	for m in "${PB_MODULES_REQUIRED[@]}"; do
		if ! "$PB_MODPROBE" -d "$kdir" -S "$abi" --show-depends "$m" >/dev/null 2>&1; then
			pb_die "$PB_EXIT_RUNTIME" "kernel $abi has no module $m"
		fi
		mapfile -t -O "${#files[@]}" files < <(pb_module_files "$kdir" "$abi" "$m")
		mods+=("$m")
	done
	for m in "${PB_MODULES_OPTIONAL[@]}"; do
		"$PB_MODPROBE" -d "$kdir" -S "$abi" --show-depends "$m" >/dev/null 2>&1 || continue
		mapfile -t -O "${#files[@]}" files < <(pb_module_files "$kdir" "$abi" "$m")
		mods+=("$m")
	done
	for f in $(printf '%s\n' "${files[@]}" | sort -u); do
		mkdir -p "$root/lib/modules/$abi/${f%/*}"
		case $f in
		*.ko.xz)  xz -dc "$kdir/lib/modules/$abi/$f" > "$root/lib/modules/$abi/${f%.xz}" ;;
		*.ko.zst) zstd -qdc "$kdir/lib/modules/$abi/$f" > "$root/lib/modules/$abi/${f%.zst}" ;;
		*.ko.gz)  gzip -dc "$kdir/lib/modules/$abi/$f" > "$root/lib/modules/$abi/${f%.gz}" ;;
		*)        cp "$kdir/lib/modules/$abi/$f" "$root/lib/modules/$abi/$f" ;;
		esac || pb_die "$PB_EXIT_RUNTIME" "cannot copy module $f"
	done
	cp "$kdir/lib/modules/$abi"/modules.{order,builtin,builtin.modinfo} "$root/lib/modules/$abi/" 2>/dev/null || true
	"$PB_DEPMOD" -b "$root" "$abi" || pb_die "$PB_EXIT_RUNTIME" "depmod failed on the initramfs for $abi"
	printf '%s\n' "${mods[@]}" > "$root/etc/modules"
	printf '%s\n' "${PB_MODULES_REQUIRED[@]}" > "$root/etc/modules.required"
	(cd "$root" && find . -print0 | cpio --null -o -H newc --quiet | gzip -1) > "$out" ||
		pb_die "$PB_EXIT_RUNTIME" "cannot write $out"
	rm -rf "$root"
}
