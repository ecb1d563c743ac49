// SPDX-License-Identifier: GPL-2.0
/*
 * sigfwd_test_livepatch: a livepatch for the guest tests, built like
 * samples/livepatch/livepatch-sample.c. It replaces
 * wait_for_completion_interruptible(), the function a stock kernel's
 * notification wait sleeps in, with an equivalent built from an exported
 * sibling. A task waiting for its supervisor while the patch is applied keeps
 * the transition from completing until livepatch sends it a fake signal,
 * which is what the tests measure. It patches the very function
 * seccomp_sigfwd hooks, so the two cannot be loaded together.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/completion.h>
#include <linux/kernel.h>
#include <linux/livepatch.h>
#include <linux/module.h>

/* Same contract: 0 once completed, -ERESTARTSYS when interrupted. */
static int livepatch_wait_for_completion_interruptible(struct completion *x)
{
	long t = wait_for_completion_interruptible_timeout(x, MAX_SCHEDULE_TIMEOUT);

	return t < 0 ? (int)t : 0;
}

static struct klp_func funcs[] = {
	{
		.old_name = "wait_for_completion_interruptible",
		.new_func = livepatch_wait_for_completion_interruptible,
	}, { }
};

static struct klp_object objs[] = {
	{
		/* name being NULL means vmlinux */
		.funcs = funcs,
	}, { }
};

static struct klp_patch patch = {
	.mod = THIS_MODULE,
	.objs = objs,
};

static int __init sigfwd_test_livepatch_init(void)
{
	return klp_enable_patch(&patch);
}

static void __exit sigfwd_test_livepatch_exit(void)
{
}

module_init(sigfwd_test_livepatch_init);
module_exit(sigfwd_test_livepatch_exit);
MODULE_DESCRIPTION("seccomp_sigfwd test: livepatch of the notification wait");
MODULE_AUTHOR("seccomp-sigfwd developers");
MODULE_LICENSE("GPL");
MODULE_INFO(livepatch, "Y");
