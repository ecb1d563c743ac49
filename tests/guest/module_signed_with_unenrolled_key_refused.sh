# The module signed by a key that is not enrolled (valid signature, unknown
# signer) is refused: the kernel checks the signer, not only a signature.
. /sigfwd/lib.sh
o=/sigfwd/other/seccomp_sigfwd.ko
[ -e $o ] || fail "no module signed with the unenrolled key in the initramfs"
unload
dmesg -c >/dev/null
out=$(insmod $o 2>&1) && { rmmod seccomp_sigfwd; fail "module with an unknown signer loaded"; }
echo "insmod: $out"
dmesg
! loaded || fail "module listed after refusal"
echo "$out" | grep -q 'Key was rejected by service' || fail "insmod did not fail with EKEYREJECTED"
dmesg | grep -q 'Loading of module with unavailable key is rejected' ||
	fail "no 'Loading of module with unavailable key is rejected' line"
