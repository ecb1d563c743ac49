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

#define IDLE_DELAY (2 * HZ)

/* Serialises registering an .on_demand intercept with counting its users. */
static DEFINE_MUTEX(users_lock);

static void idle_work(struct work_struct *work)
{
	struct sigfwd_intercept *in = container_of(to_delayed_work(work),
						   struct sigfwd_intercept,
						   idle);

	mutex_lock(&users_lock);
	/* Users only come under users_lock: none now, none until unlock. */
	if (in->live && !atomic_read(&in->users)) {
		unregister_ftrace_function(&in->ops);
		in->live = false;
	}
	mutex_unlock(&users_lock);
}

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
	if (in->on_demand) {
		/*
		 * Registered once, now, to prove that it can be: a filter
		 * that ftrace accepts does not show another IPMODIFY ops on
		 * the function (a livepatch), only registering does.
		 */
		unregister_ftrace_function(ops);
		atomic_set(&in->users, 0);
		in->live = false;
		INIT_DELAYED_WORK(&in->idle, idle_work);
	}
	return 0;
}

/* Unload: no users are left (each holds a module reference). */
void sigfwd_intercept_unregister(struct sigfwd_intercept *in)
{
	if (in->on_demand) {
		cancel_delayed_work_sync(&in->idle);
		WARN_ON_ONCE(atomic_read(&in->users));
		if (in->live)
			unregister_ftrace_function(&in->ops);
		in->live = false;
	} else {
		unregister_ftrace_function(&in->ops);
	}
	ftrace_free_filter(&in->ops);
}

int sigfwd_intercept_get(struct sigfwd_intercept *in)
{
	int ret = 0;

	mutex_lock(&users_lock);
	if (!in->live) {
		ret = register_ftrace_function(&in->ops);
		if (ret)
			pr_warn_ratelimited("cannot hook %s (%d%s%s)\n", in->func,
					    ret, ret == -EBUSY ? ", " : "",
					    ret == -EBUSY ? in->busy : "");
		else
			in->live = true;
	}
	if (!ret)
		atomic_inc(&in->users);
	mutex_unlock(&users_lock);
	return ret;
}

/* Any context: the last user's put leaves the unregistering to idle_work(). */
void sigfwd_intercept_put(struct sigfwd_intercept *in)
{
	if (atomic_dec_and_test(&in->users))
		mod_delayed_work(system_long_wq, &in->idle, IDLE_DELAY);
}
