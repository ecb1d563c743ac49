// SPDX-License-Identifier: GPL-2.0
/*
 * The failures users report (see the project's notes on users): Go's
 * preemption signals live-locking a slow supervisor, a SIGCHLD that makes a
 * trapped close() fail unseen (sandlock), and the cgroup freezer against a
 * task waiting for its supervisor.
 */
#include <sys/mount.h>
#include <sys/stat.h>
#include "sigfwd_test.h"
#include "trap.h"

#define AFTER SECCOMP_SIGFWD_KILLABLE_AFTER_RECV
#define BEFORE SECCOMP_SIGFWD_KILLABLE_BEFORE_RECV
#define FWD SECCOMP_SIGFWD_FORWARD
#define DATA(p) SECCOMP_SIGFWD_RET_DATA(p)
#define CG_ROOT		"/sys/fs/cgroup"

/*
 * The module loaded and a page shared with the children; the teardown lets
 * a grandchild go, unmounts a cgroup2 the test mounted and removes its
 * cgroups, also after a failed assertion.
 */
FIXTURE(user_failures) {
	void *page;
	int mounted;
};

FIXTURE_SETUP(user_failures)
{
	self->page = MAP_FAILED;
	if (module_load(NULL))
		SKIP(return, "module not loadable: %s", strerror(errno));
	self->page = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->page);
	memset(self->page, 0, 4096);
}

static void cl_release(void);
static void cg_cleanup(int mounted);

/* In the parent (after a timeout) self is as before the setup: zeroed. */
FIXTURE_TEARDOWN(user_failures)
{
	cg_cleanup(self->mounted);
	if (self->page && self->page != MAP_FAILED) {
		cl_release();
		munmap(self->page, 4096);
	}
}

static int notif_send(int listener, __u64 id, long val, int error, __u32 flags)
{
	struct seccomp_notif_resp r = {
		.id = id, .val = val, .error = error, .flags = flags,
	};

	return ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &r);
}

/* The records waiting on a non-blocking device fd, read; how many. */
static int drain_records(int dev)
{
	struct seccomp_sigfwd_signal s;
	int n = 0;

	while (dev >= 0 && !sigfwd_recv_signal(dev, &s))
		n++;
	return n;
}

/*
 * 4. Go-style preemption: a handled SIGUSR1 (SA_RESTART) every 10 ms, then
 * every 1 ms, against a supervisor that needs 20 ms per call, for 2 s. Each
 * run's child installs its own filter (one listener per chain).
 */
#define GS_WINDOW_MS	2000
#define GS_SERVICE_MS	20
#define GS_VAL		7

struct gs_shared {
	volatile int stop;
	volatile long completed;
	volatile long bad;
};

static struct gs_shared *gs;

static void gs_calls(__u32 cookie)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);	/* no spinning orphan */
	while (!gs->stop) {
		if (syscall(__NR_getppid, cookie) == GS_VAL)
			gs->completed++;
		else
			gs->bad++;
	}
}

struct gs_signaller {
	pthread_t th;
	pid_t pid;
	long period_ns;
	volatile int stop;
	long sent;
};

static void *gs_signal_thread(void *arg)
{
	struct gs_signaller *g = arg;
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	while (!g->stop) {
		t.tv_nsec += g->period_ns;
		while (t.tv_nsec >= 1000000000L) {
			t.tv_nsec -= 1000000000L;
			t.tv_sec++;
		}
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &t, NULL);
		if (!kill(g->pid, SIGUSR1))
			g->sent++;
	}
	return NULL;
}

struct gs_result {
	long notifs_w, completed_w, enoent_w;	/* in the window */
	long notifs, completed, enoent, bad, records, sent, handled;
};

static int gs_run(unsigned int data, int bind, int period_us,
		  struct gs_result *r)
{
	struct trap_opts o = { .data = data, .sa_flags = SA_RESTART,
			       .own_filter = 1, .body = gs_calls };
	struct gs_signaller g = { .period_ns = period_us * 1000L };
	int listener, dev = -1, started = 0, ret = -1;
	struct seccomp_notif n;
	struct trap t;
	long end;

	memset(r, 0, sizeof(*r));
	memset(gs, 0, sizeof(*gs));
	if (trap_start(&t, &o))
		goto out;
	listener = t.listener;
	g.pid = t.pid;
	if (bind) {
		dev = sigfwd_open_bound(listener, O_NONBLOCK);
		if (dev < 0) {
			printf("bind: %s\n", strerror(errno));
			goto out;
		}
	}
	if (pthread_create(&g.th, NULL, gs_signal_thread, &g))
		goto out;
	started = 1;
	end = now_ms() + GS_WINDOW_MS;
	while (now_ms() < end) {
		if (!poll_fd(listener, POLLIN, 50))
			continue;
		memset(&n, 0, sizeof(n));
		if (ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, &n))
			continue;
		r->notifs++;
		sleep_ms(GS_SERVICE_MS);
		r->records += drain_records(dev);
		if (notif_send(listener, n.id, GS_VAL, 0, 0) && errno == ENOENT)
			r->enoent++;
	}
	sleep_ms(5);
	r->notifs_w = r->notifs;
	r->completed_w = gs->completed;
	r->enoent_w = r->enoent;
	g.stop = 1;
	pthread_join(g.th, NULL);
	started = 0;
	/* Let the child finish its last call. */
	gs->stop = 1;
	end = now_ms() + 5000;
	while (!t.sh->done && now_ms() < end) {
		if (!poll_fd(listener, POLLIN, 20))
			continue;
		memset(&n, 0, sizeof(n));
		if (ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, &n))
			continue;
		r->notifs++;
		r->records += drain_records(dev);
		if (notif_send(listener, n.id, GS_VAL, 0, 0) && errno == ENOENT)
			r->enoent++;
	}
	r->records += drain_records(dev);
	ret = t.sh->done ? 0 : -1;
	r->handled = t.sh->handled;
	if (ret)
		printf("child did not finish\n");
out:
	if (started) {
		g.stop = 1;
		pthread_join(g.th, NULL);
	}
	r->completed = gs->completed;
	r->bad = gs->bad;
	r->sent = g.sent;
	trap_end(&t);
	if (dev >= 0)
		close(dev);
	return ret;
}

TEST_F_TIMEOUT(user_failures, go_style_preemption_storm_10ms_and_1ms, 150)
{
	static const struct {
		const char *name;
		unsigned int data;
		int bind;
		int exact;	/* no pre-RECV withdrawal possible */
	} v[] = {
		{ "stock (no policy)", 0, 0, 0 },
		{ "KILLABLE_AFTER_RECV", DATA(AFTER), 0, 0 },
		{ "FORWARD", DATA(FWD), 1, 0 },
		{ "KILLABLE (both)", DATA(AFTER | BEFORE), 0, 1 },
		{ "FORWARD|BEFORE_RECV", DATA(FWD | BEFORE), 1, 1 },
	};
	static const int periods[] = { 10000, 1000 };
	struct gs_result r[2][5];
	unsigned int p, i;
	int failed = 0;

	gs = self->page;
	printf("SIGUSR1 (SA_RESTART) every 10 ms / 1 ms, %d ms per reply, %d ms window\n",
	       GS_SERVICE_MS, GS_WINDOW_MS);
	printf("%-22s %6s %9s %7s %7s | %9s %7s %7s %7s %8s %8s\n", "variant",
	       "period", "completed", "notifs", "ENOENT", "total:done",
	       "notifs", "ENOENT", "records", "signals", "handled");
	for (p = 0; p < 2; p++) {
		for (i = 0; i < 5; i++) {
			struct gs_result *x = &r[p][i];

			ASSERT_EQ(0, gs_run(v[i].data, v[i].bind, periods[p], x))
				TH_LOG("%s, %d us: run failed", v[i].name, periods[p]);
			printf("%-22s %4dms %9ld %7ld %7ld | %9ld %7ld %7ld %7ld %8ld %8ld\n",
			       v[i].name, periods[p] / 1000, x->completed_w,
			       x->notifs_w, x->enoent_w, x->completed,
			       x->notifs, x->enoent, x->records, x->sent,
			       x->handled);
		}
	}
	for (p = 0; p < 2; p++) {
		for (i = 0; i < 5; i++) {
			struct gs_result *x = &r[p][i];

			if (x->bad) {
				printf("FAIL %s %d ms: %ld calls returned something else\n",
				       v[i].name, periods[p] / 1000, x->bad);
				failed = 1;
			}
			if (!i) {
				if (x->notifs_w <= x->completed_w) {
					printf("FAIL stock %d ms: %ld notifications for %ld calls\n",
					       periods[p] / 1000, x->notifs_w,
					       x->completed_w);
					failed = 1;
				}
				continue;
			}
			if (x->completed == x->notifs && !x->enoent)
				continue;
			/*
			 * Without KILLABLE_BEFORE_RECV a queued notification is
			 * stock: a signal withdraws it, unseen unless RECV races
			 * the withdrawal (then the reply gets ENOENT) or RECV and
			 * an instant reply both do (the drain below the window
			 * replies at once): seccomp drops a reply that lands
			 * between an interrupted wait and its notify_lock, as on
			 * a stock kernel, and the call restarts.
			 */
			if (!v[i].exact && x->completed <= x->notifs - x->enoent &&
			    x->completed >= x->notifs - x->enoent - 2) {
				printf("note: %s %d ms: %ld calls, %ld notifications: %ld RECV raced a withdrawal while queued (ENOENT), %ld with the reply too\n",
				       v[i].name, periods[p] / 1000, x->completed,
				       x->notifs, x->enoent,
				       x->notifs - x->enoent - x->completed);
				continue;
			}
			printf("FAIL %s %d ms: %ld calls completed with %ld notifications, %ld ENOENT\n",
			       v[i].name, periods[p] / 1000, x->completed,
			       x->notifs, x->enoent);
			failed = 1;
		}
	}
	EXPECT_EQ(0, failed);
}

/*
 * 5. The sandlock case: close() trapped, a SIGCHLD handler without
 * SA_RESTART, and a grandchild that exits while the close notification is
 * still queued. The child opens the fd and forks the grandchild before its
 * filter, which traps close() of that fd only; each run's child installs
 * its own (one listener per chain).
 */
struct cl_shared {
	volatile int gc_exit;
	int fd;
	int fd_after;
	int fd_errno;
};

static struct cl_shared *cl;

/* The child, before its filter: the fd to close, the grandchild. */
static int cl_before_filter(__u32 *arg0)
{
	struct sigaction sa = { .sa_handler = trap_handler };	/* no SA_RESTART */
	pid_t gc;

	sigaction(SIGCHLD, &sa, NULL);
	cl->fd = open("/dev/null", O_RDONLY);
	if (cl->fd < 0)
		return -1;
	gc = fork();
	if (gc == 0) {
		while (!cl->gc_exit)
			usleep(1000);
		_exit(0);
	}
	*arg0 = cl->fd;
	return gc < 0 ? -1 : 0;
}

static void cl_close(__u32 fd)
{
	errno = 0;
	child_sh->ret = syscall(__NR_close, fd);
	child_sh->err = errno;
	errno = 0;
	cl->fd_after = fcntl(fd, F_GETFD);
	cl->fd_errno = errno;
}

static int cl_run(unsigned int data, int protected)
{
	struct trap_opts o = { .nr = __NR_close, .data = data, .hold = 1,
			       .own_filter = 1, .before_filter = cl_before_filter,
			       .body = cl_close };
	struct seccomp_notif n;
	struct trap_shared *sh;
	int status, ret = 1;
	struct trap t;

	memset(cl, 0, sizeof(*cl));
	cl->fd = -1;
	if (trap_start(&t, &o))
		goto out;
	sh = t.sh;
	trap_go(&t);
	if (!poll_fd(t.listener, POLLIN, 5000)) {
		printf("no close notification queued\n");
		goto out;
	}
	wait_asleep(t.pid);
	sleep_ms(20);
	cl->gc_exit = 1;	/* SIGCHLD while the notification is queued */
	sleep_ms(300);
	if (!protected) {
		long end = now_ms() + 5000;

		while (!sh->done && now_ms() < end)
			sleep_ms(5);
		printf("stock: close returned %ld (%s), handler %d, fd afterwards %s, notification %s\n",
		       sh->ret, sh->ret ? strerror(sh->err) : "ok", sh->handled,
		       cl->fd_after >= 0 ? "still open" : "closed",
		       poll_fd(t.listener, POLLIN, 0) ? "still queued" : "gone unseen");
		ret = !(sh->done && sh->ret == -1 && sh->err == EINTR &&
			sh->handled == 1 && cl->fd_after >= 0 &&
			!poll_fd(t.listener, POLLIN, 0));
		goto out;
	}
	if (sh->done || sh->handled) {
		printf("close ended (%ld, %s) before the supervisor saw it, handler %d\n",
		       sh->ret, strerror(sh->err), sh->handled);
		goto out;
	}
	if (trap_recv(&t, &n, 1000)) {
		printf("RECV: %s\n", strerror(errno));
		goto out;
	}
	if (n.data.nr != __NR_close || (int)n.data.args[0] != cl->fd) {
		printf("notification for nr %d arg %llu\n", n.data.nr,
		       (unsigned long long)n.data.args[0]);
		goto out;
	}
	sh->replied = 1;
	if (notif_send(t.listener, n.id, 0, 0, SECCOMP_USER_NOTIF_FLAG_CONTINUE)) {
		printf("SEND (CONTINUE): %s\n", strerror(errno));
		goto out;
	}
	status = trap_wait(&t, slow_ms(5000));
	t.pid = 0;
	if (status) {
		printf("child status %#x\n", status);
		goto out;
	}
	printf("KILLABLE_BEFORE_RECV: close returned %ld (%s), handler %d (before the reply %d), fd afterwards %s (%s)\n",
	       sh->ret, sh->ret ? strerror(sh->err) : "ok", sh->handled,
	       sh->handled_early, cl->fd_after >= 0 ? "open" : "closed",
	       strerror(cl->fd_errno));
	ret = !(sh->ret == 0 && sh->handled == 1 && !sh->handled_early &&
		cl->fd_after == -1 && cl->fd_errno == EBADF);
out:
	trap_end(&t);
	cl->gc_exit = 1;
	/* Our copy: the child opened it in the fd table it shared with us. */
	if (cl->fd >= 0)
		close(cl->fd);
	return ret;
}

static void cl_release(void)
{
	if (cl)
		cl->gc_exit = 1;
}

TEST_F_TIMEOUT(user_failures, sigchld_during_queued_close_runs_the_close, 60)
{
	int stock, prot;

	cl = self->page;
	stock = cl_run(0, 0);
	prot = cl_run(DATA(BEFORE), 1);
	EXPECT_EQ(0, stock)
		TH_LOG("stock: expected EINTR without the supervisor seeing the close");
	EXPECT_EQ(0, prot)
		TH_LOG("KILLABLE_BEFORE_RECV: expected the close to run (CONTINUE)");
}

/*
 * 6. The cgroup v2 freezer against a task whose notification was received:
 * how long until the cgroup reports frozen, per policy; after the thaw the
 * reply lands (policies) or the call restarts (stock).
 */
#define CG_LIMIT_MS	3000

static int cg_read_frozen(const char *cg)
{
	char path[256], buf[256];

	snprintf(path, sizeof(path), "%s/cgroup.events", cg);
	if (read_text(path, buf, sizeof(buf)) <= 0)
		return -1;
	return strstr(buf, "frozen 1") != NULL;
}

static int cg_write(const char *cg, const char *file, const char *val)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", cg, file);
	return write_file(path, val);
}

/* Freeze (1) or thaw (0); ms until cgroup.events agrees, -1 if not in time. */
static long cg_freeze(const char *cg, int freeze, int limit_ms)
{
	long t0 = now_ms();

	if (cg_write(cg, "cgroup.freeze", freeze ? "1" : "0"))
		return -2;
	while (now_ms() - t0 < limit_ms) {
		if (cg_read_frozen(cg) == freeze)
			return now_ms() - t0;
		sleep_ms(2);
	}
	return -1;
}

struct cg_result {
	long freeze_ms;		/* -1: not frozen in time */
	int send_err;		/* errno of the first reply, 0 */
	long ret;		/* of the child's call */
	int records;
};

static int cg_run(int idx, unsigned int data, unsigned long flags, int bind,
		  struct cg_result *r)
{
	struct trap_opts o = { .data = data, .flags = flags, .hold = 1 };
	struct seccomp_notif n;
	char cg[128], pid[32];
	int dev = -1, ret = -1;
	struct trap t;

	memset(r, 0, sizeof(*r));
	snprintf(cg, sizeof(cg), "%s/sigfwd-freeze-%d", CG_ROOT, idx);
	if (mkdir(cg, 0755) && errno != EEXIST) {
		printf("mkdir %s: %s\n", cg, strerror(errno));
		return -1;
	}
	if (trap_start(&t, &o))
		goto out_rmdir;
	if (bind && (dev = sigfwd_open_bound(t.listener, O_NONBLOCK)) < 0) {
		printf("bind: %s\n", strerror(errno));
		goto out;
	}
	snprintf(pid, sizeof(pid), "%d", t.pid);
	if (cg_write(cg, "cgroup.procs", pid)) {
		printf("cannot move the child into %s: %s\n", cg, strerror(errno));
		goto out;
	}
	trap_go(&t);
	if (trap_recv(&t, &n, 5000)) {
		printf("RECV: %s\n", strerror(errno));
		goto out;
	}
	wait_asleep(t.pid);
	r->freeze_ms = cg_freeze(cg, 1, CG_LIMIT_MS);
	if (r->freeze_ms == -2) {
		printf("cannot write cgroup.freeze: %s\n", strerror(errno));
		goto out;
	}
	if (cg_freeze(cg, 0, CG_LIMIT_MS) < 0) {
		printf("not thawed\n");
		goto out;
	}
	sleep_ms(50);
	if (trap_send(&t, n.id, 42, 0)) {
		r->send_err = errno;
		/* Stock: the call restarted as a new notification. */
		if (trap_recv(&t, &n, 3000) || trap_send(&t, n.id, 43, 0)) {
			printf("no restarted notification: %s\n", strerror(errno));
			goto out;
		}
	}
	if (trap_wait(&t, 5000)) {
		printf("child did not finish\n");
		t.pid = 0;
		goto out;
	}
	t.pid = 0;
	r->ret = t.sh->ret;
	r->records = drain_records(dev);
	ret = 0;
out:
	cg_write(cg, "cgroup.freeze", "0");
	trap_end(&t);
	if (dev >= 0)
		close(dev);
out_rmdir:
	rmdir(cg);
	return ret;
}

static int native_killable_recv(void)
{
	struct seccomp_sigfwd_version v = { 0 };
	int dev = open(SECCOMP_SIGFWD_DEVICE, O_RDWR | O_CLOEXEC), ok;

	if (dev < 0)
		return 0;
	ok = !ioctl(dev, SECCOMP_SIGFWD_IOC_VERSION, &v) &&
	     (v.features & SECCOMP_SIGFWD_FEAT_NATIVE_KILLABLE_RECV);
	close(dev);
	return ok;
}

/* Thaw and remove what cg_run() may have left, unmount our cgroup2. */
static void cg_cleanup(int mounted)
{
	char cg[128];
	int i;

	for (i = 0; i < 4; i++) {
		snprintf(cg, sizeof(cg), "%s/sigfwd-freeze-%d", CG_ROOT, i);
		if (access(cg, F_OK))
			continue;
		cg_write(cg, "cgroup.freeze", "0");
		rmdir(cg);
	}
	if (mounted)
		umount2(CG_ROOT, MNT_DETACH);
}

TEST_F_TIMEOUT(user_failures, cgroup_freezer_with_waiting_task, 90)
{
	static const struct {
		const char *name;
		unsigned int data;
		unsigned long flags;
		int bind;
	} v[] = {
		{ "stock (no policy)", 0, 0, 0 },
		{ "native WAIT_KILLABLE_RECV", 0,
		  SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV, 0 },
		{ "KILLABLE_AFTER_RECV", DATA(AFTER), 0, 0 },
		{ "FORWARD", DATA(FWD), 0, 1 },
	};
	struct cg_result r[4];
	int native, i, failed = 0;
	char t[32];

	if (access(CG_ROOT "/cgroup.controllers", F_OK)) {
		mkdir(CG_ROOT, 0755);
		if (mount("none", CG_ROOT, "cgroup2", 0, NULL))
			SKIP(return, "cannot mount cgroup2: %s", strerror(errno));
		self->mounted = 1;
	}
	native = native_killable_recv();
	printf("%-26s %-22s %-10s %s\n", "variant", "frozen after", "reply",
	       "call returned");
	for (i = 0; i < 4; i++) {
		r[i].freeze_ms = -3;
		if (i == 1 && !native) {
			printf("%-26s (kernel < 5.19: no such flag)\n", v[i].name);
			continue;
		}
		if (cg_run(i, v[i].data, v[i].flags, v[i].bind, &r[i])) {
			printf("FAIL %s: run failed\n", v[i].name);
			failed = 1;
			continue;
		}
		if (r[i].freeze_ms >= 0)
			snprintf(t, sizeof(t), "%ld ms", r[i].freeze_ms);
		else
			snprintf(t, sizeof(t), "not frozen after %d s",
				 CG_LIMIT_MS / 1000);
		printf("%-26s %-22s %-10s %ld%s\n", v[i].name, t,
		       r[i].send_err ? strerror(r[i].send_err) : "delivered",
		       r[i].ret, v[i].bind ? " (records: see below)" : "");
		if (v[i].bind)
			printf("%-26s %d records (the freezer's wake-up is no signal)\n",
			       "", r[i].records);
	}
	ASSERT_EQ(0, failed);
	for (i = 2; i < 4; i++) {
		ASSERT_TRUE(!r[i].send_err && r[i].ret == 42)
			TH_LOG("%s: reply not delivered after the thaw", v[i].name);
		if (!native || r[1].freeze_ms < 0)
			continue;
		ASSERT_TRUE(r[i].freeze_ms >= 0 &&
			    r[i].freeze_ms <= r[1].freeze_ms + 250)
			TH_LOG("%s: frozen later than with native WAIT_KILLABLE_RECV",
			       v[i].name);
	}
	if (r[2].freeze_ms < 0 || r[3].freeze_ms < 0)
		printf("finding: a task waiting under a module policy (after RECV) is not frozen by the cgroup freezer%s\n",
		       native && r[1].freeze_ms < 0 ? ", nor with native WAIT_KILLABLE_RECV" : "");
}
