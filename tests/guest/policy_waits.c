// SPDX-License-Identifier: GPL-2.0
/*
 * What each policy bit, from each policy source, does to a trapped task that
 * gets a SIGUSR1 while its supervisor works; and that the same scenario
 * without a policy keeps the stock kernel's behaviour.
 */
#include <sys/utsname.h>
#include "harness.h"
#include "trap.h"

#define AFTER SECCOMP_SIGFWD_KILLABLE_AFTER_RECV
#define BEFORE SECCOMP_SIGFWD_KILLABLE_BEFORE_RECV

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

/* Supervisor side of one scenario, set up up to the trapped call. */
struct run {
	struct trap t;
	int dev;
};

static int set_default(unsigned int policy)
{
	char v[16];

	snprintf(v, sizeof(v), "%u", policy);
	return write_file(DEFAULT_POLICY, v);
}

static int start(struct run *r, const struct scenario *s)
{
	struct trap_opts o = { .sa_flags = s->sa_flags, .hold = 1,
			       .flags = s->filter_flags };
	unsigned int lp = s->listener_policy;

	if (module_load(NULL) || set_default(0))
		return -1;
	o.data = s->src == SRC_DATA ? SECCOMP_SIGFWD_RET_DATA(s->policy) :
				      s->raw_data;
	if (s->src == SRC_LISTENER)
		lp = s->policy;
	r->dev = -1;
	if (trap_start(&r->t, &o))
		return -1;
	if (lp || s->bind_only) {
		r->dev = dev_bind(r->t.listener);
		if (r->dev < 0 || (lp && dev_set_policy(r->dev, lp))) {
			perror("bind/set policy");
			return -1;
		}
	}
	if (s->src == SRC_DEFAULT && set_default(s->policy))
		return -1;
	if (s->bind_only) {
		struct seccomp_sigfwd_policy p;

		if (ioctl(r->dev, SECCOMP_SIGFWD_IOC_GET_POLICY, &p) ||
		    p.policy != s->policy) {
			printf("GET_POLICY before any SET: %u\n", p.policy);
			return -1;
		}
	}
	trap_go(&r->t);
	return 0;
}

static void end(struct run *r)
{
	set_default(0);
	trap_end(&r->t);
	if (r->dev >= 0)
		close(r->dev);
}

/* Signal the trapped child once it sleeps, and give the signal time to act. */
static void signal_child(struct run *r, int sig)
{
	wait_asleep(r->t.pid);
	sleep_ms(20);
	kill(r->t.pid, sig);
	sleep_ms(150);
}

/*
 * RECV, SIGUSR1, reply 42. Protected: the reply lands and the handler runs
 * once, after it. Stock: the reply gets ENOENT; with SA_RESTART the call
 * comes back as a new notification (answered 43), without it fails EINTR.
 */
static int signal_after_recv(const struct scenario *s, int protected)
{
	struct seccomp_notif n, n2;
	struct run r;
	int ret = 1;

	if (start(&r, s))
		goto out;
	if (trap_recv(&r.t, &n, 5000)) {
		printf("no notification: %s\n", strerror(errno));
		goto out;
	}
	signal_child(&r, SIGUSR1);
	if (protected) {
		if (r.t.sh->handled) {
			printf("handler ran before the reply\n");
			goto out;
		}
		if (trap_send(&r.t, n.id, 42, 0)) {
			printf("SEND failed: %s\n", strerror(errno));
			goto out;
		}
	} else {
		if (!trap_send(&r.t, n.id, 42, 0) || errno != ENOENT) {
			printf("SEND after the signal: expected ENOENT\n");
			goto out;
		}
		if (s->sa_flags & SA_RESTART) {
			if (trap_recv(&r.t, &n2, 5000) || n2.id == n.id) {
				printf("no restarted notification\n");
				goto out;
			}
			trap_send(&r.t, n2.id, 43, 0);
		}
	}
	if (trap_wait(&r.t, 5000)) {
		printf("child did not finish\n");
		goto out;
	}
	r.t.pid = 0;
	printf("child: ret %ld errno %d, handler %d (early %d)\n", r.t.sh->ret,
	       r.t.sh->err, r.t.sh->handled, r.t.sh->handled_early);
	if (r.t.sh->handled != 1)
		goto out;
	if (protected)
		ret = !(r.t.sh->ret == 42 && !r.t.sh->handled_early);
	else if (s->sa_flags & SA_RESTART)
		ret = !(r.t.sh->ret == 43);
	else
		ret = !(r.t.sh->ret == -1 && r.t.sh->err == EINTR);
out:
	end(&r);
	return ret;
}

/*
 * SIGUSR1 while the notification is still queued (no SA_RESTART: the close()
 * and SIGCHLD case). Protected: RECV still finds it, the reply lands, the
 * handler runs once after. Stock: the call fails EINTR and the notification
 * is gone before the supervisor saw it.
 */
static int signal_before_recv(const struct scenario *s, int protected)
{
	struct seccomp_notif n;
	struct run r;
	int ret = 1;

	if (start(&r, s))
		goto out;
	if (!poll_fd(r.t.listener, POLLIN, 5000)) {
		printf("nothing queued\n");
		goto out;
	}
	signal_child(&r, SIGUSR1);
	if (!protected) {
		if (trap_wait(&r.t, 5000)) {
			printf("child still waiting\n");
			goto out;
		}
		r.t.pid = 0;
		ret = !(r.t.sh->ret == -1 && r.t.sh->err == EINTR &&
			!poll_fd(r.t.listener, POLLIN, 0));
		printf("child: ret %ld errno %d\n", r.t.sh->ret, r.t.sh->err);
		goto out;
	}
	if (r.t.sh->handled || trap_recv(&r.t, &n, 1000)) {
		printf("notification withdrawn (handler ran %d)\n",
		       r.t.sh->handled);
		goto out;
	}
	if (trap_send(&r.t, n.id, 42, 0) || trap_wait(&r.t, 5000)) {
		printf("reply lost: %s\n", strerror(errno));
		goto out;
	}
	r.t.pid = 0;
	printf("child: ret %ld, handler %d (early %d)\n", r.t.sh->ret,
	       r.t.sh->handled, r.t.sh->handled_early);
	ret = !(r.t.sh->ret == 42 && r.t.sh->handled == 1 &&
		!r.t.sh->handled_early);
out:
	end(&r);
	return ret;
}

#define S(...) (&(const struct scenario){ __VA_ARGS__ })

/* The stock kernel's behaviour, module loaded, no policy anywhere. */
CASE(stock_signal_after_recv_restarts_the_syscall)
{
	return signal_after_recv(S(.sa_flags = SA_RESTART), 0);
}

CASE(stock_signal_after_recv_without_sa_restart_gives_eintr)
{
	return signal_after_recv(S(0), 0);
}

CASE(stock_signal_before_recv_withdraws_the_notification)
{
	return signal_before_recv(S(0), 0);
}

/* KILLABLE_AFTER_RECV from each source. */
CASE(after_recv_policy_from_filter_data_survives_signal)
{
	return signal_after_recv(S(.src = SRC_DATA, .policy = AFTER,
				   .sa_flags = SA_RESTART), 1);
}

CASE(after_recv_policy_from_listener_survives_signal)
{
	return signal_after_recv(S(.src = SRC_LISTENER, .policy = AFTER), 1);
}

CASE(after_recv_policy_from_default_survives_signal)
{
	return signal_after_recv(S(.src = SRC_DEFAULT, .policy = AFTER,
				   .sa_flags = SA_RESTART), 1);
}

CASE(after_recv_policy_leaves_queued_notification_stock)
{
	return signal_before_recv(S(.src = SRC_DATA, .policy = AFTER), 0);
}

/* KILLABLE_BEFORE_RECV from each source. */
CASE(before_recv_policy_from_filter_data_keeps_notification)
{
	return signal_before_recv(S(.src = SRC_DATA, .policy = BEFORE), 1);
}

CASE(before_recv_policy_from_listener_keeps_notification)
{
	return signal_before_recv(S(.src = SRC_LISTENER, .policy = BEFORE), 1);
}

CASE(before_recv_policy_from_default_keeps_notification)
{
	return signal_before_recv(S(.src = SRC_DEFAULT, .policy = BEFORE), 1);
}

CASE(before_recv_policy_leaves_received_notification_stock)
{
	return signal_after_recv(S(.src = SRC_DATA, .policy = BEFORE), 0);
}

CASE(both_policies_survive_signals_in_both_phases)
{
	return signal_before_recv(S(.src = SRC_DATA, .policy = AFTER | BEFORE), 1) ||
	       signal_after_recv(S(.src = SRC_DATA, .policy = AFTER | BEFORE), 1);
}

/* The filter's data bits: a tag keeps other uses of them from being misread. */
CASE(untagged_filter_data_is_stock)
{
	return signal_after_recv(S(.raw_data = 0x1234), 0) ||
	       signal_after_recv(S(.raw_data = (SECCOMP_SIGFWD_DATA_TAG ^ 0x100) |
				   AFTER), 0);
}

CASE(tagged_zero_filter_data_overrides_listener_policy)
{
	return signal_after_recv(S(.src = SRC_DATA, .policy = 0,
				   .listener_policy = AFTER | BEFORE), 0);
}

CASE(filter_data_policy_overrides_listener_policy)
{
	return signal_after_recv(S(.src = SRC_DATA, .policy = AFTER,
				   .listener_policy = BEFORE), 1);
}

static int sigkill_ends_wait(int received)
{
	struct seccomp_notif n;
	struct run r;
	long t0;
	int ret = 1, status;

	if (start(&r, S(.src = SRC_DATA, .policy = AFTER | BEFORE)))
		goto out;
	if (received)
		CHECK(!trap_recv(&r.t, &n, 5000), "no notification");
	else
		CHECK(poll_fd(r.t.listener, POLLIN, 5000), "nothing queued");
	signal_child(&r, SIGUSR1);
	wait_asleep(r.t.pid);
	t0 = now_ms();
	kill(r.t.pid, SIGKILL);
	CHECK(waitpid(r.t.pid, &status, 0) == r.t.pid, "waitpid");
	r.t.pid = 0;
	printf("SIGKILL to exit: %ld ms\n", now_ms() - t0);
	CHECK(now_ms() - t0 < 1000, "killed task took %ld ms", now_ms() - t0);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "status %#x",
	      status);
	if (received)
		EXPECT_ERRNO(trap_send(&r.t, n.id, 42, 0), ENOENT);
	ret = 0;
out:
	end(&r);
	return ret;
}

CASE(sigkill_ends_protected_wait_after_recv_within_a_second)
{
	return sigkill_ends_wait(1);
}

CASE(sigkill_ends_protected_wait_before_recv_within_a_second)
{
	return sigkill_ends_wait(0);
}

/* ADDFD wakes the wait too; the policy must hold across that wake. */
CASE(addfd_during_protected_wait_still_works)
{
	struct seccomp_notif_addfd a = { .flags = 0 };
	struct seccomp_notif n;
	char path[64];
	struct run r;
	int ret = 1, fds[2], fd;

	if (start(&r, S(.src = SRC_DATA, .policy = AFTER)) || pipe(fds))
		goto out;
	CHECK(!trap_recv(&r.t, &n, 5000), "no notification");
	signal_child(&r, SIGUSR1);
	a.id = n.id;
	a.srcfd = fds[0];
	fd = ioctl(r.t.listener, SECCOMP_IOCTL_NOTIF_ADDFD, &a);
	CHECK(fd >= 0, "ADDFD: %s", strerror(errno));
	snprintf(path, sizeof(path), "/proc/%d/fd/%d", r.t.pid, fd);
	CHECK(access(path, F_OK) == 0, "fd %d not installed in the child", fd);
	signal_child(&r, SIGUSR1);
	CHECK(!trap_send(&r.t, n.id, 42, 0), "SEND: %s", strerror(errno));
	CHECK(!trap_wait(&r.t, 5000), "child did not finish");
	r.t.pid = 0;
	CHECK(r.t.sh->ret == 42 && r.t.sh->handled == 1 && !r.t.sh->handled_early,
	      "child: ret %ld handled %d early %d", r.t.sh->ret,
	      r.t.sh->handled, r.t.sh->handled_early);
	ret = 0;
out:
	end(&r);
	return ret;
}

#define LIVE_OBJECTS "/sys/module/seccomp_sigfwd/parameters/live_objects"

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
 * held. @kill: SIGKILL the task in that wait instead of replying.
 */
static int held_across_addfd(int addfds, int kill_it)
{
	struct seccomp_notif_addfd a = { .flags = 0 };
	struct seccomp_notif n;
	int ret = 1, fds[2] = { -1, -1 }, fd, i, base, v;
	char path[64];
	struct run r;

	if (start(&r, S(.src = SRC_DATA, .policy = BEFORE)) || pipe(fds))
		goto out;
	base = read_int_file(LIVE_OBJECTS);
	ENSURE(poll_fd(r.t.listener, POLLIN, 5000), "nothing queued");
	ENSURE(!signal_seen(r.t.pid, SIGUSR1), "signal not seen");
	ENSURE(!r.t.sh->handled && !trap_recv(&r.t, &n, 1000),
	       "notification withdrawn (handler ran %d)", r.t.sh->handled);
	for (i = 0; i < addfds; i++) {
		a.id = n.id;
		a.srcfd = fds[0];
		fd = ioctl(r.t.listener, SECCOMP_IOCTL_NOTIF_ADDFD, &a);
		ENSURE(fd >= 0, "ADDFD %d: %s", i, strerror(errno));
		snprintf(path, sizeof(path), "/proc/%d/fd/%d", r.t.pid, fd);
		ENSURE(access(path, F_OK) == 0, "fd %d not installed", fd);
		/* Back in its wait, the call not withdrawn. */
		ENSURE(!wait_asleep(r.t.pid) && !r.t.sh->done,
		       "call ended after ADDFD %d: ret %ld errno %d", i,
		       r.t.sh->ret, r.t.sh->err);
	}
	sleep_ms(50);
	ENSURE(!r.t.sh->done && !r.t.sh->handled,
	       "call ended: ret %ld errno %d handled %d", r.t.sh->ret,
	       r.t.sh->err, r.t.sh->handled);
	if (kill_it) {
		kill(r.t.pid, SIGKILL);
		waitpid(r.t.pid, NULL, 0);
		r.t.pid = 0;
		EXPECT_ERRNO(trap_send(&r.t, n.id, 42, 0), ENOENT);
	} else {
		ENSURE(!trap_send(&r.t, n.id, 42, 0), "SEND: %s",
		       strerror(errno));
		ENSURE(!trap_wait(&r.t, 5000), "child did not finish");
		r.t.pid = 0;
		ENSURE(r.t.sh->ret == 42 && r.t.sh->handled == 1 &&
		       !r.t.sh->handled_early, "child: ret %ld errno %d handled %d early %d",
		       r.t.sh->ret, r.t.sh->err, r.t.sh->handled,
		       r.t.sh->handled_early);
	}
	v = live_objects_back(base);
	ENSURE(v == base, "live_objects %d, expected %d", v, base);
	ret = 0;
out:
	close(fds[0]);
	close(fds[1]);
	end(&r);
	return ret;
}

CASE(before_recv_signal_stays_held_across_plain_addfd)
{
	return held_across_addfd(1, 0);
}

CASE(before_recv_signal_stays_held_across_three_plain_addfds)
{
	return held_across_addfd(3, 0);
}

CASE(before_recv_state_kept_across_addfd_is_freed_when_killed)
{
	return held_across_addfd(1, 1);
}

static int kernel_at_least(int maj, int min)
{
	struct utsname u;
	int a = 0, b = 0;

	uname(&u);
	sscanf(u.release, "%d.%d", &a, &b);
	return a > maj || (a == maj && b >= min);
}

/* 5.19's per-filter flag keeps working exactly as upstream with the module. */
CASE(native_wait_killable_recv_unchanged)
{
	if (!kernel_at_least(5, 19))
		SKIP("kernel has no SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV");
	return signal_after_recv(S(.filter_flags = SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV),
				 1) ||
	       signal_before_recv(S(.filter_flags = SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV),
				  0);
}

/* Does a task's kernel stack (/proc/PID/task/TID/stack) show @fn? */
static int stack_shows(pid_t tid, const char *fn)
{
	char path[64], buf[4096];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/stack", tid, tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = 0;
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
CASE(unload_refused_while_task_waits_then_accepted)
{
	const struct scenario *const ss[] = {
		S(.src = SRC_DATA, .policy = AFTER),
		S(.src = SRC_LISTENER, .policy = AFTER),
		S(.src = SRC_DEFAULT, .policy = AFTER),
	};
	struct seccomp_notif n;
	unsigned int i;
	struct run r;
	int ret = 1;

	for (i = 0; i < sizeof(ss) / sizeof(ss[0]); i++) {
		if (start(&r, ss[i]))
			goto out;
		CHECK(!trap_recv(&r.t, &n, 5000), "no notification");
		wait_asleep(r.t.pid);
		errno = 0;
		CHECK(module_unload() == -1 && (errno == EAGAIN || errno == EBUSY),
		      "source %u: unload while waiting: %s", i, strerror(errno));
		CHECK(module_loaded(), "module gone");
		CHECK(readme_finds(r.t.pid),
		      "source %u: the README's grep does not find the task", i);
		CHECK(!trap_send(&r.t, n.id, 42, 0), "SEND: %s", strerror(errno));
		CHECK(!trap_wait(&r.t, 5000) && r.t.sh->ret == 42, "reply lost");
		r.t.pid = 0;
		end(&r);
		CHECK(!module_unload(), "unload after the wait: %s", strerror(errno));
		CHECK(!module_load(NULL), "reload: %s", strerror(errno));
	}
	return 0;
out:
	end(&r);
	return ret;
}

/*
 * A wait whose policy is empty (nothing bound, no default, the filter
 * untagged: data 0 or data of its own) is the stock wait: it runs no module
 * code and does not keep the module loaded; its reply lands after unload.
 */
CASE(unload_accepted_while_task_waits_under_empty_policy)
{
	static const unsigned int data[] = { 0, 0x1234 };
	struct seccomp_notif n;
	struct trap t = { .pid = -1, .listener = -1 };
	unsigned int i;
	int ret = 1, in_module;

	for (i = 0; i < sizeof(data) / sizeof(data[0]); i++) {
		struct trap_opts o = { .data = data[i] };

		CHECK(!module_load(NULL) && !set_default(0), "load");
		if (trap_start(&t, &o))
			return 1;
		ENSURE(!trap_recv(&t, &n, 5000), "no notification");
		wait_asleep(t.pid);
		in_module = stack_shows(t.pid, "sigfwd_wait");
		ENSURE(!module_unload(), "data %#x: unload while an empty-policy task waits: %s",
		       data[i], strerror(errno));
		ENSURE(!in_module, "data %#x: the wait ran module code", data[i]);
		ENSURE(!module_loaded(), "module still listed");
		ENSURE(!trap_send(&t, n.id, 42, 0), "SEND: %s", strerror(errno));
		ENSURE(!trap_wait(&t, 5000) && t.sh->ret == 42, "reply lost");
		t.pid = 0;
		trap_end(&t);
		t.listener = -1;
	}
	ret = 0;
out:
	if (ret)
		trap_end(&t);
	module_load(NULL);
	return ret;
}

/* A wait that began before the module was loaded stays a stock wait. */
CASE(waits_begun_before_load_keep_stock_behaviour)
{
	struct trap_opts o = { 0 };
	struct seccomp_notif n;
	struct trap t;
	int ret = 1;

	CHECK(!module_unload(), "unload: %s", strerror(errno));
	if (trap_start(&t, &o))
		goto out;
	CHECK(!trap_recv(&t, &n, 5000), "no notification");
	wait_asleep(t.pid);
	CHECK(!module_load("default_policy=3"), "load: %s", strerror(errno));
	sleep_ms(20);
	kill(t.pid, SIGUSR1);
	sleep_ms(150);
	EXPECT_ERRNO(trap_send(&t, n.id, 42, 0), ENOENT);
	CHECK(!trap_wait(&t, 5000), "child did not finish");
	t.pid = 0;
	CHECK(t.sh->ret == -1 && t.sh->err == EINTR, "child: ret %ld errno %d",
	      t.sh->ret, t.sh->err);
	ret = 0;
out:
	trap_end(&t);
	module_unload();
	module_load(NULL);
	return ret;
}

/* default_policy accepts only implemented bits. */
CASE(default_policy_rejects_unknown_bits)
{
	CHECK(!module_load(NULL), "load");
	CHECK(write_file(DEFAULT_POLICY, "16") && errno == EINVAL,
	      "reserved bit accepted");
	CHECK(write_file(DEFAULT_POLICY, "256") && errno == EINVAL,
	      "unknown bit accepted");
	CHECK(!write_file(DEFAULT_POLICY, "7") && !write_file(DEFAULT_POLICY, "0"),
	      "valid policies refused");
	return 0;
}

/* A bound listener whose supervisor set no policy follows default_policy. */
CASE(bound_listener_without_policy_follows_default)
{
	return signal_after_recv(S(.src = SRC_DEFAULT, .policy = AFTER,
				   .bind_only = 1), 1);
}
