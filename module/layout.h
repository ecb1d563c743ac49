/* SPDX-License-Identifier: GPL-2.0 */
#ifndef SIGFWD_LAYOUT_H
#define SIGFWD_LAYOUT_H

#include <linux/types.h>

/*
 * Offsets inside kernel/seccomp.c's private structs, read from the running
 * kernel's BTF at load and checked against the types the code expects.
 */
struct sigfwd_layout {
	/* struct seccomp_knotif */
	size_t knotif_task, knotif_data, knotif_state, knotif_ready;
	size_t knotif_list, knotif_id, knotif_error;
	/* struct seccomp_filter */
	size_t filter_users, filter_prev, filter_prog, filter_notif;
	size_t filter_notify_lock, filter_wqh;
	/* struct notification */
	size_t notif_list;
	/* enum notify_state */
	u32 state_init, state_sent, state_replied;
	/* seccomp_filter.wait_killable_recv exists (5.19 or a backport) */
	bool native_killable_recv;
};

extern struct sigfwd_layout sigfwd_layout;

int sigfwd_read_layout(void);
void sigfwd_log_layout(void);

/* Typed access to a private member at a BTF-verified offset. */
#define sigfwd_member(ptr, field, type) \
	((type *)((char *)(ptr) + sigfwd_layout.field))

#endif
