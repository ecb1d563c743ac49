# The same module unsigned is refused under lockdown with the kernel's own
# message (the README quotes it).
. /sigfwd/lib.sh
u=/sigfwd/unsigned/seccomp_sigfwd.ko
[ -e $u ] || fail "no unsigned build in the initramfs"
unload
dmesg -c >/dev/null
out=$(insmod $u 2>&1) && { rmmod seccomp_sigfwd; fail "unsigned module loaded"; }
echo "insmod: $out"
dmesg
! loaded || fail "module listed after refusal"
# Debian's kernels enforce module signatures under Secure Boot: the refusal
# is EKEYREJECTED with this line, not lockdown's EPERM.
echo "$out" | grep -q 'Key was rejected by service' || fail "insmod did not fail with EKEYREJECTED"
dmesg | grep -q 'Loading of unsigned module is rejected' ||
	fail "no 'Loading of unsigned module is rejected' line"
