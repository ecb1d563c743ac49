// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/seccomp-sigfwd: the supervisor's interface. Any user may open it; the
 * seccomp listener fd a supervisor binds is its capability.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/uaccess.h>
#include <linux/version.h>
#include "compat.h"
#include "sigfwd.h"

static long ioctl_version(void __user *arg)
{
	struct seccomp_sigfwd_version v = {
		.version = SECCOMP_SIGFWD_VERSION,
		.policies = SIGFWD_POLICIES,
		.features = SECCOMP_SIGFWD_FEAT_FILTER_DATA,
		.kernel_version = LINUX_VERSION_CODE,
	};

	if (SIGFWD_NATIVE_KILLABLE_RECV)
		v.features |= SECCOMP_SIGFWD_FEAT_NATIVE_KILLABLE_RECV;
	return copy_to_user(arg, &v, sizeof(v)) ? -EFAULT : 0;
}

static long sigfwd_ioctl(struct file *file, unsigned int cmd,
			 unsigned long arg)
{
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case SECCOMP_SIGFWD_IOC_VERSION:
		return ioctl_version(uarg);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations sigfwd_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = sigfwd_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

static struct miscdevice sigfwd_miscdev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "seccomp-sigfwd",
	.fops = &sigfwd_fops,
	.mode = 0666,
};

int sigfwd_device_init(void)
{
	return misc_register(&sigfwd_miscdev);
}

void sigfwd_device_exit(void)
{
	misc_deregister(&sigfwd_miscdev);
}
