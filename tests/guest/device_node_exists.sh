# The misc device appears with the module, open to unprivileged supervisors.
. /sigfwd/lib.sh
load
[ -c /dev/seccomp-sigfwd ] || fail "/dev/seccomp-sigfwd missing"
ls -l /dev/seccomp-sigfwd
ls -l /dev/seccomp-sigfwd | grep -q '^crw-rw-rw-' || fail "mode is not 0666"
