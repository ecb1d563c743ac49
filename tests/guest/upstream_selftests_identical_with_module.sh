# The kernel's own seccomp selftests give the same result for every test
# with the module loaded (empty policy) as without it; with every policy bit
# on for every notification, only the tests that signal a waiting
# notification may differ.
#
# Some upstream tests are timing-sensitive under emulation (7.2's
# user_notification_wait_killable_after_reply flips on the stock kernel
# alone). When a run differs, both sides run twice more and only a test
# whose outcomes without and with the module never overlap is a difference.
. /sigfwd/lib.sh
st=/sigfwd/bin/seccomp_bpf
[ -x $st ] || fail "no seccomp_bpf built for this kernel"
# "ok 12 global.mode_strict_support" -> "global.mode_strict_support pass";
# "fail" and "skip" likewise (a skip's reason is dropped).
results() {
	sed -nE 's/^(not ok|ok) [0-9]+ ([^ #]+)( # (SKIP).*)?.*$/\2 \1\4/p' "$1" |
		sed -E 's/ not ok$/ fail/; s/ okSKIP$/ skip/; s/ ok$/ pass/' | sort
}
run() { # side round [module parameters]
	unload
	[ $1 = stock ] || load $3
	$st >$1.out.$2 2>&1
	results $1.out.$2 >$1.res.$2
	[ -s $1.res.$2 ] || fail "the selftest printed no results ($1)"
}
# With a policy for every notification (default_policy=7, all bits, as a
# runner attaching a listener policy would set), only the tests that signal
# a task waiting for its supervisor may change (each policy holds such a
# signal); every other test must give the stock result.
SIGNAL_TESTS=' global.user_notification_signal global.user_notification_wait_killable global.user_notification_wait_killable_pre_notification global.user_notification_wait_killable_fatal '
policy_run() {
	run policy 1 default_policy=7
	changed=$(awk 'NR == FNR { s[$1] = $2; next } s[$1] != $2 { print $1 }' \
		stock.res.1 policy.res.1)
	echo "default_policy=7: $(grep -c ' pass$' policy.res.1) pass; changed:" $changed
	odd=
	for t in $changed; do
		case "$SIGNAL_TESTS" in
		*" $t "*) ;;
		*) odd="$odd $t" ;;
		esac
	done
	[ -n "$odd" ] || { unload; return; }
	# As below: a flaky test fails only if its outcomes never overlap.
	echo "changed outside the signal tests:$odd; two more rounds each"
	for i in 2 3; do
		run stock p$i
		run policy $i default_policy=7
	done
	for t in $odd; do
		s=$(cat stock.res.* | awk -v t=$t '$1 == t { print $2 }' | sort -u)
		p=$(cat policy.res.* | awk -v t=$t '$1 == t { print $2 }' | sort -u)
		same=
		for o in $p; do echo "$s" | grep -qx "$o" && same=1; done
		[ -n "$same" ] || fail "default_policy=7 changed $t (stock:" $s "policy:" $p "), which signals no waiting notification"
		echo "flaky either way: $t stock:" $s "policy:" $p
	done
	unload
}
cd /tmp
run stock 1
run module 1
for r in stock module; do
	echo "$r: $(grep -c ' pass$' $r.res.1) pass, $(grep -c ' fail$' $r.res.1) fail, $(grep -c ' skip$' $r.res.1) skip"
done
grep -v ' pass$' stock.res.1 | sed 's/^/stock: /'
policy_run
cmp -s stock.res.1 module.res.1 && exit 0
diff stock.res.1 module.res.1
echo "results differ: two more rounds each"
for i in 2 3; do run stock $i; run module $i; done
# Per test: outcomes seen without (S) and with (M) the module.
cat stock.res.* | sed 's/^/S /' >all
cat module.res.* | sed 's/^/M /' >>all
awk '{ seen[$2, $1, $3] = 1; tests[$2] = 1; outs[$3] = 1 }
	END {
		for (t in tests) {
			overlap = 0; s = ""; m = ""
			for (o in outs) {
				if (seen[t, "S", o]) s = s " " o
				if (seen[t, "M", o]) m = m " " o
				if (seen[t, "S", o] && seen[t, "M", o]) overlap = 1
			}
			if (!overlap) { print "differs: " t " without:" s " with:" m; bad = 1 }
			else if (s != m) print "flaky either way: " t " without:" s " with:" m
		}
		exit bad
	}' all || fail "results differ with the module loaded"
