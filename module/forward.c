// SPDX-License-Identifier: GPL-2.0
/*
 * Forwarded signals: the records a supervisor reads with RECV_SIGNAL.
 */

#include <linux/poll.h>
#include <linux/cred.h>
#include <linux/hashtable.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include "layout.h"
#include "sigfwd.h"

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
	if (last) {
		kfree(u);
		sigfwd_freed();
	}
}

struct sigfwd_record *sigfwd_record_new(u64 id)
{
	struct sigfwd_record *r = sigfwd_zalloc(sizeof(*r));

	if (!r)
		return NULL;
	r->pid = get_pid(task_pid(current));
	r->tgid = get_pid(task_tgid(current));
	r->sig.id = id;
	return r;
}

static void record_free(struct sigfwd_record *r)
{
	if (r->user)
		user_uncharge(r->user);
	put_pid(r->pid);
	put_pid(r->tgid);
	kfree(r);
	sigfwd_freed();
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

/* Tell the supervisor: its device fd and (via the filter's wqh) its listener. */
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
		queue_locked(l, r);
	}
	spin_unlock(&l->lock);
	if (filter)
		wake_supervisor(l, filter);
	return filter;
}

/*
 * The wait is over. A reply drops the record; a fatal signal turns it into a
 * "killed" record the supervisor still gets, owned by the listener from now.
 */
void sigfwd_record_end(struct sigfwd_listener *l, struct sigfwd_record *r,
		       bool killed)
{
	struct sigfwd_user *spare = NULL;
	const void *filter = NULL;

	if (killed)
		spare = sigfwd_zalloc(sizeof(*spare));
	spin_lock(&l->lock);
	if (killed && l->filter && l->nr_orphans < SIGFWD_MAX_ORPHANS)
		r->user = user_charge(&spare);
	if (r->user) {
		filter = l->filter;
		r->sig.flags |= SECCOMP_SIGFWD_SIG_KILLED;
		r->sig.signo = SIGKILL;
		r->orphan = true;
		l->nr_orphans++;
		/* Its earlier record, if unread, becomes this one. */
		queue_locked(l, r);
	} else {
		unqueue_locked(l, r);
	}
	spin_unlock(&l->lock);
	if (spare) {
		sigfwd_freed();
		kfree(spare);
	}
	if (filter)
		wake_supervisor(l, filter);
	else
		record_free(r);
}

int sigfwd_record_pop(struct sigfwd_listener *l,
		      struct seccomp_sigfwd_signal *out)
{
	struct pid_namespace *ns = task_active_pid_ns(current);
	struct sigfwd_record *r;
	bool orphan;

	spin_lock(&l->lock);
	r = list_first_entry_or_null(&l->records, struct sigfwd_record, node);
	if (!r) {
		spin_unlock(&l->lock);
		return l->filter ? -EAGAIN : -ESRCH;
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
void sigfwd_records_drop(struct sigfwd_listener *l)
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
