# rmmod succeeds and takes the device with it.
. /sigfwd/lib.sh
load
rmmod seccomp_sigfwd || fail "rmmod failed"
! loaded || fail "module still listed"
[ ! -e /dev/seccomp-sigfwd ] || fail "device node left behind"
dmesg | grep -q "seccomp_sigfwd: unloaded" || fail "no unload line"
