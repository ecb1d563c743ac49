// SPDX-License-Identifier: GPL-2.0
/*
 * sigfwd_bench: what seccomp_sigfwd costs every other caller of the function
 * it hooks, wait_for_completion_interruptible(). Writing N to
 * /sys/module/sigfwd_bench/parameters/run makes N calls on a completion that
 * is already done: the call returns at once, so the call itself is all that
 * is timed. Writing N to run_woken makes N waits that really sleep until a
 * work item completes them, as the function's real callers do. The "ns"
 * parameter then holds how long the N calls took. The benchmark compares
 * runs with seccomp_sigfwd loaded and not loaded, in one boot.
 *
 * Writing 1 to ftrace_empty puts an ftrace_ops with an empty callback on the
 * two functions seccomp_sigfwd intercepts for every caller,
 * wait_for_completion_interruptible() and seccomp_notify_poll(), with the
 * flags of seccomp_sigfwd's own (compat.h, the module's probes): what
 * ftrace itself costs a call, which any ftrace user (livepatch too) pays,
 * apart from what the module's callbacks do. 0 removes it.
 */
#include <linux/completion.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/workqueue.h>

#define BENCH_MAX_CALLS 10000000U

static DECLARE_COMPLETION(bench_done);

static unsigned long ns;
module_param(ns, ulong, 0444);
MODULE_PARM_DESC(ns, "Nanoseconds the last run took");

static DECLARE_COMPLETION(woken);

static void complete_woken(struct work_struct *work)
{
	complete(&woken);
}

static DECLARE_WORK(woken_work, complete_woken);

/* One wait: on the done completion, or on one a work item completes. */
static int wait_once(bool real)
{
	int ret;

	if (!real)
		return wait_for_completion_interruptible(&bench_done);
	reinit_completion(&woken);
	schedule_work(&woken_work);
	ret = wait_for_completion_interruptible(&woken);
	/* Do not return while the work may still complete. */
	if (ret)
		flush_work(&woken_work);
	return ret;
}

/*
 * Called with the module's parameter lock held: one run at a time. kp->arg
 * is NULL for "run", non-NULL for "run_woken".
 */
static int run_set(const char *val, const struct kernel_param *kp)
{
	unsigned int i, calls;
	u64 start;
	int ret;

	ret = kstrtouint(val, 0, &calls);
	if (ret)
		return ret;
	if (!calls || calls > BENCH_MAX_CALLS)
		return -EINVAL;
	start = ktime_get_ns();
	for (i = 0; i < calls; i++) {
		ret = wait_once(kp->arg);
		if (ret)
			return ret;
	}
	ns = ktime_get_ns() - start;
	return 0;
}

static const struct kernel_param_ops run_ops = {
	.set = run_set,
};
module_param_cb(run, &run_ops, NULL, 0200);
MODULE_PARM_DESC(run, "Write N: time N calls of wait_for_completion_interruptible()");
module_param_cb(run_woken, &run_ops, &woken, 0200);
MODULE_PARM_DESC(run_woken, "Write N: time N waits completed by a work item");

static void notrace empty_callback(unsigned long ip, unsigned long parent_ip,
				   struct ftrace_ops *op,
				   struct ftrace_regs *fregs)
{
}

static struct ftrace_ops empty_ops = {
	.func = empty_callback,
	/* IPMODIFY too, as the module's: a livepatch-style slot, not a tracer's. */
	.flags = SIGFWD_FTRACE_OPS_FL_REGS | FTRACE_OPS_FL_RECURSION_SAFE |
		 FTRACE_OPS_FL_IPMODIFY,
};

static bool empty_on, empty_filtered;

/*
 * The filter is set once and kept until exit: ftrace_free_filter() frees
 * the ops' hashes without resetting them, so an ops is never used again
 * after it (a later ftrace_set_filter() would free the same hash twice).
 */
static int empty_set(const char *val, const struct kernel_param *kp)
{
	/* ftrace_set_filter() takes writable buffers. */
	char wait[] = "wait_for_completion_interruptible";
	char poll[] = "seccomp_notify_poll";
	bool on;
	int ret;

	ret = kstrtobool(val, &on);
	if (ret || on == empty_on)
		return ret;
	if (!on) {
		unregister_ftrace_function(&empty_ops);
		empty_on = false;
		return 0;
	}
	if (!empty_filtered) {
		ret = ftrace_set_filter(&empty_ops, wait, strlen(wait), 1);
		if (!ret)
			ret = ftrace_set_filter(&empty_ops, poll, strlen(poll), 0);
		if (ret)
			return ret;
		empty_filtered = true;
	}
	ret = register_ftrace_function(&empty_ops);
	if (!ret)
		empty_on = true;
	return ret;
}

static const struct kernel_param_ops empty_param_ops = {
	.set = empty_set,
	.get = param_get_bool,
};
module_param_cb(ftrace_empty, &empty_param_ops, &empty_on, 0600);
MODULE_PARM_DESC(ftrace_empty, "1: an empty ftrace callback on the functions seccomp_sigfwd intercepts");

static int __init sigfwd_bench_init(void)
{
	complete_all(&bench_done);
	return 0;
}
module_init(sigfwd_bench_init);

static void __exit sigfwd_bench_exit(void)
{
	if (empty_on)
		unregister_ftrace_function(&empty_ops);
	if (empty_filtered)
		ftrace_free_filter(&empty_ops);
	flush_work(&woken_work);
}
module_exit(sigfwd_bench_exit);

MODULE_DESCRIPTION("seccomp_sigfwd benchmark: cost of the hook to other callers");
MODULE_AUTHOR("seccomp-sigfwd developers");
MODULE_LICENSE("GPL");
