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
	unsigned long notify_poll;
	unsigned long notify_ioctl;
	unsigned long notify_release;
};

extern struct sigfwd_targets sigfwd_targets;

int sigfwd_resolve_targets(const char *extra);
bool sigfwd_is_wait_site(unsigned long ret_addr);
void sigfwd_log_targets(void);

/* One-line reason for refusing to load, printed by module init. */
extern char sigfwd_refusal[160];
__printf(2, 3) int sigfwd_refuse_with(int err, const char *fmt, ...);
/* Refuse for something the kernel lacks: -ENOENT. */
#define sigfwd_refuse(fmt, ...) sigfwd_refuse_with(-ENOENT, fmt, ##__VA_ARGS__)

#endif
