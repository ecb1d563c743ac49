// SPDX-License-Identifier: GPL-2.0
/*
 * Intercept seccomp_notify_release(struct inode *, struct file *), the
 * release of a listener file, so its binding is dropped before the filter
 * can be freed and its address reused.
 *
 * An ftrace_ops (no IPMODIFY, so it coexists with livepatch) rather than a
 * kprobe: kprobes can be switched off through debugfs, and a PERMANENT ops
 * makes `sysctl kernel.ftrace_enabled=0` fail with EBUSY while the module is
 * loaded (and the load fail while it is 0). The callback runs in atomic
 * context: see sigfwd_listener_released() for what it may do there.
 */

#include <linux/fs.h>
#include "intercept.h"
#include "sigfwd.h"

static void notrace release_callback(unsigned long ip, unsigned long parent_ip,
				     struct ftrace_ops *op,
				     struct ftrace_regs *fregs)
{
	struct file *file = (struct file *)sigfwd_argument(fregs, 1);

	sigfwd_listener_released(file->private_data);
}

struct sigfwd_intercept sigfwd_intercept_seccomp_notify_release = {
	.func = "seccomp_notify_release",
	.callback = release_callback,
	.flags = FTRACE_OPS_FL_PERMANENT,
	/* A PERMANENT ops needs kernel.ftrace_enabled=1. */
	.busy = "is kernel.ftrace_enabled 0?",
};
