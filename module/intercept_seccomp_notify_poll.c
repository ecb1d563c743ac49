// SPDX-License-Identifier: GPL-2.0
/*
 * Intercept seccomp_notify_poll(), the poll of a listener fd, to add
 * EPOLLPRI while the listener's supervisor has forwarded signals to read.
 *
 * seccomp_notify_poll() never reports EPOLLPRI, and a return probe cannot
 * add it reliably: a kretprobe holds one of a fixed number of instances from
 * entry to return, and a poll may sleep on the
 * filter's notify_lock (and, on preemptible and RT kernels, be preempted
 * anywhere) in between, so any number of polls can be in flight at once and
 * no size computed from CPUs is a bound: once the instances are used up,
 * polls run unprobed and a supervisor's epoll misses EPOLLPRI for good.
 *
 * So the polls of bound listeners are redirected, as the wait is, by an
 * ftrace_ops with IPMODIFY to sigfwd_notify_poll(): nothing per call but
 * the module reference of the redirected call. It is seccomp_notify_poll()
 * itself, the same from 5.9 (EPOLLHUP) to 7.x, on the members layout.c reads
 * from BTF, plus EPOLLPRI; at load, poll_shape() checks that the
 * stock function still calls nothing but the notify_lock mutex functions.
 * Polls of listeners without a device bound run the stock function (but for
 * one whose hash bucket a binding shares: sigfwd_listener_maybe_bound()): no
 * record can be pending for them. The redirected poll looks its listener up
 * once, for EPOLLPRI. While no listener at all is bound, the
 * intercept is not even registered (on_demand, listener.c): a host with the
 * module loaded but unused pays nothing per poll. Only a poll that began
 * before its listener's BIND returned can miss the wake-up of a record
 * queued before the stock function registered on the wqh (README, Limits).
 */

#include <linux/fs.h>
#include <linux/kallsyms.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/poll.h>
#include <linux/refcount.h>
#include <linux/string.h>
#include "arch.h"
#include "intercept.h"
#include "layout.h"
#include "sigfwd.h"
#include "symbols.h"

static __poll_t sigfwd_notify_poll(struct file *file, poll_table *pt)
{
	void *filter = file->private_data;
	struct mutex *lock = sigfwd_member(filter, filter_notify_lock,
					   struct mutex);
	struct list_head *pos, *head;
	__poll_t ret = 0;
	void *notif;

	poll_wait(file, sigfwd_member(filter, filter_wqh, wait_queue_head_t),
		  pt);
	if (mutex_lock_interruptible(lock) < 0) {
		ret = EPOLLERR;
		goto out;
	}
	/* Only the listener's release clears it, never during a poll. */
	notif = *sigfwd_member(filter, filter_notif, void *);
	head = notif ? sigfwd_member(notif, notif_list, struct list_head) : NULL;
	for (pos = head ? head->next : NULL; pos && pos != head;
	     pos = pos->next) {
		u32 state = *sigfwd_member((char *)pos - sigfwd_layout.knotif_list,
					   knotif_state, u32);

		if (state == sigfwd_layout.state_init)
			ret |= EPOLLIN | EPOLLRDNORM;
		if (state == sigfwd_layout.state_sent)
			ret |= EPOLLOUT | EPOLLWRNORM;
		if ((ret & EPOLLIN) && (ret & EPOLLOUT))
			break;
	}
	mutex_unlock(lock);
	if (!refcount_read(sigfwd_member(filter, filter_users, refcount_t)))
		ret |= EPOLLHUP;
out:
	/* After poll_wait(): a record queued from now on wakes the wqh. */
	if (sigfwd_listener_has_records(filter))
		ret |= EPOLLPRI;
	/* The redirect took this reference; unload waits for it (intercept.c). */
	module_put(THIS_MODULE);
	return ret;
}

static void notrace poll_callback(unsigned long ip, unsigned long parent_ip,
				  struct ftrace_ops *op,
				  struct ftrace_regs *fregs)
{
	struct file *file = (struct file *)sigfwd_argument(fregs, 0);

	if (!sigfwd_listener_maybe_bound(file->private_data))
		return;
	/* Module going away: the stock poll, without EPOLLPRI. */
	if (!try_module_get(THIS_MODULE))
		return;
	sigfwd_redirect(fregs, sigfwd_notify_poll);
}

/* What seccomp_notify_poll() may call besides the notify_lock functions. */
static bool allowed_callee(const char *name)
{
	static const char * const prefixes[] = {
		"__fentry__", "ftrace_", "__sanitizer_", "__asan_", "__kasan_",
		"kasan_", "__kcsan_", "__tsan_", "__ubsan_", "__stack_chk_fail",
		"__kmsan_", "__cfi_",
	};
	int i;

	for (i = 0; i < ARRAY_SIZE(prefixes); i++)
		if (str_has_prefix(name, prefixes[i]))
			return true;
	return sigfwd_arch_helper_callee(name);
}

struct poll_calls {
	bool locks, unlocks;
};

static int poll_callee(const struct sigfwd_call *call, void *arg)
{
	struct poll_calls *pc = arg;
	char name[KSYM_SYMBOL_LEN];

	if (!sigfwd_call_target(call->target, name))
		return 0;
	if (!strcmp(name, "mutex_lock_interruptible") ||
	    !strcmp(name, "mutex_lock_interruptible_nested"))
		pc->locks = true;
	else if (!strcmp(name, "mutex_unlock"))
		pc->unlocks = true;
	else if (!allowed_callee(name))
		return sigfwd_refuse(-ENOENT, "seccomp_notify_poll calls %s", name);
	return 0;
}

/*
 * sigfwd_notify_poll() stands in for seccomp_notify_poll(): refuse to load
 * if the stock function calls anything but mutex_lock_interruptible() and
 * mutex_unlock() (and instrumentation, thunks, ftrace). Only calls that land
 * on the start of a function count, so a stray call-like byte cannot match.
 */
static int poll_shape(void)
{
	const struct sigfwd_func *f = &sigfwd_targets.notify_poll;
	const char *name = f->name;
	struct poll_calls pc = {};
	int ret;

	if (f->size > 4096)
		return sigfwd_refuse(-ENOENT, "%s is %lu bytes, more than expected",
				     name, f->size);
	ret = sigfwd_arch_scan_calls(f->start, f->size, poll_callee, &pc);
	if (ret == -EFAULT)
		return sigfwd_refuse(ret, "cannot read %s", name);
	if (ret)
		return ret;
	if (!pc.locks || !pc.unlocks)
		return sigfwd_refuse(-ENOENT, "%s does not take notify_lock as expected",
				     name);
	return 0;
}

struct sigfwd_intercept sigfwd_intercept_seccomp_notify_poll = {
	.func = "seccomp_notify_poll",
	.callback = poll_callback,
	.flags = FTRACE_OPS_FL_IPMODIFY,
	/* Another IPMODIFY ops on it, such as a livepatch's. */
	.busy = "already redirected, by a livepatch?",
	.check = poll_shape,
	/* Registered while a listener is bound; at load only to prove it can be. */
	.on_demand = true,
};
