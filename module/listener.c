// SPDX-License-Identifier: GPL-2.0
/*
 * A listener: a device fd bound to a seccomp listener, and the records of
 * the signals forwarded to its supervisor. This file owns all of its state;
 * others use the functions in sigfwd.h.
 *
 * Bindings are keyed by the listener's filter. The release of a listener file
 * (intercept_seccomp_notify_release.c) unhashes its binding, so a filter
 * address is never matched after the filter could have been freed and
 * reused. A second identity, the filter's notification object at BIND, is
 * checked on every lookup: a binding whose filter no longer holds it was
 * released unseen and is never used.
 *
 * The release callback runs in atomic context, also on PREEMPT_RT: it takes
 * only the raw hash lock and defers the rest of a binding's end (l->lock,
 * freeing records, waking RECV_SIGNAL) to a work item.
 *
 * Each hashed binding is a user of the poll intercept (EPOLLPRI on its
 * listener): BIND registers it before the binding is hashed, and whoever
 * unhashes a binding drops its use (unhash_locked() returned true), so a
 * host where nothing is bound pays nothing on poll().
 *
 * A waiting task owns its record (struct sigfwd_record, sigfwd.h) and
 * queues it on its listener at most once; a "killed" record outlives the
 * task as an allocated copy, an orphan owned by the listener, until read or
 * the listener goes.
 */
#include <linux/cred.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/hashtable.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/llist.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/poll.h>
#include <linux/rcupdate.h>
#include <linux/refcount.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include "intercept.h"
#include "layout.h"
#include "sigfwd.h"
#include "symbols.h"

/*
 * The filter and its notification object are the binding's identity; the
 * filter is dereferenced through it only by a task that holds the filter
 * (wake_supervisor()).
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

/* Unread killed records per listener; per user: max_user_orphans. */
#define SIGFWD_MAX_ORPHANS 1024

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

/*
 * A binding's use of the poll intercept: taken before it is hashed (process
 * context), dropped by whoever unhashed it, outside listeners_lock (any
 * context).
 */
static int poll_use(void)
{
	return sigfwd_intercept_get(&sigfwd_intercept_seccomp_notify_poll);
}

static void poll_unuse(void)
{
	sigfwd_intercept_put(&sigfwd_intercept_seccomp_notify_poll);
}

static void records_drop(struct sigfwd_listener *l);

/* Process context, @l unhashed by the caller: it can no longer be used. */
static void listener_end(struct sigfwd_listener *l)
{
	spin_lock(&l->lock);
	WRITE_ONCE(l->filter, NULL);
	spin_unlock(&l->lock);
	records_drop(l);
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
	/* EPOLLPRI works for the listener from the moment BIND returns. */
	ret = poll_use();
	if (ret) {
		sigfwd_kfree(l);
		return ret;
	}
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
		poll_unuse();
		listener_end(stale);
		sigfwd_listener_put(stale);
	}
	if (ret) {
		poll_unuse();
		sigfwd_kfree(l);
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
	if (mine) {
		poll_unuse();
		listener_end(l);
	}
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
static bool listener_closed(const struct sigfwd_listener *l)
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

/*
 * Could @filter have a binding? One load of its hash bucket, no lock: false
 * only if no binding at all hashes there. An intercept's callback asks this
 * before it redirects a call; the function it redirects to makes the call's
 * one lookup, so a binding that shares the bucket costs a redirected call
 * that finds nothing, never a wrong answer.
 */
bool sigfwd_listener_maybe_bound(const void *filter)
{
	return !hlist_empty(&listeners[hash_min((unsigned long)filter,
						HASH_BITS(listeners))]);
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

/*
 * The policy of a notification of @filter without a data policy: the one set
 * on its bound listener, else the module default. *@l gets that listener
 * with a reference if the policy forwards (the wait's one lookup), else NULL.
 */
u32 sigfwd_listener_policy(const void *filter, struct sigfwd_listener **l)
{
	struct sigfwd_listener *found;
	u32 policy;

	*l = NULL;
	rcu_read_lock();
	found = find_rcu(filter);
	policy = sigfwd_policy_or_default(found ? READ_ONCE(found->policy) :
					  SIGFWD_POLICY_UNSET);
	if (found && (policy & SECCOMP_SIGFWD_FORWARD) &&
	    kref_get_unless_zero(&found->ref))
		*l = found;
	rcu_read_unlock();
	return policy;
}

/*
 * Unread killed records outlive their tasks, each pinning up to two struct
 * pid and their pid namespaces. They are charged to the killed task's memory
 * cgroup, which bounds a container; max_user_orphans bounds a user where no
 * memory limit applies. It counts the killed task's real uid, as
 * RLIMIT_NPROC does, not the supervisor's: one supervisor (often root) serves
 * many users, who would use up each other's budget; a task's uid is spent
 * only by its own tasks (its filter is its own) and by root.
 */
static unsigned int max_user_orphans = 4096;
module_param(max_user_orphans, uint, 0644);
MODULE_PARM_DESC(max_user_orphans,
		 "Unread killed records kept per user (the killed task's uid)");

/* A user with unread killed records. */
struct sigfwd_user {
	struct hlist_node node;
	kuid_t uid;
	unsigned int orphans;
};

static DEFINE_HASHTABLE(users, 6);
static DEFINE_SPINLOCK(users_lock);	/* users, and each user's orphans */

/*
 * Count one more orphan of current's user, unless over the cap; @spare, if
 * not NULL, becomes the user's entry when there is none (and is then taken).
 */
static struct sigfwd_user *user_charge(struct sigfwd_user **spare)
{
	unsigned int cap = READ_ONCE(max_user_orphans);
	kuid_t uid = current_uid();
	struct sigfwd_user *u;

	if (!cap)
		return NULL;
	spin_lock(&users_lock);
	hash_for_each_possible(users, u, node, __kuid_val(uid))
		if (uid_eq(u->uid, uid))
			break;
	if (!u && *spare) {
		u = *spare;
		*spare = NULL;
		u->uid = uid;
		hash_add(users, &u->node, __kuid_val(uid));
	}
	/* A new entry always takes its first orphan: none stays empty. */
	if (u && u->orphans < cap)
		u->orphans++;
	else
		u = NULL;
	spin_unlock(&users_lock);
	return u;
}

static void user_uncharge(struct sigfwd_user *u)
{
	bool last;

	spin_lock(&users_lock);
	last = !--u->orphans;
	if (last)
		hash_del(&u->node);
	spin_unlock(&users_lock);
	if (last)
		sigfwd_kfree(u);
}

/* A forwarding wait's record, in its frame: nothing to free if never queued. */
void sigfwd_record_init(struct sigfwd_record *r, u64 id)
{
	memset(r, 0, sizeof(*r));
	r->sig.id = id;
}

/* The record's task, referenced before the record is first queued. */
static void record_hold_pids(struct sigfwd_record *r)
{
	if (r->pid)
		return;
	r->pid = get_pid(task_pid(current));
	r->tgid = get_pid(task_tgid(current));
}

/* An orphan, read or dropped with its listener. */
static void record_free(struct sigfwd_record *r)
{
	user_uncharge(r->user);
	put_pid(r->pid);
	put_pid(r->tgid);
	sigfwd_kfree(r);
}

static void queue_locked(struct sigfwd_listener *l, struct sigfwd_record *r)
{
	if (r->queued)
		return;
	list_add_tail(&r->node, &l->records);
	r->queued = true;
	l->nr_records++;
}

static void unqueue_locked(struct sigfwd_listener *l, struct sigfwd_record *r)
{
	if (!r->queued)
		return;
	list_del(&r->node);
	r->queued = false;
	l->nr_records--;
}

/*
 * Tell the supervisor: its device fd and (via the filter's wqh) its listener.
 * Only a task waiting on one of @filter's notifications calls this, and it
 * holds @filter through its seccomp chain: the one place a filter is
 * dereferenced through a binding.
 */
static void wake_supervisor(struct sigfwd_listener *l, const void *filter)
{
	wake_up_poll(&l->wq, EPOLLPRI);
	wake_up_poll(sigfwd_member((void *)filter, filter_wqh,
				   wait_queue_head_t), EPOLLPRI);
}

/*
 * current has a non-fatal signal pending during a forwarding wait. Fill and
 * queue its record; false when no real signal is pending (a freezer's or
 * task_work's wake-up) or the listener is gone.
 */
bool sigfwd_record_signal(struct sigfwd_listener *l, struct sigfwd_record *r,
			  bool queued)
{
	struct sighand_struct *sh = current->sighand;
	const void *filter;
	sigset_t pending;
	u64 mask = 0;
	int sig;

	spin_lock_irq(&sh->siglock);
	sigorsets(&pending, &current->pending.signal,
		  &current->signal->shared_pending.signal);
	sigandnsets(&pending, &pending, &current->blocked);
	for (sig = 1; sig <= min(_NSIG, 64); sig++)
		if (sigismember(&pending, sig))
			mask |= 1ULL << (sig - 1);
	sig = mask ? __ffs64(mask) + 1 : 0;
	if (sig && (sh->action[sig - 1].sa.sa_flags & SA_RESTART))
		r->sig.flags |= SECCOMP_SIGFWD_SIG_RESTART;
	spin_unlock_irq(&sh->siglock);
	if (!sig)
		return false;

	spin_lock(&l->lock);
	filter = l->filter;
	if (filter) {
		r->sig.signo = sig;
		r->sig.pending = mask;
		if (queued)
			r->sig.flags |= SECCOMP_SIGFWD_SIG_BEFORE_RECV;
		record_hold_pids(r);
		queue_locked(l, r);
	}
	spin_unlock(&l->lock);
	if (filter)
		wake_supervisor(l, filter);
	return filter;
}

/*
 * The wait is over and @r, in its frame, goes. A reply drops it; a fatal
 * signal turns it into a "killed" record the supervisor still gets: an
 * allocated copy, the orphan, which takes @r's place in the queue if @r was
 * unread and is owned by the listener from now.
 */
void sigfwd_record_end(struct sigfwd_listener *l, struct sigfwd_record *r,
		       bool killed)
{
	struct sigfwd_record *orphan = NULL;
	struct sigfwd_user *spare = NULL;
	const void *filter = NULL;

	if (killed) {
		orphan = sigfwd_zalloc(sizeof(*orphan));
		spare = sigfwd_zalloc(sizeof(*spare));
	}
	spin_lock(&l->lock);
	if (orphan && l->filter && l->nr_orphans < SIGFWD_MAX_ORPHANS)
		orphan->user = user_charge(&spare);
	if (orphan && orphan->user) {
		filter = l->filter;
		record_hold_pids(r);
		orphan->pid = r->pid;
		orphan->tgid = r->tgid;
		r->pid = NULL;
		r->tgid = NULL;
		orphan->sig = r->sig;
		orphan->sig.flags |= SECCOMP_SIGFWD_SIG_KILLED;
		orphan->sig.signo = SIGKILL;
		orphan->orphan = true;
		l->nr_orphans++;
		if (r->queued) {
			list_replace(&r->node, &orphan->node);
			r->queued = false;
			orphan->queued = true;
		} else {
			queue_locked(l, orphan);
		}
		orphan = NULL;
	} else {
		unqueue_locked(l, r);
	}
	spin_unlock(&l->lock);
	sigfwd_kfree(orphan);
	sigfwd_kfree(spare);
	put_pid(r->pid);
	put_pid(r->tgid);
	if (filter)
		wake_supervisor(l, filter);
}

static int record_pop(struct sigfwd_listener *l,
		      struct seccomp_sigfwd_signal *out)
{
	struct pid_namespace *ns = task_active_pid_ns(current);
	struct sigfwd_record *r;
	bool orphan, closed;

	spin_lock(&l->lock);
	r = list_first_entry_or_null(&l->records, struct sigfwd_record, node);
	/* Closed: what is left goes with the listener (released_work()). */
	closed = listener_closed(l);
	if (!r || closed) {
		spin_unlock(&l->lock);
		return closed ? -ESRCH : -EAGAIN;
	}
	unqueue_locked(l, r);
	*out = r->sig;
	out->pid = pid_nr_ns(r->tgid, ns);
	out->tid = pid_nr_ns(r->pid, ns);
	orphan = r->orphan;
	if (orphan)
		l->nr_orphans--;
	spin_unlock(&l->lock);
	if (orphan)
		record_free(r);
	return 0;
}

/* The listener is gone: orphans go, owned records are merely unqueued. */
static void records_drop(struct sigfwd_listener *l)
{
	struct sigfwd_record *r, *tmp;
	LIST_HEAD(orphans);

	spin_lock(&l->lock);
	list_for_each_entry_safe(r, tmp, &l->records, node) {
		unqueue_locked(l, r);
		if (r->orphan)
			list_add(&r->node, &orphans);
	}
	l->nr_orphans = 0;
	spin_unlock(&l->lock);
	list_for_each_entry_safe(r, tmp, &orphans, node)
		record_free(r);
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
		poll_unuse();
		llist_add(&l->dead, &released);
		schedule_work(&release_work);
	}
}

/* The release is no longer intercepted: end what it queued before unload. */
void sigfwd_listeners_exit(void)
{
	flush_work(&release_work);
}

/* For the device fd's poll: records to read, or the listener gone. */
__poll_t sigfwd_listener_poll(const struct sigfwd_listener *l)
{
	/* From the release on, as RECV_SIGNAL's -ESRCH. */
	if (listener_closed(l))
		return EPOLLHUP;
	return READ_ONCE(l->nr_records) ? EPOLLPRI : 0;
}

/* RECV_SIGNAL: the next record, waiting for one unless @nonblock. */
int sigfwd_listener_recv(struct sigfwd_listener *l,
			 struct seccomp_sigfwd_signal *sig, bool nonblock)
{
	int ret;

	for (;;) {
		ret = record_pop(l, sig);
		if (ret != -EAGAIN || nonblock)
			return ret;
		if (wait_event_interruptible(l->wq, READ_ONCE(l->nr_records) ||
					     listener_closed(l)))
			return -EINTR;
	}
}

/* Wake-ups of @l (records, its end) also go to @wait; until unrelay. */
void sigfwd_listener_relay(struct sigfwd_listener *l, wait_queue_entry_t *wait)
{
	add_wait_queue(&l->wq, wait);
}

void sigfwd_listener_unrelay(struct sigfwd_listener *l,
			     wait_queue_entry_t *wait)
{
	remove_wait_queue(&l->wq, wait);
}

/* SET_POLICY: -ESRCH once the listener was closed. */
int sigfwd_listener_set_policy(struct sigfwd_listener *l, u32 policy)
{
	if (listener_closed(l))
		return -ESRCH;
	WRITE_ONCE(l->policy, policy);
	return 0;
}

/* GET_POLICY: the policy set, or SIGFWD_POLICY_UNSET; -ESRCH once closed. */
int sigfwd_listener_get_policy(struct sigfwd_listener *l, u32 *policy)
{
	if (listener_closed(l))
		return -ESRCH;
	*policy = READ_ONCE(l->policy);
	return 0;
}
