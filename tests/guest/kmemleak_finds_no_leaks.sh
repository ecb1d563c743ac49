# Last case of the debug tier: with the module unloaded after the whole
# suite, kmemleak finds no unreferenced object. The guest init cleared the
# boot-time suspects, so anything reported comes from the suite.
. /sigfwd/lib.sh
f=/sys/kernel/debug/kmemleak
[ -e $f ] || fail "no $f: kernel without kmemleak"
unload
# Objects younger than 5 s are never reported; scan twice, as
# Documentation/dev-tools/kmemleak.rst advises.
sleep 6
echo scan >$f
sleep 6
echo scan >$f
leaks=$(cat $f)
[ -z "$leaks" ] || { echo "$leaks"; fail "kmemleak reports unreferenced objects"; }
echo "kmemleak: nothing leaked during the suite"
