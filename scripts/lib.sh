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
# Debian's stock arm64 kernels: cross-built in the base release's (amd64) root,
# booted with qemu-system-aarch64.
ARM64_RELEASES="bullseye-arm64 bookworm-arm64 trixie-arm64 forky-arm64"
MATRIX_RELEASES="$ALL_RELEASES $FLAVOUR_RELEASES $SECUREBOOT_RELEASES $ARM64_RELEASES debug"

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
# build root's own apt); $2 limits them to one architecture.
release_sources() {
	local s opt=${2:+[arch=$2] }
	for s in $(release_suites "$1"); do
		case $s in
		*-security) echo "deb $opt$SECURITY_MIRROR $s main" ;;
		*) echo "deb $opt$MIRROR $s main" ;;
		esac
	done
}

# The private apt configuration a release's kernel comes from: the base
# release's, or for an arm64 entry its arm64-only twin BASE-arm64.
apt_key() {
	local base
	base=$(base_release "$1")
	case $(arch_of "$1") in
	amd64) echo "$base" ;;
	*) echo "$base-$(arch_of "$1")" ;;
	esac
}
# apt options for a private apt configuration of another architecture.
apt_arch_opts() {
	case $1 in
	*-arm64) echo "-o APT::Architecture=arm64 -o APT::Architectures::=arm64" ;;
	esac
}

# Private apt for the host: never touches the machine's own apt configuration.
# KEY is a base release (amd64) or BASE-arm64 (apt_key).
apt_private() {
	local rel=$1; shift
	local dir=$CACHE/apt/$rel
	mkdir -p "$dir/lists/partial" "$dir/archives/partial" "$dir/etc"
	# shellcheck disable=SC2046
	apt-get -q $(apt_arch_opts "$rel") -o Dir::Etc::SourceList="$dir/etc/sources.list" \
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
	# shellcheck disable=SC2046
	apt-cache $(apt_arch_opts "$rel") -o Dir::Etc::SourceList="$dir/etc/sources.list" \
		-o Dir::Etc::SourceParts=/dev/null \
		-o Dir::State::Lists="$dir/lists" \
		-o Dir::Cache="$dir" -o Dir::State::status=/dev/null "$@"
}

# The one place that maps a matrix entry to its base release (whose apt
# sources, build root and linux-source it uses) and its kernel flavour:
# "" for the stock linux-image-amd64, "rt"/"cloud" for
# linux-image-rt-amd64/linux-image-cloud-amd64, "secureboot" for the signed
# stock image booted under Secure Boot, "debug" for the self-built debug tier.
# An entry NAME-arm64 is the arm64 kernel of NAME (arch_of); its flavour is
# NAME's.
base_release() {
	case $1 in
	debug) echo "$DEBUG_BASE" ;;
	*-*) echo "${1%%-*}" ;;
	*) echo "$1" ;;
	esac
}
flavour_of() {
	local r=${1%-arm64}
	case $r in
	debug) echo debug ;;
	*-*) echo "${r#*-}" ;;
	*) echo "" ;;
	esac
}
secureboot() { [ "$(flavour_of "$1")" = secureboot ]; }
arch_of() {
	case $1 in
	*-arm64) echo arm64 ;;
	*) echo amd64 ;;
	esac
}
# The entry whose build root cross builds an architecture's static guest
# programs and upstream selftests (it has the architecture's libraries; the
# other roots only its compiler).
guest_root() {
	case $1 in
	arm64) echo bookworm-arm64 ;;
	esac
}
# GNU triplet of an architecture (cross compilers, multiarch paths).
gnu_type() {
	case $1 in
	arm64) echo aarch64-linux-gnu ;;
	*) echo x86_64-linux-gnu ;;
	esac
}
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
