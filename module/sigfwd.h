/* SPDX-License-Identifier: GPL-2.0 */
/* Interfaces between the module's files. */
#ifndef SIGFWD_H
#define SIGFWD_H

#include <linux/types.h>
#include <uapi/linux/seccomp_sigfwd.h>

struct completion;
struct file;

/* Policy bits implemented so far. */
#define SIGFWD_POLICIES SECCOMP_SIGFWD_KILLABLE

/* device.c */
int sigfwd_device_init(void);
void sigfwd_device_exit(void);

/*
 * listener.c: a device fd bound to a seccomp listener. The filter pointer is
 * an identity, never dereferenced through the binding; the binding is
 * unhashed when the listener file is released, before the filter can go.
 */
struct sigfwd_listener {
	struct hlist_node node;
	const void *filter;	/* NULL once the listener is released */
	u32 policy;
	struct rcu_head rcu;
};

int sigfwd_listeners_init(void);
void sigfwd_listeners_exit(void);
bool sigfwd_is_listener(const struct file *file);
int sigfwd_listener_bind(struct file *listener, struct sigfwd_listener **out);
void sigfwd_listener_unbind(struct sigfwd_listener *l);
u32 sigfwd_listener_policy(const void *filter);

/* policy.c */
u32 sigfwd_policy(void *filter, void *knotif);
u32 sigfwd_default_policy(void);

/* wait.c: the replacement for the notification's interruptible wait. */
int sigfwd_wait(struct completion *x);

/* hook.c */
int sigfwd_hook_init(void);
void sigfwd_hook_exit(void);

#endif
