# shellcheck shell=bash
# Which Debian kernels can be booted: a private apt setup (the system's apt
# sources and state are never touched) and the table apt/kernels.tsv, one
# row per kernel image package and suite, with where each of its packages
# comes from.  A kernel is listed only when all its packages can be fetched:
#   index         every package from the image's own suite's index;
#   index:SUITE   some from another suite's index that still lists them
#                 (trixie-backports drops the linux-base/-modules packages
#                 of all but its newest kernels);
#   unverified    some only from the archive's pool, by exact name and
#                 version, with no signed checksum: --allow-unverified.
# The caller holds the cache lock (pb_cache_lock) around these functions.

PB_SUITES=(bookworm bookworm-security bookworm-updates bookworm-backports
	trixie trixie-security trixie-updates trixie-backports sid)
PB_KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
PB_INDEX_MAX_AGE=86400	# refresh the index once a day
PB_INDEX_MISS_AGE=600	# ... or on a miss, unless it is fresher than this
PB_APT_ETC=/etc/apt	# the machine's apt configuration (tests: a fixture)

# "main URI" and "security URI" lines for the Debian sources of the machine's
# apt configuration: deb822 stanzas (URIs:/Suites:) and one-line `deb`
# entries, recognised by their Debian suite names; the security archive is
# the one that carries SUITE-security.
pb_apt_uris() {
	local f
	for f in "$PB_APT_ETC"/sources.list.d/*.sources; do
		[ -r "$f" ] || continue
		awk 'function flush(  i, n, s, kind) {
				if (types !~ /(^| )deb( |$)/ || uri == "") return
				n = split(suites, s, / +/)
				for (i = 1; i <= n; i++) {
					if (s[i] !~ DEBIAN) continue
					kind = s[i] ~ /-security$/ ? "security" : "main"
					print kind, uri
				}
			}
			BEGIN { DEBIAN = "^(buster|bullseye|bookworm|trixie|forky|duke|sid|(old)*stable|testing|unstable)(-[a-z]+)?$" }
			/^[ \t]*$/ { flush(); types = uri = suites = ""; next }
			tolower($1) == "types:" { $1 = ""; types = $0 }
			tolower($1) == "uris:" { uri = $2 }
			tolower($1) == "suites:" { $1 = ""; suites = $0; sub(/^ +/, "", suites) }
			END { flush() }' "$f"
	done
	for f in "$PB_APT_ETC"/sources.list "$PB_APT_ETC"/sources.list.d/*.list; do
		[ -r "$f" ] || continue
		awk '$1 != "deb" { next }
			{ sub(/\[[^]]*\]/, ""); $0 = $0 }
			$3 ~ /^(buster|bullseye|bookworm|trixie|forky|duke|sid|(old)*stable|testing|unstable)(-[a-z]+)?$/ {
				print ($3 ~ /-security$/ ? "security" : "main"), $2
			}' "$f"
	done
}

# The archive's address: PEELBENCH_MIRROR, else the machine's own.
pb_mirror() {
	if [ -n "${PEELBENCH_MIRROR:-}" ]; then
		printf '%s\n' "$PEELBENCH_MIRROR"
		return 0
	fi
	pb_apt_uris | awk '$1 == "main" { print $2; found = 1; exit } END { exit !found }'
}

# The security archive's address: PEELBENCH_SECURITY_MIRROR; else, with
# PEELBENCH_MIRROR, that archive's -security sibling (the archive's layout);
# else the machine's own.  Empty when there is none: no security suites.
pb_security_mirror() {
	if [ -n "${PEELBENCH_SECURITY_MIRROR:-}" ]; then
		printf '%s\n' "$PEELBENCH_SECURITY_MIRROR"
	elif [ -n "${PEELBENCH_MIRROR:-}" ]; then
		printf '%s-security\n' "${PEELBENCH_MIRROR%/}"
	else
		pb_apt_uris | awk '$1 == "security" { print $2; exit }'
	fi
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
	local d mirror security s uri
	d=$(pb_apt_dir)
	mirror=$(pb_mirror) || pb_die "$PB_EXIT_ENV" "no debian mirror in /etc/apt sources: set PEELBENCH_MIRROR=URL"
	security=$(pb_security_mirror)
	mkdir -p "$d/lists/partial" "$d/cache/archives/partial"
	{
		for s in "${PB_SUITES[@]}"; do
			uri=$mirror
			if [[ "$s" == *-security ]]; then
				uri=$security
				[ -n "$uri" ] || continue
			fi
			printf 'deb [signed-by=%s] %s %s main\n' "$PB_KEYRING" "$uri" "$s"
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

pb_index_update() {
	local d log
	d=$(pb_apt_dir)
	pb_progress "updating the kernel package index ($(pb_mirror))"
	log="$d/update.log"
	if ! apt-get -q "${PB_APT_OPTS[@]}" update > "$log" 2>&1 ||
	   grep -qE '^(W|E): (Failed|Some index files failed)' "$log"; then
		pb_progress_done
		pb_die "$PB_EXIT_RUNTIME" "cannot download the kernel package index from $(pb_mirror): $(grep -E '^(E|W|Err):' "$log" | head -n1 | cut -c1-200)"
	fi
	pb_kernel_table "$d/lists" "$d/sources.list" > "$d/kernels.tsv.tmp"
	[ -s "$d/kernels.tsv.tmp" ] || pb_die "$PB_EXIT_RUNTIME" "the package index from $(pb_mirror) lists no kernel images"
	mv "$d/kernels.tsv.tmp" "$d/kernels.tsv"
	pb_progress_done
}

pb_index_ensure() {
	pb_apt_opts
	pb_apt_write_sources
	[ "$(pb_index_age)" -lt "$PB_INDEX_MAX_AGE" ] || pb_index_update
}

# The kernel packages of every suite's index in LISTS (apt's file names:
# ..._dists_SUITE_main_binary-amd64_Packages[.xz|.lz4|...]), one record a
# line: "suite package version filename depends".
pb_index_records() {
	local f suite
	for f in "$1"/*_dists_*_main_binary-amd64_Packages*; do
		[ -e "$f" ] || continue
		suite=${f##*_dists_}
		suite=${suite%%_*}
		/usr/lib/apt/apt-helper cat-file "$f" | awk -v suite="$suite" '
			/^Package: / { p = $2; v = fn = dep = "" }
			/^Version: / { v = $2 }
			/^Filename: / { fn = $2 }
			/^Depends: / { dep = $0; sub(/^Depends: */, "", dep); gsub(/ /, "", dep) }
			/^$/ { if (p ~ /^linux-(image|base|binary|modules)-[0-9]/) print suite, p, v, fn, (dep == "" ? "-" : dep); p = "" }
			END { if (p ~ /^linux-(image|base|binary|modules)-[0-9]/) print suite, p, v, fn, (dep == "" ? "-" : dep) }'
	done
}

# kernels.tsv from the indexes in LISTS and the suites' addresses in
# SOURCES: "upstream package version suite how parts", parts being
# "name=version@SUITE" or "name=version@pool:PATH" joined by commas.  The
# pool is asked (HEAD) only for packages no index lists.
pb_kernel_table() {
	local lists=$1 sources=$2 rec probes found
	rec=$(mktemp) probes=$(mktemp) found=$(mktemp)
	pb_index_records "$lists" > "$rec"
	pb_kernel_rows pass=1 "$rec" /dev/null > "$probes"
	pb_pool_probe "$sources" < "$probes" > "$found"
	pb_kernel_rows pass=2 "$rec" "$found" | sort -V -k1,1 -k3,3 -k4,4
	rm -f "$rec" "$probes" "$found"
}

# Pass 1 prints "suite name version dir..." for every package that must
# come from the pool, with the pool folders where packages of its kind live;
# pass 2 (given pass 1's answers, "name=version path") prints the table.
pb_kernel_rows() {
	awk -v "$1" '
		function kind(n) { return n ~ /^linux-image-/ ? "image" : substr(n, 7, index(substr(n, 7), "-") - 1) }
		function dirof(f) { sub(/\/[^\/]*$/, "", f); return f }
		FILENAME == ARGV[2] { pool[$1] = $2; next }
		{
			has[$2 "=" $3, $1] = 1
			if (!(($2 "=" $3) in first)) first[$2 "=" $3] = $1
			if ($4 != "" && !seen[kind($2), dirof($4)]++) dirs[kind($2)] = dirs[kind($2)] " " dirof($4)
			if ($2 ~ /^linux-image-[0-9].*-amd64$/ && $2 !~ /-(cloud|rt)-amd64$/ &&
			    $2 !~ /^linux-image-[0-9]+\.[0-9]+-amd64$/) { n++; s[n] = $1; p[n] = $2; v[n] = $3; d[n] = $5 }
		}
		END {
			for (i = 1; i <= n; i++) row(s[i], p[i], v[i], d[i])
		}
		function row(suite, pkg, ver, dep,   abi, m, k, a, name, rest, want, parts, how, up, key, where) {
			abi = substr(pkg, 13)
			parts = pkg "=" ver "@" suite; how = "index"
			m = split(dep, a, ",")
			for (k = 1; k <= m; k++) {
				name = a[k]; sub(/[(|].*/, "", name)
				rest = name; sub(/^linux-(base|binary|modules)-/, "", rest)
				if (rest == name || rest != abi) continue
				want = ver
				if (a[k] ~ /^[^|]*\(=/) { want = a[k]; sub(/^[^(]*\(=/, "", want); sub(/\).*/, "", want) }
				key = name "=" want
				if (has[key, suite]) where = suite
				else if (key in first) { where = first[key]; if (how == "index") how = "index:" where }
				else if (pass == 1) { print suite, name, want, dirs[kind(name)]; where = "pool" }
				else if (pool[key] != "" && pool[key] != "-") { where = "pool:" pool[key]; how = "unverified" }
				else return
				parts = parts "," key "@" where
			}
			if (pass == 1) return
			up = ver; sub(/[-~+].*/, "", up)
			print up, pkg, ver, suite, how, parts
		}' "$2" "$3"
}

# "suite name version dir..." lines in, "name=version path-or-minus" out:
# the first pool folder (on the suite'"'"'s archive, SOURCES) that has the file.
pb_pool_probe() {
	local sources=$1 suite name ver dirs uri d file hit
	while read -r suite name ver dirs; do
		uri=$(awk -v s="$suite" '$1 == "deb" && $(NF - 1) == s { print $(NF - 2); exit }' "$sources")
		file="${name}_${ver#*:}_amd64.deb"
		hit=-
		for d in $dirs; do
			if [ -n "$uri" ] && curl -sfI -o /dev/null --max-time 20 "${uri%/}/$d/$file"; then
				hit=$d/$file
				break
			fi
		done
		printf '%s=%s %s\n' "$name" "$ver" "$hit"
	done | sort -u
}

# "6.1", "6.12", ... : every major.minor some kernel resolves to.
pb_kernel_versions() {
	awk '{ split($1, v, "."); print v[1] "." v[2] }' "$(pb_apt_dir)/kernels.tsv" | sort -uV | paste -sd' '
}

# VERSION → the table's row of the newest kernel it names, VERSION being
# whole dot components of the upstream version (6.1 is not 6.12).  Rows of
# the same package and version rank index, then index:SUITE; unverified
# rows count only when the second argument is 1.
pb_kernel_lookup() {
	awk -v want="$1" -v unverified="$2" '
		($1 == want || index($1, want ".") == 1) && (unverified == 1 || $5 != "unverified") {
			print ($5 == "index" ? 2 : $5 == "unverified" ? 0 : 1), $0
		}' "$(pb_apt_dir)/kernels.tsv" |
		sort -V -k2,2 -k4,4 -k1,1 | tail -n1 | cut -d' ' -f2-
}

# `--list`: per major.minor, the kernel it resolves to (with
# --allow-unverified when given; else, for a version with no verified
# kernel, the one that option would boot, marked unverified).
pb_kernel_list() {
	local v row
	for v in $(pb_kernel_versions); do
		row=$(pb_kernel_lookup "$v" "$PB_ALLOW_UNVERIFIED")
		[ -n "$row" ] || row=$(pb_kernel_lookup "$v" 1)
		# shellcheck disable=SC2086
		set -- $row
		printf '%-5s %-36s %-22s %-18s %s\n' "$v" "$2" "$3" "$4" "$5"
	done
}

# Sets PB_KPKG, PB_KVER, PB_KSUITE, PB_KHOW and PB_KPARTS.
pb_kernel_resolve() {
	local v=$1 hit
	[[ "$v" =~ ^[0-9]+(\.[0-9]+)*$ ]] ||
		pb_die "$PB_EXIT_USAGE" "bad kernel version '$v': want MAJOR.MINOR like 6.1 (available: $(pb_kernel_versions))"
	hit=$(pb_kernel_lookup "$v" 1)
	if [ -z "$hit" ] && [ "$(pb_index_age)" -ge "$PB_INDEX_MISS_AGE" ]; then
		pb_index_update
		hit=$(pb_kernel_lookup "$v" 1)
	fi
	[ -n "$hit" ] ||
		pb_die "$PB_EXIT_USAGE" "no debian kernel $v in ${PB_SUITES[*]}; available: $(pb_kernel_versions)"
	if [ "$PB_ALLOW_UNVERIFIED" != 1 ]; then
		local best=$hit
		hit=$(pb_kernel_lookup "$v" 0)
		[ -n "$hit" ] || pb_die "$PB_EXIT_USAGE" "debian kernel $v ($(cut -d' ' -f2,3 <<< "$best")) has packages only in the archive's pool, with no signed checksum: use --allow-unverified"
	fi
	read -r _ PB_KPKG PB_KVER PB_KSUITE PB_KHOW PB_KPARTS <<< "$hit"
}
