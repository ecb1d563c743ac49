# SPDX-License-Identifier: GPL-2.0
# Shared helpers for the build and test scripts. Source it, do not run it.

set -euo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# Downloads, build roots and extracted kernels live outside the repository so a
# fresh clone reuses them; override with SIGFWD_CACHE.
CACHE=${SIGFWD_CACHE:-/var/cache/seccomp-sigfwd}
MIRROR=${SIGFWD_MIRROR:-http://deb.debian.org/debian}
SECURITY_MIRROR=${SIGFWD_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
BUILD=${SIGFWD_BUILD:-$TOP/build}
ALL_RELEASES="bullseye bookworm trixie forky"
# Kernel flavours of a release: Debian's linux-image-FLAVOUR-amd64 (realtime,
# cloud), fetched through the base release's apt sources and built in its root.
FLAVOUR_RELEASES="bookworm-rt trixie-rt trixie-cloud"
# The stock kernel as Debian signs it, booted through shim and GRUB under
# OVMF with Secure Boot enforced (kernel locked down); the module is signed
# with a machine-owner key enrolled in the firmware's variable store.
SECUREBOOT_RELEASES="bookworm-secureboot trixie-secureboot"
# Where the Secure Boot tools (mtools, virt-fw-vars) run: trixie's root.
SECUREBOOT_TOOLS=trixie
# Their guest plan: the cases tagged "secureboot" in tests/guest/order and
# these entries (smoke, policy, forwarding) with the signed module.
SECUREBOOT_PLAN="module_loads_and_logs_targets device_node_exists module_unloads policy_waits forward_signals"
# The debug tier: a sanitizer kernel built from this release's linux-source
# (scripts/build-debug-kernel), tested as the matrix entry "debug".
DEBUG_BASE=trixie
MATRIX_RELEASES="$ALL_RELEASES $FLAVOUR_RELEASES $SECUREBOOT_RELEASES debug"

log() { printf '[%s] %s\n' "${0##*/}" "$*" >&2; }
die() { printf '[%s] error: %s\n' "${0##*/}" "$*" >&2; exit 1; }

check_release() {
	case " $MATRIX_RELEASES " in
	*" $1 "*) ;;
	*) die "unknown release '$1' (known: $MATRIX_RELEASES)" ;;
	esac
}

# Suites whose packages are needed for a release: kernel ABIs move to the
# security suite between point releases, testing has none.
release_suites() {
	case $1 in
	forky) echo "forky" ;;
	*) echo "$1 $1-updates $1-security" ;;
	esac
}

# sources.list lines for a release (shared by the host-side private apt and the
# build root's own apt).
release_sources() {
	local s
	for s in $(release_suites "$1"); do
		case $s in
		*-security) echo "deb $SECURITY_MIRROR $s main" ;;
		*) echo "deb $MIRROR $s main" ;;
		esac
	done
}

# Private apt for the host: never touches the machine's own apt configuration.
apt_private() {
	local rel=$1; shift
	local dir=$CACHE/apt/$rel
	mkdir -p "$dir/lists/partial" "$dir/archives/partial" "$dir/etc"
	apt-get -q -o Dir::Etc::SourceList="$dir/etc/sources.list" \
		-o Dir::Etc::SourceParts=/dev/null \
		-o Dir::State::Lists="$dir/lists" \
		-o Dir::Cache="$dir" -o Dir::Cache::archives="$dir/archives" \
		-o Dir::State::status=/dev/null \
		-o APT::Get::List-Cleanup=0 \
		-o Acquire::Retries=3 -o Acquire::Check-Valid-Until=false "$@"
}

apt_private_cache() {
	local rel=$1; shift
	local dir=$CACHE/apt/$rel
	apt-cache -o Dir::Etc::SourceList="$dir/etc/sources.list" \
		-o Dir::Etc::SourceParts=/dev/null \
		-o Dir::State::Lists="$dir/lists" \
		-o Dir::Cache="$dir" -o Dir::State::status=/dev/null "$@"
}

# The one place that maps a matrix entry to its base release (whose apt
# sources, build root and linux-source it uses) and its kernel flavour:
# "" for the stock linux-image-amd64, "rt"/"cloud" for
# linux-image-rt-amd64/linux-image-cloud-amd64, "secureboot" for the signed
# stock image booted under Secure Boot, "debug" for the self-built debug tier.
base_release() {
	case $1 in
	debug) echo "$DEBUG_BASE" ;;
	*-*) echo "${1%%-*}" ;;
	*) echo "$1" ;;
	esac
}
flavour_of() {
	case $1 in
	debug) echo debug ;;
	*-*) echo "${1#*-}" ;;
	*) echo "" ;;
	esac
}
secureboot() { [ "$(flavour_of "$1")" = secureboot ]; }
# Where one release's kernel is unpacked; filled by scripts/fetch-kernel.
kernel_dir() { echo "$CACHE/kernels/$1"; }
# Flavours and the debug kernel build, and their modules too, in the base
# release's root (which holds the headers of every ABI built there).
root_dir() { echo "$CACHE/roots/$(base_release "$1")"; }

# Run a command in a build root with /proc mounted (objtool reads it), in a
# private mount namespace: concurrent users of one root cannot unmount it
# under each other, and nothing stays mounted afterwards.
in_root() {
	local root=$1; shift
	unshare --mount --propagation private sh -c \
		'mount -t proc proc "$1/proc" && exec chroot "$@"' _ "$root" "$@"
}
