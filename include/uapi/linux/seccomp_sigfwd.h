/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * seccomp_sigfwd: signal policies for seccomp user notifications.
 *
 * A task trapped by SECCOMP_RET_USER_NOTIF waits for its supervisor. On a
 * stock kernel any signal ends that wait and the notification vanishes. With
 * the seccomp_sigfwd module loaded, each notification gets a policy (a set of
 * SECCOMP_SIGFWD_* bits below) that decides what signals do to the wait.
 * An empty policy is the stock kernel, unchanged.
 *
 * Where the policy comes from, first match wins:
 *  1. The filter: the data bits of its USER_NOTIF return value, built with
 *     SECCOMP_SIGFWD_RET_DATA(policy). Values without the tag (data 0, or
 *     anything else a filter puts there) carry no policy.
 *  2. The listener: SECCOMP_SIGFWD_IOC_SET_POLICY on a device fd bound to
 *     the listener with SECCOMP_SIGFWD_IOC_BIND (until set, a bound
 *     listener follows the default below, and GET_POLICY reports it).
 *  3. The module parameter default_policy (0 unless the admin set it).
 */
#ifndef _UAPI_LINUX_SECCOMP_SIGFWD_H
#define _UAPI_LINUX_SECCOMP_SIGFWD_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define SECCOMP_SIGFWD_DEVICE		"/dev/seccomp-sigfwd"
#define SECCOMP_SIGFWD_VERSION		0x00010000	/* 1.0 */

/*
 * Policy bits.
 *
 * KILLABLE_AFTER_RECV: once the supervisor has received the notification
 *	(SECCOMP_IOCTL_NOTIF_RECV), only fatal signals end the wait. This is
 *	SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (5.19), per notification and on
 *	every kernel.
 * KILLABLE_BEFORE_RECV: while the notification is still queued, only fatal
 *	signals end the wait, so a signal never withdraws it unseen; a signal
 *	that arrived then stays held until the reply. Signals arriving after
 *	RECV follow KILLABLE_AFTER_RECV (stock without it).
 * FORWARD: once received, a non-fatal signal does not end the wait either;
 *	the supervisor bound to the listener gets a record (RECV_SIGNAL,
 *	EPOLLPRI on the device fd and on the listener fd) and decides with its
 *	reply: a full or partial result, -EINTR, or -SECCOMP_SIGFWD_ERESTART to
 *	interrupt as the kernel would (restart with SA_RESTART, EINTR without,
 *	a transparent restart if no handler is left to run). With
 *	KILLABLE_BEFORE_RECV too, a signal while still queued is reported
 *	(SECCOMP_SIGFWD_SIG_BEFORE_RECV) instead of withdrawing the call.
 *
 * Fatal signals (SIGKILL, an unhandled fatal signal) always end the wait;
 * with FORWARD the supervisor then gets a SECCOMP_SIGFWD_SIG_KILLED record
 * for a notification it had received or been told about.
 * A policy applies to waits that begin after it is set, and records go to
 * the device fd bound to the listener when the wait began. An ADDFD wakes
 * the task and starts a new wait of the same notification: a signal held
 * while it was queued stays held, and one still pending is reported again.
 */
#define SECCOMP_SIGFWD_KILLABLE_AFTER_RECV	(1U << 0)
#define SECCOMP_SIGFWD_KILLABLE_BEFORE_RECV	(1U << 1)
#define SECCOMP_SIGFWD_FORWARD			(1U << 2)
#define SECCOMP_SIGFWD_KILLABLE \
	(SECCOMP_SIGFWD_KILLABLE_AFTER_RECV | SECCOMP_SIGFWD_KILLABLE_BEFORE_RECV)
#define SECCOMP_SIGFWD_POLICY_MASK \
	(SECCOMP_SIGFWD_KILLABLE | SECCOMP_SIGFWD_FORWARD)

/*
 * Policy in a filter's return value: SECCOMP_RET_USER_NOTIF |
 * SECCOMP_SIGFWD_RET_DATA(policy). The upper 12 data bits are a tag so that
 * filters using the data bits for anything else are never misread; a tagged
 * value with policy 0 asks for the stock behaviour whatever the listener's
 * policy is.
 */
#define SECCOMP_SIGFWD_DATA_TAG		0xf5a0U
#define SECCOMP_SIGFWD_DATA_TAG_MASK	0xfff0U
#define SECCOMP_SIGFWD_DATA_POLICY_MASK	0x000fU
#define SECCOMP_SIGFWD_RET_DATA(policy) \
	(SECCOMP_SIGFWD_DATA_TAG | ((policy) & SECCOMP_SIGFWD_DATA_POLICY_MASK))

/*
 * Reply error that asks for the kernel's own signal behaviour (ERESTARTSYS),
 * under any policy. The kernel's other internal codes are never passed on
 * under a policy: a reply of -513, -514 or -516 (restart variants) gives the
 * task EINTR, -515 (ENOIOCTLCMD) ENOTTY. Without a policy the stock kernel
 * hands all of them to the task as they are.
 */
#define SECCOMP_SIGFWD_ERESTART		512

/* Features of this module on the running kernel. */
#define SECCOMP_SIGFWD_FEAT_NATIVE_KILLABLE_RECV (1U << 0) /* kernel >= 5.19 */
#define SECCOMP_SIGFWD_FEAT_FILTER_DATA		(1U << 1) /* source 1 above */

struct seccomp_sigfwd_version {
	__u32 version;		/* SECCOMP_SIGFWD_VERSION of the module */
	__u32 policies;		/* policy bits this module implements */
	__u32 features;		/* SECCOMP_SIGFWD_FEAT_* */
	__u32 kernel_version;	/* LINUX_VERSION_CODE of the running kernel */
	__u32 reserved[4];	/* zero */
};

/* Bind a device fd to a seccomp listener fd (from NEW_LISTENER). */
struct seccomp_sigfwd_bind {
	__s32 listener_fd;
	__u32 flags;		/* must be 0 */
};

/* The listener's policy, for notifications whose filter names none. */
struct seccomp_sigfwd_policy {
	__u32 policy;		/* SECCOMP_SIGFWD_* policy bits */
	__u32 flags;		/* must be 0 */
};

/*
 * A forwarded signal (RECV_SIGNAL). At most one record per notification for
 * its signals, plus one when it is killed; a record whose notification is
 * replied to before the supervisor reads it is dropped.
 */
#define SECCOMP_SIGFWD_SIG_RESTART	(1U << 0) /* handler has SA_RESTART */
#define SECCOMP_SIGFWD_SIG_BEFORE_RECV	(1U << 1) /* arrived while queued */
#define SECCOMP_SIGFWD_SIG_KILLED	(1U << 2) /* the wait ended: fatal */

struct seccomp_sigfwd_signal {
	__u64 id;		/* notification id, as in seccomp_notif */
	__u32 pid;		/* thread group, in the caller's pid namespace */
	__u32 tid;		/* thread, in the caller's pid namespace */
	__u32 signo;		/* lowest pending, unblocked signal */
	__u32 flags;		/* SECCOMP_SIGFWD_SIG_* */
	__u64 pending;		/* pending unblocked signals: bit n-1 = signal n */
	__u64 reserved[2];	/* zero */
};

#define SECCOMP_SIGFWD_IOC_MAGIC	0xb5
#define SECCOMP_SIGFWD_IOC_VERSION \
	_IOR(SECCOMP_SIGFWD_IOC_MAGIC, 0, struct seccomp_sigfwd_version)
#define SECCOMP_SIGFWD_IOC_BIND \
	_IOW(SECCOMP_SIGFWD_IOC_MAGIC, 1, struct seccomp_sigfwd_bind)
#define SECCOMP_SIGFWD_IOC_SET_POLICY \
	_IOW(SECCOMP_SIGFWD_IOC_MAGIC, 2, struct seccomp_sigfwd_policy)
#define SECCOMP_SIGFWD_IOC_GET_POLICY \
	_IOR(SECCOMP_SIGFWD_IOC_MAGIC, 3, struct seccomp_sigfwd_policy)
/*
 * Next record; blocks unless O_NONBLOCK (then EAGAIN). ESRCH once the
 * listener was closed (the device fd then polls EPOLLHUP).
 */
#define SECCOMP_SIGFWD_IOC_RECV_SIGNAL \
	_IOR(SECCOMP_SIGFWD_IOC_MAGIC, 4, struct seccomp_sigfwd_signal)

#endif /* _UAPI_LINUX_SECCOMP_SIGFWD_H */
