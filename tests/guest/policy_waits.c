// SPDX-License-Identifier: GPL-2.0
/*
 * What each policy bit, from each policy source, does to a trapped task that
 * gets a SIGUSR1 while its supervisor works; and that the same scenario
 * without a policy keeps the stock kernel's behaviour.
 *
 * The fixtures after_recv and before_recv run one scenario a variant: the
 * policy, where it comes from, and whether the wait is protected in that
 * phase (else the stock kernel's behaviour is expected).
 */
#include <sys/utsname.h>
#include "sigfwd_test.h"
#include "trap.h"

#define AFTER SECCOMP_SIGFWD_KILLABLE_AFTER_RECV
#define BEFORE SECCOMP_SIGFWD_KILLABLE_BEFORE_RECV
#define LIVE_OBJECTS "/sys/module/seccomp_sigfwd/parameters/live_objects"

enum source { SRC_NONE, SRC_DATA, SRC_LISTENER, SRC_DEFAULT };

struct scenario {
	enum source src;
	unsigned int policy;
	unsigned int raw_data;	/* filter data when not a policy source */
	unsigned int listener_policy;	/* on top of src, 0: none */
	int bind_only;			/* bind a device, set no policy */
	int sa_flags;
	unsigned long filter_flags;
};

static int set_default(unsigned int policy)
{
	char v[16];

	snprintf(v, sizeof(v), "%u", policy);
	return write_file(DEFAULT_POLICY, v);
}

/* Trap a child under scenario @s; 0, or -1 with a message printed. */
static int start(struct sup *r, const struct scenario *s)
{
	struct trap_opts o = { .sa_flags = s->sa_flags, .hold = 1,
			       .flags = s->filter_flags };
	unsigned int lp = s->listener_policy, p;

	if (module_load(NULL) || set_default(0)) {
		perror("load");
		return -1;
	}
	o.data = s->src == SRC_DATA ? SECCOMP_SIGFWD_RET_DATA(s->policy) :
				      s->raw_data;
	if (s->src == SRC_LISTENER)
		lp = s->policy;
	r->dev = -1;
	if (trap_start(&r->t, &o))
		return -1;
	if (lp || s->bind_only) {
		r->dev = sigfwd_open_bound(r->t.listener, 0);
		if (r->dev < 0 || (lp && sigfwd_set_policy(r->dev, lp))) {
			perror("bind/set policy");
			return -1;
		}
	}
	if (s->src == SRC_DEFAULT && set_default(s->policy))
		return -1;
	if (s->bind_only && (sigfwd_get_policy(r->dev, &p) || p != s->policy)) {
		printf("GET_POLICY before any SET: %u\n", p);
		return -1;
	}
	trap_go(&r->t);
	return 0;
}

static void end(struct sup *r)
{
	set_default(0);
	sup_end(r);
}

/* Signal the trapped child once it sleeps, and give the signal time to act. */
static void signal_child(struct sup *r, int sig)
{
	wait_asleep(r->t.pid);
	sleep_ms(20);
	kill(r->t.pid, sig);
	sleep_ms(150);
}

static int kernel_at_least(int maj, int min)
{
	struct utsname u;
	int a = 0, b = 0;

	uname(&u);
	sscanf(u.release, "%d.%d", &a, &b);
	return a > maj || (a == maj && b >= min);
}

/* The child finished normally; what it saw. */
#define ASSERT_CHILD_DONE(r) do {					\
		ASSERT_EQ(0, trap_wait(&(r)->t, 5000))			\
			TH_LOG("child did not finish");			\
		(r)->t.pid = 0;						\
		TH_LOG("child: ret %ld errno %d, handler %d (early %d)", \
		       (r)->t.sh->ret, (r)->t.sh->err, (r)->t.sh->handled, \
		       (r)->t.sh->handled_early);			\
	} while (0)

/* Reply 42: the call returns it, the held signal's handler runs once, after. */
#define ASSERT_REPLY_THEN_HANDLER(r, id) do {				\
		ASSERT_EQ(0, trap_send(&(r)->t, id, 42, 0))		\
			TH_LOG("SEND: %s", strerror(errno));		\
		ASSERT_CHILD_DONE(r);					\
		ASSERT_EQ(42, (r)->t.sh->ret);				\
		ASSERT_EQ(1, (r)->t.sh->handled);			\
		ASSERT_EQ(0, (r)->t.sh->handled_early);			\
	} while (0)

/* One scenario a variant; @protected: the policy holds in this phase. */
#define SCENARIO_FIXTURE(name)						\
	FIXTURE(name) {							\
		struct sup r;						\
	};								\
	FIXTURE_VARIANT(name) {						\
		struct scenario s;					\
		int protected;						\
	};								\
	FIXTURE_SETUP(name)						\
	{								\
		self->r.dev = self->r.t.listener = -1;		\
		if (variant->s.filter_flags & SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV && \
		    !kernel_at_least(5, 19))				\
			SKIP(return, "kernel has no SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"); \
		ASSERT_EQ(0, start(&self->r, &variant->s));		\
	}								\
	FIXTURE_TEARDOWN(name)						\
	{								\
		end(&self->r);						\
	}

/*
 * RECV, SIGUSR1, reply 42. Protected: the reply lands and the handler runs
 * once, after it. Stock: the reply gets ENOENT; with SA_RESTART the call
 * comes back as a new notification (answered 43), without it fails EINTR.
 */
SCENARIO_FIXTURE(after_recv);

/* The stock kernel's behaviour, module loaded, no policy anywhere. */
FIXTURE_VARIANT_ADD(after_recv, stock_restarts_the_syscall) {
	.s = { .sa_flags = SA_RESTART },
};
FIXTURE_VARIANT_ADD(after_recv, stock_without_sa_restart_gives_eintr) {
	.s = { 0 },
};
/* KILLABLE_AFTER_RECV from each source. */
FIXTURE_VARIANT_ADD(after_recv, policy_from_filter_data_survives) {
	.s = { .src = SRC_DATA, .policy = AFTER, .sa_flags = SA_RESTART },
	.protected = 1,
};
FIXTURE_VARIANT_ADD(after_recv, policy_from_listener_survives) {
	.s = { .src = SRC_LISTENER, .policy = AFTER },
	.protected = 1,
};
FIXTURE_VARIANT_ADD(after_recv, policy_from_default_survives) {
	.s = { .src = SRC_DEFAULT, .policy = AFTER, .sa_flags = SA_RESTART },
	.protected = 1,
};
/* A bound listener whose supervisor set no policy follows default_policy. */
FIXTURE_VARIANT_ADD(after_recv, bound_listener_without_policy_follows_default) {
	.s = { .src = SRC_DEFAULT, .policy = AFTER, .bind_only = 1 },
	.protected = 1,
};
/* KILLABLE_BEFORE_RECV leaves a received notification to the stock wait. */
FIXTURE_VARIANT_ADD(after_recv, before_recv_policy_is_stock) {
	.s = { .src = SRC_DATA, .policy = BEFORE },
};
FIXTURE_VARIANT_ADD(after_recv, both_policies_survive) {
	.s = { .src = SRC_DATA, .policy = AFTER | BEFORE },
	.protected = 1,
};
/* The filter's data bits: a tag keeps other uses of them from being misread. */
FIXTURE_VARIANT_ADD(after_recv, untagged_filter_data_is_stock) {
	.s = { .raw_data = 0x1234 },
};
FIXTURE_VARIANT_ADD(after_recv, wrongly_tagged_filter_data_is_stock) {
	.s = { .raw_data = (SECCOMP_SIGFWD_DATA_TAG ^ 0x100) | AFTER },
};
FIXTURE_VARIANT_ADD(after_recv, tagged_zero_filter_data_overrides_listener_policy) {
	.s = { .src = SRC_DATA, .policy = 0, .listener_policy = AFTER | BEFORE },
};
FIXTURE_VARIANT_ADD(after_recv, filter_data_policy_overrides_listener_policy) {
	.s = { .src = SRC_DATA, .policy = AFTER, .listener_policy = BEFORE },
	.protected = 1,
};
/* 5.19's per-filter flag keeps working exactly as upstream with the module. */
FIXTURE_VARIANT_ADD(after_recv, native_wait_killable_recv_unchanged) {
	.s = { .filter_flags = SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV },
	.protected = 1,
};

TEST_F(after_recv, signal)
{
	struct seccomp_notif n, n2;
	struct sup *r = &self->r;

	ASSERT_EQ(0, trap_recv(&r->t, &n, 5000))
		TH_LOG("no notification: %s", strerror(errno));
	signal_child(r, SIGUSR1);
	if (variant->protected) {
		ASSERT_EQ(0, r->t.sh->handled) TH_LOG("handler ran before the reply");
		ASSERT_EQ(0, trap_send(&r->t, n.id, 42, 0))
			TH_LOG("SEND failed: %s", strerror(errno));
	} else {
		ASSERT_ERRNO(ENOENT, trap_send(&r->t, n.id, 42, 0));
		if (variant->s.sa_flags & SA_RESTART) {
			ASSERT_EQ(0, trap_recv(&r->t, &n2, 5000))
				TH_LOG("no restarted notification");
			ASSERT_NE(n.id, n2.id) TH_LOG("no restarted notification");
			trap_send(&r->t, n2.id, 43, 0);
		}
	}
	ASSERT_CHILD_DONE(r);
	ASSERT_EQ(1, r->t.sh->handled);
	if (variant->protected) {
		ASSERT_EQ(42, r->t.sh->ret);
		ASSERT_EQ(0, r->t.sh->handled_early);
	} else if (variant->s.sa_flags & SA_RESTART) {
		ASSERT_EQ(43, r->t.sh->ret);
	} else {
		ASSERT_EQ(-1, r->t.sh->ret);
		ASSERT_EQ(EINTR, r->t.sh->err);
	}
}

/*
 * SIGUSR1 while the notification is still queued (no SA_RESTART: the close()
 * and SIGCHLD case). Protected: RECV still finds it, the reply lands, the
 * handler runs once after. Stock: the call fails EINTR and the notification
 * is gone before the supervisor saw it.
 */
SCENARIO_FIXTURE(before_recv);

FIXTURE_VARIANT_ADD(before_recv, stock_withdraws_the_notification) {
	.s = { 0 },
};
/* KILLABLE_AFTER_RECV leaves a queued notification to the stock wait. */
FIXTURE_VARIANT_ADD(before_recv, after_recv_policy_is_stock) {
	.s = { .src = SRC_DATA, .policy = AFTER },
};
/* KILLABLE_BEFORE_RECV from each source. */
FIXTURE_VARIANT_ADD(before_recv, policy_from_filter_data_keeps_notification) {
	.s = { .src = SRC_DATA, .policy = BEFORE },
	.protected = 1,
};
FIXTURE_VARIANT_ADD(before_recv, policy_from_listener_keeps_notification) {
	.s = { .src = SRC_LISTENER, .policy = BEFORE },
	.protected = 1,
};
FIXTURE_VARIANT_ADD(before_recv, policy_from_default_keeps_notification) {
	.s = { .src = SRC_DEFAULT, .policy = BEFORE },
	.protected = 1,
};
FIXTURE_VARIANT_ADD(before_recv, both_policies_keep_notification) {
	.s = { .src = SRC_DATA, .policy = AFTER | BEFORE },
	.protected = 1,
};
/* The native flag protects only received notifications, as upstream. */
FIXTURE_VARIANT_ADD(before_recv, native_wait_killable_recv_unchanged) {
	.s = { .filter_flags = SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV },
};

TEST_F(before_recv, signal)
{
	struct sup *r = &self->r;
	struct seccomp_notif n;

	ASSERT_TRUE(poll_fd(r->t.listener, POLLIN, 5000)) TH_LOG("nothing queued");
	signal_child(r, SIGUSR1);
	if (!variant->protected) {
		ASSERT_CHILD_DONE(r);
		ASSERT_EQ(-1, r->t.sh->ret);
		ASSERT_EQ(EINTR, r->t.sh->err);
		ASSERT_FALSE(poll_fd(r->t.listener, POLLIN, 0))
			TH_LOG("the notification is still queued");
		return;
	}
	ASSERT_EQ(0, r->t.sh->handled) TH_LOG("notification withdrawn: handler ran");
	ASSERT_EQ(0, trap_recv(&r->t, &n, 1000)) TH_LOG("notification withdrawn");
	ASSERT_REPLY_THEN_HANDLER(r, n.id);
}

/* One-off scenarios: each test traps its child itself. */
FIXTURE(policy) {
	struct sup r;
};

FIXTURE_SETUP(policy)
{
	self->r.dev = self->r.t.listener = -1;
	ASSERT_EQ(0, module_load(NULL)) TH_LOG("load: %s", strerror(errno));
	ASSERT_EQ(0, set_default(0));
}

FIXTURE_TEARDOWN(policy)
{
	end(&self->r);
	module_load(NULL);
}

#define S(...) (&(const struct scenario){ __VA_ARGS__ })

static void sigkill_ends_wait(struct __test_metadata *_metadata, struct sup *r,
			      int received)
{
	struct seccomp_notif n;
	int status;
	long t0;

	ASSERT_EQ(0, start(r, S(.src = SRC_DATA, .policy = AFTER | BEFORE)));
	if (received) {
		ASSERT_EQ(0, trap_recv(&r->t, &n, 5000)) TH_LOG("no notification");
	} else {
		ASSERT_TRUE(poll_fd(r->t.listener, POLLIN, 5000)) TH_LOG("nothing queued");
	}
	signal_child(r, SIGUSR1);
	wait_asleep(r->t.pid);
	t0 = now_ms();
	kill(r->t.pid, SIGKILL);
	ASSERT_EQ(r->t.pid, waitpid(r->t.pid, &status, 0));
	r->t.pid = 0;
	TH_LOG("SIGKILL to exit: %ld ms", now_ms() - t0);
	ASSERT_LT(now_ms() - t0, 1000) TH_LOG("killed task took %ld ms", now_ms() - t0);
	ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
		TH_LOG("status %#x", status);
	if (received)
		ASSERT_ERRNO(ENOENT, trap_send(&r->t, n.id, 42, 0));
}

TEST_F(policy, sigkill_ends_protected_wait_after_recv_within_a_second)
{
	sigkill_ends_wait(_metadata, &self->r, 1);
}

TEST_F(policy, sigkill_ends_protected_wait_before_recv_within_a_second)
{
	sigkill_ends_wait(_metadata, &self->r, 0);
}

/* ADDFD wakes the wait too; the policy must hold across that wake. */
TEST_F(policy, addfd_during_protected_wait_still_works)
{
	struct seccomp_notif_addfd a = { .flags = 0 };
	struct sup *r = &self->r;
	struct seccomp_notif n;
	char path[64];
	int fds[2], fd;

	ASSERT_EQ(0, start(r, S(.src = SRC_DATA, .policy = AFTER)));
	ASSERT_EQ(0, pipe(fds));
	ASSERT_EQ(0, trap_recv(&r->t, &n, 5000)) TH_LOG("no notification");
	signal_child(r, SIGUSR1);
	a.id = n.id;
	a.srcfd = fds[0];
	fd = ioctl(r->t.listener, SECCOMP_IOCTL_NOTIF_ADDFD, &a);
	ASSERT_GE(fd, 0) TH_LOG("ADDFD: %s", strerror(errno));
	snprintf(path, sizeof(path), "/proc/%d/fd/%d", r->t.pid, fd);
	ASSERT_EQ(0, access(path, F_OK)) TH_LOG("fd %d not installed in the child", fd);
	signal_child(r, SIGUSR1);
	ASSERT_REPLY_THEN_HANDLER(r, n.id);
}

/* Wait up to 2 s for live_objects to return to @base; the last value. */
static int live_objects_back(int base)
{
	long end = now_ms() + slow_ms(2000);
	int v;

	while ((v = read_int_file(LIVE_OBJECTS)) != base && now_ms() < end)
		sleep_ms(10);
	return v;
}

/*
 * KILLABLE_BEFORE_RECV: a signal held while queued, RECV, then @addfds plain
 * ADDFDs (no FLAG_SEND: the only kind 5.10 has). Each makes seccomp install
 * the fd and wait again on the same notification, where the signal must stay
 * held. @kill_it: SIGKILL the task in that wait instead of replying.
 */
static void held_across_addfd(struct __test_metadata *_metadata, struct sup *r,
			      int addfds, int kill_it)
{
	struct seccomp_notif_addfd a = { .flags = 0 };
	struct seccomp_notif n;
	int fds[2], fd, i, base;
	char path[64];

	ASSERT_EQ(0, start(r, S(.src = SRC_DATA, .policy = BEFORE)));
	ASSERT_EQ(0, pipe(fds));
	base = read_int_file(LIVE_OBJECTS);
	ASSERT_TRUE(poll_fd(r->t.listener, POLLIN, 5000)) TH_LOG("nothing queued");
	ASSERT_EQ(0, signal_seen(r->t.pid, SIGUSR1)) TH_LOG("signal not seen");
	ASSERT_EQ(0, r->t.sh->handled) TH_LOG("notification withdrawn: handler ran");
	ASSERT_EQ(0, trap_recv(&r->t, &n, 1000)) TH_LOG("notification withdrawn");
	for (i = 0; i < addfds; i++) {
		a.id = n.id;
		a.srcfd = fds[0];
		fd = ioctl(r->t.listener, SECCOMP_IOCTL_NOTIF_ADDFD, &a);
		ASSERT_GE(fd, 0) TH_LOG("ADDFD %d: %s", i, strerror(errno));
		snprintf(path, sizeof(path), "/proc/%d/fd/%d", r->t.pid, fd);
		ASSERT_EQ(0, access(path, F_OK)) TH_LOG("fd %d not installed", fd);
		/* Back in its wait, the call not withdrawn. */
		ASSERT_TRUE(!wait_asleep(r->t.pid) && !r->t.sh->done)
			TH_LOG("call ended after ADDFD %d: ret %ld errno %d", i,
			       r->t.sh->ret, r->t.sh->err);
	}
	sleep_ms(50);
	ASSERT_TRUE(!r->t.sh->done && !r->t.sh->handled)
		TH_LOG("call ended: ret %ld errno %d handled %d", r->t.sh->ret,
		       r->t.sh->err, r->t.sh->handled);
	if (kill_it) {
		kill(r->t.pid, SIGKILL);
		waitpid(r->t.pid, NULL, 0);
		r->t.pid = 0;
		ASSERT_ERRNO(ENOENT, trap_send(&r->t, n.id, 42, 0));
	} else {
		ASSERT_REPLY_THEN_HANDLER(r, n.id);
	}
	ASSERT_EQ(base, live_objects_back(base)) TH_LOG("live_objects not back");
	close(fds[0]);
	close(fds[1]);
}

TEST_F(policy, before_recv_signal_stays_held_across_plain_addfd)
{
	held_across_addfd(_metadata, &self->r, 1, 0);
}

TEST_F(policy, before_recv_signal_stays_held_across_three_plain_addfds)
{
	held_across_addfd(_metadata, &self->r, 3, 0);
}

TEST_F(policy, before_recv_state_kept_across_addfd_is_freed_when_killed)
{
	held_across_addfd(_metadata, &self->r, 1, 1);
}

/* Does a task's kernel stack (/proc/PID/task/TID/stack) show @fn? */
static int stack_shows(pid_t tid, const char *fn)
{
	char path[64], buf[4096];

	snprintf(path, sizeof(path), "/proc/%d/task/%d/stack", tid, tid);
	read_text(path, buf, sizeof(buf));
	return !!strstr(buf, fn);
}

/* The README's way to find the tasks that hold the module: does it list @pid? */
static int readme_finds(pid_t pid)
{
	char want[64], line[128];
	int found = 0;
	FILE *f;

	snprintf(want, sizeof(want), "/proc/%d/task/%d/stack\n", pid, pid);
	f = popen("grep -l sigfwd_wait /proc/[0-9]*/task/[0-9]*/stack", "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		found |= !strcmp(line, want);
	pclose(f);
	return found;
}

/*
 * Unload is refused while a task waits under a policy (from each source),
 * the README's way to find such tasks finds it, and unload works after.
 */
TEST_F(policy, unload_refused_while_task_waits_then_accepted)
{
	const struct scenario *const ss[] = {
		S(.src = SRC_DATA, .policy = AFTER),
		S(.src = SRC_LISTENER, .policy = AFTER),
		S(.src = SRC_DEFAULT, .policy = AFTER),
	};
	struct sup *r = &self->r;
	struct seccomp_notif n;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(ss); i++) {
		ASSERT_EQ(0, start(r, ss[i]));
		ASSERT_EQ(0, trap_recv(&r->t, &n, 5000)) TH_LOG("no notification");
		wait_asleep(r->t.pid);
		errno = 0;
		ASSERT_TRUE(module_unload() == -1 && (errno == EAGAIN || errno == EBUSY))
			TH_LOG("source %u: unload while waiting: %s", i, strerror(errno));
		ASSERT_TRUE(module_loaded()) TH_LOG("module gone");
		ASSERT_TRUE(readme_finds(r->t.pid))
			TH_LOG("source %u: the README's grep does not find the task", i);
		ASSERT_EQ(0, trap_send(&r->t, n.id, 42, 0)) TH_LOG("SEND: %s", strerror(errno));
		ASSERT_CHILD_DONE(r);
		ASSERT_EQ(42, r->t.sh->ret) TH_LOG("reply lost");
		end(r);
		ASSERT_EQ(0, module_unload()) TH_LOG("unload after the wait: %s", strerror(errno));
		ASSERT_EQ(0, module_load(NULL)) TH_LOG("reload: %s", strerror(errno));
	}
}

/*
 * A wait whose policy is empty (nothing bound, no default, the filter
 * untagged: data 0 or data of its own) is the stock wait: it runs no module
 * code and does not keep the module loaded; its reply lands after unload.
 */
TEST_F(policy, unload_accepted_while_task_waits_under_empty_policy)
{
	static const unsigned int data[] = { 0, 0x1234 };
	struct sup *r = &self->r;
	struct seccomp_notif n;
	unsigned int i;
	int in_module;

	for (i = 0; i < ARRAY_SIZE(data); i++) {
		struct trap_opts o = { .data = data[i] };

		ASSERT_TRUE(!module_load(NULL) && !set_default(0)) TH_LOG("load");
		ASSERT_EQ(0, trap_start(&r->t, &o));
		ASSERT_EQ(0, trap_recv(&r->t, &n, 5000)) TH_LOG("no notification");
		wait_asleep(r->t.pid);
		in_module = stack_shows(r->t.pid, "sigfwd_wait");
		ASSERT_EQ(0, module_unload())
			TH_LOG("data %#x: unload while an empty-policy task waits: %s",
			       data[i], strerror(errno));
		ASSERT_FALSE(in_module) TH_LOG("data %#x: the wait ran module code", data[i]);
		ASSERT_FALSE(module_loaded()) TH_LOG("module still listed");
		ASSERT_EQ(0, trap_send(&r->t, n.id, 42, 0)) TH_LOG("SEND: %s", strerror(errno));
		ASSERT_CHILD_DONE(r);
		ASSERT_EQ(42, r->t.sh->ret) TH_LOG("reply lost");
		trap_end(&r->t);
	}
}

/* A wait that began before the module was loaded stays a stock wait. */
TEST_F(policy, waits_begun_before_load_keep_stock_behaviour)
{
	struct trap_opts o = { 0 };
	struct sup *r = &self->r;
	struct seccomp_notif n;

	ASSERT_EQ(0, module_unload()) TH_LOG("unload: %s", strerror(errno));
	ASSERT_EQ(0, trap_start(&r->t, &o));
	ASSERT_EQ(0, trap_recv(&r->t, &n, 5000)) TH_LOG("no notification");
	wait_asleep(r->t.pid);
	ASSERT_EQ(0, module_load("default_policy=3")) TH_LOG("load: %s", strerror(errno));
	sleep_ms(20);
	kill(r->t.pid, SIGUSR1);
	sleep_ms(150);
	ASSERT_ERRNO(ENOENT, trap_send(&r->t, n.id, 42, 0));
	ASSERT_CHILD_DONE(r);
	ASSERT_EQ(-1, r->t.sh->ret);
	ASSERT_EQ(EINTR, r->t.sh->err);
	/* Back to the module's defaults for the next case. */
	trap_end(&r->t);
	ASSERT_EQ(0, module_unload());
}

/* default_policy accepts only implemented bits. */
TEST_F(policy, default_policy_rejects_unknown_bits)
{
	/* A reserved bit, an unknown one. */
	ASSERT_ERRNO(EINVAL, write_file(DEFAULT_POLICY, "16"));
	ASSERT_ERRNO(EINVAL, write_file(DEFAULT_POLICY, "256"));
	ASSERT_TRUE(!write_file(DEFAULT_POLICY, "7") && !write_file(DEFAULT_POLICY, "0"))
		TH_LOG("valid policies refused");
}
