// SPDX-License-Identifier: GPL-2.0
/*
 * Bindings between device fds and seccomp listeners, keyed by the listener's
 * filter. A kprobe on seccomp_notify_release() drops a binding when its
 * listener is closed, so a filter address is never matched after the filter
 * could have been freed and reused.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/file.h>
#include <linux/fs.h>
#include <linux/hashtable.h>
#include <linux/kref.h>
#include <linux/kprobes.h>
#include <linux/ptrace.h>
#include <linux/rcupdate.h>
#include <linux/refcount.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include "layout.h"
#include "sigfwd.h"
#include "symbols.h"

static DEFINE_HASHTABLE(listeners, 6);
static DEFINE_SPINLOCK(listeners_lock);

static struct sigfwd_listener *find_locked(const void *filter)
{
	struct sigfwd_listener *l;

	hash_for_each_possible(listeners, l, node, (unsigned long)filter)
		if (l->filter == filter)
			return l;
	return NULL;
}

bool sigfwd_is_listener(const struct file *file)
{
	const struct file_operations *fops = file->f_op;

	return fops &&
	       (unsigned long)fops->poll == sigfwd_targets.notify_poll &&
	       (unsigned long)fops->unlocked_ioctl == sigfwd_targets.notify_ioctl &&
	       (unsigned long)fops->release == sigfwd_targets.notify_release;
}

int sigfwd_listener_bind(struct file *file, struct sigfwd_listener **out)
{
	void *filter = file->private_data;
	struct sigfwd_listener *l;
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
	l->policy = SIGFWD_POLICY_UNSET;
	kref_init(&l->ref);
	spin_lock_init(&l->lock);
	INIT_LIST_HEAD(&l->records);
	init_waitqueue_head(&l->wq);
	spin_lock(&listeners_lock);
	if (find_locked(filter))
		ret = -EBUSY;
	else
		hash_add_rcu(listeners, &l->node, (unsigned long)filter);
	spin_unlock(&listeners_lock);
	if (ret) {
		kfree(l);
		sigfwd_freed();
		return ret;
	}
	*out = l;
	return 0;
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

/* The listener can no longer be used: its file or the device fd closed. */
static void listener_kill_locked(struct sigfwd_listener *l)
{
	if (!l->filter)
		return;
	hash_del_rcu(&l->node);
	spin_lock(&l->lock);
	WRITE_ONCE(l->filter, NULL);
	spin_unlock(&l->lock);
	sigfwd_records_drop(l);
	wake_up_all(&l->wq);
}

void sigfwd_listener_unbind(struct sigfwd_listener *l)
{
	spin_lock(&listeners_lock);
	listener_kill_locked(l);
	spin_unlock(&listeners_lock);
	sigfwd_listener_put(l);
}

/* The bound listener of @filter; under rcu_read_lock(). */
static struct sigfwd_listener *find_rcu(const void *filter)
{
	struct sigfwd_listener *l;

	hash_for_each_possible_rcu(listeners, l, node, (unsigned long)filter)
		if (READ_ONCE(l->filter) == filter)
			return l;
	return NULL;
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

/* seccomp_notify_release(struct inode *, struct file *) is about to run. */
static int release_pre(struct kprobe *p, struct pt_regs *regs)
{
	struct file *file = (struct file *)regs_get_kernel_argument(regs, 1);
	struct sigfwd_listener *l;

	spin_lock(&listeners_lock);
	l = find_locked(file->private_data);
	if (l)
		listener_kill_locked(l);
	spin_unlock(&listeners_lock);
	return 0;
}

static struct kprobe release_kp = {
	.symbol_name = "seccomp_notify_release",
	.pre_handler = release_pre,
};

int sigfwd_listeners_init(void)
{
	int ret;

	ret = register_kprobe(&release_kp);
	if (ret)
		return sigfwd_refuse("cannot probe seccomp_notify_release (%d)",
				     ret);
	return 0;
}

void sigfwd_listeners_exit(void)
{
	unregister_kprobe(&release_kp);
}
