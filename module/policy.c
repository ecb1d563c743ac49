// SPDX-License-Identifier: GPL-2.0
/*
 * The policy of one notification (sigfwd_policy()): the filter's own data
 * bits first, then the listener's policy, then the module default.
 */

#include <linux/filter.h>
#include <linux/hash.h>
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

/* GET_POLICY: a listener's policy, or the default where it has none. */
u32 sigfwd_policy_or_default(u32 listener_policy)
{
	if (listener_policy != SIGFWD_POLICY_UNSET)
		return listener_policy;
	return READ_ONCE(default_policy);
}

/* Is @k a USER_NOTIF return whose data carries the module's tag? */
static bool tagged_notif(u32 k)
{
	return (k & SECCOMP_RET_ACTION_FULL) == SECCOMP_RET_USER_NOTIF &&
	       (k & SECCOMP_SIGFWD_DATA_TAG_MASK) == SECCOMP_SIGFWD_DATA_TAG;
}

/*
 * What a filter's program gives the notifications it makes: its classic
 * program as loaded (orig_prog, kept for seccomp with CHECKPOINT_RESTORE)
 * returns only through RET K and RET A.
 *   TAGS_NONE   no tagged USER_NOTIF K and no RET A: never a data policy
 *   TAGS_CONST  every USER_NOTIF K is one tagged value and no RET A: that
 *               value's policy, without running the program
 *   TAGS_RUN    anything else, or no original program: run it
 */
enum { TAGS_NONE = 1, TAGS_CONST, TAGS_RUN };

static unsigned int scan_prog(const struct bpf_prog *prog, u32 *policy)
{
	const struct sock_fprog_kern *orig = prog->orig_prog;
	bool untagged = false;
	unsigned int i;
	u32 k, tagged = 0;

	if (!orig)
		return TAGS_RUN;
	for (i = 0; i < orig->len; i++) {
		const struct sock_filter *insn = &orig->filter[i];

		if (BPF_CLASS(insn->code) != BPF_RET)
			continue;
		if (BPF_RVAL(insn->code) != BPF_K)
			return TAGS_RUN;
		k = insn->k;
		if ((k & SECCOMP_RET_ACTION_FULL) != SECCOMP_RET_USER_NOTIF)
			continue;
		if (!tagged_notif(k)) {
			untagged = true;
			continue;
		}
		if (tagged && k != tagged)
			return TAGS_RUN;
		tagged = k;
	}
	if (!tagged)
		return TAGS_NONE;
	if (untagged)
		return TAGS_RUN;
	*policy = tagged & SECCOMP_SIGFWD_DATA_POLICY_MASK & SIGFWD_POLICIES;
	return TAGS_CONST;
}

/*
 * scan_prog()'s answers, cached by program so that a notification does not
 * scan its filter's program again: a direct-mapped table of words, each the
 * program's address (vmalloc'ed, so page aligned) with the answer in its low
 * bits. An entry is dropped when its program is destroyed (sigfwd_prog_gone(),
 * from intercept_bpf_prog_destroy.c, live before any entry is made). The
 * programs looked up are those of current's filters, which current holds:
 * none can be destroyed while its entry is made or used, so an entry never
 * outlives its program. A collision evicts: the next lookup scans again.
 */
#define TAGS_SLOTS_BITS 8
#define TAGS_VALID BIT(0)
#define TAGS_KIND_SHIFT 1
#define TAGS_POLICY_SHIFT 3
#define TAGS_LOW GENMASK(TAGS_POLICY_SHIFT + 3, 0)

static unsigned long tags_cache[1 << TAGS_SLOTS_BITS];

static unsigned long *tags_slot(const void *prog)
{
	return &tags_cache[hash_ptr(prog, TAGS_SLOTS_BITS)];
}

static unsigned int prog_tags(void *filter, u32 *policy)
{
	const struct bpf_prog *prog = *sigfwd_member(filter, filter_prog,
						     struct bpf_prog *);
	unsigned long addr = (unsigned long)prog, *slot, e;
	unsigned int kind;

	BUILD_BUG_ON(SECCOMP_SIGFWD_DATA_POLICY_MASK >> 4);
	*policy = 0;
	if (addr & TAGS_LOW)
		return scan_prog(prog, policy);
	slot = tags_slot(prog);
	e = READ_ONCE(*slot);
	if ((e & ~TAGS_LOW) == addr && (e & TAGS_VALID)) {
		*policy = (e >> TAGS_POLICY_SHIFT) &
			  SECCOMP_SIGFWD_DATA_POLICY_MASK;
		return (e >> TAGS_KIND_SHIFT) & 3;
	}
	kind = scan_prog(prog, policy);
	WRITE_ONCE(*slot, addr | TAGS_VALID | kind << TAGS_KIND_SHIFT |
			  *policy << TAGS_POLICY_SHIFT);
	return kind;
}

/* A classic program is being destroyed (atomic context): drop its entry. */
void sigfwd_prog_gone(const void *prog)
{
	unsigned long *slot = tags_slot(prog), e = READ_ONCE(*slot);

	if ((e & ~TAGS_LOW) == (unsigned long)prog)
		cmpxchg(slot, e, 0);
}

/*
 * The policy of @knotif, a notification of @filter (for sigfwd_wait()). A
 * forwarding wait also needs the filter's bound listener: *@l gets it with a
 * reference (or NULL) from the wait's one lookup; the caller puts it.
 */
u32 sigfwd_policy(void *filter, void *knotif, struct sigfwd_listener **l)
{
	u32 policy;
	int data;

	*l = NULL;
	/* 1. The filter's return data, when it carries the module's tag. */
	switch (prog_tags(filter, &policy)) {
	case TAGS_CONST:
		data = policy;
		break;
	case TAGS_RUN:
		data = filter_data_policy(filter, knotif);
		break;
	default:
		data = -1;
	}
	if (data >= 0) {
		if (data & SECCOMP_SIGFWD_FORWARD)
			*l = sigfwd_listener_get(filter);
		return data;
	}
	/* 2. The listener's policy, else 3. the module default. */
	return sigfwd_listener_policy(filter, l);
}

/*
 * Could a notification wait of current have a policy? The wait's intercept
 * asks before it redirects the wait and pins the module, so this runs in
 * atomic context: no sleeping, no lock. It over-approximates sigfwd_policy()
 * over every filter of current's chain that has a listener (the one that
 * notified is among them): a program that may give a policy of its own, or
 * none and a default policy or maybe a bound device (sigfwd_policy() makes
 * the wait's one lookup). current holds a reference to every filter of its
 * chain, and their programs never change.
 */
bool sigfwd_may_have_policy(void)
{
	u32 def = READ_ONCE(default_policy), policy;
	void *f;

	for (f = READ_ONCE(current->seccomp.filter); f;
	     f = *sigfwd_member(f, filter_prev, void *)) {
		if (!READ_ONCE(*sigfwd_member(f, filter_notif, void *)))
			continue;
		switch (prog_tags(f, &policy)) {
		case TAGS_RUN:
			return true;
		case TAGS_CONST:
			if (policy)
				return true;
			break;
		default:
			if (def || sigfwd_listener_maybe_bound(f))
				return true;
		}
	}
	return false;
}
