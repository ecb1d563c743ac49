# insmod succeeds and logs the kernel version and every resolved target.
. /sigfwd/lib.sh
unload
dmesg -c >/dev/null
load
dmesg
dmesg | grep -q "seccomp_sigfwd: loaded .* on $(uname -r)" || fail "no load line with the kernel version"
dmesg | grep -q "seccomp_sigfwd: resolved seccomp_do_user_notification" || fail "notification wait not logged"
dmesg | grep -q "seccomp_sigfwd: resolved [1-9] wait call site(s), seccomp_notify_poll" || fail "wait sites/listener ops not logged"
