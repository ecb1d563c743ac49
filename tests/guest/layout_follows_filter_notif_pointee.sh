# struct notification is the struct seccomp_filter.notif points to, not the
# first struct of that name in BTF: with a decoy renamed "notification" (its
# own list_head renamed "notifications") the offset read stays the real one.
. /sigfwd/lib.sh
offset() { dmesg | sed -n 's/.*notification\.notifications@\([0-9]*\).*/\1/p'; }
unload
dmesg -c >/dev/null
load
real=$(offset)
unload
[ -n "$real" ] || fail "no notification.notifications offset logged"
btf_blob decoy /sys/kernel/btf/vmlinux /tmp/btf.decoy || fail "btf_blob"
dmesg -c >/dev/null
finit $KO test_btf_path=/tmp/btf.decoy || { dmesg; fail "load with the decoy refused"; }
got=$(offset)
dmesg
unload
rm -f /tmp/btf.decoy
[ "$got" = "$real" ] || fail "notifications@$got read from the decoy, the real one is @$real"
