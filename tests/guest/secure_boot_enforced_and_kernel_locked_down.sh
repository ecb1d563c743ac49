# The guest booted through shim and GRUB with Secure Boot enforced: the
# kernel says so, locked itself down, and took this run's machine-owner key
# from shim (MokListRT) into a keyring that verifies modules.
. /sigfwd/lib.sh
boot=/tmp/dmesg.boot
grep -Ei 'secure ?boot|lockdown|locked down|MokList|X\.509|machine' $boot
lock=$(cat /sys/kernel/security/lockdown) || fail "no /sys/kernel/security/lockdown"
echo "lockdown: $lock"
echo "$lock" | grep -Eq '\[(integrity|confidentiality)\]' || fail "kernel not locked down: $lock"
grep -q 'Secure boot enabled' $boot || fail "no 'Secure boot enabled' at boot"
grep -q 'Kernel is locked down from EFI Secure Boot' $boot ||
	fail "lockdown not from EFI Secure Boot mode"
grep -q "Loaded X.509 cert 'seccomp-sigfwd test MOK" $boot ||
	fail "the machine-owner key was not loaded from MokListRT"
