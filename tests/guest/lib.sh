# SPDX-License-Identifier: GPL-2.0
# Helpers for the guest's shell test cases (busybox sh).
KO=/sigfwd/seccomp_sigfwd.ko
fail() { echo "FAIL: $*"; exit 1; }
skip() { echo "$*"; exit 77; }
loaded() { grep -q '^seccomp_sigfwd ' /proc/modules; }
load() { loaded || insmod $KO "$@" || { dmesg | tail -n 5; fail "insmod $*"; }; }
unload() { ! loaded || rmmod seccomp_sigfwd || fail "rmmod"; }
