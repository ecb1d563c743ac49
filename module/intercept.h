/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel functions the module intercepts, one intercept_<function>.c
 * each, all registered from the table in main.c. Each is an ftrace_ops on the
 * function's entry (as livepatch uses); one that redirects the call to the
 * module's own function has IPMODIFY.
 *
 * An intercept that is only needed while something uses it (.on_demand) is
 * checked and registered once at load, to prove it can be, then registered
 * only while it has users: sigfwd_intercept_get() and _put().
 */
#ifndef SIGFWD_INTERCEPT_H
#define SIGFWD_INTERCEPT_H

#include <linux/atomic.h>
#include <linux/ftrace.h>
#include <linux/workqueue.h>

struct sigfwd_intercept {
	const char *func;	/* the kernel function */
	/* Called on each entry of @func (atomic context). */
	void (*callback)(unsigned long ip, unsigned long parent_ip,
			 struct ftrace_ops *op, struct ftrace_regs *fregs);
	unsigned long flags;	/* FTRACE_OPS_FL_IPMODIFY, _PERMANENT */
	const char *busy;	/* what -EBUSY from ftrace means */
	int (*check)(void);	/* optional: refuse before hooking @func */
	bool on_demand;		/* registered only while it has users */
	struct ftrace_ops ops;
	/* .on_demand: */
	atomic_t users;
	bool live;		/* registered; under the users mutex */
	struct delayed_work idle;	/* unregisters once unused a while */
};

extern struct sigfwd_intercept sigfwd_intercept_wait_for_completion_interruptible;
extern struct sigfwd_intercept sigfwd_intercept_seccomp_notify_release;
extern struct sigfwd_intercept sigfwd_intercept_seccomp_notify_poll;
extern struct sigfwd_intercept sigfwd_intercept_bpf_prog_destroy;

/* 0, or the errno after the one refusal line. */
int sigfwd_intercept_register(struct sigfwd_intercept *in);
void sigfwd_intercept_unregister(struct sigfwd_intercept *in);

/*
 * A user of an .on_demand intercept (process context): registered when this
 * returns 0, else the errno of the registration. Each success is paired with
 * one sigfwd_intercept_put(), which may be called in atomic context.
 */
int sigfwd_intercept_get(struct sigfwd_intercept *in);
void sigfwd_intercept_put(struct sigfwd_intercept *in);

/* Make the intercepted call run @func instead, with the same arguments. */
static __always_inline void sigfwd_redirect(struct ftrace_regs *fregs,
					    void *func)
{
	ftrace_regs_set_instruction_pointer(fregs, (unsigned long)func);
}

/* Argument @n (from 0) of the intercepted call. */
static __always_inline unsigned long sigfwd_argument(struct ftrace_regs *fregs,
						     unsigned int n)
{
	return ftrace_regs_get_argument(fregs, n);
}

#endif
