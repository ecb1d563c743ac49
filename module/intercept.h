/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel functions the module intercepts, one intercept_<function>.c
 * each, all registered from the table in main.c. Each is an ftrace_ops on the
 * function's entry (as livepatch uses); one that redirects the call to the
 * module's own function has IPMODIFY.
 */
#ifndef SIGFWD_INTERCEPT_H
#define SIGFWD_INTERCEPT_H

#include <linux/ftrace.h>

struct sigfwd_intercept {
	const char *func;	/* the kernel function */
	/* Called on each entry of @func (atomic context). */
	void (*callback)(unsigned long ip, unsigned long parent_ip,
			 struct ftrace_ops *op, struct ftrace_regs *fregs);
	unsigned long flags;	/* FTRACE_OPS_FL_IPMODIFY, _PERMANENT */
	const char *busy;	/* what -EBUSY from ftrace means */
	int (*check)(void);	/* optional: refuse before hooking @func */
	struct ftrace_ops ops;
};

extern struct sigfwd_intercept sigfwd_intercept_wait_for_completion_interruptible;
extern struct sigfwd_intercept sigfwd_intercept_seccomp_notify_release;
extern struct sigfwd_intercept sigfwd_intercept_seccomp_notify_poll;
extern struct sigfwd_intercept sigfwd_intercept_bpf_prog_destroy;

/* 0, or the errno after the one refusal line. */
int sigfwd_intercept_register(struct sigfwd_intercept *in);
void sigfwd_intercept_unregister(struct sigfwd_intercept *in);

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
