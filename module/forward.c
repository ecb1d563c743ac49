// SPDX-License-Identifier: GPL-2.0
/*
 * Forwarded signals: the records a supervisor reads with RECV_SIGNAL, and
 * EPOLLPRI on the listener fd. seccomp_notify_poll() never reports EPOLLPRI;
 * the polls of bound listeners are redirected to a copy that adds it while
 * the listener's supervisor has records waiting.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/poll.h>
#include <linux/cred.h>
#include <linux/fs.h>
#include <linux/ftrace.h>
#include <linux/hashtable.h>
#include <linux/kallsyms.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/refcount.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/ptrace.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include "compat.h"
#include "layout.h"
#include "sigfwd.h"
#include "symbols.h"

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

/*
 * EPOLLPRI on the listener fd. seccomp_notify_poll() never reports it, and a
 * return probe cannot add it reliably: a kretprobe holds one of a fixed
 * number of instances from entry to return, and a poll may sleep on the
 * filter's notify_lock (and, on preemptible and RT kernels, be preempted
 * anywhere) in between, so any number of polls can be in flight at once and
 * no size computed from CPUs is a bound: once the instances are used up,
 * polls run unprobed and a supervisor's epoll misses EPOLLPRI for good.
 *
 * So the polls of bound listeners are redirected, as the wait is (hook.c), by
 * an ftrace_ops with IPMODIFY to sigfwd_notify_poll(): nothing per call but
 * the module reference of the redirected call. It is seccomp_notify_poll()
 * itself, the same from 5.9 (EPOLLHUP) to 7.x, on the members layout.c reads
 * from BTF, plus EPOLLPRI; at load, notify_poll_shape() checks that the
 * stock function still calls nothing but the notify_lock mutex functions.
 * Polls of listeners without a device bound run the stock function: no
 * record can be pending for them. Only a poll that began before its
 * listener's BIND returned can miss the wake-up of a record queued before the
 * stock function registered on the wqh (README, Limits).
 */
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
	/* The redirect took this reference; unload waits for it (hook.c). */
	module_put(THIS_MODULE);
	return ret;
}

static void notrace poll_ftrace(unsigned long ip, unsigned long parent_ip,
				struct ftrace_ops *op, sigfwd_fregs_t *fregs)
{
	struct pt_regs *regs = sigfwd_get_regs(fregs);
	struct file *file;

	if (!regs)
		return;
	file = (struct file *)regs_get_kernel_argument(regs, 0);
	if (!sigfwd_listener_bound(file->private_data))
		return;
	/* Module going away: the stock poll, without EPOLLPRI. */
	if (!try_module_get(THIS_MODULE))
		return;
	regs->ip = (unsigned long)sigfwd_notify_poll;
}

static struct ftrace_ops poll_ops = {
	.func = poll_ftrace,
	.flags = FTRACE_OPS_FL_SAVE_REGS | FTRACE_OPS_FL_IPMODIFY |
		 SIGFWD_FTRACE_RECURSION,
};

/* What seccomp_notify_poll() may call besides the notify_lock functions. */
static bool allowed_callee(const char *name)
{
	static const char * const prefixes[] = {
		/* 7.x names the retpoline thunks by their __pi_ alias. */
		"__fentry__", "ftrace_", "__x86_", "__pi___x86_",
		"__sanitizer_", "__asan_", "__kasan_", "kasan_", "__kcsan_", "__tsan_", "__ubsan_",
		"__stack_chk_fail", "__kmsan_", "__cfi_",
	};
	int i;

	for (i = 0; i < ARRAY_SIZE(prefixes); i++)
		if (!strncmp(name, prefixes[i], strlen(prefixes[i])))
			return true;
	return false;
}

/*
 * sigfwd_notify_poll() stands in for seccomp_notify_poll(): refuse to load
 * if the stock function calls anything but mutex_lock_interruptible() and
 * mutex_unlock() (and instrumentation, thunks, ftrace). Only direct calls
 * that land on the start of a function count, so a stray 0xe8 byte in an
 * operand cannot make a match.
 */
static int notify_poll_shape(void)
{
	unsigned long start = sigfwd_targets.notify_poll, size, off, p;
	char buf[KSYM_SYMBOL_LEN], *plus, *slash;
	bool locks = false, unlocks = false;
	u8 insn[5];
	s32 rel;

	sprint_symbol(buf, start);
	plus = strrchr(buf, '/');
	if (!plus || kstrtoul(plus + 1, 0, &size) || size > 4096)
		return sigfwd_refuse("seccomp_notify_poll has no size");
	for (p = start; p + sizeof(insn) <= start + size; p++) {
		if (copy_from_kernel_nofault(insn, (void *)p, sizeof(insn)))
			return sigfwd_refuse("cannot read seccomp_notify_poll");
		if (insn[0] != 0xe8)
			continue;
		memcpy(&rel, &insn[1], sizeof(rel));
		sprint_symbol(buf, p + sizeof(insn) + (long)rel);
		plus = strrchr(buf, '+');
		slash = strrchr(buf, '/');
		if (!plus || !slash || slash < plus)
			continue;
		*plus = '\0';
		*slash = '\0';
		if (kstrtoul(plus + 1, 0, &off) || off)
			continue;
		if (!strcmp(buf, "mutex_lock_interruptible") ||
		    !strcmp(buf, "mutex_lock_interruptible_nested"))
			locks = true;
		else if (!strcmp(buf, "mutex_unlock"))
			unlocks = true;
		else if (!allowed_callee(buf))
			return sigfwd_refuse("seccomp_notify_poll calls %s", buf);
	}
	if (!locks || !unlocks)
		return sigfwd_refuse("seccomp_notify_poll does not take notify_lock as expected");
	return 0;
}

int sigfwd_forward_init(void)
{
	char name[] = "seccomp_notify_poll";
	int ret;

	ret = notify_poll_shape();
	if (ret)
		return ret;
	ret = ftrace_set_filter(&poll_ops, name, strlen(name), 0);
	if (ret)
		return sigfwd_refuse("cannot trace %s (%d)", name, ret);
	ret = register_ftrace_function(&poll_ops);
	if (ret) {
		sigfwd_ftrace_free_filter(&poll_ops);
		/* EBUSY: a livepatch (or another IPMODIFY user) redirects it. */
		sigfwd_refuse("cannot hook %s (%d%s)", name, ret,
			      ret == -EBUSY ? ", already redirected, by a livepatch?" : "");
		return ret;
	}
	return 0;
}

void sigfwd_forward_exit(void)
{
	unregister_ftrace_function(&poll_ops);
	sigfwd_ftrace_free_filter(&poll_ops);
}
