// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/seccomp-sigfwd: the supervisor's interface. Any user may open it; the
 * seccomp listener fd a supervisor binds is its capability.
 */

#define SIGFWD_MISC_NAME "seccomp-sigfwd"

#include <linux/file.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/poll.h>
#include <linux/mutex.h>
#include <linux/namei.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/version.h>
#include "layout.h"
#include "sigfwd.h"

/*
 * One open device fd: bound to at most one listener, once. Pollers wait on
 * the fd's own queue from open, as epoll registers only once (at ADD, maybe
 * before BIND); once bound, the listener's wake-ups are relayed to it.
 */
struct sigfwd_client {
	struct mutex lock;	/* serialises bind and policy changes */
	struct sigfwd_listener *listener;
	wait_queue_head_t wq;
	wait_queue_entry_t relay;	/* on the listener's wq once bound */
};

static int relay_wake(wait_queue_entry_t *wait, unsigned int mode, int sync,
		      void *key)
{
	struct sigfwd_client *c = container_of(wait, struct sigfwd_client,
					       relay);

	__wake_up(&c->wq, mode, 0, key);
	return 0;
}

static long ioctl_version(void __user *arg)
{
	struct seccomp_sigfwd_version v = {
		.version = SECCOMP_SIGFWD_VERSION,
		.policies = SIGFWD_POLICIES,
		.features = SECCOMP_SIGFWD_FEAT_FILTER_DATA,
		.kernel_version = LINUX_VERSION_CODE,
	};

	if (sigfwd_layout.native_killable_recv)
		v.features |= SECCOMP_SIGFWD_FEAT_NATIVE_KILLABLE_RECV;
	return copy_to_user(arg, &v, sizeof(v)) ? -EFAULT : 0;
}

static long ioctl_bind(struct sigfwd_client *c, void __user *arg)
{
	struct seccomp_sigfwd_bind b;
	struct fd f;
	long ret;

	if (copy_from_user(&b, arg, sizeof(b)))
		return -EFAULT;
	if (b.flags)
		return -EINVAL;
	f = fdget(b.listener_fd);
	if (!fd_file(f))
		return -EBADF;
	mutex_lock(&c->lock);
	if (c->listener) {
		ret = -EBUSY;
	} else {
		ret = sigfwd_listener_bind(fd_file(f), &c->listener);
		if (!ret)
			sigfwd_listener_relay(c->listener, &c->relay);
	}
	mutex_unlock(&c->lock);
	fdput(f);
	/* Pollers that saw the fd unbound look again (a record may be in). */
	if (!ret)
		wake_up_all(&c->wq);
	return ret;
}

static long ioctl_policy(struct sigfwd_client *c, unsigned int cmd,
			 void __user *arg)
{
	struct seccomp_sigfwd_policy p = {};
	long ret = 0;

	if (cmd == SECCOMP_SIGFWD_IOC_SET_POLICY) {
		if (copy_from_user(&p, arg, sizeof(p)))
			return -EFAULT;
		if (p.flags || (p.policy & ~SIGFWD_POLICIES))
			return -EINVAL;
	}
	mutex_lock(&c->lock);
	if (!c->listener)
		ret = -ENOTCONN;
	else if (cmd == SECCOMP_SIGFWD_IOC_SET_POLICY)
		ret = sigfwd_listener_set_policy(c->listener, p.policy);
	else
		ret = sigfwd_listener_get_policy(c->listener, &p.policy);
	mutex_unlock(&c->lock);
	/* What the listener's notifications get unless their filter says. */
	if (!ret && cmd == SECCOMP_SIGFWD_IOC_GET_POLICY)
		p.policy = sigfwd_policy_or_default(p.policy);
	if (!ret && cmd == SECCOMP_SIGFWD_IOC_GET_POLICY &&
	    copy_to_user(arg, &p, sizeof(p)))
		ret = -EFAULT;
	return ret;
}

/* The bound listener; it stays bound until the device fd is released. */
static struct sigfwd_listener *bound(struct sigfwd_client *c)
{
	struct sigfwd_listener *l;

	mutex_lock(&c->lock);
	l = c->listener;
	mutex_unlock(&c->lock);
	return l;
}

static long ioctl_recv_signal(struct sigfwd_client *c, struct file *file,
			      void __user *arg)
{
	struct sigfwd_listener *l = bound(c);
	struct seccomp_sigfwd_signal sig;
	long ret;

	if (!l)
		return -ENOTCONN;
	/* Fault before taking a record, so a bad pointer loses none. */
	if (clear_user(arg, sizeof(sig)))
		return -EFAULT;
	ret = sigfwd_listener_recv(l, &sig, file->f_flags & O_NONBLOCK);
	if (!ret && copy_to_user(arg, &sig, sizeof(sig)))
		ret = -EFAULT;
	return ret;
}

static __poll_t sigfwd_poll(struct file *file, poll_table *wait)
{
	struct sigfwd_client *c = file->private_data;
	struct sigfwd_listener *l;

	poll_wait(file, &c->wq, wait);
	l = bound(c);
	return l ? sigfwd_listener_poll(l) : 0;
}

static long sigfwd_ioctl(struct file *file, unsigned int cmd,
			 unsigned long arg)
{
	struct sigfwd_client *c = file->private_data;
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case SECCOMP_SIGFWD_IOC_VERSION:
		return ioctl_version(uarg);
	case SECCOMP_SIGFWD_IOC_BIND:
		return ioctl_bind(c, uarg);
	case SECCOMP_SIGFWD_IOC_SET_POLICY:
	case SECCOMP_SIGFWD_IOC_GET_POLICY:
		return ioctl_policy(c, cmd, uarg);
	case SECCOMP_SIGFWD_IOC_RECV_SIGNAL:
		return ioctl_recv_signal(c, file, uarg);
	default:
		return -ENOTTY;
	}
}

static int sigfwd_open(struct inode *inode, struct file *file)
{
	struct sigfwd_client *c;

	/*
	 * The device exists before the hook while the module loads; a load
	 * that then fails frees the module whatever files are open. misc_open()
	 * calls us under misc_mtx (or its SRCU), which misc_deregister() waits
	 * for, so no file outlives a failed load.
	 */
	if (THIS_MODULE->state != MODULE_STATE_LIVE)
		return -EAGAIN;
	c = sigfwd_zalloc(sizeof(*c));
	if (!c)
		return -ENOMEM;
	mutex_init(&c->lock);
	init_waitqueue_head(&c->wq);
	init_waitqueue_func_entry(&c->relay, relay_wake);
	file->private_data = c;
	return 0;
}

static int sigfwd_release(struct inode *inode, struct file *file)
{
	struct sigfwd_client *c = file->private_data;

	/* No poller is left (the file is going); relay nothing more. */
	if (c->listener) {
		sigfwd_listener_unrelay(c->listener, &c->relay);
		sigfwd_listener_unbind(c->listener);
	}
	mutex_destroy(&c->lock);
	sigfwd_kfree(c);
	return 0;
}

static const struct file_operations sigfwd_fops = {
	.owner = THIS_MODULE,
	.open = sigfwd_open,
	.release = sigfwd_release,
	.poll = sigfwd_poll,
	.unlocked_ioctl = sigfwd_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

static struct miscdevice sigfwd_miscdev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = SIGFWD_MISC_NAME,
	.fops = &sigfwd_fops,
	.mode = 0666,
};

/*
 * Is the device's name free? misc_register() of a taken name fails inside
 * sysfs, which dumps a stack for the duplicate; refuse first, with one line.
 * A name taken between this check and the registration still fails safely
 * (EEXIST, nothing registered), only louder.
 */
int sigfwd_device_check(void)
{
	struct path path;

	if (kern_path("/sys/class/misc/" SIGFWD_MISC_NAME, 0, &path))
		return 0;
	path_put(&path);
	return sigfwd_refuse(-EBUSY, "the device name %s is taken (/sys/class/misc/%s exists)",
			     SIGFWD_MISC_NAME, SIGFWD_MISC_NAME);
}

int sigfwd_device_init(void)
{
	int ret = misc_register(&sigfwd_miscdev);

	if (ret)
		return sigfwd_refuse(ret, "cannot register the device (%d)", ret);
	return 0;
}

void sigfwd_device_exit(void)
{
	misc_deregister(&sigfwd_miscdev);
}
