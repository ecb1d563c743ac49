/* SPDX-License-Identifier: GPL-2.0 */
/* Interfaces between the module's files. */
#ifndef SIGFWD_H
#define SIGFWD_H

#include <linux/atomic.h>
#include <linux/kref.h>
#include <linux/slab.h>
#include <linux/list.h>
#include <linux/llist.h>
#include <linux/spinlock.h>
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

/* policy.c */
u32 sigfwd_policy(void *filter, void *knotif);
u32 sigfwd_default_policy(void);
bool sigfwd_may_have_policy(void);

/* device.c */
int sigfwd_device_check(void);
int sigfwd_device_init(void);
void sigfwd_device_exit(void);

/*
 * listener.c: a device fd bound to a seccomp listener. The filter and its
 * notification object are an identity, never dereferenced through the
 * binding; the binding is unhashed when the listener file is released,
 * before the filter can go, and one whose filter no longer holds that
 * notification object is never used.
 */
struct sigfwd_listener {
	struct hlist_node node;
	const void *filter;	/* NULL once the listener or device is closed */
	const void *notif;	/* filter->notif at BIND */
	struct llist_node dead;	/* released: its end is deferred */
	u32 policy;		/* SIGFWD_POLICY_UNSET: default_policy */
	struct kref ref;	/* the device fd's, and each forwarding wait's */
	spinlock_t lock;	/* records, nr_records, nr_orphans, filter */
	struct list_head records;
	unsigned int nr_records;
	unsigned int nr_orphans;
	wait_queue_head_t wq;	/* RECV_SIGNAL and poll on the device fd */
	struct rcu_head rcu;
};

#define SIGFWD_POLICY_UNSET U32_MAX

/* The listener's policy, or the module default until one is set. */
static inline u32 sigfwd_listener_effective(const struct sigfwd_listener *l)
{
	u32 policy = READ_ONCE(l->policy);

	return policy == SIGFWD_POLICY_UNSET ? sigfwd_default_policy() : policy;
}

void sigfwd_listeners_exit(void);
bool sigfwd_is_listener(const struct file *file);
int sigfwd_listener_bind(struct file *listener, struct sigfwd_listener **out);
void sigfwd_listener_unbind(struct sigfwd_listener *l);
bool sigfwd_listener_closed(const struct sigfwd_listener *l);
u32 sigfwd_listener_policy(const void *filter);
struct sigfwd_listener *sigfwd_listener_get(const void *filter);
bool sigfwd_listener_bound(const void *filter);
bool sigfwd_listener_has_records(const void *filter);
void sigfwd_listener_put(struct sigfwd_listener *l);
void sigfwd_listener_released(const void *filter);

/*
 * forward.c: records of forwarded signals. A waiting task owns its record
 * and queues it on its listener at most once; a "killed" record outlives the
 * task as an orphan owned by the listener, until read or the listener goes.
 */
struct sigfwd_user;

struct sigfwd_record {
	struct list_head node;
	bool queued;
	bool orphan;
	struct pid *pid, *tgid;
	struct sigfwd_user *user;	/* an orphan's, counted there */
	struct seccomp_sigfwd_signal sig;
};

/* Unread killed records per listener; per user: max_user_orphans. */
#define SIGFWD_MAX_ORPHANS 1024

struct sigfwd_record *sigfwd_record_new(u64 id);
bool sigfwd_record_signal(struct sigfwd_listener *l, struct sigfwd_record *r,
			  bool queued);
void sigfwd_record_end(struct sigfwd_listener *l, struct sigfwd_record *r,
		       bool killed);
int sigfwd_record_pop(struct sigfwd_listener *l,
		      struct seccomp_sigfwd_signal *out);
void sigfwd_records_drop(struct sigfwd_listener *l);

/* wait.c: the replacement for the notification's interruptible wait. */
int sigfwd_wait(struct completion *x);

#endif
