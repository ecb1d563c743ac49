# modinfo shows version, description, licence and a description for every
# parameter.
. /sigfwd/lib.sh
mkdir -p /lib/modules/$(uname -r)
touch /lib/modules/$(uname -r)/modules.dep
info=$(modinfo $KO) || fail "modinfo failed"
echo "$info"
for f in version description license; do
	echo "$info" | grep -Eq "^$f: +[^ ]" || fail "no $f"
done
echo "$info" | grep -q '^license: *GPL$' || fail "licence is not GPL"
params=$(echo "$info" | sed -nE 's/^parm: +([a-z_]+):.*/\1/p')
for p in default_policy live_objects max_user_orphans test_require_symbol \
	test_max_wait_sites test_btf_path; do
	echo "$params" | grep -qx $p || fail "parameter $p not described"
done
