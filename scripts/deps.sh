#!/usr/bin/env bash
# Install every Debian package that peelbench's build, tests and VM runner
# need.  Idempotent: when everything is present it installs nothing and
# touches no apt state.  Exit: 0 ready, 3 cannot install (not root, no apt).
set -euo pipefail

pkgs=(
	# build
	make gcc clang llvm pkg-config libbpf-dev bpftool libelf-dev zlib1g-dev
	libjson-c-dev libsqlite3-dev libpq-dev libzstd-dev
	# SCTP and the workloads
	libsctp-dev lksctp-tools iproute2
	# tests: unit framework, TAP harness, statistics oracle, a private
	# PostgreSQL server for the history store (initdb, pg_ctl)
	libcmocka-dev perl python3 python3-scipy postgresql
	# matrix cells under a job engine (tests/cli/cells.t), recipes' YAML
	parallel python3-yaml
	# VM runner: guest kernels come as .deb files, the guest is busybox
	qemu-system-x86 busybox-static cpio kmod xz-utils zstd apt dpkg
	ca-certificates curl
	# plots
	gnuplot-nox
	# overhead's peer modes (bpftrace, funclatency), run in the guests
	bpftrace libbpf-tools
)

missing=()
for p in "${pkgs[@]}"; do
	st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$st" = installed ] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "peelbench: installing ${missing[*]}" >&2
sudo=()
if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null; then
		sudo=(sudo)
	else
		echo "peelbench: missing packages (${missing[*]}) and not root: run 'make deps' as root" >&2
		exit 3
	fi
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
