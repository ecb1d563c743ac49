// SPDX-License-Identifier: GPL-2.0
/*
 * The policy of one notification: the filter's own data bits first, then the
 * listener's policy, then the module default.
 */

#include <linux/filter.h>
#include <linux/moduleparam.h>
#include <linux/sched.h>
#include <linux/seccomp.h>
#include <uapi/linux/seccomp.h>
#include "layout.h"
#include "sigfwd.h"

static unsigned int default_policy;

static int default_policy_set(const char *val, const struct kernel_param *kp)
{
	unsigned int v;
	int ret = kstrtouint(val, 0, &v);

	if (ret)
		return ret;
	if (v & ~SIGFWD_POLICIES)
		return -EINVAL;
	WRITE_ONCE(default_policy, v);
	return 0;
}

static const struct kernel_param_ops default_policy_ops = {
	.set = default_policy_set,
	.get = param_get_uint,
};

module_param_cb(default_policy, &default_policy_ops, &default_policy, 0644);
MODULE_PARM_DESC(default_policy,
		 "Policy bits for notifications whose filter and listener name none (default 0: stock)");

u32 sigfwd_default_policy(void)
{
	return READ_ONCE(default_policy);
}

/*
 * __seccomp_filter() computes the USER_NOTIF data bits but does not pass
 * them on. Classic seccomp BPF is a pure function of seccomp_data, so
 * running the matching filter again on the notification's data yields them.
 */
static int filter_data_policy(void *filter, void *knotif)
{
	struct bpf_prog *prog = *sigfwd_member(filter, filter_prog,
					       struct bpf_prog *);
	const struct seccomp_data *sd =
		*sigfwd_member(knotif, knotif_data, const struct seccomp_data *);
	u32 ret, data;

	ret = bpf_prog_run_pin_on_cpu(prog, sd);
	if ((ret & SECCOMP_RET_ACTION_FULL) != SECCOMP_RET_USER_NOTIF)
		return -1;
	data = ret & SECCOMP_RET_DATA;
	if ((data & SECCOMP_SIGFWD_DATA_TAG_MASK) != SECCOMP_SIGFWD_DATA_TAG)
		return -1;
	return data & SECCOMP_SIGFWD_DATA_POLICY_MASK & SIGFWD_POLICIES;
}

u32 sigfwd_policy(void *filter, void *knotif)
{
	int policy = filter_data_policy(filter, knotif);

	if (policy >= 0)
		return policy;
	return sigfwd_listener_policy(filter);
}

/* Is @k a USER_NOTIF return whose data carries the module's tag? */
static bool tagged_notif(u32 k)
{
	return (k & SECCOMP_RET_ACTION_FULL) == SECCOMP_RET_USER_NOTIF &&
	       (k & SECCOMP_SIGFWD_DATA_TAG_MASK) == SECCOMP_SIGFWD_DATA_TAG;
}

/*
 * Can the filter's program return a tagged USER_NOTIF value? Its classic
 * program as loaded (orig_prog, kept for seccomp with CHECKPOINT_RESTORE)
 * returns only through RET K and RET A: a tagged K, or any A, may. Without
 * the original program, assume it may.
 */
static bool filter_may_tag(void *filter)
{
	const struct bpf_prog *prog = *sigfwd_member(filter, filter_prog,
						     struct bpf_prog *);
	const struct sock_fprog_kern *orig = prog->orig_prog;
	unsigned int i;

	if (!orig)
		return true;
	for (i = 0; i < orig->len; i++) {
		const struct sock_filter *insn = &orig->filter[i];

		if (BPF_CLASS(insn->code) != BPF_RET)
			continue;
		if (BPF_RVAL(insn->code) != BPF_K || tagged_notif(insn->k))
			return true;
	}
	return false;
}

/*
 * Could a notification wait of current have a policy? The ftrace hook asks
 * before it redirects the wait and pins the module, so this runs in atomic
 * context: no sleeping, no lock but RCU's. It over-approximates
 * sigfwd_policy() over every filter of current's chain that has a listener
 * (the one that notified is among them): a default policy, a bound device or
 * a program that may tag its return value. current holds a reference to
 * every filter of its chain, and their programs never change.
 */
bool sigfwd_may_have_policy(void)
{
	void *f;

	if (sigfwd_default_policy())
		return true;
	for (f = READ_ONCE(current->seccomp.filter); f;
	     f = *sigfwd_member(f, filter_prev, void *)) {
		if (!READ_ONCE(*sigfwd_member(f, filter_notif, void *)))
			continue;
		if (sigfwd_listener_bound(f) || filter_may_tag(f))
			return true;
	}
	return false;
}
