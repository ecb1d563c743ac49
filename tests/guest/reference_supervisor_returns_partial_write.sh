# The reference supervisor (tools/sigfwd-supervise) emulates a slow write;
# a signal mid-way is forwarded to it and the write returns the bytes done.
. /sigfwd/lib.sh
load
partial_write sigfwd-supervise
cat /tmp/err
set -- $(grep '^wrote' /tmp/err)
n=$2 handled=$4
[ -n "$n" ] && [ "$n" -gt 0 ] && [ "$n" -lt 40 ] || fail "write returned '$n', not a partial count"
[ "$handled" = 1 ] || fail "handler ran $handled times"
[ "$(wc -c </tmp/out)" = "$n" ] || fail "stdout has $(wc -c </tmp/out) bytes, write said $n"
[ "$(cat /tmp/out)" = "$(echo 0123456789abcdefghijklmnopqrstuvwxyzABCD | cut -c1-$n)" ] ||
	fail "stdout is not the first $n bytes"
grep -q 'sigfwd-supervise: signal 10 for write' /tmp/err || fail "no forwarded signal logged"
