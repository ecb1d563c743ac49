// SPDX-License-Identifier: GPL-2.0
/*
 * Intercept bpf_prog_destroy(struct bpf_prog *), exported, which frees a
 * classic BPF program: seccomp's filters' and sockets'. policy.c caches what
 * a seccomp program returns by the program's address; the entry goes with
 * the program, before the address can be reused. It goes live before the
 * wait's intercept, which makes the entries.
 *
 * No IPMODIFY (it coexists with livepatch); PERMANENT as the release's. The
 * callback runs in atomic context.
 */

#include "intercept.h"
#include "sigfwd.h"

static void notrace destroy_callback(unsigned long ip, unsigned long parent_ip,
				     struct ftrace_ops *op,
				     struct ftrace_regs *fregs)
{
	sigfwd_prog_gone((const void *)sigfwd_argument(fregs, 0));
}

struct sigfwd_intercept sigfwd_intercept_bpf_prog_destroy = {
	.func = "bpf_prog_destroy",
	.callback = destroy_callback,
	.flags = FTRACE_OPS_FL_PERMANENT,
	/* A PERMANENT ops needs kernel.ftrace_enabled=1. */
	.busy = "is kernel.ftrace_enabled 0?",
};
