# shellcheck shell=bash
# A user's own kernel: --kernel-image FILE (a bzImage, or a vmlinux with a
# PVH entry) and --modules DIR (a tree that `make modules_install
# INSTALL_MOD_PATH=DIR` wrote, its lib/modules/RELEASE, or the build tree
# itself).  Checked before any guest: what peelbench needs of the kernel
# (sctp, 9p and virtio as built-ins or modules, BTF for vmlinux and sctp, a
# BPF JIT) is there, else one line naming the missing CONFIG_ options (exit
# 3).  The cache entry kernels/img-KEY (KEY: the image's checksum and the
# module tree's listing) has the layout of a Debian one: vmlinuz, config,
# lib/modules/RELEASE with links to the tree's modules and its own
# modules.dep.  The caller holds the cache lock.

# What the guest needs: "MODULE CONFIG_OPTION" (built in or a module).
PB_IMAGE_NEEDS=(
	"sctp CONFIG_IP_SCTP" "9p CONFIG_9P_FS" "9pnet CONFIG_NET_9P"
	"9pnet_virtio CONFIG_NET_9P_VIRTIO" "virtio_pci CONFIG_VIRTIO_PCI"
	"virtio_console CONFIG_VIRTIO_CONSOLE"
)
# Options only the configuration tells: BTF of vmlinux, the BPF syscall
# and its JIT.
PB_IMAGE_CONFIG_NEEDS=(CONFIG_DEBUG_INFO_BTF CONFIG_BPF_SYSCALL CONFIG_BPF_JIT)

# The version banner of a kernel image: the bzImage header's
# kernel_version string (boot protocol: "HdrS" at 0x202, the string's
# offset - 0x200 at 0x20e), or a vmlinux's "Linux version ..." line
# without its first two words.  Empty for anything else.
pb_image_banner() {
	local img=$1 off
	if [ "$(dd if="$img" bs=1 skip=514 count=4 2>/dev/null)" = HdrS ]; then
		off=$(od -An -tu2 -j526 -N2 "$img" | tr -d ' ')
		[ -n "$off" ] || return 0
		dd if="$img" bs=1 skip=$((off + 512)) count=400 2>/dev/null | tr '\0' '\n' | head -n1
	elif [ "$(head -c4 "$img" | od -An -tx1 | tr -d ' ')" = 7f454c46 ]; then
		LC_ALL=C grep -aom1 'Linux version [0-9][^[:cntrl:]]*' "$img" | cut -d' ' -f3-
	fi
}

# RELEASE of MODDIR's modules: sets PB_MODSRC (the folder of that release's
# modules) and PB_MODKIND (installed or build).  One line and exit 2 for a
# folder of another release, or one that holds no modules.
pb_image_modules() {
	local dir=$1 rel=$2 other
	if [ -d "$dir/lib/modules" ]; then
		PB_MODSRC=$dir/lib/modules/$rel PB_MODKIND=installed
		[ -d "$PB_MODSRC" ] && return 0
		other=$(cd "$dir/lib/modules" && ls -d -- * 2>/dev/null | paste -sd" ")
		pb_die "$PB_EXIT_USAGE" "--modules $dir holds modules for ${other:-no release}, not for the image's $rel"
	elif [ -f "$dir/include/config/kernel.release" ]; then
		other=$(cat "$dir/include/config/kernel.release")
		[ "$other" = "$rel" ] ||
			pb_die "$PB_EXIT_USAGE" "--modules $dir is the build tree of $other, not of the image's $rel"
		[ -f "$dir/modules.order" ] ||
			pb_die "$PB_EXIT_USAGE" "--modules $dir: no modules.order (run make modules)"
		PB_MODSRC=$dir PB_MODKIND=build
	elif [ -f "$dir/modules.order" ] || [ -d "$dir/kernel" ]; then
		other=$(basename "$dir")
		[ "$other" = "$rel" ] ||
			pb_die "$PB_EXIT_USAGE" "--modules $dir holds modules for $other, not for the image's $rel"
		PB_MODSRC=$dir PB_MODKIND=installed
	else
		pb_die "$PB_EXIT_USAGE" "--modules $dir: not a modules tree (make modules_install INSTALL_MOD_PATH=DIR) nor a kernel build tree"
	fi
}

# The configuration beside what the user gave: the build tree's .config,
# the modules' config (Debian 7.x), config or config-RELEASE beside the
# image (a Debian cache entry, /boot).  Prints its path, or nothing.
pb_image_config() {
	local img=$1 rel=$2 c
	for c in "$PB_MODSRC/.config" "$PB_MODSRC/config" "$(dirname "$img")/config-$rel" \
		"$(dirname "$img")/config" "$(dirname "$img")/.config"; do
		if [ -f "$c" ] && grep -q '^CONFIG_' "$c"; then
			printf '%s\n' "$c"
			return 0
		fi
	done
}

# lib/modules/REL of entry TMP: links to the tree's modules, its
# modules.builtin*, modules.order; depmod writes the rest.
pb_image_link_modules() {
	local tmp=$1 rel=$2 m=$1/lib/modules/$2 p ko
	mkdir -p "$m"
	if [ "$PB_MODKIND" = installed ]; then
		# kernel/, updates/, extra/...: one link each (depmod follows them)
		for p in "$PB_MODSRC"/*; do
			case ${p##*/} in modules.*|build|source) continue ;; esac
			ln -s "$(readlink -f "$p")" "$m/${p##*/}" || pb_die "$PB_EXIT_RUNTIME" "cannot link $p"
		done
		cp "$PB_MODSRC"/modules.{order,builtin,builtin.modinfo} "$m/" 2>/dev/null || true
		return 0
	fi
	# A build tree: kernel/ is one link to it, so kernel/net/sctp/sctp.ko
	# is its net/sctp/sctp.ko (a link per module cost minutes for a
	# distribution config's 3,500 on a loaded machine).  Its modules.order
	# names the modules as built (.o since 6.2, .ko before); the installed
	# form is kernel/PATH.ko.
	ln -s "$(readlink -f "$PB_MODSRC")" "$m/kernel" || pb_die "$PB_EXIT_RUNTIME" "cannot link $PB_MODSRC"
	sed -e 's#^kernel/##' -e 's#\.o$#.ko#' -e 's#^#kernel/#' "$PB_MODSRC/modules.order" > "$m/modules.order"
	cp "$PB_MODSRC"/modules.builtin{,.modinfo} "$m/" 2>/dev/null || true
}

# The file of module MOD under M (lib/modules/REL) from the list KOS of
# its module files, or "builtin", or nothing.
pb_image_module() {
	local m=$1 kos=$2 mod=$3
	if grep -qE "/$mod\.ko\$" "$m/modules.builtin" 2>/dev/null; then
		echo builtin
		return 0
	fi
	grep -m1 -E "/$mod\.ko(\.(xz|zst|gz))?\$" "$kos"
	return 0
}

# Whether module file KO carries BTF (a .BTF section), decompressed first.
pb_image_ko_btf() {
	local ko=$1 t
	case $ko in
	*.ko) LC_ALL=C readelf -S "$ko" 2>/dev/null | grep -q ' \.BTF ' ; return ;;
	esac
	t=$(mktemp "${TMPDIR:-/tmp}/peelbench-ko.XXXXXX")
	case $ko in
	*.xz) xz -dc "$ko" ;; *.zst) zstd -qdc "$ko" ;; *.gz) gzip -dc "$ko" ;;
	esac > "$t" 2>/dev/null
	LC_ALL=C readelf -S "$t" 2>/dev/null | grep -q ' \.BTF '
	local rc=$?
	rm -f "$t"
	return $rc
}

# Everything peelbench needs of the kernel, or one line naming the missing
# CONFIG_ options and exit 3.
pb_image_check() {
	local img=$1 tmp=$2 rel=$3 m=$2/lib/modules/$3 need mod opt f sctp='' missing=()
	find -L "$m" -name '*.ko*' > "$tmp/kos" 2>/dev/null
	for need in "${PB_IMAGE_NEEDS[@]}"; do
		mod=${need% *} opt=${need#* }
		f=$(pb_image_module "$m" "$tmp/kos" "$mod")
		[ -n "$f" ] || missing+=("$opt")
		[ "$mod" = sctp ] && sctp=$f
	done
	if [ -f "$tmp/config" ]; then
		for opt in "${PB_IMAGE_CONFIG_NEEDS[@]}"; do
			grep -q "^$opt=y" "$tmp/config" || missing+=("$opt")
		done
	fi
	if [ -n "$sctp" ] && [ "$sctp" != builtin ] && ! pb_image_ko_btf "$sctp"; then
		missing+=(CONFIG_DEBUG_INFO_BTF_MODULES)
	fi
	[ ${#missing[@]} = 0 ] ||
		pb_die "$PB_EXIT_ENV" "kernel $img ($rel) lacks what peelbench needs: ${missing[*]}"
	[ -f "$tmp/config" ] ||
		pb_progress "no configuration beside $img: BTF of vmlinux and the BPF JIT not checked"
	return 0
}

# --kernel-image IMG --modules DIR: sets PB_KPKG, PB_KVER, PB_KSUITE,
# PB_KHOW, PB_KABI and PB_KDIR, the cache entry, built and checked if new.
pb_kernel_image() {
	local img=$1 dir=$2 banner rel key tmp cfg
	[ -f "$img" ] || pb_die "$PB_EXIT_USAGE" "--kernel-image $img: no such file"
	[ -d "$dir" ] || pb_die "$PB_EXIT_USAGE" "--modules $dir: no such directory"
	banner=$(pb_image_banner "$img")
	rel=${banner%% *}
	[ -n "$rel" ] || pb_die "$PB_EXIT_USAGE" "--kernel-image $img: not a kernel image (no bzImage header, no vmlinux version banner)"
	pb_image_modules "$dir" "$rel"
	PB_KPKG=kernel-image PB_KVER=$rel PB_KSUITE=local PB_KHOW=image PB_KABI=$rel
	key=$( { sha256sum < "$img"; readlink -f "$PB_MODSRC"
		find -L "$PB_MODSRC" -name '*.ko*' -printf '%P %s %T@\n' 2>/dev/null | sort; } |
		sha256sum | cut -c1-16)
	PB_KDIR="$PB_CACHE/kernels/img-$key"
	[ -f "$PB_KDIR/.complete" ] && return 0
	tmp=$(pb_kernel_tmp "img-$key") || exit
	PB_CLEANUP_DIRS+=("$tmp")
	cfg=$(pb_image_config "$img" "$rel")
	[ -n "$cfg" ] && cp "$cfg" "$tmp/config"
	pb_image_link_modules "$tmp" "$rel"
	pb_image_check "$img" "$tmp" "$rel"
	if [ "$(head -c4 "$img" | od -An -tx1 | tr -d ' ')" = 7f454c46 ]; then
		readelf -n "$img" 2>/dev/null | grep -q 'note type: (0x00000012)' ||
			pb_die "$PB_EXIT_USAGE" "--kernel-image $img: a vmlinux without a PVH entry (CONFIG_PVH) cannot boot: give the bzImage"
		cp "$img" "$tmp/vmlinux"
	fi
	cp "$img" "$tmp/vmlinuz"
	pb_progress "depmod $rel"
	"$PB_DEPMOD" -b "$tmp" "$rel" || pb_die "$PB_EXIT_RUNTIME" "depmod failed for $rel"
	rm -rf "$tmp/debs" "$tmp/root" "$tmp/kos"
	printf '%s %s %s %s\n' "$PB_KPKG" "$rel" "$PB_KSUITE" "$PB_KHOW" > "$tmp/source"
	printf '%s\n' "$rel" > "$tmp/.complete"
	chmod 755 "$tmp"
	rm -rf "$PB_KDIR"
	mv "$tmp" "$PB_KDIR"
}

# kernels/X/build-id, "gnu-build-id HEX" from the uncompressed kernel's
# ELF notes, else "sha256 HEX" of the image as booted.
pb_kernel_build_id() {
	local kdir=$1 id elf=$1/vmlinux t=''
	[ -s "$kdir/build-id" ] && return 0
	if [ ! -f "$elf" ]; then
		t=$(mktemp "$kdir/.vmlinux.XXXXXX") && pb_kernel_uncompress "$kdir/vmlinuz" "$t" && elf=$t
	fi
	id=$(LC_ALL=C readelf -n "$elf" 2>/dev/null | awk '/Build ID:/ { print $3; exit }')
	[ -n "$t" ] && rm -f "$t"
	if [ -n "$id" ]; then
		printf 'gnu-build-id %s\n' "$id" > "$kdir/build-id"
	else
		printf 'sha256 %s\n' "$(sha256sum < "$kdir/vmlinuz" | cut -d' ' -f1)" > "$kdir/build-id"
	fi
}
