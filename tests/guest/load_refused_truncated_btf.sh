# BTF whose last type runs past the end of its type section is refused
# (EINVAL, one line), not read beyond the section.
. /sigfwd/lib.sh
unload
btf_blob truncate /sys/kernel/btf/vmlinux /tmp/btf.truncated || fail "btf_blob"
refused test_btf_path=/tmp/btf.truncated 22 "BTF type [0-9]* truncated"
rm -f /tmp/btf.truncated
