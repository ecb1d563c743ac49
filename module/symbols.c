// SPDX-License-Identifier: GPL-2.0
/*
 * Resolve the private seccomp functions the module compares against, and
 * the return addresses of the notification's wait calls (found by the
 * architecture's call scan, arch.h). Anything missing or unexpected refuses
 * the load: the module never guesses.
 *
 * kallsyms_lookup_name() is not exported; register_kprobe() resolves a name
 * for us (as LKRG does), registered disabled so the function's code is never
 * patched for a lookup while other tasks run it. The address it yields may
 * sit after an ENDBR, so the function's start and size come from
 * sprint_symbol() ("name+off/size").
 */

#include <linux/kallsyms.h>
#include <linux/kernel.h>
#include <linux/kprobes.h>
#include <linux/moduleparam.h>
#include <linux/sched.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include "arch.h"
#include "sigfwd.h"
#include "symbols.h"

struct sigfwd_targets sigfwd_targets;

static int test_max_wait_sites = SIGFWD_MAX_SITES;
module_param(test_max_wait_sites, int, 0400);
MODULE_PARM_DESC(test_max_wait_sites,
		 "Testing only: a smaller table of wait call sites");

/* "name+0x4/0x2a0" -> start of name and its size, if the name is @want. */
static noinline_for_stack int parse_symbol(unsigned long addr,
					   const char *want,
					   struct sigfwd_func *f)
{
	char buf[KSYM_SYMBOL_LEN];
	unsigned long off, size;
	char *plus, *slash;

	sprint_symbol(buf, addr);
	plus = strrchr(buf, '+');
	if (!plus)
		return -EINVAL;
	*plus++ = '\0';
	slash = strchr(plus, '/');
	if (!slash || strcmp(buf, want))
		return -EINVAL;
	*slash++ = '\0';
	if (kstrtoul(plus, 0, &off) || kstrtoul(slash, 0, &size) || !size ||
	    off >= size)
		return -EINVAL;
	strscpy(f->name, want, sizeof(f->name));
	f->start = addr - off;
	f->size = size;
	return 0;
}

static int lookup_func(const char *name, struct sigfwd_func *f)
{
	struct kprobe kp = {
		.symbol_name = name,
		.flags = KPROBE_FLAG_DISABLED,
	};
	unsigned long addr;
	int ret;

	ret = register_kprobe(&kp);
	if (ret < 0)
		return ret;
	addr = (unsigned long)kp.addr;
	unregister_kprobe(&kp);
	return parse_symbol(addr, name, f);
}

/*
 * The notification wait is a static function the compiler clones; its suffix
 * depends on the build (.constprop.0 on 5.10/6.1, .isra.0 on 6.12/7.x), and
 * a build may keep more than one clone. Every clone found is scanned, with
 * its split-off .cold part.
 */
static const char * const notify_suffixes[] = {
	"", ".constprop.0", ".constprop.1", ".isra.0", ".isra.1", ".part.0",
	".part.1", ".constprop.0.isra.0", ".isra.0.constprop.0",
};

/* Add @name to the functions scanned if it exists; absent is not an error. */
static noinline_for_stack int add_notify(const char *name)
{
	struct sigfwd_targets *t = &sigfwd_targets;
	struct sigfwd_func f;
	int ret;

	ret = lookup_func(name, &f);
	if (ret == -ENOENT)
		return 0;
	if (ret)
		return sigfwd_refuse(ret, "cannot resolve %s (%d)", name, ret);
	if (t->nr_notify == ARRAY_SIZE(t->notify))
		return sigfwd_refuse(-E2BIG,
					  "more than %zu parts of seccomp_do_user_notification",
					  ARRAY_SIZE(t->notify));
	t->notify[t->nr_notify++] = f;
	return 0;
}

static noinline_for_stack int resolve_notify(void)
{
	struct sigfwd_targets *t = &sigfwd_targets;
	char name[KSYM_NAME_LEN];
	int i, n, ret;

	for (i = 0; i < ARRAY_SIZE(notify_suffixes); i++) {
		snprintf(name, sizeof(name), "seccomp_do_user_notification%s",
			 notify_suffixes[i]);
		n = t->nr_notify;
		ret = add_notify(name);
		if (!ret && t->nr_notify > n) {
			strlcat(name, ".cold", sizeof(name));
			ret = add_notify(name);
		}
		if (ret)
			return ret;
	}
	if (!t->nr_notify)
		return sigfwd_refuse(-ENOENT, "seccomp_do_user_notification not found in kallsyms");
	return 0;
}

/*
 * The function a call to @target runs, into @name (KSYM_SYMBOL_LEN bytes):
 * false unless @target is the start of a function. With call depth tracking
 * (x86 retbleed=stuff) calls are patched to a thunk in the function's
 * padding, named __pfx_<function>, which runs on into it.
 */
bool sigfwd_call_target(unsigned long target, char *name)
{
	static const char pfx[] = "__pfx_";
	unsigned long off;
	char *plus, *slash;

	sprint_symbol(name, target);
	plus = strrchr(name, '+');
	slash = strrchr(name, '/');
	if (!plus || !slash || slash < plus)
		return false;
	*plus = '\0';
	*slash = '\0';
	if (str_has_prefix(name, pfx)) {
		memmove(name, name + strlen(pfx), strlen(name) - strlen(pfx) + 1);
		return true;
	}
	return !kstrtoul(plus + 1, 0, &off) && !off;
}

static int wait_site(const struct sigfwd_call *call, void *arg)
{
	struct sigfwd_targets *t = &sigfwd_targets;
	int max = clamp(test_max_wait_sites, 0, SIGFWD_MAX_SITES);
	char name[KSYM_SYMBOL_LEN];

	if (!sigfwd_call_target(call->target, name) ||
	    strcmp(name, "wait_for_completion_interruptible"))
		return 0;
	if (t->nr_wait_sites >= max)
		return sigfwd_refuse(-E2BIG,
			"more than %d calls to wait_for_completion_interruptible in seccomp_do_user_notification",
				     max);
	t->wait_sites[t->nr_wait_sites++] = call->ret_addr;
	return 0;
}

/*
 * Record the return address of every direct call from @f to
 * wait_for_completion_interruptible().
 */
static int find_wait_sites(struct sigfwd_func *f)
{
	int ret = sigfwd_arch_scan_calls(f->start, f->size, wait_site, NULL);

	if (ret == -EFAULT)
		return sigfwd_refuse(ret, "cannot read %s", f->name);
	return ret;
}

static noinline_for_stack int resolve_listener_fops(void)
{
	static const struct {
		const char *name;
		struct sigfwd_func *f;
	} fops[] = {
		{ "seccomp_notify_poll", &sigfwd_targets.notify_poll },
		{ "seccomp_notify_ioctl", &sigfwd_targets.notify_ioctl },
		{ "seccomp_notify_release", &sigfwd_targets.notify_release },
	};
	int i;

	for (i = 0; i < ARRAY_SIZE(fops); i++)
		if (lookup_func(fops[i].name, fops[i].f))
			return sigfwd_refuse(-ENOENT, "%s not found in kallsyms",
					     fops[i].name);
	return 0;
}

int sigfwd_resolve_targets(const char *extra)
{
	struct sigfwd_targets *t = &sigfwd_targets;
	struct sigfwd_func f;
	int i, ret;

	memset(t, 0, sizeof(*t));
	ret = resolve_notify();
	if (ret)
		return ret;
	for (i = 0; i < t->nr_notify; i++) {
		ret = find_wait_sites(&t->notify[i]);
		if (ret)
			return ret;
	}
	if (!t->nr_wait_sites)
		return sigfwd_refuse(-ENOENT, "%s has no call to wait_for_completion_interruptible",
				     t->notify[0].name);
	ret = resolve_listener_fops();
	if (ret)
		return ret;
	if (extra && *extra && lookup_func(extra, &f))
		return sigfwd_refuse(-ENOENT, "%s not found in kallsyms", extra);

	return 0;
}

/* Logged once the layout is verified too: a refusal stays one line. */
void sigfwd_log_targets(void)
{
	const struct sigfwd_targets *t = &sigfwd_targets;
	int i;

	for (i = 0; i < t->nr_notify; i++)
		pr_info("resolved %s (%#lx bytes)\n", t->notify[i].name,
			t->notify[i].size);
	pr_info("resolved %d wait call site(s), %ps, %ps, %ps; ftrace callbacks get %s\n",
		t->nr_wait_sites, (void *)t->notify_poll.start,
		(void *)t->notify_ioctl.start, (void *)t->notify_release.start,
		SIGFWD_FTRACE_FLAVOUR);
}

bool sigfwd_is_wait_site(unsigned long ret_addr)
{
	const struct sigfwd_targets *t = &sigfwd_targets;
	int i;

	for (i = 0; i < t->nr_wait_sites; i++)
		if (t->wait_sites[i] == ret_addr)
			return true;
	return false;
}
