// SPDX-License-Identifier: GPL-2.0
/*
 * Replies with the kernel's internal errors 512..516 under every policy:
 * -ERESTARTSYS (SECCOMP_SIGFWD_ERESTART) interrupts as the kernel would, the
 * others become EINTR (515, ENOIOCTLCMD: ENOTTY), and no task ever sees errno
 * 512..516 nor runs a restart_block left over from an earlier call. Without a
 * policy, the stock kernel's behaviour (it leaks them) stays.
 */
#include "sigfwd_test.h"
#include "trap.h"

#define AFTER SECCOMP_SIGFWD_KILLABLE_AFTER_RECV
#define BEFORE SECCOMP_SIGFWD_KILLABLE_BEFORE_RECV
#define FWD SECCOMP_SIGFWD_FORWARD

#define ERESTARTSYS 512
#define ERESTARTNOINTR 513
#define ERESTARTNOHAND 514
#define ENOIOCTLCMD 515
#define ERESTART_RESTARTBLOCK 516

enum sig { NO_SIGNAL, HANDLER, HANDLER_SA_RESTART };

static const char *const sig_name[] = { "no signal", "handler",
					"SA_RESTART handler" };

/* Does @policy hold a signal that arrives after RECV? */
static int holds_after_recv(unsigned int policy)
{
	return policy & (AFTER | FWD);
}

/*
 * Trap a call under @policy, have SIGUSR1 pending when the reply comes (if
 * @sig), reply @error, answer restarts with 43; check what the child saw.
 */
static void reply_error(struct __test_metadata *_metadata, struct sup *sup,
			unsigned int policy, int error, enum sig sig)
{
	struct trap_opts o = { .hold = 1,
			       .sa_flags = sig == HANDLER_SA_RESTART ? SA_RESTART : 0,
			       .data = SECCOMP_SIGFWD_RET_DATA(policy) };
	int notifs = 1, want_notifs, want_errno = 0;
	struct seccomp_sigfwd_signal s;
	struct trap *t = &sup->t;
	struct seccomp_notif n;
	long want_ret;

	ASSERT_EQ(0, trap_start(t, &o));
	if (policy & FWD) {
		sup->dev = sigfwd_open_bound(t->listener, 0);
		ASSERT_GE(sup->dev, 0) TH_LOG("bind: %s", strerror(-sup->dev));
	}
	trap_go(t);
	if (sig && !holds_after_recv(policy)) {
		/* Only held while queued (KILLABLE_BEFORE_RECV). */
		ASSERT_TRUE(poll_fd(t->listener, POLLIN, 5000)) TH_LOG("nothing queued");
		ASSERT_EQ(0, signal_seen(t->pid, SIGUSR1)) TH_LOG("signal not seen");
	}
	ASSERT_EQ(0, trap_recv(t, &n, 5000))
		TH_LOG("no notification: %s", strerror(errno));
	if (sig && holds_after_recv(policy)) {
		wait_asleep(t->pid);
		kill(t->pid, SIGUSR1);
		if (policy & FWD) {
			ASSERT_TRUE(poll_fd(sup->dev, POLLPRI, 5000) &&
				    !sigfwd_recv_signal(sup->dev, &s) && s.id == n.id)
				TH_LOG("no record");
		}
	}
	ASSERT_EQ(0, t->sh->handled) TH_LOG("handler ran before the reply");
	ASSERT_EQ(0, trap_send(t, n.id, 0, -error)) TH_LOG("SEND: %s", strerror(errno));
	/* A restart comes back as a new notification. */
	notifs += trap_answer_restarts(t, 43);
	ASSERT_EQ(0, trap_wait(t, 5000)) TH_LOG("child did not finish");
	t->pid = 0;

	if (error == ERESTARTSYS &&
	    (sig == NO_SIGNAL || sig == HANDLER_SA_RESTART)) {
		/* Restarted: transparently, or after the handler. */
		want_ret = 43;
		want_notifs = 2;
	} else {
		want_ret = -1;
		want_errno = error == ENOIOCTLCMD ? ENOTTY : EINTR;
		want_notifs = 1;
	}
	printf("policy %u, reply -%d, %s: ret %ld errno %d, %d notifications, handler %d (early %d)\n",
	       policy, error, sig_name[sig], t->sh->ret, t->sh->err, notifs,
	       t->sh->handled, t->sh->handled_early);
	ASSERT_TRUE(t->sh->ret == want_ret && notifs == want_notifs &&
		    (want_ret != -1 || t->sh->err == want_errno))
		TH_LOG("expected ret %ld errno %d, %d notifications", want_ret,
		       want_errno, want_notifs);
	ASSERT_TRUE(t->sh->handled == (sig != NO_SIGNAL) && !t->sh->handled_early)
		TH_LOG("handler ran %d times (early %d)", t->sh->handled,
		       t->sh->handled_early);
	sup_end(sup);
}

/* Each policy (the fixture's variants) against every reply value. */
SUP_FIXTURE(reply_errors);
FIXTURE_VARIANT(reply_errors) {
	unsigned int policy;
};

FIXTURE_VARIANT_ADD(reply_errors, killable_after_recv) {
	.policy = AFTER,
};
FIXTURE_VARIANT_ADD(reply_errors, killable_before_recv) {
	.policy = BEFORE,
};
FIXTURE_VARIANT_ADD(reply_errors, killable) {
	.policy = AFTER | BEFORE,
};
FIXTURE_VARIANT_ADD(reply_errors, forward) {
	.policy = FWD,
};
FIXTURE_VARIANT_ADD(reply_errors, forward_before_recv) {
	.policy = FWD | BEFORE,
};
FIXTURE_VARIANT_ADD(reply_errors, all_policies) {
	.policy = AFTER | BEFORE | FWD,
};

/*
 * Every value, with and without a signal pending at the reply: 15 trapped
 * calls, past the harness's default 30 s on a slow guest.
 */
TEST_F_TIMEOUT(reply_errors, never_leak_errors_512_to_516, 120)
{
	int error, sig;

	for (error = ERESTARTSYS; error <= ERESTART_RESTARTBLOCK; error++)
		for (sig = NO_SIGNAL; sig <= HANDLER_SA_RESTART; sig++)
			reply_error(_metadata, &self->sup, variant->policy, error, sig);
}

/* No policy: the stock kernel hands each value to the task as errno. */
SUP_FIXTURE(stock);

TEST_F(stock, reply_errors_512_to_516_reach_the_task)
{
	struct trap_opts o = { 0 };
	struct trap *t = &self->sup.t;
	struct seccomp_notif n;
	int error;

	for (error = ERESTARTSYS; error <= ERESTART_RESTARTBLOCK; error++) {
		ASSERT_EQ(0, trap_start(t, &o));
		ASSERT_EQ(0, trap_recv(t, &n, 5000)) TH_LOG("no notification");
		ASSERT_EQ(0, trap_send(t, n.id, 0, -error)) TH_LOG("SEND");
		ASSERT_EQ(0, trap_wait(t, 5000)) TH_LOG("child did not finish");
		t->pid = 0;
		printf("reply -%d: ret %ld errno %d\n", error, t->sh->ret,
		       t->sh->err);
		ASSERT_EQ(-1, t->sh->ret) TH_LOG("not stock");
		ASSERT_EQ(error, t->sh->err) TH_LOG("not stock");
		trap_end(t);
	}
}

/* Is @pid in syscall @nr (/proc/PID/syscall)? */
static int in_syscall(pid_t pid, long nr)
{
	char path[64], buf[64];

	snprintf(path, sizeof(path), "/proc/%d/syscall", pid);
	if (read_text(path, buf, sizeof(buf)) < 0)
		return 0;
	return atol(buf) == nr && buf[0] != '-';
}

/*
 * A nanosleep interrupted by SIGSTOP and resumed by SIGCONT restarts through
 * restart_syscall() and leaves current->restart_block set (no signal handler
 * ran, so no sigreturn reset it). A trapped call answered -516 next must not
 * run it: the task sees EINTR, not nanosleep's 0.
 */
TEST_F(reply_errors, restartblock_reply_never_runs_a_stale_restart_block)
{
	struct trap_opts o = { .data = SECCOMP_SIGFWD_RET_DATA(variant->policy) };
	struct trap *t = &self->sup.t;
	struct seccomp_notif n;
	long end;
	int status;

	/* The trap's filter; this child makes a nanosleep first. */
	ASSERT_EQ(0, trap_filter(t, &o));
	t->pid = fork();
	ASSERT_GE(t->pid, 0);
	if (!t->pid) {
		struct timespec ts = { 0, 300 * 1000000L };

		close(t->listener);
		/* nanosleep must complete: exit status 4 if not. */
		if (syscall(__NR_nanosleep, &ts, NULL))
			_exit(4);
		errno = 0;
		t->sh->ret = syscall(__NR_getppid, t->cookie);
		t->sh->err = errno;
		_exit(0);
	}
	for (end = now_ms() + slow_ms(5000);
	     !in_syscall(t->pid, __NR_nanosleep) && now_ms() < end;)
		sleep_ms(1);
	ASSERT_TRUE(in_syscall(t->pid, __NR_nanosleep)) TH_LOG("child not in nanosleep");
	kill(t->pid, SIGSTOP);
	ASSERT_TRUE(waitpid(t->pid, &status, WUNTRACED) == t->pid && WIFSTOPPED(status))
		TH_LOG("child not stopped");
	kill(t->pid, SIGCONT);
	ASSERT_EQ(0, trap_recv(t, &n, 5000)) TH_LOG("no notification");
	ASSERT_EQ(0, trap_send(t, n.id, 0, -ERESTART_RESTARTBLOCK))
		TH_LOG("SEND: %s", strerror(errno));
	ASSERT_TRUE(waitpid(t->pid, &status, 0) == t->pid && WIFEXITED(status) &&
		    !WEXITSTATUS(status))
		TH_LOG("child status %#x (exit 4: nanosleep did not complete)", status);
	t->pid = 0;
	printf("policy %u: nanosleep 0, then the reply -%d: ret %ld errno %d\n",
	       variant->policy, ERESTART_RESTARTBLOCK, t->sh->ret, t->sh->err);
	ASSERT_EQ(-1, t->sh->ret);
	ASSERT_EQ(EINTR, t->sh->err);
}
