// SPDX-License-Identifier: GPL-2.0
/*
 * The FORWARD policy: a non-fatal signal during a received notification is
 * reported to the supervisor (RECV_SIGNAL, EPOLLPRI), the task keeps waiting
 * and the supervisor's reply decides what the task sees.
 */
#include <sys/epoll.h>
#include "harness.h"
#include "trap.h"

#define FWD SECCOMP_SIGFWD_FORWARD
#define BEFORE SECCOMP_SIGFWD_KILLABLE_BEFORE_RECV

struct fwd {
	struct trap t;
	int dev;
};

/* A held child trapped with @policy in its filter data, a bound device. */
static int fwd_start(struct fwd *f, unsigned int policy, struct trap_opts o)
{
	o.hold = 1;
	o.data = SECCOMP_SIGFWD_RET_DATA(policy);
	f->dev = -1;
	if (module_load(NULL) || write_file(DEFAULT_POLICY, "0") ||
	    trap_start(&f->t, &o))
		return -1;
	f->dev = dev_bind(f->t.listener);
	if (f->dev < 0) {
		perror("bind");
		return -1;
	}
	trap_go(&f->t);
	return 0;
}

static void fwd_end(struct fwd *f)
{
	trap_end(&f->t);
	if (f->dev >= 0)
		close(f->dev);
}

static void signal_child(struct fwd *f, int sig)
{
	wait_asleep(f->t.pid);
	sleep_ms(20);
	kill(f->t.pid, sig);
}

/* The next record, waiting for it up to 5 s through EPOLLPRI on the device. */
static int next_record(struct fwd *f, struct seccomp_sigfwd_signal *s)
{
	if (!poll_fd(f->dev, POLLPRI, 5000)) {
		errno = ETIMEDOUT;
		return -1;
	}
	return dev_recv_signal(f->dev, s);
}

static int no_record(struct fwd *f)
{
	struct seccomp_sigfwd_signal s;
	int fl = fcntl(f->dev, F_GETFL), ret;

	fcntl(f->dev, F_SETFL, fl | O_NONBLOCK);
	ret = dev_recv_signal(f->dev, &s) == -1 && errno == EAGAIN;
	fcntl(f->dev, F_SETFL, fl);
	return ret;
}

static int finish(struct fwd *f)
{
	if (trap_wait(&f->t, 5000))
		return -1;
	f->t.pid = 0;
	printf("child: ret %ld errno %d handled %d early %d\n", f->t.sh->ret,
	       f->t.sh->err, f->t.sh->handled, f->t.sh->handled_early);
	return 0;
}

/*
 * The scenario of the original proposal: a supervisor emulating write() is
 * told of a signal mid-way and answers with what it wrote so far.
 */
CASE(forwarded_signal_gets_partial_write_result)
{
	struct trap_opts o = { .nr = __NR_write, .sa_flags = SA_RESTART };
	struct seccomp_sigfwd_signal s;
	struct seccomp_notif n;
	struct fwd f;
	int ret = 1;

	if (fwd_start(&f, FWD, o))
		goto out;
	CHECK(!trap_recv(&f.t, &n, 5000), "no notification");
	CHECK(n.data.nr == __NR_write, "trapped %d", n.data.nr);
	signal_child(&f, SIGUSR1);
	CHECK(!next_record(&f, &s), "no record: %s", strerror(errno));
	CHECK(s.id == n.id && s.signo == SIGUSR1 && s.pid == (__u32)f.t.pid &&
	      s.tid == (__u32)f.t.pid, "record id %llx/%llx signo %u pid %u",
	      (unsigned long long)s.id, (unsigned long long)n.id, s.signo, s.pid);
	CHECK(s.flags == SECCOMP_SIGFWD_SIG_RESTART, "flags %#x", s.flags);
	CHECK(s.pending == 1ULL << (SIGUSR1 - 1), "pending %#llx",
	      (unsigned long long)s.pending);
	CHECK(!s.reserved[0] && !s.reserved[1], "reserved not zero");
	CHECK(!f.t.sh->handled, "handler ran before the reply");
	CHECK(!trap_send(&f.t, n.id, 3, 0), "SEND: %s", strerror(errno));
	CHECK(!finish(&f), "child did not finish");
	CHECK(f.t.sh->ret == 3 && f.t.sh->handled == 1 && !f.t.sh->handled_early,
	      "expected 3 bytes and one handler run after the reply");
	ret = 0;
out:
	fwd_end(&f);
	return ret;
}

/* Reply to a forwarded signal with @error; what does the child see? */
static int reply_after_signal(int sa_flags, int error, long *ret, int *err,
			      int *notifs)
{
	struct trap_opts o = { .sa_flags = sa_flags };
	struct seccomp_sigfwd_signal s;
	struct seccomp_notif n;
	struct fwd f;
	int r = -1;

	*notifs = 0;
	if (fwd_start(&f, FWD, o) || trap_recv(&f.t, &n, 5000))
		goto out;
	++*notifs;
	signal_child(&f, SIGUSR1);
	if (next_record(&f, &s) || s.id != n.id ||
	    trap_send(&f.t, n.id, error ? 0 : 42, error))
		goto out;
	/* A restart comes back as a new notification. */
	while (!f.t.sh->done && !trap_recv(&f.t, &n, 500)) {
		++*notifs;
		trap_send(&f.t, n.id, 43, 0);
	}
	if (finish(&f) || f.t.sh->handled != 1 || f.t.sh->handled_early)
		goto out;
	*ret = f.t.sh->ret;
	*err = f.t.sh->err;
	r = 0;
out:
	fwd_end(&f);
	return r;
}

CASE(forwarded_signal_then_full_result)
{
	long ret;
	int err, notifs;

	CHECK(!reply_after_signal(0, 0, &ret, &err, &notifs), "scenario failed");
	CHECK(ret == 42 && notifs == 1, "ret %ld notifs %d", ret, notifs);
	return 0;
}

CASE(forwarded_signal_then_eintr_reply)
{
	long ret;
	int err, notifs;

	CHECK(!reply_after_signal(SA_RESTART, -EINTR, &ret, &err, &notifs),
	      "scenario failed");
	CHECK(ret == -1 && err == EINTR && notifs == 1, "ret %ld errno %d", ret,
	      err);
	return 0;
}

CASE(restart_reply_with_sa_restart_restarts_the_call)
{
	long ret;
	int err, notifs;

	CHECK(!reply_after_signal(SA_RESTART, -SECCOMP_SIGFWD_ERESTART, &ret,
				  &err, &notifs), "scenario failed");
	CHECK(ret == 43 && notifs == 2, "ret %ld notifs %d", ret, notifs);
	return 0;
}

CASE(restart_reply_without_sa_restart_gives_eintr)
{
	long ret;
	int err, notifs;

	CHECK(!reply_after_signal(0, -SECCOMP_SIGFWD_ERESTART, &ret, &err,
				  &notifs), "scenario failed");
	CHECK(ret == -1 && err == EINTR && notifs == 1, "ret %ld errno %d notifs %d",
	      ret, err, notifs);
	return 0;
}

/* The signal is gone by the reply (set to SIG_IGN): restart, never errno 512. */
CASE(restart_reply_after_signal_ignored_restarts_transparently)
{
	struct trap_opts o = { .ignore_thread = 1 };
	struct seccomp_sigfwd_signal s;
	struct seccomp_notif n;
	struct fwd f;
	int ret = 1, notifs = 1;

	if (fwd_start(&f, FWD, o))
		goto out;
	CHECK(!trap_recv(&f.t, &n, 5000), "no notification");
	signal_child(&f, SIGUSR1);
	CHECK(!next_record(&f, &s) && s.id == n.id, "no record");
	f.t.sh->ignore = 1;
	while (!f.t.sh->ignored)
		sleep_ms(1);
	CHECK(!trap_send(&f.t, n.id, 0, -SECCOMP_SIGFWD_ERESTART), "SEND");
	while (!f.t.sh->done && !trap_recv(&f.t, &n, 500)) {
		notifs++;
		trap_send(&f.t, n.id, 43, 0);
	}
	CHECK(!finish(&f), "child did not finish");
	CHECK(f.t.sh->ret == 43 && notifs == 2 && !f.t.sh->handled,
	      "ret %ld errno %d notifs %d", f.t.sh->ret, f.t.sh->err, notifs);
	ret = 0;
out:
	fwd_end(&f);
	return ret;
}

/* No signal at all: a restart reply restarts the call instead of leaking 512. */
CASE(restart_reply_without_signal_never_leaks_errno_512)
{
	struct trap_opts o = { 0 };
	struct seccomp_notif n;
	struct fwd f;
	int ret = 1;

	if (fwd_start(&f, FWD, o))
		goto out;
	CHECK(!trap_recv(&f.t, &n, 5000), "no notification");
	CHECK(!trap_send(&f.t, n.id, 0, -SECCOMP_SIGFWD_ERESTART), "SEND");
	CHECK(!trap_recv(&f.t, &n, 5000), "the call did not restart");
	CHECK(!trap_send(&f.t, n.id, 43, 0), "SEND");
	CHECK(!finish(&f) && f.t.sh->ret == 43, "ret %ld errno %d", f.t.sh->ret,
	      f.t.sh->err);
	ret = 0;
out:
	fwd_end(&f);
	return ret;
}

/* The stock kernel does leak it; the module leaves policy-free calls alone. */
CASE(stock_restart_reply_without_signal_leaks_errno_512)
{
	struct trap_opts o = { 0 };
	struct seccomp_notif n;
	struct trap t;
	int ret = 1;

	CHECK(!module_load(NULL), "load");
	if (trap_start(&t, &o))
		goto out;
	CHECK(!trap_recv(&t, &n, 5000), "no notification");
	CHECK(!trap_send(&t, n.id, 0, -SECCOMP_SIGFWD_ERESTART), "SEND");
	CHECK(!trap_wait(&t, 5000), "child did not finish");
	t.pid = 0;
	CHECK(t.sh->ret == -1 && t.sh->err == 512, "ret %ld errno %d", t.sh->ret,
	      t.sh->err);
	ret = 0;
out:
	trap_end(&t);
	return ret;
}

/* EPOLLPRI reaches an epoll waiter on the listener fd and on the device fd. */
CASE(forwarded_signal_raises_epollpri_on_listener_and_device)
{
	struct epoll_event ev = { .events = EPOLLPRI }, out[4];
	struct trap_opts o = { .sa_flags = SA_RESTART };
	struct seccomp_notif n;
	int ep, i, got = 0, ret = 1;
	struct fwd f;

	if (fwd_start(&f, FWD, o))
		goto out;
	CHECK(!trap_recv(&f.t, &n, 5000), "no notification");
	ep = epoll_create1(0);
	ev.data.fd = f.t.listener;
	CHECK(!epoll_ctl(ep, EPOLL_CTL_ADD, f.t.listener, &ev), "epoll listener");
	ev.data.fd = f.dev;
	CHECK(!epoll_ctl(ep, EPOLL_CTL_ADD, f.dev, &ev), "epoll device");
	CHECK(epoll_wait(ep, out, 4, 0) == 0, "EPOLLPRI before any signal");
	signal_child(&f, SIGUSR1);
	for (long end = now_ms() + 5000; got != 3 && now_ms() < end;) {
		int nr = epoll_wait(ep, out, 4, 1000);

		for (i = 0; i < nr; i++)
			if (out[i].events & EPOLLPRI)
				got |= out[i].data.fd == f.dev ? 1 : 2;
	}
	CHECK(got == 3, "EPOLLPRI on %s", got == 1 ? "device only" :
	      got == 2 ? "listener only" : "neither");
	CHECK(!trap_send(&f.t, n.id, 42, 0), "SEND");
	CHECK(!finish(&f) && f.t.sh->ret == 42, "reply lost");
	/* The exited child leaves EPOLLHUP on the listener, but no EPOLLPRI. */
	for (i = epoll_wait(ep, out, 4, 0) - 1; i >= 0; i--)
		CHECK(!(out[i].events & EPOLLPRI), "EPOLLPRI left after the reply");
	close(ep);
	ret = 0;
out:
	fwd_end(&f);
	return ret;
}

/*
 * epoll registers its wait once, at EPOLL_CTL_ADD: a device fd added before
 * BIND must still wake the epoll once a signal is forwarded.
 */
CASE(epoll_added_before_bind_sees_forwarded_signal)
{
	struct epoll_event ev = { .events = EPOLLPRI }, out[2];
	struct trap_opts o = { .sa_flags = SA_RESTART, .hold = 1,
			       .data = SECCOMP_SIGFWD_RET_DATA(FWD) };
	struct seccomp_sigfwd_bind b = { 0 };
	struct seccomp_sigfwd_signal s;
	struct seccomp_notif n;
	int ep = -1, got = 0, ret = 1;
	struct fwd f = { .dev = -1 };

	f.t.pid = 0;
	f.t.listener = -1;
	f.t.sh = MAP_FAILED;
	CHECK(!module_load(NULL) && !write_file(DEFAULT_POLICY, "0"), "load");
	f.dev = open(SECCOMP_SIGFWD_DEVICE, O_RDWR | O_CLOEXEC);
	ENSURE(f.dev >= 0, "open: %s", strerror(errno));
	ep = epoll_create1(EPOLL_CLOEXEC);
	ENSURE(ep >= 0 && !epoll_ctl(ep, EPOLL_CTL_ADD, f.dev, &ev),
	       "epoll on the unbound device: %s", strerror(errno));
	ENSURE(epoll_wait(ep, out, 2, 0) == 0, "an event before BIND");
	ENSURE(!trap_start(&f.t, &o), "trap");
	b.listener_fd = f.t.listener;
	ENSURE(!ioctl(f.dev, SECCOMP_SIGFWD_IOC_BIND, &b), "BIND: %s",
	       strerror(errno));
	ENSURE(epoll_wait(ep, out, 2, 0) == 0, "an event before any signal");
	trap_go(&f.t);
	ENSURE(!trap_recv(&f.t, &n, slow_ms(5000)), "no notification");
	signal_child(&f, SIGUSR1);
	for (long end = now_ms() + slow_ms(5000); !got && now_ms() < end;)
		got = epoll_wait(ep, out, 2, 1000) == 1 &&
		      (out[0].events & EPOLLPRI);
	ENSURE(got, "no EPOLLPRI on the device fd added to epoll before BIND");
	ENSURE(!dev_recv_signal(f.dev, &s) && s.id == n.id &&
	       s.signo == SIGUSR1, "record");
	ENSURE(!trap_send(&f.t, n.id, 42, 0), "SEND");
	ENSURE(!finish(&f) && f.t.sh->ret == 42, "reply lost");
	ret = 0;
out:
	if (ep >= 0)
		close(ep);
	if (f.t.sh != MAP_FAILED)
		fwd_end(&f);
	else if (f.dev >= 0)
		close(f.dev);
	return ret;
}

/* With KILLABLE_BEFORE_RECV a signal while queued is reported, not withdrawn. */
CASE(signal_before_recv_is_reported_as_before_recv)
{
	struct trap_opts o = { 0 };
	struct seccomp_sigfwd_signal s;
	struct seccomp_notif n;
	struct fwd f;
	int ret = 1;

	if (fwd_start(&f, FWD | BEFORE, o))
		goto out;
	CHECK(poll_fd(f.t.listener, POLLIN, 5000), "nothing queued");
	signal_child(&f, SIGUSR1);
	CHECK(!next_record(&f, &s), "no record");
	CHECK(s.flags == SECCOMP_SIGFWD_SIG_BEFORE_RECV, "flags %#x", s.flags);
	CHECK(!trap_recv(&f.t, &n, 1000) && n.id == s.id, "RECV after the record");
	sleep_ms(100);
	CHECK(no_record(&f), "a second record for the same signal");
	CHECK(!trap_send(&f.t, n.id, 42, 0), "SEND");
	CHECK(!finish(&f) && f.t.sh->ret == 42 && f.t.sh->handled == 1, "reply");
	ret = 0;
out:
	fwd_end(&f);
	return ret;
}

/* Without it the stock withdrawal happens: the supervisor never saw the call. */
CASE(signal_before_recv_without_before_policy_withdraws_silently)
{
	struct trap_opts o = { 0 };
	struct fwd f;
	int ret = 1;

	if (fwd_start(&f, FWD, o))
		goto out;
	CHECK(poll_fd(f.t.listener, POLLIN, 5000), "nothing queued");
	signal_child(&f, SIGUSR1);
	CHECK(!finish(&f), "child still waiting");
	CHECK(f.t.sh->ret == -1 && f.t.sh->err == EINTR, "not withdrawn");
	CHECK(no_record(&f), "record for a withdrawn notification");
	ret = 0;
out:
	fwd_end(&f);
	return ret;
}

/* SIGKILL ends the wait and leaves a KILLED record; the reply gets ENOENT. */
CASE(sigkill_leaves_killed_record_and_send_gets_enoent)
{
	struct trap_opts o = { 0 };
	struct seccomp_sigfwd_signal s;
	struct seccomp_notif n;
	struct fwd f;
	int ret = 1;

	if (fwd_start(&f, FWD, o))
		goto out;
	CHECK(!trap_recv(&f.t, &n, 5000), "no notification");
	signal_child(&f, SIGUSR1);
	sleep_ms(50);
	signal_child(&f, SIGKILL);
	CHECK(waitpid(f.t.pid, NULL, 0) == f.t.pid, "waitpid");
	f.t.pid = 0;
	CHECK(!next_record(&f, &s), "no record");
	CHECK(s.id == n.id && (s.flags & SECCOMP_SIGFWD_SIG_KILLED) &&
	      s.signo == SIGKILL, "record flags %#x signo %u", s.flags, s.signo);
	CHECK(no_record(&f), "more than one record");
	EXPECT_ERRNO(trap_send(&f.t, n.id, 42, 0), ENOENT);
	ret = 0;
out:
	fwd_end(&f);
	return ret;
}

/* A thousand signals to one waiting task: one record. */
CASE(signal_flood_yields_one_record)
{
	struct trap_opts o = { .sa_flags = SA_RESTART };
	struct seccomp_sigfwd_signal s;
	struct seccomp_notif n;
	struct fwd f;
	int ret = 1, i;

	if (fwd_start(&f, FWD, o))
		goto out;
	CHECK(!trap_recv(&f.t, &n, 5000), "no notification");
	wait_asleep(f.t.pid);
	for (i = 0; i < 1000; i++)
		kill(f.t.pid, SIGUSR1);
	sleep_ms(200);
	CHECK(!next_record(&f, &s), "no record");
	CHECK(no_record(&f), "more than one record");
	CHECK(!trap_send(&f.t, n.id, 42, 0), "SEND");
	CHECK(!finish(&f) && f.t.sh->ret == 42, "reply lost");
	ret = 0;
out:
	fwd_end(&f);
	return ret;
}

/* A record whose notification is answered before it is read is dropped. */
CASE(record_of_replied_notification_is_dropped)
{
	struct trap_opts o = { .sa_flags = SA_RESTART };
	struct seccomp_notif n;
	struct fwd f;
	int ret = 1;

	if (fwd_start(&f, FWD, o))
		goto out;
	CHECK(!trap_recv(&f.t, &n, 5000), "no notification");
	signal_child(&f, SIGUSR1);
	CHECK(poll_fd(f.dev, POLLPRI, 5000), "no EPOLLPRI");
	CHECK(!trap_send(&f.t, n.id, 42, 0), "SEND");
	CHECK(!finish(&f) && f.t.sh->ret == 42, "reply lost");
	CHECK(no_record(&f), "stale record returned");
	CHECK(!poll_fd(f.dev, POLLPRI, 0), "EPOLLPRI left");
	ret = 0;
out:
	fwd_end(&f);
	return ret;
}

static void on_alarm(int sig)
{
	(void)sig;
}

/* RECV_SIGNAL blocks until a record comes, and a signal to the supervisor ends it. */
CASE(recv_signal_blocks_and_is_interrupted_by_supervisor_signals)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	struct trap_opts o = { 0 };
	struct seccomp_sigfwd_signal s;
	struct seccomp_notif n;
	struct fwd f;
	int ret = 1;
	long t0;

	if (fwd_start(&f, FWD, o))
		goto out;
	sigaction(SIGALRM, &sa, NULL);
	alarm(1);
	t0 = now_ms();
	EXPECT_ERRNO(dev_recv_signal(f.dev, &s), EINTR);
	CHECK(now_ms() - t0 >= 900, "RECV_SIGNAL did not block");
	CHECK(!trap_recv(&f.t, &n, 5000), "no notification");
	if (fork() == 0) {
		sleep_ms(300);
		kill(f.t.pid, SIGUSR1);
		_exit(0);
	}
	CHECK(!dev_recv_signal(f.dev, &s) && s.id == n.id, "blocking RECV_SIGNAL");
	wait(NULL);
	CHECK(!trap_send(&f.t, n.id, 42, 0), "SEND");
	CHECK(!finish(&f) && f.t.sh->ret == 42, "reply lost");
	ret = 0;
out:
	fwd_end(&f);
	return ret;
}

/* FORWARD from the listener's policy, for filters without data bits. */
CASE(forward_policy_from_listener_reports_signals)
{
	struct trap_opts o = { .hold = 1 };
	struct seccomp_sigfwd_signal s;
	struct seccomp_notif n;
	struct fwd f = { .dev = -1 };
	int ret = 1;

	CHECK(!module_load(NULL), "load");
	if (trap_start(&f.t, &o))
		goto out;
	f.dev = dev_bind(f.t.listener);
	CHECK(f.dev >= 0 && !dev_set_policy(f.dev, FWD), "bind");
	trap_go(&f.t);
	CHECK(!trap_recv(&f.t, &n, 5000), "no notification");
	signal_child(&f, SIGUSR1);
	CHECK(!next_record(&f, &s) && s.id == n.id, "no record");
	CHECK(!trap_send(&f.t, n.id, 42, 0), "SEND");
	CHECK(!finish(&f) && f.t.sh->ret == 42 && f.t.sh->handled == 1, "reply");
	ret = 0;
out:
	fwd_end(&f);
	return ret;
}
