# The packages, as a user installs them: the module DKMS built on
# `apt install ./*.deb` in the release's build root, the reference supervisor
# built against the installed libsigfwd-dev through pkg-config, and
# sigfwd-status from seccomp-sigfwd-tools' source, also built that way.
. /sigfwd/lib.sh
d=/sigfwd/dkms
[ -e $d/seccomp_sigfwd.ko ] || fail "no DKMS-built module in the initramfs"
# The packages are amd64 ones, proven on the amd64 entries; an arm64 entry
# gets the same source built by DKMS (dkms_module_loads_and_forwards).
[ "$(uname -m)" = aarch64 ] && [ ! -e $d/sigfwd-supervise-pkg ] &&
	skip "the packages are built for amd64 only"
[ -x $d/sigfwd-supervise-pkg ] || fail "no pkg-config-built supervisor in the initramfs"
unload
$d/sigfwd-status-pkg && fail "sigfwd-status says ok without the module"
insmod $d/seccomp_sigfwd.ko || fail "insmod of the DKMS module failed"
$d/sigfwd-status-pkg >/tmp/status || { cat /tmp/status; fail "sigfwd-status failed"; }
cat /tmp/status
grep -q "^module: *loaded, version $(cat /sys/module/seccomp_sigfwd/version)" /tmp/status ||
	fail "sigfwd-status does not show the version"
grep -q '^policies: .*FORWARD' /tmp/status || fail "sigfwd-status shows no policies"
partial_write $d/sigfwd-supervise-pkg
cat /tmp/err
set -- $(grep '^wrote' /tmp/err)
n=$2
[ -n "$n" ] && [ "$n" -gt 0 ] && [ "$n" -lt 40 ] || fail "write returned '$n', not a partial count"
[ "$(wc -c </tmp/out)" = "$n" ] || fail "stdout has $(wc -c </tmp/out) bytes, write said $n"
grep -q 'sigfwd-supervise: signal 10 for write' /tmp/err || fail "no forwarded signal logged"
rmmod seccomp_sigfwd || fail "rmmod"
