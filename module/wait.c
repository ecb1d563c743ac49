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
#include <linux/list.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/swait.h>
#include <linux/wait.h>
#include "layout.h"
#include "sigfwd.h"

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
 * Wait killable while the notification is queued, and also wake when the
 * supervisor receives it (seccomp_notify_recv() wakes the filter's wqh), so
 * that the phase after RECV can follow its own policy.
 * Returns 0 (completed), -ERESTARTSYS (fatal signal) or 1 (received).
 */
static int wait_queued_killable(struct completion *x, void *filter,
				void *knotif)
{
	wait_queue_head_t *wqh = sigfwd_member(filter, filter_wqh,
					       wait_queue_head_t);
	DECLARE_SWAITQUEUE(sw);
	wait_queue_entry_t wq;
	int ret;

	init_waitqueue_entry(&wq, current);
	add_wait_queue(wqh, &wq);
	for (;;) {
		prepare_to_swait_exclusive(&x->wait, &sw, TASK_KILLABLE);
		if (try_wait_for_completion(x)) {
			ret = 0;
			break;
		}
		if (fatal_signal_pending(current)) {
			ret = -ERESTARTSYS;
			break;
		}
		if (!queued(knotif)) {
			ret = 1;
			break;
		}
		schedule();
	}
	finish_swait(&x->wait, &sw);
	remove_wait_queue(wqh, &wq);
	return ret;
}

static int policy_wait(struct completion *x, void *filter, void *knotif,
		       u32 policy)
{
	bool after = policy & SECCOMP_SIGFWD_KILLABLE_AFTER_RECV;
	bool before = policy & SECCOMP_SIGFWD_KILLABLE_BEFORE_RECV;
	int ret;

	if (after && before)
		return wait_for_completion_killable(x);
	for (;;) {
		if (!queued(knotif))
			return after ? wait_for_completion_killable(x) :
				       wait_for_completion_interruptible(x);
		if (before) {
			ret = wait_queued_killable(x, filter, knotif);
			if (ret <= 0)
				return ret;
			continue;
		}
		/* AFTER only: the stock wait until RECV. */
		ret = wait_for_completion_interruptible(x);
		if (!ret || fatal_signal_pending(current) || queued(knotif))
			return ret;
		/* Received before the signal was seen: keep waiting. */
	}
}

int sigfwd_wait(struct completion *x)
{
	void *knotif = (char *)x - sigfwd_layout.knotif_ready;
	void *filter = filter_of(knotif);
	u32 policy = filter ? sigfwd_policy(filter, knotif) : 0;
	int ret;

	if (policy)
		ret = policy_wait(x, filter, knotif, policy);
	else
		ret = wait_for_completion_interruptible(x);
	/* The hook took this reference; unload waits for it (see hook.c). */
	module_put(THIS_MODULE);
	return ret;
}
