# The module DKMS built and installed in the release's own build root loads
# and forwards signals like the one make builds.
. /sigfwd/lib.sh
dk=/sigfwd/dkms/seccomp_sigfwd.ko
[ -e $dk ] || fail "no DKMS-built module in the initramfs"
unload
insmod $dk || fail "insmod of the DKMS module failed"
dmesg | grep -q 'seccomp_sigfwd: loaded' || fail "no load line"
forward_signals forward.forwarded_signal_gets_partial_write_result || fail "forwarding"
policy_waits after_recv.policy_from_listener_survives.signal || fail "policy"
rmmod seccomp_sigfwd || fail "rmmod"
