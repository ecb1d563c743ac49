/* SPDX-License-Identifier: GPL-2.0 */
#ifndef SIGFWD_SYMBOLS_H
#define SIGFWD_SYMBOLS_H

#include <linux/kallsyms.h>
#include <linux/types.h>

#define SIGFWD_MAX_SITES 4

/* A function of the running kernel, resolved by name at load. */
struct sigfwd_func {
	char name[KSYM_NAME_LEN];
	unsigned long start;
	unsigned long size;
};

/*
 * What the module needs to know about the running kernel's code. Addresses
 * are only compared with, never called (IBT: see README, "Safety").
 */
struct sigfwd_targets {
	/* The clones of seccomp_do_user_notification() and their .cold parts. */
	struct sigfwd_func notify[8];
	int nr_notify;
	/* Return addresses of its wait_for_completion_interruptible() calls. */
	unsigned long wait_sites[SIGFWD_MAX_SITES];
	int nr_wait_sites;
	/* seccomp_notify_fops members: identify a listener file. */
	struct sigfwd_func notify_poll;
	struct sigfwd_func notify_ioctl;
	struct sigfwd_func notify_release;
};

extern struct sigfwd_targets sigfwd_targets;

int sigfwd_resolve_targets(const char *extra);
bool sigfwd_is_wait_site(unsigned long ret_addr);
void sigfwd_log_targets(void);

/* The function a call to @target runs, in @name[KSYM_SYMBOL_LEN]. */
bool sigfwd_call_target(unsigned long target, char *name);

#endif
