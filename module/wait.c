// SPDX-License-Identifier: GPL-2.0
/*
 * The replacement for the wait_for_completion_interruptible() call in
 * seccomp_do_user_notification(). Same signature and the same contract as
 * that call: 0 when the completion was really completed (a reply or an addfd
 * request), -ERESTARTSYS when the wait was interrupted; seccomp's own code
 * does everything else (addfd, unlinking, return values).
 *
 * Entered through the ftrace hook with a module reference held for us.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/completion.h>
#include <linux/errno.h>
#include <linux/jiffies.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/swait.h>
#include <linux/wait.h>
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
	void *filter;			/* the listener's, in current's chain */
	u32 policy;
	struct sigfwd_listener *l;	/* FORWARD: the bound supervisor */
	struct sigfwd_record *rec;	/* FORWARD: this wait's record */
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
 * chain, so the walk needs no lock of its own.
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
		mutex_lock(lock);
		notif = *sigfwd_member(f, filter_notif, void *);
		if (notif)
			list_for_each(pos, sigfwd_member(notif, notif_list,
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
 * One loop for every policy: sleep on the completion, woken by the reply, a
 * signal, or the supervisor's RECV (seccomp_notify_recv() wakes the filter's
 * wqh), so each phase follows its own rule. Interruptible sleep only where a
 * signal must end the wait or be forwarded; otherwise killable, so a held
 * signal does not turn the loop into a busy one.
 */
static int policy_wait(struct sigfwd_wait *w)
{
	wait_queue_head_t *wqh = sigfwd_member(w->filter, filter_wqh,
					       wait_queue_head_t);
	struct completion *x = w->x;
	DECLARE_SWAITQUEUE(sw);
	wait_queue_entry_t wq;
	bool q, hold, report, wake, fake;
	int ret;

	init_waitqueue_entry(&wq, current);
	add_wait_queue(wqh, &wq);
	for (;;) {
		q = queued(w->knotif);
		hold = holds(w, q);
		report = hold && w->rec && !w->reported;
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
			if (sigfwd_record_signal(w->l, w->rec, q)) {
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
	remove_wait_queue(wqh, &wq);
	return ret;
}

/*
 * A supervisor's "interrupt as the kernel would" (-ERESTARTSYS and kin) must
 * reach the signal code even when no signal is left pending, or the task
 * would see errno 512: flag a signal check, which restarts the call.
 */
static void restart_reply(struct sigfwd_wait *w)
{
	int err = READ_ONCE(*sigfwd_member(w->knotif, knotif_error, int));

	if (knotif_state(w->knotif) != sigfwd_layout.state_replied)
		return;
	if (err == -ERESTARTSYS || err == -ERESTARTNOINTR ||
	    err == -ERESTARTNOHAND || err == -ERESTART_RESTARTBLOCK)
		set_thread_flag(TIF_SIGPENDING);
}

static int forward_wait(struct sigfwd_wait *w)
{
	u64 id = READ_ONCE(*sigfwd_member(w->knotif, knotif_id, u64));
	bool killed;
	int ret;

	w->l = sigfwd_listener_get(w->filter);
	if (w->l)
		w->rec = sigfwd_record_new(id);
	ret = policy_wait(w);
	if (!ret)
		restart_reply(w);
	if (w->rec) {
		/* A killed record only for a call the supervisor knows of. */
		killed = w->killed && (w->reported || !queued(w->knotif));
		sigfwd_record_end(w->l, w->rec, killed);
	}
	if (w->l)
		sigfwd_listener_put(w->l);
	return ret;
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
		w.policy = sigfwd_policy(w.filter, w.knotif);
	if (!w.policy)
		ret = wait_for_completion_interruptible(x);
	else if (w.policy & FORWARD)
		ret = forward_wait(&w);
	else
		ret = policy_wait(&w);
	/* The hook took this reference; unload waits for it (see hook.c). */
	module_put(THIS_MODULE);
	return ret;
}
