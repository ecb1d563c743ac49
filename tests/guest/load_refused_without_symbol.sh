# A kernel lacking a required symbol refuses the load with one clear line.
. /sigfwd/lib.sh
unload
dmesg -c >/dev/null
out=$(finit $KO test_require_symbol=sigfwd_no_such_symbol) && {
	rmmod seccomp_sigfwd
	fail "load succeeded without the symbol"
}
echo "$out"
dmesg
! loaded || fail "module listed after refusal"
echo "$out" | grep -q 'errno 2)' || fail "refusal is not ENOENT"
[ "$(dmesg | grep -v taint | grep -c 'seccomp_sigfwd:')" = 1 ] || fail "not exactly one log line"
dmesg | grep -q "seccomp_sigfwd: refusing to load on $(uname -r): sigfwd_no_such_symbol not found" ||
	fail "refusal does not name the symbol"
