// SPDX-License-Identifier: GPL-2.0
/*
 * Read the private seccomp struct layouts from /sys/kernel/btf/vmlinux.
 *
 * The offsets differ between releases (5.19 added a member to seccomp_filter,
 * 6.6 changed struct notification, the action cache size depends on config),
 * so none is written down: each member is looked up by name and its type is
 * checked by kind, name and size (btf.c) before the module trusts it. This
 * file is the table of what the module reads.
 */

#include <uapi/linux/btf.h>
#include <linux/completion.h>
#include <linux/list.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/seccomp.h>
#include <linux/wait.h>
#include "btf.h"
#include "layout.h"
#include "sigfwd.h"

struct sigfwd_layout sigfwd_layout;

static char *test_btf_path;
module_param(test_btf_path, charp, 0400);
MODULE_PARM_DESC(test_btf_path,
		 "Testing only: read the kernel's BTF from this file");

/* Reached through knotif.state: the enum the member really has. */
static int read_notify_state(const struct sigfwd_btf *b,
			     const struct btf_type *e)
{
	const struct btf_enum *v;
	int i, found = 0;

	v = (const void *)(e + 1);
	for (i = 0; i < BTF_INFO_VLEN(e->info); i++, v++) {
		const char *n = sigfwd_btf_name(b, v->name_off);

		if (!strcmp(n, "SECCOMP_NOTIFY_INIT"))
			sigfwd_layout.state_init = v->val, found |= 1;
		else if (!strcmp(n, "SECCOMP_NOTIFY_SENT"))
			sigfwd_layout.state_sent = v->val, found |= 2;
		else if (!strcmp(n, "SECCOMP_NOTIFY_REPLIED"))
			sigfwd_layout.state_replied = v->val, found |= 4;
	}
	/* The state is read as a u32 (wait.c). */
	if (found != 7 || BTF_INFO_VLEN(e->info) != 3 || e->size != sizeof(u32))
		return sigfwd_refuse(-EINVAL, "enum notify_state not as expected");
	return 0;
}

/*
 * Public structs whose layout the module's own headers know: if the BTF
 * disagrees, it does not describe the kernel the module was built for (a
 * BTF file of another build), and none of its private offsets can be trusted.
 */
struct public_spec {
	const char *sname, *member;	/* member NULL: the struct's size */
	size_t value;
};

#define P_SIZE(s) { #s, NULL, sizeof(struct s) }
#define P_OFF(s, m) { #s, #m, offsetof(struct s, m) }

static int check_public(const struct sigfwd_btf *b)
{
	static const struct public_spec specs[] = {
		P_SIZE(list_head),
		P_SIZE(completion),
		P_OFF(completion, wait),
		P_SIZE(wait_queue_head),
		P_OFF(wait_queue_head, head),
		P_SIZE(seccomp_data),
		P_OFF(seccomp_data, arch),
		P_OFF(seccomp_data, instruction_pointer),
		P_OFF(seccomp_data, args),
		P_SIZE(task_struct),
		P_OFF(task_struct, seccomp),
		P_OFF(task_struct, sighand),
		P_OFF(task_struct, pending),
	};
	const struct btf_member *mem;
	const struct btf_type *s;
	size_t value;
	int i;

	for (i = 0; i < ARRAY_SIZE(specs); i++) {
		s = sigfwd_btf_struct(b, specs[i].sname);
		if (IS_ERR(s))
			return PTR_ERR(s);
		if (!specs[i].member) {
			value = s->size;
		} else {
			mem = sigfwd_btf_member(b, s, specs[i].member);
			if (!mem)
				return sigfwd_refuse(-EINVAL, "struct %s.%s missing in BTF",
							  specs[i].sname,
							  specs[i].member);
			value = sigfwd_btf_member_offset(s, mem);
		}
		if (value != specs[i].value)
			return sigfwd_refuse(-EINVAL,
				"BTF is not the running kernel's (%s of struct %s: %zu, built with %zu)",
						  specs[i].member ?: "size",
						  specs[i].sname, value,
						  specs[i].value);
	}
	return 0;
}

#define M(n, f, k, t, s) { #n, &sigfwd_layout.f, BTF_KIND_##k, t, s }

static int read_layouts(const struct sigfwd_btf *b)
{
	const struct btf_type *notif_type = NULL, *state_type = NULL;
	const struct sigfwd_btf_spec knotif[] = {
		M(task, knotif_task, PTR, "task_struct", 0),
		M(id, knotif_id, INT, NULL, sizeof(u64)),
		M(data, knotif_data, PTR, "seccomp_data", 0),
		{ "state", &sigfwd_layout.knotif_state, BTF_KIND_ENUM,
		  "notify_state", sizeof(u32), &state_type },
		M(error, knotif_error, INT, NULL, sizeof(int)),
		M(ready, knotif_ready, STRUCT, "completion",
		  sizeof(struct completion)),
		M(list, knotif_list, STRUCT, "list_head",
		  sizeof(struct list_head)),
	};
	const struct sigfwd_btf_spec filter[] = {
		M(users, filter_users, STRUCT, "refcount_struct",
		  sizeof(refcount_t)),
		M(prev, filter_prev, PTR, "seccomp_filter", 0),
		M(prog, filter_prog, PTR, "bpf_prog", 0),
		{ "notif", &sigfwd_layout.filter_notif, BTF_KIND_PTR,
		  "notification", 0, &notif_type },
		M(notify_lock, filter_notify_lock, STRUCT, "mutex",
		  sizeof(struct mutex)),
		M(wqh, filter_wqh, STRUCT, "wait_queue_head",
		  sizeof(wait_queue_head_t)),
	};
	const struct sigfwd_btf_spec notif[] = {
		M(notifications, notif_list, STRUCT, "list_head",
		  sizeof(struct list_head)),
	};
	const struct btf_type *s;
	int ret;

	ret = check_public(b);
	if (ret)
		return ret;
	s = sigfwd_btf_struct(b, "seccomp_knotif");
	if (IS_ERR(s))
		return PTR_ERR(s);
	ret = sigfwd_btf_check_members(b, "seccomp_knotif", s, knotif, ARRAY_SIZE(knotif));
	if (ret)
		return ret;
	ret = read_notify_state(b, state_type);
	if (ret)
		return ret;
	s = sigfwd_btf_struct(b, "seccomp_filter");
	if (IS_ERR(s))
		return PTR_ERR(s);
	ret = sigfwd_btf_check_members(b, "seccomp_filter", s, filter, ARRAY_SIZE(filter));
	if (ret)
		return ret;
	/* 5.19's SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV, or a backport of it. */
	sigfwd_layout.native_killable_recv =
		!!sigfwd_btf_member(b, s, "wait_killable_recv");
	/* The struct seccomp_filter.notif points to, not any of that name. */
	return sigfwd_btf_check_members(b, "notification", notif_type, notif,
			     ARRAY_SIZE(notif));
}

int sigfwd_read_layout(void)
{
	struct sigfwd_btf b;
	int ret;

	ret = sigfwd_btf_read(&b, test_btf_path ?: "/sys/kernel/btf/vmlinux");
	if (ret)
		return ret;
	ret = read_layouts(&b);
	sigfwd_btf_free(&b);
	return ret;
}

/* What the layout check found; logged once the whole load has succeeded. */
void sigfwd_log_layout(void)
{
	pr_info("layout from BTF: knotif.ready@%zu list@%zu state@%zu, filter.prev@%zu prog@%zu notif@%zu notify_lock@%zu wqh@%zu, notification.notifications@%zu%s\n",
		sigfwd_layout.knotif_ready, sigfwd_layout.knotif_list,
		sigfwd_layout.knotif_state, sigfwd_layout.filter_prev,
		sigfwd_layout.filter_prog, sigfwd_layout.filter_notif,
		sigfwd_layout.filter_notify_lock,
		sigfwd_layout.filter_wqh, sigfwd_layout.notif_list,
		sigfwd_layout.native_killable_recv ?
		", wait_killable_recv" : "");
}
