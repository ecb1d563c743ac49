// SPDX-License-Identifier: LGPL-2.1-or-later
/* libsigfwd: thin wrappers over the seccomp_sigfwd device and listener ioctls. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include "sigfwd.h"

static int ret_errno(int r)
{
	return r < 0 ? -errno : r;
}

int sigfwd_open(int flags)
{
	return ret_errno(open(SECCOMP_SIGFWD_DEVICE, O_RDWR | O_CLOEXEC | flags));
}

int sigfwd_bind(int dev, int listener)
{
	struct seccomp_sigfwd_bind b = { .listener_fd = listener };

	return ret_errno(ioctl(dev, SECCOMP_SIGFWD_IOC_BIND, &b));
}

int sigfwd_open_bound(int listener, int flags)
{
	int dev = sigfwd_open(flags), r;

	if (dev < 0)
		return dev;
	r = sigfwd_bind(dev, listener);
	if (r < 0) {
		close(dev);
		return r;
	}
	return dev;
}

int sigfwd_set_policy(int dev, unsigned int policy)
{
	struct seccomp_sigfwd_policy p = { .policy = policy };

	return ret_errno(ioctl(dev, SECCOMP_SIGFWD_IOC_SET_POLICY, &p));
}

int sigfwd_get_policy(int dev, unsigned int *policy)
{
	struct seccomp_sigfwd_policy p;
	int r = ret_errno(ioctl(dev, SECCOMP_SIGFWD_IOC_GET_POLICY, &p));

	if (!r)
		*policy = p.policy;
	return r;
}

int sigfwd_version(int dev, struct seccomp_sigfwd_version *v)
{
	return ret_errno(ioctl(dev, SECCOMP_SIGFWD_IOC_VERSION, v));
}

int sigfwd_recv_signal(int dev, struct seccomp_sigfwd_signal *s)
{
	memset(s, 0, sizeof(*s));
	return ret_errno(ioctl(dev, SECCOMP_SIGFWD_IOC_RECV_SIGNAL, s));
}

int sigfwd_reply(int listener, __u64 id, __s64 val, int error)
{
	struct seccomp_notif_resp r = { .id = id, .val = val, .error = error };

	return ret_errno(ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &r));
}

int sigfwd_reply_interrupt(int listener, __u64 id)
{
	return sigfwd_reply(listener, id, 0, -SECCOMP_SIGFWD_ERESTART);
}
