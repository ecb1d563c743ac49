// SPDX-License-Identifier: GPL-2.0
/*
 * sigfwd_test_misc_taken: a misc device named "seccomp-sigfwd", so that a
 * later load of seccomp_sigfwd fails at misc_register(). An open() of it
 * sleeps until the opener gets a signal (at most 10 s, well below the hung
 * task timeout of a blocked misc_register()); misc_open() calls it under
 * misc_mtx, so the tests can hold seccomp_sigfwd's init inside
 * misc_register() while they trap tasks. "holding" counts sleeping opens.
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

static int taken_open(struct inode *inode, struct file *file)
{
	atomic_inc(&holding);
	msleep_interruptible(10000);
	atomic_dec(&holding);
	return -EINTR;
}

static const struct file_operations taken_fops = {
	.owner = THIS_MODULE,
	.open = taken_open,
	.llseek = noop_llseek,
};

static struct miscdevice taken_miscdev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "seccomp-sigfwd",
	.fops = &taken_fops,
	.mode = 0600,
};

static int __init sigfwd_test_misc_taken_init(void)
{
	return misc_register(&taken_miscdev);
}

static void __exit sigfwd_test_misc_taken_exit(void)
{
	misc_deregister(&taken_miscdev);
}

module_init(sigfwd_test_misc_taken_init);
module_exit(sigfwd_test_misc_taken_exit);
MODULE_DESCRIPTION("seccomp_sigfwd test: takes the module's misc device name");
MODULE_AUTHOR("seccomp-sigfwd developers");
MODULE_LICENSE("GPL");
