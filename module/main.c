// SPDX-License-Identifier: GPL-2.0
/*
 * seccomp_sigfwd: signal policies for seccomp user notifications on stock
 * kernels. Load order: check that the device name is free, verify the
 * running kernel, register the device, and intercept the kernel functions,
 * the waits last.
 * Any doubt about the kernel refuses the load with one log line.
 */

#include <linux/module.h>
#include <linux/utsname.h>
#include "intercept.h"
#include "layout.h"
#include "sigfwd.h"
#include "symbols.h"

atomic_t sigfwd_live_objects = ATOMIC_INIT(0);

static int live_objects_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%d\n", atomic_read(&sigfwd_live_objects));
}

static const struct kernel_param_ops live_objects_ops = {
	.get = live_objects_get,
};

/* Root only: other users' objects are none of a user's business. */
module_param_cb(live_objects, &live_objects_ops, NULL, 0400);
MODULE_PARM_DESC(live_objects,
		 "Objects the module holds now (device fds, bindings, records)");

static char *test_require_symbol;
module_param(test_require_symbol, charp, 0400);
MODULE_PARM_DESC(test_require_symbol,
		 "Testing only: also require this kernel symbol at load");

/* The one log line of a refused load; returns @err for init to return. */
int sigfwd_refuse(int err, const char *fmt, ...)
{
	struct va_format vaf;
	va_list args;

	va_start(args, fmt);
	vaf.fmt = fmt;
	vaf.va = &args;
	pr_err("refusing to load on %s: %pV\n", init_utsname()->release, &vaf);
	va_end(args);
	return err;
}

/*
 * What the module intercepts in the kernel, in the order they go live. The
 * wait goes last: from then on waits are redirected and pin the module, and
 * a failed init frees the module without waiting for them.
 */
static struct sigfwd_intercept *const intercepts[] = {
	&sigfwd_intercept_seccomp_notify_release,
	&sigfwd_intercept_seccomp_notify_poll,
	/* Before the wait's: that one caches by program (policy.c). */
	&sigfwd_intercept_bpf_prog_destroy,
	&sigfwd_intercept_wait_for_completion_interruptible,
};

/*
 * Every step that fails logs the one refusal line (sigfwd_refuse()). The
 * device exists before the intercepts, but opens fail until init returns
 * (sigfwd_open()), so nothing binds before the release is intercepted.
 */
static int __init sigfwd_init(void)
{
	int i, ret;

	/* First, so that a taken device name logs only the refusal. */
	ret = sigfwd_device_check();
	if (ret)
		return ret;
	ret = sigfwd_resolve_targets(test_require_symbol);
	if (ret)
		return ret;
	ret = sigfwd_read_layout();
	if (ret)
		return ret;
	ret = sigfwd_device_init();
	if (ret)
		return ret;
	for (i = 0; i < ARRAY_SIZE(intercepts); i++) {
		ret = sigfwd_intercept_register(intercepts[i]);
		if (ret)
			goto out_intercepts;
	}
	/* Only a load that succeeded logs more than its one line. */
	sigfwd_log_targets();
	sigfwd_log_layout();
	pr_info("loaded %s on %s %s\n", THIS_MODULE->version,
		init_utsname()->release, init_utsname()->version);
	return 0;

out_intercepts:
	while (i--)
		sigfwd_intercept_unregister(intercepts[i]);
	sigfwd_listeners_exit();
	sigfwd_device_exit();
	return ret;
}

static void __exit sigfwd_exit(void)
{
	int i = ARRAY_SIZE(intercepts);

	while (i--)
		sigfwd_intercept_unregister(intercepts[i]);
	sigfwd_listeners_exit();
	sigfwd_device_exit();
	pr_info("unloaded\n");
}

module_init(sigfwd_init);
module_exit(sigfwd_exit);
MODULE_DESCRIPTION("Signal policies and forwarding for seccomp user notifications");
MODULE_AUTHOR("seccomp-sigfwd developers");
MODULE_LICENSE("GPL");
MODULE_VERSION(SIGFWD_MODULE_VERSION);	/* from VERSION, via Kbuild */
