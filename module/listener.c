// SPDX-License-Identifier: GPL-2.0
/*
 * Bindings between device fds and seccomp listeners, keyed by the listener's
 * filter. The release of a listener file (intercept_seccomp_notify_release.c)
 * unhashes
 * its binding, so a filter address is never matched after the filter could
 * have been freed and reused. A second identity, the filter's notification
 * object at BIND, is checked on every lookup: a binding whose filter no
 * longer holds it was released unseen and is never used.
 *
 * The release callback runs in atomic context, also on PREEMPT_RT: it takes
 * only the raw hash lock and defers the rest of a binding's end (l->lock,
 * freeing records, waking RECV_SIGNAL) to a work item.
 */

#include <linux/file.h>
#include <linux/fs.h>
#include <linux/hashtable.h>
#include <linux/kref.h>
#include <linux/llist.h>
#include <linux/rcupdate.h>
#include <linux/refcount.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include "layout.h"
#include "sigfwd.h"
#include "symbols.h"

static DEFINE_HASHTABLE(listeners, 6);
static DEFINE_RAW_SPINLOCK(listeners_lock);	/* the hash, and hashed state */

static void released_work(struct work_struct *work);
static LLIST_HEAD(released);
static DECLARE_WORK(release_work, released_work);

/* The filter's notification object now; the filter must be alive. */
static const void *notif_of(const void *filter)
{
	return READ_ONCE(*sigfwd_member((void *)filter, filter_notif, void *));
}

static struct sigfwd_listener *find_locked(const void *filter)
{
	struct sigfwd_listener *l;

	hash_for_each_possible(listeners, l, node, (unsigned long)filter)
		if (l->filter == filter)
			return l;
	return NULL;
}

/* Under listeners_lock: true if this caller unhashed @l and so ends it. */
static bool unhash_locked(struct sigfwd_listener *l)
{
	if (!hash_hashed(&l->node))
		return false;
	hash_del_rcu(&l->node);
	return true;
}

/* Process context, @l unhashed by the caller: it can no longer be used. */
static void listener_end(struct sigfwd_listener *l)
{
	spin_lock(&l->lock);
	WRITE_ONCE(l->filter, NULL);
	spin_unlock(&l->lock);
	sigfwd_records_drop(l);
	wake_up_all(&l->wq);
}

bool sigfwd_is_listener(const struct file *file)
{
	const struct file_operations *fops = file->f_op;

	return fops &&
	       (unsigned long)fops->poll == sigfwd_targets.notify_poll.start &&
	       (unsigned long)fops->unlocked_ioctl == sigfwd_targets.notify_ioctl.start &&
	       (unsigned long)fops->release == sigfwd_targets.notify_release.start;
}

static void listener_free(struct kref *ref)
{
	struct sigfwd_listener *l = container_of(ref, struct sigfwd_listener, ref);

	kfree_rcu(l, rcu);
	sigfwd_freed();
}

void sigfwd_listener_put(struct sigfwd_listener *l)
{
	kref_put(&l->ref, listener_free);
}

int sigfwd_listener_bind(struct file *file, struct sigfwd_listener **out)
{
	void *filter = file->private_data;
	struct sigfwd_listener *l, *old, *stale = NULL;
	int ret = 0;

	if (!sigfwd_is_listener(file))
		return -EINVAL;
	/* No task left under the filter: nothing will ever be notified. */
	if (!refcount_read(sigfwd_member(filter, filter_users, refcount_t)))
		return -ESRCH;

	l = sigfwd_zalloc(sizeof(*l));
	if (!l)
		return -ENOMEM;
	l->filter = filter;
	/* The listener file is held: its notification object is alive. */
	l->notif = notif_of(filter);
	l->policy = SIGFWD_POLICY_UNSET;
	kref_init(&l->ref);
	spin_lock_init(&l->lock);
	INIT_LIST_HEAD(&l->records);
	init_waitqueue_head(&l->wq);
	raw_spin_lock(&listeners_lock);
	old = find_locked(filter);
	if (old && old->notif == l->notif) {
		ret = -EBUSY;
	} else {
		/* A binding of a listener released unseen: end it. */
		if (old && unhash_locked(old)) {
			kref_get(&old->ref);
			stale = old;
		}
		hash_add_rcu(listeners, &l->node, (unsigned long)filter);
	}
	raw_spin_unlock(&listeners_lock);
	if (stale) {
		listener_end(stale);
		sigfwd_listener_put(stale);
	}
	if (ret) {
		kfree(l);
		sigfwd_freed();
		return ret;
	}
	*out = l;
	return 0;
}

void sigfwd_listener_unbind(struct sigfwd_listener *l)
{
	bool mine;

	raw_spin_lock(&listeners_lock);
	mine = unhash_locked(l);
	raw_spin_unlock(&listeners_lock);
	/* Else its release ended it, or deferred that with a reference. */
	if (mine)
		listener_end(l);
	sigfwd_listener_put(l);
}

/*
 * The live binding of @filter, under rcu_read_lock(); the caller keeps the
 * filter alive (a task under it, or its listener file). Its notification
 * object is the one of the binding's listener until that file is released.
 */
static struct sigfwd_listener *find_rcu(const void *filter)
{
	const void *notif = notif_of(filter);
	struct sigfwd_listener *l;

	if (!notif)
		return NULL;
	hash_for_each_possible_rcu(listeners, l, node, (unsigned long)filter)
		if (READ_ONCE(l->filter) == filter && l->notif == notif)
			return l;
	return NULL;
}

/*
 * Was @l's listener closed? Its release unhashes it at once; clearing
 * l->filter waits for the deferred end (released_work()).
 */
bool sigfwd_listener_closed(const struct sigfwd_listener *l)
{
	return !READ_ONCE(l->filter) || hlist_unhashed_lockless(&l->node);
}

/* The bound listener of @filter with a reference, or NULL. */
struct sigfwd_listener *sigfwd_listener_get(const void *filter)
{
	struct sigfwd_listener *l;

	rcu_read_lock();
	l = find_rcu(filter);
	if (l && !kref_get_unless_zero(&l->ref))
		l = NULL;
	rcu_read_unlock();
	return l;
}

/* For poll on the listener fd (atomic context). */
bool sigfwd_listener_bound(const void *filter)
{
	bool ret;

	rcu_read_lock();
	ret = find_rcu(filter);
	rcu_read_unlock();
	return ret;
}

bool sigfwd_listener_has_records(const void *filter)
{
	struct sigfwd_listener *l;
	bool ret;

	rcu_read_lock();
	l = find_rcu(filter);
	ret = l && READ_ONCE(l->nr_records);
	rcu_read_unlock();
	return ret;
}

u32 sigfwd_listener_policy(const void *filter)
{
	struct sigfwd_listener *l;
	u32 policy;

	rcu_read_lock();
	l = find_rcu(filter);
	policy = l ? sigfwd_listener_effective(l) : sigfwd_default_policy();
	rcu_read_unlock();
	return policy;
}

static void released_work(struct work_struct *work)
{
	struct llist_node *list = llist_del_all(&released);
	struct sigfwd_listener *l, *tmp;

	llist_for_each_entry_safe(l, tmp, list, dead) {
		listener_end(l);
		sigfwd_listener_put(l);
	}
}

/*
 * The listener file of @filter is being released (atomic context, from
 * intercept_seccomp_notify_release.c). Only raw locks here: unhash the binding so no
 * lookup finds it, and leave its end to process context.
 */
void sigfwd_listener_released(const void *filter)
{
	struct sigfwd_listener *l;
	bool mine = false;

	raw_spin_lock(&listeners_lock);
	l = find_locked(filter);
	if (l && unhash_locked(l)) {
		/* The device fd's reference is still held: it was hashed. */
		kref_get(&l->ref);
		mine = true;
	}
	raw_spin_unlock(&listeners_lock);
	if (mine) {
		llist_add(&l->dead, &released);
		schedule_work(&release_work);
	}
}

/* The release is no longer intercepted: end what it queued before unload. */
void sigfwd_listeners_exit(void)
{
	flush_work(&release_work);
}
