// SPDX-License-Identifier: GPL-2.0
/*
 * Registering an intercept (intercept.h): an ftrace_ops filtered to the one
 * function, with the regs flavour the kernel supports (compat.h).
 *
 * Unload: an intercept that redirects takes a module reference for each
 * redirected call, dropped by the module's function just before it returns,
 * so rmmod is refused while a task runs module code.
 * unregister_ftrace_function() waits for callbacks in flight and (via RCU
 * tasks) for any task still between its module_put() and its return, before
 * the module text can go.
 */

#include <linux/slab.h>
#include <linux/string.h>
#include "intercept.h"
#include "sigfwd.h"

int sigfwd_intercept_register(struct sigfwd_intercept *in)
{
	struct ftrace_ops *ops = &in->ops;
	char *name;
	int ret;

	if (in->check) {
		ret = in->check();
		if (ret)
			return ret;
	}
	ops->func = in->callback;
	ops->flags = in->flags | SIGFWD_FTRACE_OPS_FL_REGS |
		     FTRACE_OPS_FL_RECURSION_SAFE;
	/* ftrace_set_filter() takes a writable buffer. */
	name = kstrdup(in->func, GFP_KERNEL);
	if (!name)
		return sigfwd_refuse(-ENOMEM, "no memory to trace %s", in->func);
	ret = ftrace_set_filter(ops, name, strlen(name), 0);
	kfree(name);
	if (ret)
		return sigfwd_refuse(ret, "cannot trace %s (%d)", in->func, ret);
	ret = register_ftrace_function(ops);
	if (ret) {
		ftrace_free_filter(ops);
		return sigfwd_refuse(ret, "cannot hook %s (%d%s%s)", in->func, ret,
				     ret == -EBUSY ? ", " : "",
				     ret == -EBUSY ? in->busy : "");
	}
	return 0;
}

void sigfwd_intercept_unregister(struct sigfwd_intercept *in)
{
	unregister_ftrace_function(&in->ops);
	ftrace_free_filter(&in->ops);
}
