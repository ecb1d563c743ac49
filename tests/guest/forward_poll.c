// SPDX-License-Identifier: GPL-2.0
/*
 * EPOLLPRI on a listener fd is no shared, limited resource: many threads
 * polling other listeners (bound ones with records pending, and unbound ones)
 * in tight loops must not keep a FORWARD supervisor's epoll from seeing its
 * forwarded signals. (The module used to add EPOLLPRI with a kretprobe of 64
 * instances, each held while a poll of a bound listener was in flight.)
 */
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include "sigfwd_test.h"
#include "trap.h"

#define FWD		SECCOMP_SIGFWD_FORWARD
#define NOISE		8	/* other listeners: even ones bound */
#define POLLERS		256
#define ROUNDS		10

static int noise_fd[NOISE];
static volatile int stop;
static volatile long loops[POLLERS];

static void *poller(void *arg)
{
	long i = (long)arg;
	struct pollfd p = { .fd = noise_fd[i % NOISE],
			    .events = POLLIN | POLLPRI };

	/* Behind the supervisor, so the storm cannot starve it of CPU. */
	setpriority(PRIO_PROCESS, syscall(__NR_gettid), 5);
	while (!stop) {
		poll(&p, 1, 0);
		loops[i]++;
	}
	return NULL;
}

static long total_loops(void)
{
	long n = 0;
	int i;

	for (i = 0; i < POLLERS; i++)
		n += loops[i];
	return n;
}

/* An EPOLLPRI on @ep within timeout_ms. */
static int epollpri(int ep, int timeout_ms)
{
	long end = now_ms() + timeout_ms, left;
	struct epoll_event ev;

	while ((left = end - now_ms()) > 0)
		if (epoll_wait(ep, &ev, 1, left) == 1 && (ev.events & EPOLLPRI))
			return 1;
	return 0;
}

/* Everything a run starts, stopped and closed whatever happened. */
FIXTURE(poll_storm) {
	struct trap noise[NOISE], t;
	int noise_dev[NOISE], dev, ep, started;
	pthread_t th[POLLERS];
};

FIXTURE_SETUP(poll_storm)
{
	int i;

	self->t.listener = self->dev = self->ep = -1;
	for (i = 0; i < NOISE; i++) {
		self->noise[i].listener = -1;
		self->noise_dev[i] = -1;
	}
	ASSERT_EQ(0, module_load(NULL)) TH_LOG("module_load: %s", strerror(errno));
	ASSERT_EQ(0, write_file(DEFAULT_POLICY, "0"));
}

FIXTURE_TEARDOWN(poll_storm)
{
	int i;

	stop = 1;
	while (self->started > 0)
		pthread_join(self->th[--self->started], NULL);
	if (self->ep >= 0)
		close(self->ep);
	if (self->dev >= 0)
		close(self->dev);
	trap_end(&self->t);
	for (i = 0; i < NOISE; i++) {
		trap_end(&self->noise[i]);
		if (self->noise_dev[i] >= 0)
			close(self->noise_dev[i]);
	}
}

TEST_F(poll_storm, epollpri_reaches_supervisor_while_256_threads_poll_other_listeners)
{
	struct trap_opts o = { .data = SECCOMP_SIGFWD_RET_DATA(FWD),
			       .sa_flags = SA_RESTART, .hold = 1, .own_filter = 1 };
	struct epoll_event ev = { .events = EPOLLPRI };
	struct trap *noise = self->noise, *t = &self->t;
	int *noise_dev = self->noise_dev, i;
	struct seccomp_sigfwd_signal s;
	pthread_attr_t attr;
	struct seccomp_notif n;
	long before;

	/* Other supervisors' listeners: half bound, with a record pending. */
	for (i = 0; i < NOISE; i++) {
		o.calls = 1;
		ASSERT_EQ(0, trap_start(&noise[i], &o)) TH_LOG("noise child %d", i);
		noise_fd[i] = noise[i].listener;
		if (i % 2 == 0) {
			noise_dev[i] = sigfwd_open_bound(noise[i].listener, 0);
			ASSERT_GE(noise_dev[i], 0)
				TH_LOG("bind noise %d: %s", i, strerror(-noise_dev[i]));
		}
		trap_go(&noise[i]);
		if (i % 2)
			continue;
		ASSERT_EQ(0, trap_recv(&noise[i], &n, slow_ms(5000)))
			TH_LOG("noise %d RECV: %s", i, strerror(errno));
		wait_asleep(noise[i].pid);
		kill(noise[i].pid, SIGUSR1);
		ASSERT_TRUE(poll_fd(noise_dev[i], POLLPRI, slow_ms(5000)))
			TH_LOG("noise %d: no record pending", i);
	}

	/* The supervisor under test: epoll on its listener, EPOLLPRI only. */
	o.calls = ROUNDS;
	ASSERT_EQ(0, trap_start(t, &o)) TH_LOG("trapped child");
	self->dev = sigfwd_open_bound(t->listener, 0);
	ASSERT_GE(self->dev, 0) TH_LOG("bind: %s", strerror(-self->dev));
	self->ep = epoll_create1(0);
	ASSERT_TRUE(self->ep >= 0 && !epoll_ctl(self->ep, EPOLL_CTL_ADD, t->listener, &ev))
		TH_LOG("epoll: %s", strerror(errno));

	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 64 * 1024);
	for (self->started = 0; self->started < POLLERS; self->started++)
		ASSERT_EQ(0, pthread_create(&self->th[self->started], &attr, poller,
					    (void *)(long)self->started))
			TH_LOG("poller %d", self->started);
	before = total_loops();
	trap_go(t);
	for (i = 0; i < ROUNDS; i++) {
		ASSERT_EQ(0, trap_recv(t, &n, slow_ms(10000)))
			TH_LOG("round %d: RECV: %s", i, strerror(errno));
		wait_asleep(t->pid);
		kill(t->pid, SIGUSR1);
		if (!epollpri(self->ep, slow_ms(3000))) {
			/* Tell a lost EPOLLPRI from a record never queued. */
			ASSERT_TRUE(poll_fd(self->dev, POLLPRI, 0))
				TH_LOG("round %d: no record queued", i);
			ASSERT_TRUE(0)
				TH_LOG("round %d: record queued, but no EPOLLPRI on the listener within %ld ms",
				       i, slow_ms(3000));
		}
		ASSERT_TRUE(!sigfwd_recv_signal(self->dev, &s) && s.id == n.id &&
			    s.signo == SIGUSR1)
			TH_LOG("round %d: record: %s", i, strerror(errno));
		ASSERT_EQ(0, trap_send(t, n.id, 42, 0))
			TH_LOG("round %d: SEND: %s", i, strerror(errno));
	}
	ASSERT_TRUE(!trap_wait(t, slow_ms(10000)) && t->sh->ret == 42 &&
		    t->sh->handled == ROUNDS)
		TH_LOG("trapped child: ret %ld handled %d", t->sh->ret, t->sh->handled);
	t->pid = 0;
	/* The storm really ran. */
	ASSERT_GT(total_loops(), before + POLLERS)
		TH_LOG("pollers made %ld polls", total_loops() - before);
	printf("%d rounds, %ld polls of other listeners meanwhile\n", ROUNDS,
	       total_loops() - before);
}
