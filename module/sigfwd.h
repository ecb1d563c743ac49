/* SPDX-License-Identifier: GPL-2.0 */
/* Interfaces between the module's files. */
#ifndef SIGFWD_H
#define SIGFWD_H

#include <linux/atomic.h>
#include <linux/slab.h>
#include <linux/poll.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <uapi/linux/seccomp_sigfwd.h>

struct completion;
struct file;

/*
 * main.c: refuse to load with the one log line "refusing to load on
 * <release>: <reason>"; returns @err, the errno init returns.
 */
__printf(2, 3) int sigfwd_refuse(int err, const char *fmt, ...);

/* Policy bits implemented. */
#define SIGFWD_POLICIES SECCOMP_SIGFWD_POLICY_MASK

/*
 * Objects the module holds (device clients, listener bindings, records and
 * per-user counts); root-only parameter live_objects, so tests can prove
 * nothing leaks.
 */
extern atomic_t sigfwd_live_objects;

/*
 * Every object is made on behalf of a user (the opener, the binder, the
 * trapped task): charge it to that caller's memory cgroup.
 */
static inline void *sigfwd_zalloc(size_t size)
{
	void *p = kzalloc(size, GFP_KERNEL_ACCOUNT);

	if (p)
		atomic_inc(&sigfwd_live_objects);
	return p;
}

static inline void sigfwd_freed(void)
{
	atomic_dec(&sigfwd_live_objects);
}

/* Free what sigfwd_zalloc() gave; nothing for NULL. */
static inline void sigfwd_kfree(const void *p)
{
	if (!p)
		return;
	kfree(p);
	sigfwd_freed();
}

/* policy.c */
struct sigfwd_listener;
u32 sigfwd_policy(void *filter, void *knotif, struct sigfwd_listener **l);
void sigfwd_prog_gone(const void *prog);
u32 sigfwd_policy_or_default(u32 listener_policy);
bool sigfwd_may_have_policy(void);

/* device.c */
int sigfwd_device_check(void);
int sigfwd_device_init(void);
void sigfwd_device_exit(void);

/*
 * listener.c: a device fd bound to a seccomp listener, and the records of
 * the signals forwarded to its supervisor; its state is that file's own.
 */
struct sigfwd_listener;
struct sigfwd_user;

/*
 * One forwarded signal, as RECV_SIGNAL reads it. A forwarding wait's record
 * lives in the wait's frame (no allocation per wait) and is queued on its
 * listener at most once; the wait unqueues it under the listener's lock
 * before it returns. Only a "killed" record, which outlives its task, is
 * allocated: an orphan, owned by the listener until read or the listener
 * goes. Its fields are listener.c's.
 */
struct sigfwd_record {
	struct list_head node;
	bool queued;
	bool orphan;
	struct pid *pid, *tgid;		/* referenced once queued */
	struct sigfwd_user *user;	/* an orphan's, counted there */
	struct seccomp_sigfwd_signal sig;
};

#define SIGFWD_POLICY_UNSET U32_MAX

/* For the device (device.c). */
bool sigfwd_is_listener(const struct file *file);
int sigfwd_listener_bind(struct file *listener, struct sigfwd_listener **out);
void sigfwd_listener_unbind(struct sigfwd_listener *l);
void sigfwd_listener_relay(struct sigfwd_listener *l, wait_queue_entry_t *wait);
void sigfwd_listener_unrelay(struct sigfwd_listener *l,
			     wait_queue_entry_t *wait);
__poll_t sigfwd_listener_poll(const struct sigfwd_listener *l);
int sigfwd_listener_recv(struct sigfwd_listener *l,
			 struct seccomp_sigfwd_signal *sig, bool nonblock);
int sigfwd_listener_set_policy(struct sigfwd_listener *l, u32 policy);
int sigfwd_listener_get_policy(struct sigfwd_listener *l, u32 *policy);

/* By filter, for the policy and the intercepts (atomic context). */
u32 sigfwd_listener_policy(const void *filter, struct sigfwd_listener **l);
bool sigfwd_listener_maybe_bound(const void *filter);
bool sigfwd_listener_has_records(const void *filter);
void sigfwd_listener_released(const void *filter);
void sigfwd_listeners_exit(void);

/* For a forwarding wait (wait.c). */
struct sigfwd_listener *sigfwd_listener_get(const void *filter);
void sigfwd_listener_put(struct sigfwd_listener *l);
void sigfwd_record_init(struct sigfwd_record *r, u64 id);
bool sigfwd_record_signal(struct sigfwd_listener *l, struct sigfwd_record *r,
			  bool queued);
void sigfwd_record_end(struct sigfwd_listener *l, struct sigfwd_record *r,
		       bool killed);

/* wait.c: the replacement for the notification's interruptible wait. */
int sigfwd_wait(struct completion *x);

#endif
