// SPDX-License-Identifier: GPL-2.0
/*
 * Intercept wait_for_completion_interruptible(), exported, where
 * seccomp_do_user_notification() calls it: those calls are redirected to
 * sigfwd_wait() (wait.c), which has the same signature; every other caller
 * passes straight through. The caller is recognised by the exact return
 * addresses symbols.c found at load.
 *
 * A wait that cannot have a policy (sigfwd_may_have_policy()) is left to the
 * stock kernel: it runs no module code and holds no module reference.
 */

#include <linux/module.h>
#include "intercept.h"
#include "sigfwd.h"
#include "symbols.h"

static void notrace wait_callback(unsigned long ip, unsigned long parent_ip,
				  struct ftrace_ops *op,
				  struct ftrace_regs *fregs)
{
	if (!sigfwd_is_wait_site(parent_ip))
		return;
	/* An empty policy is the stock wait, and must not pin the module. */
	if (!sigfwd_may_have_policy())
		return;
	/* Module going away: leave this wait to the stock kernel. */
	if (!try_module_get(THIS_MODULE))
		return;
	sigfwd_redirect(fregs, sigfwd_wait);
}

struct sigfwd_intercept sigfwd_intercept_wait_for_completion_interruptible = {
	.func = "wait_for_completion_interruptible",
	.callback = wait_callback,
	.flags = FTRACE_OPS_FL_IPMODIFY | FTRACE_OPS_FL_PERMANENT,
	/* Another IPMODIFY ops on it, such as a livepatch's. */
	.busy = "already redirected, by a livepatch?",
};
