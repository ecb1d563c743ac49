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
#include "harness.h"
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

CASE(epollpri_reaches_supervisor_while_256_threads_poll_other_listeners)
{
	struct trap_opts o = { .data = SECCOMP_SIGFWD_RET_DATA(FWD),
			       .sa_flags = SA_RESTART, .hold = 1, .own_filter = 1 };
	struct epoll_event ev = { .events = EPOLLPRI };
	struct trap noise[NOISE], t = { .pid = -1, .listener = -1 };
	int noise_dev[NOISE], dev = -1, ep = -1, i, started = 0, ret = 1;
	struct seccomp_sigfwd_signal s;
	pthread_t th[POLLERS];
	pthread_attr_t attr;
	struct seccomp_notif n;
	long before;

	for (i = 0; i < NOISE; i++) {
		noise[i].pid = -1;
		noise[i].listener = -1;
		noise_dev[i] = -1;
	}
	ENSURE(!module_load(NULL) && !write_file(DEFAULT_POLICY, "0"),
	       "module_load: %s", strerror(errno));
	/* Other supervisors' listeners: half bound, with a record pending. */
	for (i = 0; i < NOISE; i++) {
		o.calls = 1;
		ENSURE(!trap_start(&noise[i], &o), "noise child %d", i);
		noise_fd[i] = noise[i].listener;
		if (i % 2 == 0) {
			noise_dev[i] = sigfwd_open_bound(noise[i].listener, 0);
			ENSURE(noise_dev[i] >= 0, "bind noise %d: %s", i,
			       strerror(errno));
		}
		trap_go(&noise[i]);
		if (i % 2)
			continue;
		ENSURE(!trap_recv(&noise[i], &n, slow_ms(5000)),
		       "noise %d RECV: %s", i, strerror(errno));
		wait_asleep(noise[i].pid);
		kill(noise[i].pid, SIGUSR1);
		ENSURE(poll_fd(noise_dev[i], POLLPRI, slow_ms(5000)),
		       "noise %d: no record pending", i);
	}

	/* The supervisor under test: epoll on its listener, EPOLLPRI only. */
	o.calls = ROUNDS;
	ENSURE(!trap_start(&t, &o), "trapped child");
	dev = sigfwd_open_bound(t.listener, 0);
	ENSURE(dev >= 0, "bind: %s", strerror(errno));
	ep = epoll_create1(0);
	ENSURE(ep >= 0 && !epoll_ctl(ep, EPOLL_CTL_ADD, t.listener, &ev),
	       "epoll: %s", strerror(errno));

	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 64 * 1024);
	for (started = 0; started < POLLERS; started++)
		ENSURE(!pthread_create(&th[started], &attr, poller,
				       (void *)(long)started),
		       "poller %d: %s", started, strerror(errno));
	before = total_loops();
	trap_go(&t);
	for (i = 0; i < ROUNDS; i++) {
		ENSURE(!trap_recv(&t, &n, slow_ms(10000)), "round %d: RECV: %s",
		       i, strerror(errno));
		wait_asleep(t.pid);
		kill(t.pid, SIGUSR1);
		if (!epollpri(ep, slow_ms(3000))) {
			/* Tell a lost EPOLLPRI from a record never queued. */
			if (!poll_fd(dev, POLLPRI, 0))
				BAIL("round %d: no record queued", i);
			BAIL("round %d: record queued, but no EPOLLPRI on the listener within %ld ms",
			     i, slow_ms(3000));
		}
		ENSURE(!sigfwd_recv_signal(dev, &s) && s.id == n.id &&
		       s.signo == SIGUSR1, "round %d: record: %s", i,
		       strerror(errno));
		ENSURE(!trap_send(&t, n.id, 42, 0), "round %d: SEND: %s", i,
		       strerror(errno));
	}
	ENSURE(!trap_wait(&t, slow_ms(10000)) && t.sh->ret == 42 &&
	       t.sh->handled == ROUNDS, "trapped child: ret %ld handled %d",
	       t.sh->ret, t.sh->handled);
	t.pid = -1;
	/* The storm really ran. */
	ENSURE(total_loops() > before + POLLERS, "pollers made %ld polls",
	       total_loops() - before);
	printf("%d rounds, %ld polls of other listeners meanwhile\n", ROUNDS,
	       total_loops() - before);
	ret = 0;
out:
	stop = 1;
	while (started > 0)
		pthread_join(th[--started], NULL);
	if (ep >= 0)
		close(ep);
	if (dev >= 0)
		close(dev);
	if (t.sh)
		trap_end(&t);
	for (i = 0; i < NOISE; i++) {
		if (noise[i].listener >= 0)
			trap_end(&noise[i]);
		if (noise_dev[i] >= 0)
			close(noise_dev[i]);
	}
	return ret;
}
