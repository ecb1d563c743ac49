# SPDX-License-Identifier: GPL-2.0
# Helpers for the guest's shell test cases (busybox sh).
KO=/sigfwd/seccomp_sigfwd.ko
fail() { echo "FAIL: $*"; exit 1; }
skip() { echo "$*"; exit 77; }
loaded() { grep -q '^seccomp_sigfwd ' /proc/modules; }
load() { loaded || insmod $KO "$@" || { dmesg | tail -n 5; fail "insmod $*"; }; }
unload() { ! loaded || rmmod seccomp_sigfwd || fail "rmmod"; }
# refused PARAMS ERRNO REASON: loading with PARAMS fails with ERRNO and exactly
# one log line, "refusing to load on <release>: REASON" (REASON a regex).
refused() {
	dmesg -c >/dev/null
	out=$(finit $KO "$1") && {
		rmmod seccomp_sigfwd
		dmesg
		fail "load with $1 succeeded"
	}
	echo "$out"
	dmesg
	! loaded || fail "module listed after refusal"
	echo "$out" | grep -q "(errno $2)" || fail "refusal is not errno $2"
	[ "$(dmesg | grep -v taint | grep -c 'seccomp_sigfwd:')" = 1 ] ||
		fail "not exactly one log line"
	dmesg | grep -q "seccomp_sigfwd: refusing to load on $(uname -r): $3" ||
		fail "refusal does not say: $3"
}
# key_rejected KO WHAT LINE: Secure Boot refuses module file KO (WHAT it is)
# with EKEYREJECTED and the kernel's log LINE.
key_rejected() {
	[ -e "$1" ] || fail "no $2 in the initramfs"
	unload
	dmesg -c >/dev/null
	out=$(insmod "$1" 2>&1) && { rmmod seccomp_sigfwd; fail "$2 loaded"; }
	echo "insmod: $out"
	dmesg
	! loaded || fail "module listed after refusal"
	echo "$out" | grep -q 'Key was rejected by service' || fail "insmod did not fail with EKEYREJECTED"
	dmesg | grep -q "$3" || fail "no '$3' line"
}
# partial_write SUPERVISOR...: the supervisor runs partial_writer (40 bytes,
# 20 ms each; the writer's thread signals it once the first byte is written)
# into /tmp/out and /tmp/err.
partial_write() {
	"$@" -d 20 partial_writer >/tmp/out 2>/tmp/err || fail "supervisor failed"
}
