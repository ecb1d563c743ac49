# The kernel's own seccomp selftests give the same result for every test
# with the module loaded (empty policy) as without it; with every policy bit
# on for every notification, only the tests that signal a waiting
# notification may differ.
#
# Some upstream tests are timing-sensitive under emulation and flip on the
# stock kernel alone (7.2's user_notification_wait_killable_after_reply,
# tsync_vs_dead_thread_leader on a loaded host). When a test differs, both
# sides run it twice more, and only a test whose outcomes without and with
# the module never overlap is a difference. The retries are bounded: two
# rounds, shared by both comparisons, and only the differing tests when the
# selftest harness can select tests (-r, 5.18+); 5.10's harness cannot, so
# there a round reruns the whole program for the sides that differed.
. /sigfwd/lib.sh
st=/sigfwd/bin/seccomp_bpf
[ -x $st ] || fail "no seccomp_bpf built for this kernel"
# "ok 12 global.mode_strict_support" -> "global.mode_strict_support pass";
# "fail" and "skip" likewise (a skip's reason is dropped).
results() {
	sed -nE 's/^(not ok|ok) [0-9]+ ([^ #]+)( # (SKIP).*)?.*$/\2 \1\4/p' "$1" |
		sed -E 's/ not ok$/ fail/; s/ okSKIP$/ skip/; s/ ok$/ pass/' | sort
}
# run SIDE ROUND [TEST...]: stock (no module), module (empty policy) or
# policy (default_policy=7, all bits, as a runner attaching a listener policy
# would set); with test names, only those tests.
run() {
	side=$1 round=$2 args=
	shift 2
	for t in "$@"; do args="$args -r $t"; done
	unload
	case $side in
	module) load ;;
	policy) load default_policy=7 ;;
	esac
	t0=$(date +%s)
	# shellcheck disable=SC2086
	$st $args >$side.out.$round 2>&1
	results $side.out.$round >$side.res.$round
	unload
	echo "$side round $round${args:+ (only$args)}: $(($(date +%s) - t0))s"
	[ -s $side.res.$round ] || fail "the selftest printed no results ($side)"
}
# Tests whose outcome differs between two result files (or is in only one).
differing() {
	awk 'NR == FNR { a[$1] = $2; next } { b[$1] = $2 }
		END {
			for (t in a) if (a[t] != b[t]) print t
			for (t in b) if (!(t in a)) print t
		}' "$1" "$2" | sort
}
# Each policy holds a signal to a task waiting for its supervisor: these
# tests may change under default_policy=7, no other may.
SIGNAL_TESTS=' global.user_notification_signal global.user_notification_wait_killable global.user_notification_wait_killable_pre_notification global.user_notification_wait_killable_fatal '
# same TEST SIDE: does TEST have an outcome seen both without the module and
# on SIDE over all rounds?
same() {
	s=$(cat stock.res.* | awk -v t=$1 '$1 == t { print $2 }' | sort -u)
	o=$(cat $2.res.* | awk -v t=$1 '$1 == t { print $2 }' | sort -u)
	for x in $o; do
		if echo "$s" | grep -qx "$x"; then
			[ "$s" = "$o" ] || echo "flaky either way: $1 stock:" $s "$2:" $o
			return 0
		fi
	done
	echo "differs: $1 stock:" $s "$2:" $o
	return 1
}

cd /tmp
rm -f stock.* module.* policy.*
run stock 1
run module 1
run policy 1
for r in stock module policy; do
	echo "$r: $(grep -c ' pass$' $r.res.1) pass, $(grep -c ' fail$' $r.res.1) fail, $(grep -c ' skip$' $r.res.1) skip"
done
grep -v ' pass$' stock.res.1 | sed 's/^/stock: /'
mod=$(differing stock.res.1 module.res.1)
pol=
for t in $(differing stock.res.1 policy.res.1); do
	case "$SIGNAL_TESTS" in
	*" $t "*) echo "default_policy=7 changed $t (a signal test)" ;;
	*) pol="$pol $t" ;;
	esac
done
[ -n "$mod$pol" ] || exit 0
echo "empty policy changed:" $mod
echo "default_policy=7 changed outside the signal tests:" $pol
if grep -q 'run specified test' $st; then
	# shellcheck disable=SC2086
	sel=$(printf '%s\n' $mod $pol | sort -u)
	echo "two more rounds of these tests"
else
	sel=
	echo "two more rounds of the whole program (this harness cannot select tests)"
fi
for i in 2 3; do
	# shellcheck disable=SC2086
	run stock $i $sel
	# shellcheck disable=SC2086
	[ -z "$mod" ] || run module $i ${sel:+$mod}
	# shellcheck disable=SC2086
	[ -z "$pol" ] || run policy $i ${sel:+$pol}
done
bad=
for t in $mod; do same $t module || bad="$bad $t"; done
for t in $pol; do same $t policy || bad="$bad $t(default_policy=7)"; done
[ -z "$bad" ] || fail "results differ with the module loaded:$bad"
