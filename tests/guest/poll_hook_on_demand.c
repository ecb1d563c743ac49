// SPDX-License-Identifier: GPL-2.0
/*
 * A host with the module loaded but nothing bound pays nothing on poll() of
 * a seccomp listener: seccomp_notify_poll() is traced (ftrace's
 * enabled_functions lists it) only while at least one listener is bound to
 * a device, from before the first BIND returns until a while (the module's
 * idle delay, 2 s) after the last binding went, by a device's close or by
 * its listener's release. EPOLLPRI works at once for the first listener
 * bound, and binds and closes racing on two listeners never lose it.
 */
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/mount.h>
#include "sigfwd_test.h"
#include "trap.h"

#define FWD		SECCOMP_SIGFWD_FORWARD
#define IDLE_MS		2000	/* the module's delay before unhooking */
#define TRACEFS		"/sys/kernel/tracing"
#define ENABLED		"/enabled_functions"
#define CYCLES		12	/* per racing thread */

/* Is seccomp_notify_poll in ftrace's enabled_functions? -1: unreadable. */
static int poll_traced(void)
{
	static const char * const paths[] = {
		TRACEFS ENABLED, "/sys/kernel/debug/tracing" ENABLED,
	};
	char line[512];
	int i, found = 0;
	FILE *f = NULL;

	for (i = 0; !f && i < 2; i++) {
		f = fopen(paths[i], "re");
		if (!f && i == 0 && !mount("nodev", TRACEFS, "tracefs", 0, NULL))
			f = fopen(paths[i], "re");
	}
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "seccomp_notify_poll", 19) &&
		    (line[19] == ' ' || line[19] == '\t'))
			found = 1;
	fclose(f);
	return found;
}

/* Wait up to @ms for poll_traced() to become @want; 1 when it did. */
static int traced_becomes(int want, long ms)
{
	long end = now_ms() + ms;

	do {
		if (poll_traced() == want)
			return 1;
		sleep_ms(50);
	} while (now_ms() < end);
	return poll_traced() == want;
}

/*
 * An own_filter trap whose child has taken its own fd table: until then, a
 * device opened here lands in the table the child copies, and its close
 * would not end the binding. The child closes the listener in its copy.
 */
static int trap_start_alone(struct trap *t, const struct trap_opts *o)
{
	long end = now_ms() + slow_ms(5000);
	char path[64];

	if (trap_start(t, o))
		return -1;
	snprintf(path, sizeof(path), "/proc/%d/fd/%d", t->pid, t->listener);
	while (!access(path, F_OK) && now_ms() < end)
		sleep_ms(5);
	return access(path, F_OK) ? 0 : -1;
}

static void signal_child(struct trap *t, int sig)
{
	wait_asleep(t->pid);
	sleep_ms(20);
	kill(t->pid, sig);
}

/* A fresh load: no binding ever made, nothing left of earlier cases. */
FIXTURE(poll_hook) {
	struct trap t[2];
	int dev[2], ep;
};

FIXTURE_SETUP(poll_hook)
{
	int i;

	self->ep = -1;
	for (i = 0; i < 2; i++) {
		self->t[i].listener = -1;
		self->dev[i] = -1;
	}
	ASSERT_EQ(0, module_unload()) TH_LOG("rmmod: %s", strerror(errno));
	ASSERT_EQ(0, module_load(NULL)) TH_LOG("module_load: %s", strerror(errno));
	ASSERT_EQ(0, write_file(DEFAULT_POLICY, "0"));
	if (poll_traced() < 0)
		SKIP(return, "no enabled_functions in tracefs");
}

FIXTURE_TEARDOWN(poll_hook)
{
	int i;

	if (self->ep >= 0)
		close(self->ep);
	for (i = 0; i < 2; i++) {
		if (self->dev[i] >= 0)
			close(self->dev[i]);
		trap_end(&self->t[i]);
	}
}

TEST_F_TIMEOUT(poll_hook, notify_poll_traced_only_while_a_listener_is_bound, 120)
{
	struct trap_opts o = { .hold = 1, .own_filter = 1 };
	int i;

	ASSERT_EQ(0, poll_traced()) TH_LOG("traced with nothing bound, right after load");
	for (i = 0; i < 2; i++)
		ASSERT_EQ(0, trap_start_alone(&self->t[i], &o)) TH_LOG("trap %d", i);
	ASSERT_EQ(0, poll_traced()) TH_LOG("traced with listeners but nothing bound");

	self->dev[0] = sigfwd_open_bound(self->t[0].listener, 0);
	ASSERT_GE(self->dev[0], 0) TH_LOG("bind: %s", strerror(-self->dev[0]));
	ASSERT_EQ(1, poll_traced()) TH_LOG("not traced when BIND returned");
	self->dev[1] = sigfwd_open_bound(self->t[1].listener, 0);
	ASSERT_GE(self->dev[1], 0) TH_LOG("bind: %s", strerror(-self->dev[1]));

	/* One of two bindings gone by its device's close: still traced. */
	close(self->dev[0]);
	self->dev[0] = -1;
	sleep_ms(IDLE_MS + 1000);
	ASSERT_EQ(1, poll_traced()) TH_LOG("untraced while a listener is still bound");

	/* The last one gone by its listener's release (atomic context). */
	close(self->t[1].listener);
	self->t[1].listener = -1;
	ASSERT_TRUE(traced_becomes(0, IDLE_MS + slow_ms(10000)))
		TH_LOG("still traced after the last listener's release");

	/* Bound again, and gone by the device's close this time. */
	self->dev[0] = sigfwd_open_bound(self->t[0].listener, 0);
	ASSERT_GE(self->dev[0], 0) TH_LOG("bind again: %s", strerror(-self->dev[0]));
	ASSERT_EQ(1, poll_traced()) TH_LOG("not traced when the second BIND returned");
	close(self->dev[0]);
	self->dev[0] = -1;
	ASSERT_TRUE(traced_becomes(0, IDLE_MS + slow_ms(10000)))
		TH_LOG("still traced after the last device's close");
	/* The device of the released listener holds the module. */
	close(self->dev[1]);
	self->dev[1] = -1;
	ASSERT_EQ(0, module_unload()) TH_LOG("rmmod: %s", strerror(errno));
	ASSERT_EQ(0, poll_traced()) TH_LOG("traced after unload");
}

/*
 * The first BIND registers the intercept; an epoll on the listener set up
 * before it (its poll ran the stock function) still gets EPOLLPRI, and so
 * does a plain poll().
 */
TEST_F_TIMEOUT(poll_hook, first_bind_gives_epollpri_to_epoll_set_up_before_bind, 120)
{
	struct trap_opts o = { .data = SECCOMP_SIGFWD_RET_DATA(FWD),
			       .sa_flags = SA_RESTART, .hold = 1, .own_filter = 1 };
	struct epoll_event ev = { .events = EPOLLPRI }, out;
	struct seccomp_sigfwd_signal s;
	struct trap *t = &self->t[0];
	struct seccomp_notif n;
	long end;
	int got = 0;

	ASSERT_EQ(0, poll_traced()) TH_LOG("traced before any BIND");
	ASSERT_EQ(0, trap_start_alone(t, &o));
	self->ep = epoll_create1(EPOLL_CLOEXEC);
	ASSERT_TRUE(self->ep >= 0 && !epoll_ctl(self->ep, EPOLL_CTL_ADD, t->listener, &ev))
		TH_LOG("epoll: %s", strerror(errno));
	ASSERT_EQ(0, epoll_wait(self->ep, &out, 1, 0)) TH_LOG("an event before BIND");
	self->dev[0] = sigfwd_open_bound(t->listener, 0);
	ASSERT_GE(self->dev[0], 0) TH_LOG("bind: %s", strerror(-self->dev[0]));
	trap_go(t);
	ASSERT_EQ(0, trap_recv(t, &n, slow_ms(5000))) TH_LOG("RECV: %s", strerror(errno));
	signal_child(t, SIGUSR1);
	for (end = now_ms() + slow_ms(5000); !got && now_ms() < end;)
		got = epoll_wait(self->ep, &out, 1, 200) == 1 && (out.events & EPOLLPRI);
	if (!got)
		ASSERT_TRUE(poll_fd(self->dev[0], POLLPRI, 0))
			TH_LOG("no record queued (the signal was not forwarded)");
	ASSERT_TRUE(got) TH_LOG("no EPOLLPRI on the epoll set up before the first BIND");
	ASSERT_TRUE(poll_fd(t->listener, POLLPRI, 0)) TH_LOG("no POLLPRI from poll()");
	ASSERT_TRUE(!sigfwd_recv_signal(self->dev[0], &s) && s.id == n.id &&
		    s.signo == SIGUSR1) TH_LOG("record: %s", strerror(errno));
	ASSERT_EQ(0, trap_send(t, n.id, 42, 0)) TH_LOG("SEND: %s", strerror(errno));
	ASSERT_TRUE(!trap_wait(t, slow_ms(10000)) && t->sh->ret == 42)
		TH_LOG("trapped child: ret %ld", t->sh->ret);
	t->pid = 0;
}

/*
 * Two supervisors, each on its own thread and listener: every cycle forwards
 * one signal, whose EPOLLPRI must reach the listener, closes the device and
 * binds a new one. Every third cycle both stay unbound past the idle delay
 * at about the same time, so the intercept goes and comes back while the
 * other binds and closes; an observer counts how often it was seen gone.
 */
struct racer {
	struct trap *t;
	int *dev;
	char err[128];
};

static volatile int racing;
static volatile long untraced_seen;

static void *observe(void *arg)
{
	int was = 1, now;

	(void)arg;
	while (racing) {
		now = poll_traced();
		if (now == 0 && was)
			untraced_seen++;
		was = now;
		sleep_ms(100);
	}
	return NULL;
}

static void *race(void *arg)
{
	struct racer *r = arg;
	struct seccomp_sigfwd_signal s;
	struct trap *t = r->t;
	struct seccomp_notif n;
	int i;

	for (i = 0; i < CYCLES; i++) {
		if (trap_recv(t, &n, slow_ms(10000))) {
			snprintf(r->err, sizeof(r->err), "cycle %d: RECV: %s", i,
				 strerror(errno));
			return NULL;
		}
		signal_child(t, SIGUSR1);
		if (!poll_fd(t->listener, POLLPRI, slow_ms(5000))) {
			snprintf(r->err, sizeof(r->err), "cycle %d: %s", i,
				 poll_fd(*r->dev, POLLPRI, 0) ?
				 "record queued, no EPOLLPRI on the listener" :
				 "no record queued");
			return NULL;
		}
		if (sigfwd_recv_signal(*r->dev, &s) || s.id != n.id) {
			snprintf(r->err, sizeof(r->err), "cycle %d: record", i);
			return NULL;
		}
		/* Rebound before the reply: the next call's wait has a listener. */
		close(*r->dev);
		*r->dev = -1;
		if (i % 3 == 2)
			sleep_ms(IDLE_MS + 1500);
		*r->dev = sigfwd_open_bound(t->listener, 0);
		if (*r->dev < 0) {
			snprintf(r->err, sizeof(r->err), "cycle %d: bind: %s", i,
				 strerror(-*r->dev));
			return NULL;
		}
		if (trap_send(t, n.id, 42, 0)) {
			snprintf(r->err, sizeof(r->err), "cycle %d: SEND: %s", i,
				 strerror(errno));
			return NULL;
		}
	}
	return NULL;
}

TEST_F_TIMEOUT(poll_hook, binds_and_closes_racing_on_two_listeners_keep_epollpri, 300)
{
	struct trap_opts o = { .data = SECCOMP_SIGFWD_RET_DATA(FWD),
			       .sa_flags = SA_RESTART, .hold = 1, .own_filter = 1,
			       .calls = CYCLES };
	struct racer r[2] = {};
	pthread_t th[2], obs;
	int i, started = 0, observing;

	for (i = 0; i < 2; i++)
		ASSERT_EQ(0, trap_start_alone(&self->t[i], &o)) TH_LOG("trap %d", i);
	for (i = 0; i < 2; i++) {
		self->dev[i] = sigfwd_open_bound(self->t[i].listener, 0);
		ASSERT_GE(self->dev[i], 0) TH_LOG("bind %d: %s", i, strerror(-self->dev[i]));
		r[i] = (struct racer){ .t = &self->t[i], .dev = &self->dev[i] };
	}
	for (i = 0; i < 2; i++)
		trap_go(&self->t[i]);
	racing = 1;
	observing = !pthread_create(&obs, NULL, observe, NULL);
	for (; started < 2; started++)
		if (pthread_create(&th[started], NULL, race, &r[started]))
			break;
	for (i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	racing = 0;
	if (observing)
		pthread_join(obs, NULL);
	ASSERT_EQ(2, started) TH_LOG("pthread_create");
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, r[i].err[0]) TH_LOG("listener %d: %s", i, r[i].err);
		ASSERT_TRUE(!trap_wait(&self->t[i], slow_ms(10000)) &&
			    self->t[i].sh->ret == 42 && self->t[i].sh->handled == CYCLES)
			TH_LOG("trapped child %d: ret %ld handled %d", i,
			       self->t[i].sh->ret, self->t[i].sh->handled);
		self->t[i].pid = 0;
	}
	for (i = 0; i < 2; i++) {
		close(self->dev[i]);
		self->dev[i] = -1;
	}
	ASSERT_TRUE(traced_becomes(0, IDLE_MS + slow_ms(10000)))
		TH_LOG("still traced after both devices closed");
	printf("%d x %d cycles, EPOLLPRI every time; intercept seen gone %ld times meanwhile\n",
	       2, CYCLES, untraced_seen);
}
