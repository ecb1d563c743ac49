# The kernel's own seccomp selftests give the same result for every test
# with the module loaded (empty policy) as without it.
. /sigfwd/lib.sh
st=/sigfwd/bin/seccomp_bpf
[ -x $st ] || fail "no seccomp_bpf built for this kernel"
# "ok 12 global.mode_strict_support" -> "ok global.mode_strict_support";
# a skip keeps its marker, not its reason.
results() {
	sed -nE 's/^(not ok|ok) [0-9]+ ([^ #]+)( # (SKIP).*)?.*$/\1 \2 \4/p' "$1" | sort
}
cd /tmp
unload
$st >stock.out 2>&1
load
$st >module.out 2>&1
results stock.out >stock.res
results module.out >module.res
for r in stock module; do
	echo "$r: $(grep -c '^ok .* $' $r.res) pass, $(grep -c '^not ok' $r.res) fail, $(grep -c 'SKIP$' $r.res) skip"
done
grep -E '^(not ok|ok .*SKIP)' stock.res | sed 's/^/stock: /'
[ -s stock.res ] || fail "the selftest printed no results"
diff stock.res module.res || fail "results differ with the module loaded"
