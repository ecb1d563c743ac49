// SPDX-License-Identifier: GPL-2.0
/*
 * The replacement for the wait_for_completion_interruptible() call in
 * seccomp_do_user_notification(). Same signature and the same contract as
 * that call: 0 when the completion was really completed (a reply or an addfd
 * request), -ERESTARTSYS when the wait was interrupted; seccomp's own code
 * does everything else (addfd, unlinking, return values).
 *
 * Entered through the redirect of intercept_wait_for_completion_interruptible.c
 * with a module reference held for us.
 */

#include <linux/completion.h>
#include <linux/errno.h>
#include <linux/hashtable.h>
#include <linux/jiffies.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/spinlock.h>
#include <linux/swait.h>
#include <linux/task_work.h>
#include "layout.h"
#include "sigfwd.h"

#define AFTER_RECV SECCOMP_SIGFWD_KILLABLE_AFTER_RECV
#define BEFORE_RECV SECCOMP_SIGFWD_KILLABLE_BEFORE_RECV
#define FORWARD SECCOMP_SIGFWD_FORWARD
/* How often a forwarding wait woken without a signal looks for one. */
#define FAKE_RECHECK msecs_to_jiffies(20)

/* One redirected wait. */
struct sigfwd_wait {
	struct completion *x;
	void *knotif;
	u64 id;				/* the notification's */
	void *filter;			/* the listener's, in current's chain */
	u32 policy;
	struct sigfwd_listener *l;	/* FORWARD: the bound supervisor */
	struct sigfwd_record rec;	/* FORWARD with l: this wait's record */
	bool reported;
	bool held;			/* a signal was held while queued */
	bool killed;			/* the wait ended on a fatal signal */
};

static u32 knotif_state(void *knotif)
{
	return READ_ONCE(*sigfwd_member(knotif, knotif_state, u32));
}

static bool queued(void *knotif)
{
	return knotif_state(knotif) == sigfwd_layout.state_init;
}

/*
 * The filter in current's chain whose listener holds @knotif, checked under
 * that filter's notify_lock. current holds a reference to every filter of its
 * chain, so the walk needs no lock of its own. A filter whose listener was
 * released (notif gone) may still be @knotif's: its waits were completed,
 * and the stock wait returns at once. The list is walked from its tail:
 * @knotif was queued there just before this wait began.
 */
static void *filter_of(void *knotif)
{
	struct list_head *node = sigfwd_member(knotif, knotif_list,
					       struct list_head);
	void *f;

	if (*sigfwd_member(knotif, knotif_task, struct task_struct *) != current)
		return NULL;
	for (f = READ_ONCE(current->seccomp.filter); f;
	     f = *sigfwd_member(f, filter_prev, void *)) {
		struct mutex *lock = sigfwd_member(f, filter_notify_lock,
						   struct mutex);
		struct list_head *pos;
		bool found = false;
		void *notif;

		if (!READ_ONCE(*sigfwd_member(f, filter_notif, void *)))
			continue;
		/* Killed: the stock wait, which returns at once. */
		if (mutex_lock_killable(lock))
			return NULL;
		notif = *sigfwd_member(f, filter_notif, void *);
		if (notif)
			list_for_each_prev(pos, sigfwd_member(notif, notif_list,
							      struct list_head))
				if (pos == node) {
					found = true;
					break;
				}
		mutex_unlock(lock);
		if (found)
			return f;
	}
	return NULL;
}

/*
 * Do non-fatal signals leave the wait alone in this phase? A signal held
 * while the notification was queued stays held until the reply: the call
 * it did not withdraw completes.
 */
static bool holds(const struct sigfwd_wait *w, bool queued)
{
	if (queued)
		return w->policy & BEFORE_RECV;
	return w->held || (w->policy & (AFTER_RECV | FORWARD));
}

/*
 * One loop for every policy: sleep on the completion, woken by the reply or
 * a signal, and decide by the phase seen after each wake-up. Interruptible
 * sleep only where a signal must end the wait or be forwarded; otherwise
 * killable, so a held signal does not turn the loop into a busy one.
 *
 * The supervisor's RECV need not wake the wait (so it does not sit on the
 * filter's wqh, which every new notification and RECV wakes whole): a sleep
 * is killable only once a signal is held (held, or reported), and then the
 * phase after RECV holds it too; an interruptible sleep is woken by the next
 * signal, which then meets the rule of the phase it finds.
 */
static int policy_wait(struct sigfwd_wait *w)
{
	struct completion *x = w->x;
	DECLARE_SWAITQUEUE(sw);
	bool q, hold, report, wake, fake;
	int ret;

	for (;;) {
		q = queued(w->knotif);
		hold = holds(w, q);
		report = hold && w->l && !w->reported;
		/* Wake on a signal that ends the wait, is held or is reported. */
		wake = !hold || report || (q && !w->held);
		prepare_to_swait_exclusive(&x->wait, &sw,
					   wake && !(hold && signal_pending(current)) ?
					   TASK_INTERRUPTIBLE : TASK_KILLABLE);
		if (try_wait_for_completion(x)) {
			ret = 0;
			break;
		}
		if (fatal_signal_pending(current)) {
			w->killed = true;
			ret = -ERESTARTSYS;
			break;
		}
		if (!hold && signal_pending(current)) {
			/* Received meanwhile: its own rule applies (as 6.18+). */
			if (q && !queued(w->knotif) && holds(w, false))
				continue;
			ret = -ERESTARTSYS;
			break;
		}
		if (q && hold && signal_pending(current))
			w->held = true;
		fake = false;
		if (report && signal_pending(current)) {
			if (sigfwd_record_signal(w->l, &w->rec, q)) {
				w->reported = true;
				continue;
			}
			/*
			 * Pending without a signal (a freezer's, livepatch's or
			 * task_work's wake-up, which stays pending until the
			 * call returns): this sleep is killable, and a real
			 * signal would not wake it, so look for one now and
			 * then. Also taken once the listener is gone.
			 */
			fake = true;
		}
		if (q != queued(w->knotif))
			continue;
		if (fake)
			schedule_timeout(FAKE_RECHECK);
		else
			schedule();
	}
	finish_swait(&x->wait, &sw);
	return ret;
}

/*
 * A reply's error is what the task sees, except the kernel's internal codes
 * 512..516, which a task must never see. -ERESTARTSYS is the promised
 * "interrupt as the kernel would" (SECCOMP_SIGFWD_ERESTART): it must reach
 * the signal code even when no signal is left pending, or the task would see
 * errno 512, so flag a signal check, which restarts the call. The others are
 * not promised: -ERESTART_RESTARTBLOCK would run current's restart_block,
 * left over from some earlier call, and -ERESTARTNOINTR/-ERESTARTNOHAND would
 * restart where the supervisor asked for no result. They become -EINTR
 * (-ENOIOCTLCMD -ENOTTY, as ioctl() turns it). The notification is replied
 * and on current's stack, nobody else writes it any more.
 */
static void restart_reply(struct sigfwd_wait *w)
{
	int *error = sigfwd_member(w->knotif, knotif_error, int);

	if (knotif_state(w->knotif) != sigfwd_layout.state_replied)
		return;
	switch (READ_ONCE(*error)) {
	case -ERESTARTSYS:
		set_thread_flag(TIF_SIGPENDING);
		break;
	case -ERESTARTNOINTR:
	case -ERESTARTNOHAND:
	case -ERESTART_RESTARTBLOCK:
		WRITE_ONCE(*error, -EINTR);
		break;
	case -ENOIOCTLCMD:
		WRITE_ONCE(*error, -ENOTTY);
		break;
	}
}

/*
 * What outlives one wait of a notification. seccomp waits again on the same
 * notification after each ADDFD (5.10 knows no other kind), and a signal held
 * while it was queued must stay held in that new wait, or it withdraws the
 * call after the fd was installed. Kept from the end of a wait until current
 * leaves the syscall: a task_work frees it on the way to user space or at
 * exit. So at most one per task, only current uses its own, and none is left
 * once the call returns.
 */
struct sigfwd_kept {
	struct callback_head work;
	struct hlist_node node;
	const struct task_struct *task;
	const void *knotif;
	u64 id;
	bool held;
};

static DEFINE_HASHTABLE(kept_table, 6);
static DEFINE_SPINLOCK(kept_lock);
static atomic_t nr_kept = ATOMIC_INIT(0);

/* current's kept state, of whatever notification; NULL if none. */
static struct sigfwd_kept *kept_find(void)
{
	struct sigfwd_kept *k;

	/* current sees its own insertion; others' do not matter. */
	if (!atomic_read(&nr_kept))
		return NULL;
	spin_lock(&kept_lock);
	hash_for_each_possible(kept_table, k, node, (unsigned long)current)
		if (k->task == current)
			break;
	spin_unlock(&kept_lock);
	return k;
}

static void kept_free(struct callback_head *work)
{
	struct sigfwd_kept *k = container_of(work, struct sigfwd_kept, work);

	spin_lock(&kept_lock);
	hash_del(&k->node);
	spin_unlock(&kept_lock);
	atomic_dec(&nr_kept);
	sigfwd_kfree(k);
	/* Taken in keep(); returning after it is safe as in sigfwd_wait(). */
	module_put(THIS_MODULE);
}

/* Keep @w's state for the next wait of the same notification. */
static void keep(const struct sigfwd_wait *w, struct sigfwd_kept *k)
{
	if (!k) {
		k = sigfwd_zalloc(sizeof(*k));
		if (!k)
			return;
		k->task = current;
		init_task_work(&k->work, kept_free);
		/* The task_work runs module code: hold the module for it. */
		__module_get(THIS_MODULE);
		if (task_work_add(current, &k->work, TWA_RESUME)) {
			module_put(THIS_MODULE);
			sigfwd_kfree(k);
			return;
		}
		atomic_inc(&nr_kept);
		spin_lock(&kept_lock);
		hash_add(kept_table, &k->node, (unsigned long)current);
		spin_unlock(&kept_lock);
	}
	k->knotif = w->knotif;
	k->id = w->id;
	k->held = w->held;
}

static int forward_wait(struct sigfwd_wait *w)
{
	bool killed;
	int ret;

	/* w->l: the bound listener, from the policy's lookup. */
	if (!w->l)
		return policy_wait(w);
	sigfwd_record_init(&w->rec, w->id);
	ret = policy_wait(w);
	/* A killed record only for a call the supervisor knows of. */
	killed = w->killed && (w->reported || !queued(w->knotif));
	sigfwd_record_end(w->l, &w->rec, killed);
	sigfwd_listener_put(w->l);
	return ret;
}

static int any_policy_wait(struct sigfwd_wait *w)
{
	struct sigfwd_kept *k = kept_find();
	int ret;

	if (k && k->knotif == w->knotif && k->id == w->id)
		w->held = k->held;
	if (w->policy & FORWARD)
		ret = forward_wait(w);
	else
		ret = policy_wait(w);
	if (ret)
		return ret;
	restart_reply(w);
	/*
	 * Woken by an ADDFD (or an ADDFD with FLAG_SEND, which may fail and
	 * wait again): only a wait that holds nothing else needs held.
	 */
	if (w->held && !(w->policy & (AFTER_RECV | FORWARD)))
		keep(w, k);
	return 0;
}

int sigfwd_wait(struct completion *x)
{
	struct sigfwd_wait w = {
		.x = x,
		.knotif = (char *)x - sigfwd_layout.knotif_ready,
	};
	int ret;

	w.filter = filter_of(w.knotif);
	if (w.filter)
		w.policy = sigfwd_policy(w.filter, w.knotif, &w.l);
	if (w.policy) {
		w.id = READ_ONCE(*sigfwd_member(w.knotif, knotif_id, u64));
		ret = any_policy_wait(&w);
	} else {
		ret = wait_for_completion_interruptible(x);
	}
	/* The redirect took this reference; unload waits for it (intercept.c). */
	module_put(THIS_MODULE);
	return ret;
}
