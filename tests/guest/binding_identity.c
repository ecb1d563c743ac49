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
#include "harness.h"
#include "trap.h"

#define FTRACE_ENABLED	"/proc/sys/kernel/ftrace_enabled"
#define KPROBES_ENABLED	"/sys/kernel/debug/kprobes/enabled"
#define LIVE_OBJECTS	"/sys/module/seccomp_sigfwd/parameters/live_objects"
#define UID_A		1001
#define UID_B		1002
#define CYCLES		300
#define KEEP		64	/* device fds user A keeps open (stale candidates) */

CASE(ftrace_enabled_zero_refused_while_loaded)
{
	int fd, r, e;

	CHECK(module_load(NULL) == 0, "module_load: %s", strerror(errno));
	if (access(FTRACE_ENABLED, W_OK))
		SKIP("no %s", FTRACE_ENABLED);
	CHECK(read_int_file(FTRACE_ENABLED) == 1, "ftrace_enabled is %d",
	      read_int_file(FTRACE_ENABLED));
	fd = open(FTRACE_ENABLED, O_WRONLY | O_CLOEXEC);
	CHECK(fd >= 0, "open: %s", strerror(errno));
	errno = 0;
	r = write(fd, "0\n", 2);
	e = errno;
	close(fd);
	if (r == 2)
		write_file(FTRACE_ENABLED, "1");
	CHECK(r == -1 && e == EBUSY,
	      "ftrace_enabled=0 with the module loaded: %d (%s), expected EBUSY",
	      r, strerror(e));
	CHECK(read_int_file(FTRACE_ENABLED) == 1, "ftrace_enabled changed");

	/* Unloaded, the switch is the admin's again; a load then is refused. */
	CHECK(module_unload() == 0, "rmmod: %s", strerror(errno));
	CHECK(write_file(FTRACE_ENABLED, "0") == 0,
	      "ftrace_enabled=0 without the module: %s", strerror(errno));
	r = module_load(NULL);
	e = errno;
	CHECK(write_file(FTRACE_ENABLED, "1") == 0, "ftrace_enabled=1: %s",
	      strerror(errno));
	if (!r)
		FAIL("loaded with ftrace_enabled=0");
	CHECK(e == EBUSY, "load with ftrace_enabled=0: %s, expected EBUSY",
	      strerror(e));
	CHECK(!module_loaded(), "module left behind");
	CHECK(module_load(NULL) == 0, "module_load after restoring: %s",
	      strerror(errno));
	return 0;
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

CASE(bindings_never_cross_users_with_kprobes_disabled)
{
	struct seccomp_sigfwd_version v = { 0 };
	int a_to = -1, a_from = -1, b_to = -1, b_from = -1, ret = 1, dev, base;
	unsigned int policy = SECCOMP_SIGFWD_KILLABLE_AFTER_RECV;
	pid_t a = -1, b = -1;
	cpu_set_t cpu0;

	CHECK(module_load(NULL) == 0, "module_load: %s", strerror(errno));
	dev = open(SECCOMP_SIGFWD_DEVICE, O_RDWR | O_CLOEXEC);
	CHECK(dev >= 0 && !ioctl(dev, SECCOMP_SIGFWD_IOC_VERSION, &v),
	      "VERSION: %s", strerror(errno));
	close(dev);
	if (v.policies & SECCOMP_SIGFWD_FORWARD)
		policy |= SECCOMP_SIGFWD_FORWARD;
	base = read_int_file(LIVE_OBJECTS);
	cx = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	CHECK(cx != MAP_FAILED, "mmap");
	if (access(KPROBES_ENABLED, W_OK))
		mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL);
	CHECK(!access(KPROBES_ENABLED, W_OK), "no %s", KPROBES_ENABLED);
	/* One CPU: a freed filter's address is the next one allocated. */
	CPU_ZERO(&cpu0);
	CPU_SET(0, &cpu0);
	CHECK(!sched_setaffinity(0, sizeof(cpu0), &cpu0), "sched_setaffinity");
	CHECK(write_file(KPROBES_ENABLED, "0") == 0, "kprobes off: %s",
	      strerror(errno));

	a = start_worker(UID_A, &a_to, &a_from, policy);
	b = start_worker(UID_B, &b_to, &b_from, 0);
	ENSURE(a > 0 && b > 0, "fork");
	while (cx->cycles < CYCLES) {
		ENSURE(!step(a_to, a_from) && !step(b_to, b_from),
		       "a worker died");
		cx->cycles++;
		if (cx->b_ebusy || cx->b_held || cx->a_records || cx->errors)
			break;
	}
	ret = 0;
out:
	if (a_to >= 0)
		close(a_to);
	if (b_to >= 0)
		close(b_to);
	if (a > 0)
		waitpid(a, NULL, 0);
	if (b > 0)
		waitpid(b, NULL, 0);
	if (write_file(KPROBES_ENABLED, "1"))
		FAIL("kprobes on again: %s", strerror(errno));
	if (ret)
		return ret;
	printf("%d cycles: B EBUSY %d, B held %d, records on A's fds %d (tid %d)\n",
	       cx->cycles, cx->b_ebusy, cx->b_held, cx->a_records,
	       cx->a_record_pid);
	CHECK(!cx->errors, "%d errors, first %s", cx->errors, cx->what);
	CHECK(!cx->b_ebusy, "user B's BIND got EBUSY: A's stale binding");
	CHECK(!cx->b_held, "user B's notification got A's policy");
	CHECK(!cx->a_records, "A's device got a record of B's task %d",
	      cx->a_record_pid);
	CHECK(cx->cycles == CYCLES, "only %d cycles", cx->cycles);
	CHECK(!objects_settle(base), "live_objects %d, was %d",
	      read_int_file(LIVE_OBJECTS), base);
	return 0;
}
