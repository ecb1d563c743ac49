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
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/ftrace.h>
#include <linux/ptrace.h>
#include <linux/string.h>
#include "compat.h"
#include "sigfwd.h"
#include "symbols.h"

static void notrace release_ftrace(unsigned long ip, unsigned long parent_ip,
				   struct ftrace_ops *op, sigfwd_fregs_t *fregs)
{
	struct pt_regs *regs = sigfwd_get_regs(fregs);
	struct file *file;

	/* SAVE_REGS without _IF_SUPPORTED: registration fails without regs. */
	if (!regs)
		return;
	file = (struct file *)regs_get_kernel_argument(regs, 1);
	sigfwd_listener_released(file->private_data);
}

static struct ftrace_ops release_ops = {
	.func = release_ftrace,
	.flags = FTRACE_OPS_FL_SAVE_REGS | FTRACE_OPS_FL_PERMANENT |
		 SIGFWD_FTRACE_RECURSION,
};

int sigfwd_release_hook_init(void)
{
	char name[] = "seccomp_notify_release";
	int ret;

	ret = ftrace_set_filter(&release_ops, name, strlen(name), 0);
	if (ret)
		return sigfwd_refuse("cannot trace %s (%d)", name, ret);
	ret = register_ftrace_function(&release_ops);
	if (ret) {
		sigfwd_ftrace_free_filter(&release_ops);
		/* EBUSY: a PERMANENT ops needs kernel.ftrace_enabled=1. */
		sigfwd_refuse("cannot hook %s (%d%s)", name, ret,
			      ret == -EBUSY ? ", is kernel.ftrace_enabled 0?" : "");
		return ret;
	}
	return 0;
}

void sigfwd_release_hook_exit(void)
{
	unregister_ftrace_function(&release_ops);
	sigfwd_ftrace_free_filter(&release_ops);
}
