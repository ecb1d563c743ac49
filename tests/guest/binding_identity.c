// SPDX-License-Identifier: GPL-2.0
/*
 * A binding belongs to one listener, whatever the tracing switches say: the
 * release interception cannot be switched off under the module (ftrace is
 * PERMANENT while loaded) and does not depend on kprobes, so a closed
 * listener's binding never passes to a new filter at the same address,
 * another user's included.
 */
#include <sched.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include "sigfwd_test.h"
#include "trap.h"

#define FTRACE_ENABLED	"/proc/sys/kernel/ftrace_enabled"
#define KPROBES_ENABLED	"/sys/kernel/debug/kprobes/enabled"
#define LIVE_OBJECTS	"/sys/module/seccomp_sigfwd/parameters/live_objects"
#define UID_A		1001
#define UID_B		1002
#define CYCLES		300
#define KEEP		64	/* device fds user A keeps open (stale candidates) */

/*
 * Both switches back on and the module loaded, whatever a test did: the
 * workers of bindings_never_cross_users_with_kprobes_disabled, if still
 * there, are told to stop (their pipes closed) and reaped first.
 */
FIXTURE(tracing) {
	int a_to, b_to;
	pid_t a, b;
};

FIXTURE_SETUP(tracing)
{
	self->a_to = self->b_to = -1;
	self->a = self->b = -1;
	ASSERT_EQ(0, module_load(NULL)) TH_LOG("module_load: %s", strerror(errno));
}

FIXTURE_TEARDOWN(tracing)
{
	if (self->a_to >= 0)
		close(self->a_to);
	if (self->b_to >= 0)
		close(self->b_to);
	if (self->a > 0)
		waitpid(self->a, NULL, 0);
	if (self->b > 0)
		waitpid(self->b, NULL, 0);
	if (!access(KPROBES_ENABLED, W_OK) && write_file(KPROBES_ENABLED, "1")) {
		TH_LOG("kprobes on again: %s", strerror(errno));
		_metadata->exit_code = KSFT_FAIL;
	}
	if (read_int_file(FTRACE_ENABLED) == 0)
		write_file(FTRACE_ENABLED, "1");
	module_load(NULL);
}

TEST_F(tracing, ftrace_enabled_zero_refused_while_loaded)
{
	int fd, r, e;

	if (access(FTRACE_ENABLED, W_OK))
		SKIP(return, "no %s", FTRACE_ENABLED);
	ASSERT_EQ(1, read_int_file(FTRACE_ENABLED));
	fd = open(FTRACE_ENABLED, O_WRONLY | O_CLOEXEC);
	ASSERT_GE(fd, 0) TH_LOG("open: %s", strerror(errno));
	errno = 0;
	r = write(fd, "0\n", 2);
	e = errno;
	close(fd);
	ASSERT_TRUE(r == -1 && e == EBUSY)
		TH_LOG("ftrace_enabled=0 with the module loaded: %d (%s), expected EBUSY",
		       r, strerror(e));
	ASSERT_EQ(1, read_int_file(FTRACE_ENABLED)) TH_LOG("ftrace_enabled changed");

	/* Unloaded, the switch is the admin's again; a load then is refused. */
	ASSERT_EQ(0, module_unload()) TH_LOG("rmmod: %s", strerror(errno));
	ASSERT_EQ(0, write_file(FTRACE_ENABLED, "0"))
		TH_LOG("ftrace_enabled=0 without the module: %s", strerror(errno));
	r = module_load(NULL);
	e = errno;
	ASSERT_EQ(0, write_file(FTRACE_ENABLED, "1"))
		TH_LOG("ftrace_enabled=1: %s", strerror(errno));
	ASSERT_NE(0, r) TH_LOG("loaded with ftrace_enabled=0");
	ASSERT_EQ(EBUSY, e) TH_LOG("load with ftrace_enabled=0: %s", strerror(e));
	ASSERT_FALSE(module_loaded()) TH_LOG("module left behind");
	ASSERT_EQ(0, module_load(NULL))
		TH_LOG("module_load after restoring: %s", strerror(errno));
}

/* What a cycle found; in a page shared by every process of the case. */
struct cross {
	int cycles;
	int b_ebusy;		/* user B's BIND of a new listener: EBUSY */
	int b_held;		/* B's signal held: a policy B never set */
	int a_records;		/* a record on one of A's device fds */
	int a_record_pid;
	int errors;
	char what[128];
};

static struct cross *cx;

static void worker_error(const char *what)
{
	if (!cx->errors++)
		snprintf(cx->what, sizeof(cx->what), "%s: %s", what,
			 strerror(errno));
}

/* User A: bind a new listener, set a holding policy, close the listener. */
static void cycle_a(int *devs, int *nr, unsigned int policy)
{
	struct seccomp_sigfwd_signal s;
	pid_t pid;
	int dev, i, st;

	dev = open(SECCOMP_SIGFWD_DEVICE, O_RDWR | O_CLOEXEC | O_NONBLOCK);
	if (dev < 0) {
		worker_error("A open");
		return;
	}
	pid = fork();
	if (!pid) {
		struct seccomp_sigfwd_bind b = { 0 };
		int listener = install_filter(__NR_getppid, 0, 0);

		b.listener_fd = listener;
		if (listener < 0 || ioctl(dev, SECCOMP_SIGFWD_IOC_BIND, &b) ||
		    sigfwd_set_policy(dev, policy))
			_exit(1);
		close(listener);
		_exit(0);
	}
	/* Reaped: the filter is freed, its address free for reuse. */
	if (pid < 0 || waitpid(pid, &st, 0) != pid || st)
		worker_error("A bind");
	if (*nr == KEEP) {
		close(devs[0]);
		memmove(devs, devs + 1, (KEEP - 1) * sizeof(int));
		(*nr)--;
	}
	devs[(*nr)++] = dev;
	/* A's tasks are never signalled: any record is someone else's. */
	for (i = 0; i < *nr; i++) {
		if (!sigfwd_recv_signal(devs[i], &s)) {
			cx->a_records++;
			cx->a_record_pid = s.tid;
		} else if (errno != EAGAIN && errno != ESRCH) {
			worker_error("A RECV_SIGNAL");
		}
	}
}

static volatile pid_t b_tid;
static volatile long b_ret;

static void b_handler(int sig)
{
	(void)sig;
}

static void *b_thread(void *arg)
{
	(void)arg;
	b_tid = syscall(__NR_gettid);
	b_ret = syscall(__NR_getppid);
	return NULL;
}

/*
 * User B's new listener: BIND must succeed, and its notification, with no
 * policy set, must behave as the stock kernel's: a signal after RECV
 * withdraws it.
 */
static void cycle_b_child(int dev)
{
	struct sigaction sa = { .sa_handler = b_handler };
	struct seccomp_sigfwd_bind b = { 0 };
	struct seccomp_notif n;
	struct seccomp_notif_resp r = { 0 };
	pthread_t th;
	long end;
	int listener;

	sigaction(SIGUSR1, &sa, NULL);
	listener = install_filter(__NR_getppid, 0, 0);
	if (listener < 0)
		_exit(1);
	b.listener_fd = listener;
	if (ioctl(dev, SECCOMP_SIGFWD_IOC_BIND, &b)) {
		if (errno != EBUSY)
			_exit(2);
		cx->b_ebusy++;
	}
	if (pthread_create(&th, NULL, b_thread, NULL) ||
	    !poll_fd(listener, POLLIN, slow_ms(5000)))
		_exit(3);
	memset(&n, 0, sizeof(n));
	if (ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, &n))
		_exit(4);
	syscall(__NR_tgkill, getpid(), b_tid, SIGUSR1);
	end = now_ms() + slow_ms(3000);
	while (!ioctl(listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &n.id) &&
	       now_ms() < end)
		sleep_ms(1);
	if (!ioctl(listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &n.id)) {
		cx->b_held++;
		r.id = n.id;
		ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &r);
	}
	pthread_join(th, NULL);
	_exit(0);
}

static void cycle_b(void)
{
	pid_t pid;
	int dev, st;

	dev = open(SECCOMP_SIGFWD_DEVICE, O_RDWR | O_CLOEXEC);
	if (dev < 0) {
		worker_error("B open");
		return;
	}
	pid = fork();
	if (!pid)
		cycle_b_child(dev);
	if (pid < 0 || waitpid(pid, &st, 0) != pid || st) {
		errno = 0;
		worker_error("B cycle");
		if (pid > 0 && WIFEXITED(st))
			snprintf(cx->what, sizeof(cx->what),
				 "B cycle: exit %d", WEXITSTATUS(st));
	}
	close(dev);
}

/* A worker as @uid: one cycle per byte from @in, a byte back on @out. */
static void worker(uid_t uid, int in, int out, unsigned int policy)
{
	int devs[KEEP], nr = 0;
	char c;

	if (setgid(uid) || setuid(uid))
		_exit(1);
	while (read(in, &c, 1) == 1 && c == 'c') {
		if (uid == UID_A)
			cycle_a(devs, &nr, policy);
		else
			cycle_b();
		if (write(out, &c, 1) != 1)
			break;
	}
	while (nr)
		close(devs[--nr]);
	_exit(0);
}

static pid_t start_worker(uid_t uid, int *to, int *from, unsigned int policy)
{
	int p1[2], p2[2];
	pid_t pid;

	if (pipe2(p1, O_CLOEXEC) || pipe2(p2, O_CLOEXEC))
		return -1;
	pid = fork();
	if (!pid) {
		close(p1[1]);
		close(p2[0]);
		worker(uid, p1[0], p2[1], policy);
	}
	close(p1[0]);
	close(p2[1]);
	*to = p1[1];
	*from = p2[0];
	return pid;
}

static int step(int to, int from)
{
	char c = 'c';

	return write(to, &c, 1) == 1 && read(from, &c, 1) == 1 ? 0 : -1;
}

/* live_objects back to @base within a bounded time (deferred ends, RCU). */
static int objects_settle(int base)
{
	long end = now_ms() + slow_ms(5000);

	while (read_int_file(LIVE_OBJECTS) != base && now_ms() < end)
		sleep_ms(10);
	return read_int_file(LIVE_OBJECTS) - base;
}

/* 300 cycles of two forks each: more than the default 30 s on a slow guest. */
TEST_F_TIMEOUT(tracing, bindings_never_cross_users_with_kprobes_disabled, 120)
{
	unsigned int policy = SECCOMP_SIGFWD_KILLABLE_AFTER_RECV |
			      SECCOMP_SIGFWD_FORWARD;
	struct seccomp_sigfwd_version v = { 0 };
	int a_from = -1, b_from = -1, base, dev;
	cpu_set_t cpu0;

	dev = sigfwd_open(0);
	ASSERT_GE(dev, 0) TH_LOG("open: %s", strerror(-dev));
	ASSERT_EQ(0, sigfwd_version(dev, &v)) TH_LOG("VERSION: %s", strerror(errno));
	close(dev);
	ASSERT_EQ(SECCOMP_SIGFWD_POLICY_MASK, v.policies);
	base = read_int_file(LIVE_OBJECTS);
	cx = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, cx);
	if (access(KPROBES_ENABLED, W_OK))
		mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL);
	ASSERT_EQ(0, access(KPROBES_ENABLED, W_OK)) TH_LOG("no %s", KPROBES_ENABLED);
	/* One CPU: a freed filter's address is the next one allocated. */
	CPU_ZERO(&cpu0);
	CPU_SET(0, &cpu0);
	ASSERT_EQ(0, sched_setaffinity(0, sizeof(cpu0), &cpu0));
	ASSERT_EQ(0, write_file(KPROBES_ENABLED, "0"))
		TH_LOG("kprobes off: %s", strerror(errno));

	self->a = start_worker(UID_A, &self->a_to, &a_from, policy);
	self->b = start_worker(UID_B, &self->b_to, &b_from, 0);
	ASSERT_TRUE(self->a > 0 && self->b > 0) TH_LOG("fork");
	while (cx->cycles < CYCLES) {
		ASSERT_TRUE(!step(self->a_to, a_from) && !step(self->b_to, b_from))
			TH_LOG("a worker died");
		cx->cycles++;
		if (cx->b_ebusy || cx->b_held || cx->a_records || cx->errors)
			break;
	}
	/* Stop the workers: they close their device fds as they exit. */
	close(self->a_to);
	close(self->b_to);
	self->a_to = self->b_to = -1;
	waitpid(self->a, NULL, 0);
	waitpid(self->b, NULL, 0);
	self->a = self->b = -1;
	ASSERT_EQ(0, write_file(KPROBES_ENABLED, "1"))
		TH_LOG("kprobes on again: %s", strerror(errno));
	TH_LOG("%d cycles: B EBUSY %d, B held %d, records on A's fds %d (tid %d)",
	       cx->cycles, cx->b_ebusy, cx->b_held, cx->a_records,
	       cx->a_record_pid);
	ASSERT_EQ(0, cx->errors) TH_LOG("first error: %s", cx->what);
	ASSERT_EQ(0, cx->b_ebusy) TH_LOG("user B's BIND got EBUSY: A's stale binding");
	ASSERT_EQ(0, cx->b_held) TH_LOG("user B's notification got A's policy");
	ASSERT_EQ(0, cx->a_records)
		TH_LOG("A's device got a record of B's task %d", cx->a_record_pid);
	ASSERT_EQ(CYCLES, cx->cycles);
	ASSERT_EQ(0, objects_settle(base))
		TH_LOG("live_objects %d, was %d", read_int_file(LIVE_OBJECTS), base);
}
