# BTF that is not the running kernel's (here: struct task_struct of another
# size than the module was built with) is refused (EINVAL, one line).
. /sigfwd/lib.sh
unload
btf_blob foreign /sys/kernel/btf/vmlinux /tmp/btf.foreign || fail "btf_blob"
refused test_btf_path=/tmp/btf.foreign 22 \
	"BTF is not the running kernel's (size of struct task_struct: "
rm -f /tmp/btf.foreign
