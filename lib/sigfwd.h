/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libsigfwd: the supervisor's side of seccomp_sigfwd, over the UAPI in
 * <linux/seccomp_sigfwd.h>. Every function returns 0 (or a value >= 0) on
 * success and a negative errno on failure, as libseccomp's notify API does.
 */
#ifndef SIGFWD_LIB_H
#define SIGFWD_LIB_H

#include <linux/seccomp.h>
#include <linux/seccomp_sigfwd.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Open /dev/seccomp-sigfwd (O_CLOEXEC, plus @flags such as O_NONBLOCK). */
int sigfwd_open(int flags);
/* Open the device and bind it to @listener; the device fd. */
int sigfwd_open_bound(int listener, int flags);
int sigfwd_bind(int dev, int listener);
int sigfwd_set_policy(int dev, unsigned int policy);
int sigfwd_get_policy(int dev, unsigned int *policy);
int sigfwd_version(int dev, struct seccomp_sigfwd_version *v);

/* Next forwarded-signal record; -EAGAIN when none and @dev is O_NONBLOCK. */
int sigfwd_recv_signal(int dev, struct seccomp_sigfwd_signal *s);

/* The return value a filter uses to trap a syscall with @policy. */
static inline __u32 sigfwd_ret_notif(unsigned int policy)
{
	return SECCOMP_RET_USER_NOTIF | SECCOMP_SIGFWD_RET_DATA(policy);
}

/* Reply to notification @id on @listener with a value or -errno. */
int sigfwd_reply(int listener, __u64 id, __s64 val, int error);
/*
 * Reply "interrupt as the kernel would": restart with SA_RESTART, EINTR
 * without, a transparent restart if no signal is left (FORWARD only).
 */
int sigfwd_reply_interrupt(int listener, __u64 id);

#ifdef __cplusplus
}
#endif

#endif
