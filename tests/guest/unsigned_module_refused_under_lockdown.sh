# The same module unsigned is refused under lockdown with the kernel's own
# message (the README quotes it). Debian's kernels enforce module signatures
# under Secure Boot: the refusal is EKEYREJECTED, not lockdown's EPERM.
. /sigfwd/lib.sh
key_rejected /sigfwd/unsigned/seccomp_sigfwd.ko "unsigned module" \
	'Loading of unsigned module is rejected'
