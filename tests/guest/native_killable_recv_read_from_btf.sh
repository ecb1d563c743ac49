# FEAT_NATIVE_KILLABLE_RECV says what the running kernel accepts, read from
# its BTF (seccomp_filter.wait_killable_recv), not from a version number:
# it matches a real SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV attempt, and BTF
# without the member (a kernel lacking the flag) clears it.
. /sigfwd/lib.sh
unload
load
out=$(sigfwd_version) || fail "VERSION"
echo "$out"
unload
kernel=$(echo "$out" | sed -n 's/^kernel_killable_recv //p')
feat=$(( 0x$(echo "$out" | sed -n 's/^features 0x\([0-9a-f]*\)$/\1/p') & 1 ))
case $kernel in 0 | 1) ;; *) fail "cannot tell whether the kernel has the flag" ;; esac
[ "$feat" = "$kernel" ] || fail "feature bit $feat, kernel accepts the flag: $kernel"
[ "$kernel" = 1 ] || exit 0
btf_blob nokillable /sys/kernel/btf/vmlinux /tmp/btf.nok || fail "btf_blob"
finit $KO test_btf_path=/tmp/btf.nok || fail "load with BTF lacking the member"
out=$(sigfwd_version)
echo "$out"
unload
rm -f /tmp/btf.nok
echo "$out" | grep -q '^features 0x[0-9a-f]*[02468ace]$' ||
	fail "feature bit set although BTF has no wait_killable_recv"
