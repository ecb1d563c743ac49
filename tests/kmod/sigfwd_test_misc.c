// SPDX-License-Identifier: GPL-2.0
/*
 * sigfwd_test_misc: a misc device for the load tests, named by the "name"
 * parameter: "seccomp-sigfwd" takes seccomp_sigfwd's name, the default
 * "sigfwd-test-hold" takes none. An open() of it sleeps until the opener
 * gets a signal (at most hold_ms, well below the hung task timeout of a
 * blocked misc_register()); misc_open() calls it under misc_mtx, so a test
 * can hold seccomp_sigfwd's init inside misc_register() while it traps
 * tasks. "holding" counts sleeping opens.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/delay.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/moduleparam.h>

static atomic_t holding = ATOMIC_INIT(0);

static int holding_get(char *buf, const struct kernel_param *kp)
{
	return sprintf(buf, "%d\n", atomic_read(&holding));
}

static const struct kernel_param_ops holding_ops = {
	.get = holding_get,
};

module_param_cb(holding, &holding_ops, NULL, 0444);
MODULE_PARM_DESC(holding, "Opens sleeping now");

static char *name = "sigfwd-test-hold";
module_param(name, charp, 0444);
MODULE_PARM_DESC(name, "The misc device's name");

static unsigned int hold_ms = 20000;
module_param(hold_ms, uint, 0444);
MODULE_PARM_DESC(hold_ms, "Longest sleep of an open(), in ms (at most 60000)");

static int test_open(struct inode *inode, struct file *file)
{
	atomic_inc(&holding);
	msleep_interruptible(min(hold_ms, 60000U));
	atomic_dec(&holding);
	return -EINTR;
}

static const struct file_operations test_fops = {
	.owner = THIS_MODULE,
	.open = test_open,
	.llseek = noop_llseek,
};

static struct miscdevice test_miscdev = {
	.minor = MISC_DYNAMIC_MINOR,
	.fops = &test_fops,
	.mode = 0600,
};

static int __init sigfwd_test_misc_init(void)
{
	test_miscdev.name = name;
	return misc_register(&test_miscdev);
}

static void __exit sigfwd_test_misc_exit(void)
{
	misc_deregister(&test_miscdev);
}

module_init(sigfwd_test_misc_init);
module_exit(sigfwd_test_misc_exit);
MODULE_DESCRIPTION("seccomp_sigfwd test: a misc device whose open() sleeps");
MODULE_AUTHOR("seccomp-sigfwd developers");
MODULE_LICENSE("GPL");
