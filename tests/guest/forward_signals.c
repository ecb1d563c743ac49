// SPDX-License-Identifier: GPL-2.0
/*
 * The FORWARD policy: a non-fatal signal during a received notification is
 * reported to the supervisor (RECV_SIGNAL, EPOLLPRI), the task keeps waiting
 * and the supervisor's reply decides what the task sees.
 */
#include <sys/epoll.h>
#include "sigfwd_test.h"
#include "trap.h"

#define FWD SECCOMP_SIGFWD_FORWARD
#define BEFORE SECCOMP_SIGFWD_KILLABLE_BEFORE_RECV

/* A held child trapped with @policy in its filter data, a bound device. */
static int fwd_start(struct sup *f, unsigned int policy, struct trap_opts o)
{
	o.hold = 1;
	o.data = SECCOMP_SIGFWD_RET_DATA(policy);
	if (trap_start(&f->t, &o))
		return -1;
	f->dev = sigfwd_open_bound(f->t.listener, 0);
	if (f->dev < 0) {
		perror("bind");
		return -1;
	}
	trap_go(&f->t);
	return 0;
}

static void signal_child(struct sup *f, int sig)
{
	wait_asleep(f->t.pid);
	sleep_ms(20);
	kill(f->t.pid, sig);
}

/* The next record, waiting for it up to 5 s through EPOLLPRI on the device. */
static int next_record(struct sup *f, struct seccomp_sigfwd_signal *s)
{
	if (!poll_fd(f->dev, POLLPRI, 5000)) {
		errno = ETIMEDOUT;
		return -1;
	}
	return sigfwd_recv_signal(f->dev, s);
}

/* A received call signalled with SIGUSR1: its record is reported. */
static void record_of_received_call(struct __test_metadata *_metadata,
				    struct sup *f, struct seccomp_notif *n)
{
	struct seccomp_sigfwd_signal s;

	ASSERT_EQ(0, trap_recv(&f->t, n, 5000)) TH_LOG("no notification");
	signal_child(f, SIGUSR1);
	ASSERT_EQ(0, next_record(f, &s)) TH_LOG("no record");
	ASSERT_EQ(n->id, s.id);
}

static int no_record(struct sup *f)
{
	struct seccomp_sigfwd_signal s;
	int fl = fcntl(f->dev, F_GETFL), ret;

	fcntl(f->dev, F_SETFL, fl | O_NONBLOCK);
	ret = sigfwd_recv_signal(f->dev, &s) == -EAGAIN;
	fcntl(f->dev, F_SETFL, fl);
	return ret;
}

static int finish(struct sup *f)
{
	if (trap_wait(&f->t, 5000))
		return -1;
	f->t.pid = 0;
	printf("child: ret %ld errno %d handled %d early %d\n", f->t.sh->ret,
	       f->t.sh->err, f->t.sh->handled, f->t.sh->handled_early);
	return 0;
}

/* Each test traps its child. */
SUP_FIXTURE(forward);

/*
 * The scenario of the original proposal: a supervisor emulating write() is
 * told of a signal mid-way and answers with what it wrote so far.
 */
TEST_F(forward, forwarded_signal_gets_partial_write_result)
{
	struct trap_opts o = { .nr = __NR_write, .sa_flags = SA_RESTART };
	struct seccomp_sigfwd_signal s;
	struct sup *f = &self->sup;
	struct seccomp_notif n;

	ASSERT_EQ(0, fwd_start(f, FWD, o));
	ASSERT_EQ(0, trap_recv(&f->t, &n, 5000)) TH_LOG("no notification");
	ASSERT_EQ(__NR_write, n.data.nr);
	signal_child(f, SIGUSR1);
	ASSERT_EQ(0, next_record(f, &s)) TH_LOG("no record: %s", strerror(errno));
	ASSERT_TRUE(s.id == n.id && s.signo == SIGUSR1 && s.pid == (__u32)f->t.pid &&
		    s.tid == (__u32)f->t.pid)
		TH_LOG("record id %llx/%llx signo %u pid %u",
		       (unsigned long long)s.id, (unsigned long long)n.id, s.signo, s.pid);
	ASSERT_EQ(SECCOMP_SIGFWD_SIG_RESTART, s.flags);
	ASSERT_EQ(1ULL << (SIGUSR1 - 1), s.pending);
	ASSERT_TRUE(!s.reserved[0] && !s.reserved[1]) TH_LOG("reserved not zero");
	ASSERT_EQ(0, f->t.sh->handled) TH_LOG("handler ran before the reply");
	ASSERT_EQ(0, trap_send(&f->t, n.id, 3, 0)) TH_LOG("SEND: %s", strerror(errno));
	ASSERT_EQ(0, finish(f)) TH_LOG("child did not finish");
	/* 3 bytes written, one handler run after the reply. */
	ASSERT_EQ(3, f->t.sh->ret);
	ASSERT_EQ(1, f->t.sh->handled);
	ASSERT_EQ(0, f->t.sh->handled_early);
}

/* The supervisor's reply to a forwarded signal decides what the task sees. */
SUP_FIXTURE(reply);
FIXTURE_VARIANT(reply) {
	int sa_flags;
	int error;		/* of the reply, 0: the value 42 */
	long ret;		/* what the task sees */
	int err;
	int notifs;		/* notifications, restarts included */
};
FIXTURE_VARIANT_ADD(reply, forwarded_signal_then_full_result) {
	.sa_flags = 0, .error = 0, .ret = 42, .notifs = 1,
};
FIXTURE_VARIANT_ADD(reply, forwarded_signal_then_eintr_reply) {
	.sa_flags = SA_RESTART, .error = -EINTR, .ret = -1, .err = EINTR, .notifs = 1,
};
FIXTURE_VARIANT_ADD(reply, restart_reply_with_sa_restart_restarts_the_call) {
	.sa_flags = SA_RESTART, .error = -SECCOMP_SIGFWD_ERESTART, .ret = 43, .notifs = 2,
};
FIXTURE_VARIANT_ADD(reply, restart_reply_without_sa_restart_gives_eintr) {
	.sa_flags = 0, .error = -SECCOMP_SIGFWD_ERESTART, .ret = -1, .err = EINTR,
	.notifs = 1,
};

TEST_F(reply, after_forwarded_signal)
{
	struct trap_opts o = { .sa_flags = variant->sa_flags };
	struct sup *f = &self->sup;
	struct seccomp_notif n;
	int notifs = 1;

	ASSERT_EQ(0, fwd_start(f, FWD, o));
	record_of_received_call(_metadata, f, &n);
	ASSERT_EQ(0, trap_send(&f->t, n.id, variant->error ? 0 : 42, variant->error));
	/* A restart comes back as a new notification. */
	notifs += trap_answer_restarts(&f->t, 43);
	ASSERT_EQ(0, finish(f)) TH_LOG("child did not finish");
	ASSERT_EQ(1, f->t.sh->handled);
	ASSERT_EQ(0, f->t.sh->handled_early);
	ASSERT_EQ(variant->ret, f->t.sh->ret);
	if (variant->err)
		ASSERT_EQ(variant->err, f->t.sh->err);
	ASSERT_EQ(variant->notifs, notifs);
}

/* The signal is gone by the reply (set to SIG_IGN): restart, never errno 512. */
TEST_F(forward, restart_reply_after_signal_ignored_restarts_transparently)
{
	struct trap_opts o = { .ignore_thread = 1 };
	struct sup *f = &self->sup;
	struct seccomp_notif n;
	int notifs = 1;

	ASSERT_EQ(0, fwd_start(f, FWD, o));
	record_of_received_call(_metadata, f, &n);
	f->t.sh->ignore = 1;
	while (!f->t.sh->ignored)
		sleep_ms(1);
	ASSERT_EQ(0, trap_send(&f->t, n.id, 0, -SECCOMP_SIGFWD_ERESTART));
	notifs += trap_answer_restarts(&f->t, 43);
	ASSERT_EQ(0, finish(f)) TH_LOG("child did not finish");
	ASSERT_EQ(43, f->t.sh->ret) TH_LOG("errno %d", f->t.sh->err);
	ASSERT_EQ(2, notifs);
	ASSERT_EQ(0, f->t.sh->handled);
}

/* No signal at all: a restart reply restarts the call instead of leaking 512. */
TEST_F(forward, restart_reply_without_signal_never_leaks_errno_512)
{
	struct trap_opts o = { 0 };
	struct sup *f = &self->sup;
	struct seccomp_notif n;

	ASSERT_EQ(0, fwd_start(f, FWD, o));
	ASSERT_EQ(0, trap_recv(&f->t, &n, 5000)) TH_LOG("no notification");
	ASSERT_EQ(0, trap_send(&f->t, n.id, 0, -SECCOMP_SIGFWD_ERESTART));
	ASSERT_EQ(0, trap_recv(&f->t, &n, 5000)) TH_LOG("the call did not restart");
	ASSERT_EQ(0, trap_send(&f->t, n.id, 43, 0));
	ASSERT_EQ(0, finish(f));
	ASSERT_EQ(43, f->t.sh->ret) TH_LOG("errno %d", f->t.sh->err);
}

/* The stock kernel does leak it; the module leaves policy-free calls alone. */
TEST_F(forward, stock_restart_reply_without_signal_leaks_errno_512)
{
	struct trap_opts o = { 0 };
	struct trap *t = &self->sup.t;
	struct seccomp_notif n;

	ASSERT_EQ(0, trap_start(t, &o));
	ASSERT_EQ(0, trap_recv(t, &n, 5000)) TH_LOG("no notification");
	ASSERT_EQ(0, trap_send(t, n.id, 0, -SECCOMP_SIGFWD_ERESTART));
	ASSERT_EQ(0, trap_wait(t, 5000)) TH_LOG("child did not finish");
	t->pid = 0;
	ASSERT_EQ(-1, t->sh->ret);
	ASSERT_EQ(512, t->sh->err);
}

/* EPOLLPRI reaches an epoll waiter on the listener fd and on the device fd. */
TEST_F(forward, forwarded_signal_raises_epollpri_on_listener_and_device)
{
	struct epoll_event ev = { .events = EPOLLPRI }, out[4];
	struct trap_opts o = { .sa_flags = SA_RESTART };
	struct sup *f = &self->sup;
	struct seccomp_notif n;
	int ep, i, got = 0;

	ASSERT_EQ(0, fwd_start(f, FWD, o));
	ASSERT_EQ(0, trap_recv(&f->t, &n, 5000)) TH_LOG("no notification");
	ep = epoll_create1(0);
	ev.data.fd = f->t.listener;
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, f->t.listener, &ev));
	ev.data.fd = f->dev;
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, f->dev, &ev));
	ASSERT_EQ(0, epoll_wait(ep, out, 4, 0)) TH_LOG("EPOLLPRI before any signal");
	signal_child(f, SIGUSR1);
	for (long end = now_ms() + 5000; got != 3 && now_ms() < end;) {
		int nr = epoll_wait(ep, out, 4, 1000);

		for (i = 0; i < nr; i++)
			if (out[i].events & EPOLLPRI)
				got |= out[i].data.fd == f->dev ? 1 : 2;
	}
	ASSERT_EQ(3, got) TH_LOG("EPOLLPRI on %s", got == 1 ? "device only" :
				 got == 2 ? "listener only" : "neither");
	ASSERT_EQ(0, trap_send(&f->t, n.id, 42, 0));
	ASSERT_EQ(0, finish(f));
	ASSERT_EQ(42, f->t.sh->ret) TH_LOG("reply lost");
	/* No EPOLLPRI left once the reply landed. */
	for (i = epoll_wait(ep, out, 4, 0) - 1; i >= 0; i--)
		ASSERT_FALSE(out[i].events & EPOLLPRI) TH_LOG("EPOLLPRI left after the reply");
	close(ep);
}

/*
 * epoll registers its wait once, at EPOLL_CTL_ADD: a device fd added before
 * BIND must still wake the epoll once a signal is forwarded.
 */
TEST_F(forward, epoll_added_before_bind_sees_forwarded_signal)
{
	struct epoll_event ev = { .events = EPOLLPRI }, out[2];
	struct trap_opts o = { .sa_flags = SA_RESTART, .hold = 1,
			       .data = SECCOMP_SIGFWD_RET_DATA(FWD) };
	struct seccomp_sigfwd_signal s;
	struct sup *f = &self->sup;
	struct seccomp_notif n;
	int ep, got = 0;

	f->dev = sigfwd_open(0);
	ASSERT_GE(f->dev, 0) TH_LOG("open: %s", strerror(-f->dev));
	ep = epoll_create1(EPOLL_CLOEXEC);
	ASSERT_TRUE(ep >= 0 && !epoll_ctl(ep, EPOLL_CTL_ADD, f->dev, &ev))
		TH_LOG("epoll on the unbound device: %s", strerror(errno));
	ASSERT_EQ(0, epoll_wait(ep, out, 2, 0)) TH_LOG("an event before BIND");
	ASSERT_EQ(0, trap_start(&f->t, &o));
	ASSERT_EQ(0, sigfwd_bind(f->dev, f->t.listener));
	ASSERT_EQ(0, epoll_wait(ep, out, 2, 0)) TH_LOG("an event before any signal");
	trap_go(&f->t);
	ASSERT_EQ(0, trap_recv(&f->t, &n, slow_ms(5000))) TH_LOG("no notification");
	signal_child(f, SIGUSR1);
	for (long end = now_ms() + slow_ms(5000); !got && now_ms() < end;)
		got = epoll_wait(ep, out, 2, 1000) == 1 &&
		      (out[0].events & EPOLLPRI);
	ASSERT_TRUE(got) TH_LOG("no EPOLLPRI on the device fd added to epoll before BIND");
	ASSERT_EQ(0, sigfwd_recv_signal(f->dev, &s));
	ASSERT_EQ(n.id, s.id);
	ASSERT_EQ(SIGUSR1, s.signo);
	ASSERT_EQ(0, trap_send(&f->t, n.id, 42, 0));
	ASSERT_EQ(0, finish(f));
	ASSERT_EQ(42, f->t.sh->ret) TH_LOG("reply lost");
	close(ep);
}

/* With KILLABLE_BEFORE_RECV a signal while queued is reported, not withdrawn. */
TEST_F(forward, signal_before_recv_is_reported_as_before_recv)
{
	struct trap_opts o = { 0 };
	struct seccomp_sigfwd_signal s;
	struct sup *f = &self->sup;
	struct seccomp_notif n;

	ASSERT_EQ(0, fwd_start(f, FWD | BEFORE, o));
	ASSERT_TRUE(poll_fd(f->t.listener, POLLIN, 5000)) TH_LOG("nothing queued");
	signal_child(f, SIGUSR1);
	ASSERT_EQ(0, next_record(f, &s)) TH_LOG("no record");
	ASSERT_EQ(SECCOMP_SIGFWD_SIG_BEFORE_RECV, s.flags);
	ASSERT_EQ(0, trap_recv(&f->t, &n, 1000)) TH_LOG("RECV after the record");
	ASSERT_EQ(s.id, n.id);
	sleep_ms(100);
	ASSERT_TRUE(no_record(f)) TH_LOG("a second record for the same signal");
	ASSERT_EQ(0, trap_send(&f->t, n.id, 42, 0));
	ASSERT_EQ(0, finish(f));
	ASSERT_EQ(42, f->t.sh->ret);
	ASSERT_EQ(1, f->t.sh->handled);
}

/* Without it the stock withdrawal happens: the supervisor never saw the call. */
TEST_F(forward, signal_before_recv_without_before_policy_withdraws_silently)
{
	struct trap_opts o = { 0 };
	struct sup *f = &self->sup;

	ASSERT_EQ(0, fwd_start(f, FWD, o));
	ASSERT_TRUE(poll_fd(f->t.listener, POLLIN, 5000)) TH_LOG("nothing queued");
	signal_child(f, SIGUSR1);
	ASSERT_EQ(0, finish(f)) TH_LOG("child still waiting");
	ASSERT_EQ(-1, f->t.sh->ret) TH_LOG("not withdrawn");
	ASSERT_EQ(EINTR, f->t.sh->err) TH_LOG("not withdrawn");
	ASSERT_TRUE(no_record(f)) TH_LOG("record for a withdrawn notification");
}

/* SIGKILL ends the wait and leaves a KILLED record; the reply gets ENOENT. */
TEST_F(forward, sigkill_leaves_killed_record_and_send_gets_enoent)
{
	struct trap_opts o = { 0 };
	struct seccomp_sigfwd_signal s;
	struct sup *f = &self->sup;
	struct seccomp_notif n;

	ASSERT_EQ(0, fwd_start(f, FWD, o));
	ASSERT_EQ(0, trap_recv(&f->t, &n, 5000)) TH_LOG("no notification");
	signal_child(f, SIGUSR1);
	sleep_ms(50);
	signal_child(f, SIGKILL);
	ASSERT_EQ(f->t.pid, waitpid(f->t.pid, NULL, 0));
	f->t.pid = 0;
	ASSERT_EQ(0, next_record(f, &s)) TH_LOG("no record");
	ASSERT_TRUE(s.id == n.id && (s.flags & SECCOMP_SIGFWD_SIG_KILLED) &&
		    s.signo == SIGKILL)
		TH_LOG("record flags %#x signo %u", s.flags, s.signo);
	ASSERT_TRUE(no_record(f)) TH_LOG("more than one record");
	ASSERT_EQ(-1, trap_send(&f->t, n.id, 42, 0));
	ASSERT_EQ(ENOENT, errno);
}

/* A thousand signals to one waiting task: one record. */
TEST_F(forward, signal_flood_yields_one_record)
{
	struct trap_opts o = { .sa_flags = SA_RESTART };
	struct seccomp_sigfwd_signal s;
	struct sup *f = &self->sup;
	struct seccomp_notif n;
	int i;

	ASSERT_EQ(0, fwd_start(f, FWD, o));
	ASSERT_EQ(0, trap_recv(&f->t, &n, 5000)) TH_LOG("no notification");
	wait_asleep(f->t.pid);
	for (i = 0; i < 1000; i++)
		kill(f->t.pid, SIGUSR1);
	sleep_ms(200);
	ASSERT_EQ(0, next_record(f, &s)) TH_LOG("no record");
	ASSERT_TRUE(no_record(f)) TH_LOG("more than one record");
	ASSERT_EQ(0, trap_send(&f->t, n.id, 42, 0));
	ASSERT_EQ(0, finish(f));
	ASSERT_EQ(42, f->t.sh->ret) TH_LOG("reply lost");
}

/* A record whose notification is answered before it is read is dropped. */
TEST_F(forward, record_of_replied_notification_is_dropped)
{
	struct trap_opts o = { .sa_flags = SA_RESTART };
	struct sup *f = &self->sup;
	struct seccomp_notif n;

	ASSERT_EQ(0, fwd_start(f, FWD, o));
	ASSERT_EQ(0, trap_recv(&f->t, &n, 5000)) TH_LOG("no notification");
	signal_child(f, SIGUSR1);
	ASSERT_TRUE(poll_fd(f->dev, POLLPRI, 5000)) TH_LOG("no EPOLLPRI");
	ASSERT_EQ(0, trap_send(&f->t, n.id, 42, 0));
	ASSERT_EQ(0, finish(f));
	ASSERT_EQ(42, f->t.sh->ret) TH_LOG("reply lost");
	ASSERT_TRUE(no_record(f)) TH_LOG("stale record returned");
	ASSERT_FALSE(poll_fd(f->dev, POLLPRI, 0)) TH_LOG("EPOLLPRI left");
}

static void on_alarm(int sig)
{
	(void)sig;
}

/* RECV_SIGNAL blocks until a record comes, and a signal to the supervisor ends it. */
TEST_F(forward, recv_signal_blocks_and_is_interrupted_by_supervisor_signals)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	struct trap_opts o = { 0 };
	struct seccomp_sigfwd_signal s;
	struct sup *f = &self->sup;
	struct seccomp_notif n;
	long t0;

	ASSERT_EQ(0, fwd_start(f, FWD, o));
	sigaction(SIGALRM, &sa, NULL);
	alarm(1);
	t0 = now_ms();
	ASSERT_EQ(-EINTR, sigfwd_recv_signal(f->dev, &s));
	ASSERT_GE(now_ms() - t0, 900) TH_LOG("RECV_SIGNAL did not block");
	ASSERT_EQ(0, trap_recv(&f->t, &n, 5000)) TH_LOG("no notification");
	if (fork() == 0) {
		sleep_ms(300);
		kill(f->t.pid, SIGUSR1);
		_exit(0);
	}
	ASSERT_EQ(0, sigfwd_recv_signal(f->dev, &s)) TH_LOG("blocking RECV_SIGNAL");
	ASSERT_EQ(n.id, s.id);
	wait(NULL);
	ASSERT_EQ(0, trap_send(&f->t, n.id, 42, 0));
	ASSERT_EQ(0, finish(f));
	ASSERT_EQ(42, f->t.sh->ret) TH_LOG("reply lost");
}

/* FORWARD from the listener's policy, for filters without data bits. */
TEST_F(forward, forward_policy_from_listener_reports_signals)
{
	struct trap_opts o = { .hold = 1 };
	struct sup *f = &self->sup;
	struct seccomp_notif n;

	ASSERT_EQ(0, trap_start(&f->t, &o));
	f->dev = sigfwd_open_bound(f->t.listener, 0);
	ASSERT_GE(f->dev, 0) TH_LOG("bind: %s", strerror(-f->dev));
	ASSERT_EQ(0, sigfwd_set_policy(f->dev, FWD));
	trap_go(&f->t);
	record_of_received_call(_metadata, f, &n);
	ASSERT_EQ(0, trap_send(&f->t, n.id, 42, 0));
	ASSERT_EQ(0, finish(f));
	ASSERT_EQ(42, f->t.sh->ret);
	ASSERT_EQ(1, f->t.sh->handled);
}
