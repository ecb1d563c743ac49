// SPDX-License-Identifier: GPL-2.0
/*
 * Redirect the notification wait. An ftrace_ops with IPMODIFY (as livepatch
 * uses) on the exported wait_for_completion_interruptible() sends the calls
 * made from seccomp_do_user_notification() to sigfwd_wait(), which has the
 * same signature; every other caller passes straight through. The caller is
 * recognised by the exact return addresses found in symbols.c.
 *
 * A wait that cannot have a policy (sigfwd_may_have_policy()) is left to the
 * stock kernel: it runs no module code and holds no module reference.
 *
 * Unload: each redirected wait holds a module reference, so rmmod is refused
 * while a task sleeps in module code. unregister_ftrace_function() waits for
 * callbacks in flight and (via RCU tasks) for any task still between its
 * module_put() and its return, before the module text can go.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ftrace.h>
#include <linux/module.h>
#include <linux/string.h>
#include "compat.h"
#include "sigfwd.h"
#include "symbols.h"

static void notrace sigfwd_ftrace(unsigned long ip, unsigned long parent_ip,
				  struct ftrace_ops *op, sigfwd_fregs_t *fregs)
{
	struct pt_regs *regs = sigfwd_get_regs(fregs);

	if (!regs || !sigfwd_is_wait_site(parent_ip))
		return;
	/* An empty policy is the stock wait, and must not pin the module. */
	if (!sigfwd_may_have_policy())
		return;
	/* Module going away: leave this wait to the stock kernel. */
	if (!try_module_get(THIS_MODULE))
		return;
	regs->ip = (unsigned long)sigfwd_wait;
}

static struct ftrace_ops sigfwd_ops = {
	.func = sigfwd_ftrace,
	.flags = FTRACE_OPS_FL_SAVE_REGS | FTRACE_OPS_FL_IPMODIFY |
		 FTRACE_OPS_FL_PERMANENT | SIGFWD_FTRACE_RECURSION,
};

int sigfwd_hook_init(void)
{
	char name[] = "wait_for_completion_interruptible";
	int ret;

	ret = ftrace_set_filter(&sigfwd_ops, name, strlen(name), 0);
	if (ret)
		return sigfwd_refuse("cannot trace %s (%d)", name, ret);
	ret = register_ftrace_function(&sigfwd_ops);
	if (ret) {
		sigfwd_ftrace_free_filter(&sigfwd_ops);
		/* EBUSY: a livepatch (or another IPMODIFY user) redirects it. */
		sigfwd_refuse("cannot hook %s (%d%s)", name, ret,
			      ret == -EBUSY ? ", already redirected, by a livepatch?" : "");
		return ret;
	}
	return 0;
}

void sigfwd_hook_exit(void)
{
	unregister_ftrace_function(&sigfwd_ops);
	sigfwd_ftrace_free_filter(&sigfwd_ops);
}
