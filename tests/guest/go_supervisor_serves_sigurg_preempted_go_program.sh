# A Go supervisor (go/cmd/sigfwd-gosup, on the go/sigfwd package) serves a
# trapped Go program whose runtime preempts it with SIGURG (and which sends
# itself SIGURG every 2 ms): under each policy, from the filter's tagged
# return value and from the listener, every call completes with exactly one
# notification, and under FORWARD the supervisor gets records. (The empty
# policy is the stock kernel, which live-locks here: see make demo.)
. /sigfwd/lib.sh
load
for p in 1 3 4 6; do
	sigfwd-gosup -calls 40 $p /sigfwd/bin/sigfwd-gotrapped || fail "policy $p from the filter"
done
for p in 3 6; do
	sigfwd-gosup -listener -calls 40 $p /sigfwd/bin/sigfwd-gotrapped || fail "policy $p from the listener"
done
