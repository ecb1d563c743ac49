// SPDX-License-Identifier: GPL-2.0
/*
 * Replies with the kernel's internal errors 512..516 under every policy:
 * -ERESTARTSYS (SECCOMP_SIGFWD_ERESTART) interrupts as the kernel would, the
 * others become EINTR (515, ENOIOCTLCMD: ENOTTY), and no task ever sees errno
 * 512..516 nor runs a restart_block left over from an earlier call. Without a
 * policy, the stock kernel's behaviour (it leaks them) stays.
 */
#include "harness.h"
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
 * @sig), reply @error, answer restarts with 43. 0 when the child saw what it
 * should; prints what it saw.
 */
static int reply_error(unsigned int policy, int error, enum sig sig)
{
	struct trap_opts o = { .hold = 1,
			       .sa_flags = sig == HANDLER_SA_RESTART ? SA_RESTART : 0,
			       .data = SECCOMP_SIGFWD_RET_DATA(policy) };
	int ret = 1, dev = -1, notifs = 1, want_notifs, want_errno = 0;
	struct seccomp_sigfwd_signal s;
	struct seccomp_notif n;
	long want_ret;
	struct trap t;

	t.pid = 0;
	t.listener = -1;
	if (module_load(NULL) || write_file(DEFAULT_POLICY, "0") ||
	    trap_start(&t, &o))
		return 1;
	if (policy & FWD) {
		dev = dev_bind(t.listener);
		ENSURE(dev >= 0, "bind: %s", strerror(errno));
	}
	trap_go(&t);
	if (sig && !holds_after_recv(policy)) {
		/* Only held while queued (KILLABLE_BEFORE_RECV). */
		ENSURE(poll_fd(t.listener, POLLIN, 5000), "nothing queued");
		ENSURE(!signal_seen(t.pid, SIGUSR1), "signal not seen");
	}
	ENSURE(!trap_recv(&t, &n, 5000), "no notification: %s", strerror(errno));
	if (sig && holds_after_recv(policy)) {
		wait_asleep(t.pid);
		kill(t.pid, SIGUSR1);
		if (policy & FWD)
			ENSURE(poll_fd(dev, POLLPRI, 5000) &&
			       !dev_recv_signal(dev, &s) && s.id == n.id,
			       "no record");
	}
	ENSURE(!t.sh->handled, "handler ran before the reply");
	ENSURE(!trap_send(&t, n.id, 0, -error), "SEND: %s", strerror(errno));
	/* A restart comes back as a new notification. */
	while (!t.sh->done && !trap_recv(&t, &n, 500)) {
		notifs++;
		trap_send(&t, n.id, 43, 0);
	}
	ENSURE(!trap_wait(&t, 5000), "child did not finish");
	t.pid = 0;

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
	       policy, error, sig_name[sig], t.sh->ret, t.sh->err, notifs,
	       t.sh->handled, t.sh->handled_early);
	ENSURE(t.sh->ret == want_ret && notifs == want_notifs &&
	       (want_ret != -1 || t.sh->err == want_errno),
	       "expected ret %ld errno %d, %d notifications", want_ret,
	       want_errno, want_notifs);
	ENSURE(t.sh->handled == (sig != NO_SIGNAL) && !t.sh->handled_early,
	       "handler ran %d times (early %d)", t.sh->handled,
	       t.sh->handled_early);
	ret = 0;
out:
	trap_end(&t);
	if (dev >= 0)
		close(dev);
	return ret;
}

/* Every value, with and without a signal pending at the reply. */
static int every_error(unsigned int policy)
{
	int error, sig, failed = 0;

	for (error = ERESTARTSYS; error <= ERESTART_RESTARTBLOCK; error++)
		for (sig = NO_SIGNAL; sig <= HANDLER_SA_RESTART; sig++)
			failed |= reply_error(policy, error, sig);
	return failed;
}

CASE(killable_after_recv_never_leaks_errors_512_to_516)
{
	return every_error(AFTER);
}

CASE(killable_before_recv_never_leaks_errors_512_to_516)
{
	return every_error(BEFORE);
}

CASE(killable_never_leaks_errors_512_to_516)
{
	return every_error(AFTER | BEFORE);
}

CASE(forward_never_leaks_errors_512_to_516)
{
	return every_error(FWD);
}

CASE(forward_before_recv_never_leaks_errors_512_to_516)
{
	return every_error(FWD | BEFORE);
}

CASE(all_policies_never_leak_errors_512_to_516)
{
	return every_error(AFTER | BEFORE | FWD);
}

/* No policy: the stock kernel hands each value to the task as errno. */
CASE(stock_reply_errors_512_to_516_reach_the_task)
{
	struct trap_opts o = { 0 };
	struct seccomp_notif n;
	int error, ret = 1;
	struct trap t;

	for (error = ERESTARTSYS; error <= ERESTART_RESTARTBLOCK; error++) {
		if (module_load(NULL) || write_file(DEFAULT_POLICY, "0") ||
		    trap_start(&t, &o))
			return 1;
		ENSURE(!trap_recv(&t, &n, 5000), "no notification");
		ENSURE(!trap_send(&t, n.id, 0, -error), "SEND");
		ENSURE(!trap_wait(&t, 5000), "child did not finish");
		t.pid = 0;
		printf("reply -%d: ret %ld errno %d\n", error, t.sh->ret,
		       t.sh->err);
		ENSURE(t.sh->ret == -1 && t.sh->err == error, "not stock");
		trap_end(&t);
	}
	return 0;
out:
	trap_end(&t);
	return ret;
}

/* Is @pid in syscall @nr (/proc/PID/syscall)? */
static int in_syscall(pid_t pid, long nr)
{
	char path[64], buf[64] = "";
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/syscall", pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return 0;
	if (read(fd, buf, sizeof(buf) - 1) < 0)
		buf[0] = 0;
	close(fd);
	return atol(buf) == nr && buf[0] != '-';
}

struct stale {
	volatile long slept, ret;
	volatile int err;
};

/*
 * A nanosleep interrupted by SIGSTOP and resumed by SIGCONT restarts through
 * restart_syscall() and leaves current->restart_block set (no signal handler
 * ran, so no sigreturn reset it). A trapped call answered -516 next must not
 * run it: the task sees EINTR, not nanosleep's 0.
 */
static int stale_restart_block(unsigned int policy, unsigned int reply)
{
	struct stale *sh = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
				MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	struct seccomp_notif n;
	int sv[2], listener = -1, status, ret = 1;
	pid_t pid;

	CHECK(sh != MAP_FAILED && !socketpair(AF_UNIX, SOCK_STREAM, 0, sv),
	      "setup");
	CHECK(!module_load(NULL) && !write_file(DEFAULT_POLICY, "0"), "load");
	pid = fork();
	if (!pid) {
		struct timespec ts = { 0, 300 * 1000000L };
		int l = install_filter(__NR_getppid,
				       SECCOMP_SIGFWD_RET_DATA(policy), 0);

		close(sv[0]);
		if (l < 0 || send_fd(sv[1], l))
			_exit(3);
		sh->slept = syscall(__NR_nanosleep, &ts, NULL);
		errno = 0;
		sh->ret = syscall(__NR_getppid);
		sh->err = errno;
		_exit(0);
	}
	close(sv[1]);
	listener = recv_fd(sv[0]);
	close(sv[0]);
	ENSURE(listener >= 0, "no listener");
	{
		long end = now_ms() + slow_ms(5000);

		while (!in_syscall(pid, __NR_nanosleep) && now_ms() < end)
			sleep_ms(1);
	}
	ENSURE(in_syscall(pid, __NR_nanosleep), "child not in nanosleep");
	kill(pid, SIGSTOP);
	ENSURE(waitpid(pid, &status, WUNTRACED) == pid && WIFSTOPPED(status),
	       "child not stopped");
	kill(pid, SIGCONT);
	ENSURE(!trap_recv(&(struct trap){ .listener = listener }, &n, 5000),
	       "no notification");
	ENSURE(!ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND,
		      &(struct seccomp_notif_resp){ .id = n.id,
						    .error = -(int)reply }),
	       "SEND: %s", strerror(errno));
	ENSURE(waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	       !WEXITSTATUS(status), "child status %#x", status);
	pid = 0;
	printf("policy %u: nanosleep %ld, then the reply -%u: ret %ld errno %d\n",
	       policy, sh->slept, reply, sh->ret, sh->err);
	ENSURE(sh->slept == 0, "nanosleep did not complete");
	ENSURE(sh->ret == -1 && sh->err == EINTR, "expected EINTR");
	ret = 0;
out:
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	if (listener >= 0)
		close(listener);
	munmap(sh, 4096);
	return ret;
}

CASE(restartblock_reply_never_runs_a_stale_restart_block)
{
	static const unsigned int policies[] = {
		AFTER, BEFORE, AFTER | BEFORE, FWD, FWD | BEFORE,
		AFTER | BEFORE | FWD,
	};
	unsigned int i;
	int failed = 0;

	for (i = 0; i < sizeof(policies) / sizeof(policies[0]); i++)
		failed |= stale_restart_block(policies[i], ERESTART_RESTARTBLOCK);
	return failed;
}
