# The module signed with the enrolled machine-owner key (sign-file, as DKMS
# signs it) loads under lockdown; the kernel verified it: no E taint
# ("unsigned module"), only O (out-of-tree).
. /sigfwd/lib.sh
grep -q '\[\(integrity\|confidentiality\)\]' /sys/kernel/security/lockdown ||
	fail "kernel not locked down"
unload
dmesg -c >/dev/null
load
dmesg
dmesg | grep -q 'seccomp_sigfwd: loaded' || fail "no load line"
! dmesg | grep -q 'module verification failed' || fail "signature not verified"
t=$(cat /sys/module/seccomp_sigfwd/taint)
echo "module taint: $t"
[ "$t" = O ] || fail "module taint is '$t', not O"
unload
