# The module signed by a key that is not enrolled (valid signature, unknown
# signer) is refused: the kernel checks the signer, not only a signature.
. /sigfwd/lib.sh
key_rejected /sigfwd/other/seccomp_sigfwd.ko "module signed with the unenrolled key" \
	'Loading of module with unavailable key is rejected'
