// SPDX-License-Identifier: GPL-2.0
/*
 * seccomp_sigfwd: signal policies for seccomp user notifications on stock
 * kernels. Load order: check that the device name is free, verify the
 * running kernel, expose the device, and hook the waits last.
 * Any doubt about the kernel refuses the load with one log line.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/utsname.h>
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

/*
 * The hook goes live last: from then on waits are redirected and pin the
 * module, and a failed init frees the module without waiting for them.
 */
static int __init sigfwd_init(void)
{
	int ret;

	/* First, so that a taken device name logs only the refusal. */
	ret = sigfwd_device_check();
	if (!ret)
		ret = sigfwd_resolve_targets(test_require_symbol);
	if (!ret)
		ret = sigfwd_read_layout();
	if (!ret)
		ret = sigfwd_listeners_init();
	if (ret)
		goto refuse;
	ret = sigfwd_forward_init();
	if (ret)
		goto out_listeners;
	ret = sigfwd_device_init();
	if (ret)
		goto out_forward;
	ret = sigfwd_hook_init();
	if (ret)
		goto out_device;
	/* Only a load that succeeded logs more than its one line. */
	sigfwd_log_targets();
	sigfwd_log_layout();
	pr_info("loaded %s on %s %s\n", THIS_MODULE->version,
		init_utsname()->release, init_utsname()->version);
	return 0;

out_device:
	sigfwd_device_exit();
out_forward:
	sigfwd_forward_exit();
out_listeners:
	sigfwd_listeners_exit();
refuse:
	pr_err("refusing to load on %s: %s\n", init_utsname()->release,
	       sigfwd_refusal);
	return ret;
}

static void __exit sigfwd_exit(void)
{
	sigfwd_hook_exit();
	sigfwd_device_exit();
	sigfwd_forward_exit();
	sigfwd_listeners_exit();
	pr_info("unloaded\n");
}

module_init(sigfwd_init);
module_exit(sigfwd_exit);
MODULE_DESCRIPTION("Signal policies and forwarding for seccomp user notifications");
MODULE_AUTHOR("seccomp-sigfwd developers");
MODULE_LICENSE("GPL");
MODULE_VERSION(SIGFWD_MODULE_VERSION);	/* from VERSION, via Kbuild */
