# More calls to wait_for_completion_interruptible than the module's table
# holds refuse the load (E2BIG, one line) instead of leaving some unhooked:
# the table is made one entry smaller than this kernel's count.
. /sigfwd/lib.sh
unload
dmesg -c >/dev/null
load
n=$(dmesg | sed -n 's/.*resolved \([0-9]*\) wait call site(s).*/\1/p')
unload
[ -n "$n" ] && [ "$n" -ge 1 ] || fail "no wait call sites logged"
refused "test_max_wait_sites=$((n - 1))" 7 \
	"more than $((n - 1)) calls to wait_for_completion_interruptible in seccomp_do_user_notification"
