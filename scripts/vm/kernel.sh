# shellcheck shell=bash
# Guest kernels from Debian's archive, fetched with a private apt setup: the
# system's apt sources and state are never touched.  Everything lives under
# "$PB_CACHE": apt/ (sources, index, table of kernel packages) and
# kernels/ABI/ (vmlinuz, lib/modules/ABI, SHA256SUMS, initramfs).
# The caller holds the cache lock (pb_cache_lock) around these functions.

PB_SUITES=(bookworm bookworm-backports trixie trixie-backports sid)
PB_KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
PB_INDEX_MAX_AGE=86400	# refresh the index once a day
PB_INDEX_MISS_AGE=600	# ... or on a miss, unless it is fresher than this

# The archive's address: PEELBENCH_MIRROR, else the machine's own apt
# configuration (deb822 URIs: first, then one-line sources.list), skipping
# the security archive, which carries no kernels for backports or sid.
pb_mirror() {
	if [ -n "${PEELBENCH_MIRROR:-}" ]; then
		printf '%s\n' "$PEELBENCH_MIRROR"
		return 0
	fi
	local f uri
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -r "$f" ] || continue
		uri=$(awk 'tolower($1) == "uris:" { for (i = 2; i <= NF; i++) if ($i !~ /security/) { print $i; exit } }' "$f")
		[ -n "$uri" ] && { printf '%s\n' "$uri"; return 0; }
	done
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -r "$f" ] || continue
		uri=$(awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z+]+:\/\//) { if ($i !~ /security/) { print $i; exit } else break } }' "$f")
		[ -n "$uri" ] && { printf '%s\n' "$uri"; return 0; }
	done
	return 1
}

pb_apt_dir() { printf '%s/apt\n' "$PB_CACHE"; }

# apt-get/apt-cache options that point every path at the private setup.
pb_apt_opts() {
	local d
	d=$(pb_apt_dir)
	PB_APT_OPTS=(
		-o "Dir::Etc::SourceList=$d/sources.list"
		-o Dir::Etc::SourceParts=/dev/null
		-o "Dir::State::Lists=$d/lists"
		-o "Dir::Cache=$d/cache"
		-o Dir::State::status=/dev/null
		-o Dir::Etc::Preferences=/dev/null
		-o Dir::Etc::PreferencesParts=/dev/null
		-o APT::Architectures=amd64
		-o Acquire::Languages=none
		-o Acquire::Retries=1
		-o Acquire::http::Timeout=20
	)
	# root: download as root into our folders instead of the _apt sandbox
	# user, who cannot write into a user's cache.
	[ "$(id -u)" = 0 ] && PB_APT_OPTS+=(-o APT::Sandbox::User=root)
	return 0
}

pb_apt_write_sources() {
	local d mirror s
	d=$(pb_apt_dir)
	mirror=$(pb_mirror) || pb_die "$PB_EXIT_ENV" "no debian mirror in /etc/apt sources: set PEELBENCH_MIRROR=URL"
	mkdir -p "$d/lists/partial" "$d/cache/archives/partial"
	{
		for s in "${PB_SUITES[@]}"; do
			printf 'deb [signed-by=%s] %s %s main\n' "$PB_KEYRING" "$mirror" "$s"
		done
	} > "$d/sources.list.tmp"
	# A changed mirror makes the old index useless: force a refresh.
	if ! cmp -s "$d/sources.list.tmp" "$d/sources.list" 2>/dev/null; then
		mv "$d/sources.list.tmp" "$d/sources.list"
		rm -f "$d/kernels.tsv"
	else
		rm -f "$d/sources.list.tmp"
	fi
}

# Seconds since the index was last refreshed (a huge number if never).
pb_index_age() {
	local t
	t=$(stat -c %Y "$(pb_apt_dir)/kernels.tsv" 2>/dev/null) || { echo 999999999; return; }
	echo $(( $(date +%s) - t ))
}

# apt-get update, then the table "upstream package version suite" of every
# generic amd64 kernel image (not cloud, rt, dbg or unsigned).
pb_index_update() {
	local d log f suite
	d=$(pb_apt_dir)
	pb_progress "updating the kernel package index ($(pb_mirror))"
	log="$d/update.log"
	if ! apt-get -q "${PB_APT_OPTS[@]}" update > "$log" 2>&1 ||
	   grep -qE '^(W|E): (Failed|Some index files failed)' "$log"; then
		pb_progress_done
		pb_die "$PB_EXIT_RUNTIME" "cannot download the kernel package index from $(pb_mirror): $(grep -E '^(E|W|Err):' "$log" | head -n1 | cut -c1-200)"
	fi
	for f in "$d"/lists/*_dists_*_main_binary-amd64_Packages*; do
		[ -e "$f" ] || continue
		suite=${f##*_dists_}
		suite=${suite%%_*}
		/usr/lib/apt/apt-helper cat-file "$f" | awk -v suite="$suite" '
			/^Package: / { p = $2 }
			/^Version: / {
				if (p ~ /^linux-image-[0-9].*-amd64$/ && p !~ /-(cloud|rt)-amd64$/) {
					up = $2; sub(/[-~+].*/, "", up)
					print up, p, $2, suite
				}
			}'
	done | sort -V > "$d/kernels.tsv.tmp"
	[ -s "$d/kernels.tsv.tmp" ] || pb_die "$PB_EXIT_RUNTIME" "the package index from $(pb_mirror) lists no kernel images"
	mv "$d/kernels.tsv.tmp" "$d/kernels.tsv"
	pb_progress_done
}

pb_index_ensure() {
	pb_apt_opts
	pb_apt_write_sources
	[ "$(pb_index_age)" -lt "$PB_INDEX_MAX_AGE" ] || pb_index_update
}

# "6.1", "6.12", ... : every major.minor the suites carry.
pb_kernel_versions() {
	awk '{ split($1, v, "."); print v[1] "." v[2] }' "$(pb_apt_dir)/kernels.tsv" | sort -uV | paste -sd' '
}

# VERSION → "upstream package version suite" of the newest match, VERSION
# being whole dot components of the upstream version (6.1 is not 6.12).
pb_kernel_lookup() {
	awk -v want="$1" '$1 == want || index($1, want ".") == 1' "$(pb_apt_dir)/kernels.tsv" |
		sort -V -k1,1 -k3,3 | tail -n1
}

# Sets PB_KPKG and PB_KVER.
pb_kernel_resolve() {
	local v=$1 hit
	[[ "$v" =~ ^[0-9]+(\.[0-9]+)*$ ]] ||
		pb_die "$PB_EXIT_USAGE" "bad kernel version '$v': want MAJOR.MINOR like 6.1 (available: $(pb_kernel_versions))"
	hit=$(pb_kernel_lookup "$v")
	if [ -z "$hit" ] && [ "$(pb_index_age)" -ge "$PB_INDEX_MISS_AGE" ]; then
		pb_index_update
		hit=$(pb_kernel_lookup "$v")
	fi
	[ -n "$hit" ] ||
		pb_die "$PB_EXIT_USAGE" "no debian kernel $v in ${PB_SUITES[*]}; available: $(pb_kernel_versions)"
	read -r _ PB_KPKG PB_KVER _ <<< "$hit"
}

# Field FIELD of package PKG at version VER from the index.
pb_pkg_field() {
	apt-cache "${PB_APT_OPTS[@]}" show "$1=$2" 2>/dev/null |
		awk -v f="$3:" '$1 == f { print $2; exit }'
}

# The packages that hold a kernel's files: the image itself and, when it is
# a meta package (7.x backports), its linux-{base,binary,modules}-ABI
# dependencies of the same version.
pb_kernel_packages() {
	local pkg=$1 ver=$2 abi=${1#linux-image-}
	printf '%s\n' "$pkg"
	apt-cache "${PB_APT_OPTS[@]}" show "$pkg=$ver" 2>/dev/null |
		awk '/^Depends:/ { sub(/^Depends: */, ""); n = split($0, d, /, */); for (i = 1; i <= n; i++) print d[i]; exit }' |
		awk -v abi="-$abi" '{ n = length($1) - length(abi); if ($1 ~ /^linux-[a-z]+-/ && n > 0 && substr($1, n + 1) == abi) print $1 }' |
		grep -Fx -v "$pkg" || true
}

# Download, verify against the index, unpack into kernels/ABI.  Built in a
# temporary folder and renamed: an interrupted run leaves no half entry.
pb_kernel_fetch() {
	local pkg=$1 ver=$2 abi=${1#linux-image-} kdir tmp p sum want deb mod
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
	for p in $(pb_kernel_packages "$pkg" "$ver"); do
		pb_progress "downloading $p $ver"
		if ! (cd "$tmp/debs" && apt-get -q "${PB_APT_OPTS[@]}" download "$p=$ver") > "$tmp/download.log" 2>&1; then
			pb_progress_done
			pb_die "$PB_EXIT_RUNTIME" "cannot download $p $ver: $(grep -E '^(E|Err):' "$tmp/download.log" | head -n1 | cut -c1-200)"
		fi
		deb=$(ls "$tmp/debs/${p}_"*.deb 2>/dev/null | head -n1)
		[ -n "$deb" ] || pb_die "$PB_EXIT_RUNTIME" "cannot download $p $ver: no .deb file"
		want=$(pb_pkg_field "$p" "$ver" SHA256)
		sum=$(sha256sum "$deb" | cut -d' ' -f1)
		[ -n "$want" ] && [ "$sum" = "$want" ] ||
			pb_die "$PB_EXIT_RUNTIME" "checksum mismatch for ${deb##*/}: got $sum, index says ${want:-nothing}"
		printf '%s  %s\n' "$sum" "${deb##*/}" >> "$tmp/SHA256SUMS"
		pb_progress "unpacking ${deb##*/}"
		dpkg-deb -x "$deb" "$tmp/root" || pb_die "$PB_EXIT_RUNTIME" "cannot unpack ${deb##*/}"
	done
	pb_kernel_normalize "$tmp" "$abi"
	rm -rf "$tmp/debs" "$tmp/root" "$tmp/download.log"
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
