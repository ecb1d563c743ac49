// SPDX-License-Identifier: GPL-2.0
/*
 * The policy of one notification: the filter's own data bits first, then the
 * listener's policy, then the module default.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/filter.h>
#include <linux/moduleparam.h>
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
