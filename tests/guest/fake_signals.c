// SPDX-License-Identifier: GPL-2.0
/*
 * Fake signals: wake-ups that make signal_pending() true without a signal.
 * A livepatch transition sends one to every task that still sleeps in a
 * patched function (klp_send_signals(): set_notify_signal() since 5.11,
 * signal_wake_up() before), and io_uring sends the same one when it queues
 * task_work (task_work_add(TWA_SIGNAL)). What does each policy do with a
 * task that waits for its supervisor when one arrives?
 *
 * - A real livepatch (tests/kmod) of the function the stock wait sleeps in,
 *   without the module: the transition waits for the trapped task, then its
 *   fake signal withdraws the call (the reply gets ENOENT) and restarts it.
 * - seccomp_sigfwd hooks that same function, so the two refuse each other.
 * - The same fake signal through io_uring, under every policy: the stock
 *   wait restarts, the killable and forwarding waits hold the call and its
 *   reply lands; FORWARD forwards nothing for it but still forwards a real
 *   signal that follows.
 */
#include <linux/io_uring.h>
#include "sigfwd_test.h"
#include "trap.h"

#define LP_NAME "sigfwd_test_livepatch"
#define LP_KO "/sigfwd/" LP_NAME ".ko"
#define LP_SYSFS "/sys/kernel/livepatch/" LP_NAME

static int insmod(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), ret;

	if (fd < 0)
		return -1;
	ret = syscall(__NR_finit_module, fd, "", 0);
	close(fd);
	return ret;
}

/* Disable and remove the test livepatch, if it is there; 0 when gone. */
static int livepatch_remove(void)
{
	long end = now_ms() + 60000;

	if (access(LP_SYSFS, F_OK) == 0)
		write_file(LP_SYSFS "/enabled", "0");
	while (now_ms() < end) {
		if (access("/sys/module/" LP_NAME, F_OK) &&
		    access(LP_SYSFS, F_OK))
			return 0;
		if (access(LP_SYSFS, F_OK))
			syscall(__NR_delete_module, LP_NAME, O_NONBLOCK);
		sleep_ms(100);
	}
	return -1;
}

/*
 * Queue an IORING_OP_POLL_ADD for @fd. When @fd becomes readable, io_uring
 * completes it with task_work queued to this task with TWA_SIGNAL.
 */
static int uring_poll(int fd)
{
	struct io_uring_params p = { 0 };
	struct io_uring_sqe *sqe;
	unsigned int tail, idx;
	size_t sq_size;
	int ring;
	char *sq;

	ring = syscall(__NR_io_uring_setup, 4, &p);
	if (ring < 0)
		return -1;
	sq_size = p.sq_off.array + p.sq_entries * sizeof(__u32);
	sq = mmap(NULL, sq_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
		  ring, IORING_OFF_SQ_RING);
	sqe = mmap(NULL, p.sq_entries * sizeof(*sqe), PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_POPULATE, ring, IORING_OFF_SQES);
	if (sq == MAP_FAILED || sqe == MAP_FAILED)
		return -1;
	tail = *(unsigned int *)(sq + p.sq_off.tail);
	idx = tail & *(unsigned int *)(sq + p.sq_off.ring_mask);
	memset(&sqe[idx], 0, sizeof(sqe[idx]));
	sqe[idx].opcode = IORING_OP_POLL_ADD;
	sqe[idx].fd = fd;
	sqe[idx].poll_events = POLLIN;
	((unsigned int *)(sq + p.sq_off.array))[idx] = idx;
	__atomic_store_n((unsigned int *)(sq + p.sq_off.tail), tail + 1,
			 __ATOMIC_RELEASE);
	return syscall(__NR_io_uring_enter, ring, 1, 0, 0, NULL, 0) == 1 ? ring : -1;
}

/*
 * The trapped task (trap.h's shared page): with @pipe_rd, a pending io_uring
 * poll on it; then, once the test says go, one trapped call.
 */
static void fs_child(struct trap *t, int pipe_rd)
{
	struct sigaction sa = { .sa_handler = trap_handler, .sa_flags = SA_RESTART };

	sigaction(SIGUSR1, &sa, NULL);
	close(t->listener);
	if (pipe_rd >= 0 && uring_poll(pipe_rd) < 0)
		_exit(4);
	while (!t->sh->go)
		usleep(1000);
	errno = 0;
	t->sh->ret = syscall(__NR_getppid, t->cookie);
	t->sh->err = errno;
	t->sh->done = 1;
	_exit(0);
}

/* A trap and, for the io_uring cases, the pipe its poll waits on. */
struct fs_run {
	struct trap t;
	int dev, pipe[2];
};

static void fs_init(struct fs_run *r)
{
	r->t.pid = 0;
	r->t.listener = r->dev = r->pipe[0] = r->pipe[1] = -1;
	r->t.sh = NULL;
}

/* The test installs the filter and forks the child; 0 or -1. */
static int fs_start(struct fs_run *r, unsigned int data, unsigned long flags,
		    int uring)
{
	struct trap_opts o = { .nr = __NR_getppid, .data = data, .flags = flags };

	if ((uring && pipe(r->pipe)) || trap_filter(&r->t, &o))
		return -1;
	r->t.pid = fork();
	if (r->t.pid < 0)
		return -1;
	if (!r->t.pid)
		fs_child(&r->t, r->pipe[0]);
	return 0;
}

static void fs_end(struct fs_run *r)
{
	trap_end(&r->t);
	if (r->dev >= 0)
		close(r->dev);
	if (r->pipe[0] >= 0) {
		close(r->pipe[0]);
		close(r->pipe[1]);
	}
	fs_init(r);
}

static int recv_notif(int listener, struct seccomp_notif *n, int timeout_ms)
{
	if (!poll_fd(listener, POLLIN, timeout_ms))
		return -1;
	memset(n, 0, sizeof(*n));
	return ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, n);
}

static int reply(int listener, __u64 id, long val)
{
	struct seccomp_notif_resp resp = { .id = id, .val = val };

	return ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp) ? errno : 0;
}

/* Wait for the child's call to return; 0 when it returned @val. */
static int call_returned(struct fs_run *r, long val)
{
	long end = now_ms() + 5000;

	while (!r->t.sh->done && now_ms() < end)
		sleep_ms(5);
	return r->t.sh->done && r->t.sh->ret == val ? 0 : -1;
}

/*
 * The livepatch cases: the teardown ends the trap and removes the test
 * livepatch, also after a failed assertion.
 */
FIXTURE(livepatch) {
	struct fs_run r;
};

FIXTURE_SETUP(livepatch)
{
	fs_init(&self->r);
	if (access("/sys/kernel/livepatch", F_OK))
		SKIP(return, "kernel without livepatch");
	ASSERT_EQ(0, livepatch_remove())
		TH_LOG("a livepatch from an earlier case is stuck");
}

/* In the parent (after a timeout) self is as before the setup: zeroed. */
FIXTURE_TEARDOWN(livepatch)
{
	if (self->r.t.sh)
		fs_end(&self->r);
	livepatch_remove();
}

/*
 * Stock kernel, real livepatch: the task waiting for its supervisor keeps
 * the transition from completing until livepatch gives up waiting and sends
 * it a fake signal; the stock wait then withdraws the call and restarts it.
 */
TEST_F_TIMEOUT(livepatch, transition_withdraws_and_restarts_stock_wait, 150)
{
	struct fs_run *r = &self->r;
	struct seccomp_notif n1, n2;
	long t0, t_done = -1;

	ASSERT_EQ(0, module_unload()) TH_LOG("rmmod");
	ASSERT_EQ(0, fs_start(r, 0, 0, 0)) TH_LOG("trap child");
	r->t.sh->go = 1;
	ASSERT_EQ(0, recv_notif(r->t.listener, &n1, 5000)) TH_LOG("no notification");
	t0 = now_ms();
	ASSERT_EQ(0, insmod(LP_KO)) TH_LOG("insmod %s: %s", LP_KO, strerror(errno));
	/* klp retries every second and signals after 15 tries. */
	while (now_ms() - t0 < 60000) {
		if (read_int_file(LP_SYSFS "/transition") == 0) {
			t_done = now_ms() - t0;
			break;
		}
		sleep_ms(50);
	}
	ASSERT_GE(t_done, 0) TH_LOG("transition still blocked after 60 s");
	ASSERT_EQ(ENOENT, reply(r->t.listener, n1.id, 1))
		TH_LOG("reply to the first notification: want ENOENT (withdrawn)");
	ASSERT_EQ(0, recv_notif(r->t.listener, &n2, 5000))
		TH_LOG("the withdrawn call was not restarted");
	ASSERT_TRUE(!reply(r->t.listener, n2.id, 2) && !call_returned(r, 2))
		TH_LOG("the restarted call did not complete with the reply");
	printf("stock: the transition completed after %.1f s, when its fake signal withdrew the waiting call (reply ENOENT) and the call was sent again as a new notification\n",
	       t_done / 1000.0);
	fs_end(r);
	ASSERT_EQ(0, livepatch_remove()) TH_LOG("cannot remove the livepatch");
}

/*
 * A livepatch of wait_for_completion_interruptible() and seccomp_sigfwd both
 * redirect that function through ftrace (IPMODIFY): whichever comes second
 * is refused cleanly, and the first keeps working.
 */
TEST_F_TIMEOUT(livepatch, of_hooked_function_and_module_refuse_each_other, 150)
{
	ASSERT_EQ(0, module_load(NULL)) TH_LOG("insmod seccomp_sigfwd");
	ASSERT_NE(0, insmod(LP_KO)) TH_LOG("the livepatch loaded over the module's hook");
	ASSERT_EQ(EBUSY, errno)
		TH_LOG("livepatch refused with %s, want EBUSY", strerror(errno));
	ASSERT_EQ(0, system("policy_waits after_recv.policy_from_listener_survives.signal >/dev/null"))
		TH_LOG("the module stopped working after the refused livepatch");
	ASSERT_EQ(0, module_unload()) TH_LOG("rmmod");
	ASSERT_EQ(0, insmod(LP_KO)) TH_LOG("insmod the livepatch: %s", strerror(errno));
	ASSERT_NE(0, module_load(NULL)) TH_LOG("seccomp_sigfwd loaded over the livepatch");
	ASSERT_EQ(EBUSY, errno)
		TH_LOG("seccomp_sigfwd refused with %s, want EBUSY", strerror(errno));
	ASSERT_EQ(0, system("dmesg | grep -q 'seccomp_sigfwd: refusing to load on .*: cannot hook wait_for_completion_interruptible (-16, already redirected'"))
		TH_LOG("no refusal line in the log");
	ASSERT_EQ(0, livepatch_remove()) TH_LOG("cannot remove the livepatch");
	ASSERT_EQ(0, module_load(NULL)) TH_LOG("seccomp_sigfwd after the livepatch is gone");
	printf("EBUSY both ways; each keeps working; the module logs why\n");
}

#define DATA(p) SECCOMP_SIGFWD_RET_DATA(p)

/*
 * The same fake signal, through io_uring, while the supervisor holds the
 * notification, a variant per policy. "restarts": the call is withdrawn
 * (reply ENOENT) and sent again. "holds": the reply lands and the call
 * completes once.
 */
FIXTURE(fake_signal) {
	struct fs_run r;
};

FIXTURE_VARIANT(fake_signal) {
	const char *name;
	unsigned int data, listener;
	unsigned long flags;
	int module, restarts;
};

FIXTURE_VARIANT_ADD(fake_signal, restarts_stock_wait) {
	.name = "stock", .restarts = 1,
};

FIXTURE_VARIANT_ADD(fake_signal, restarts_wait_with_empty_policy) {
	.name = "empty policy", .module = 1, .restarts = 1,
};

FIXTURE_VARIANT_ADD(fake_signal, held_by_native_wait_killable_recv) {
	.name = "native", .flags = SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV,
};

FIXTURE_VARIANT_ADD(fake_signal, held_by_killable_after_recv) {
	.name = "KILLABLE_AFTER_RECV", .module = 1,
	.data = DATA(SECCOMP_SIGFWD_KILLABLE_AFTER_RECV),
};

FIXTURE_VARIANT_ADD(fake_signal, held_by_killable) {
	.name = "KILLABLE", .module = 1, .data = DATA(SECCOMP_SIGFWD_KILLABLE),
};

FIXTURE_VARIANT_ADD(fake_signal, held_by_forward_which_still_forwards_real_signals) {
	.name = "FORWARD", .module = 1, .listener = SECCOMP_SIGFWD_FORWARD,
};

FIXTURE_SETUP(fake_signal)
{
	fs_init(&self->r);
	if (variant->flags && !kernel_has_wait_killable_recv())
		SKIP(return, "kernel without SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV");
	ASSERT_EQ(0, variant->module ? module_load(NULL) : module_unload())
		TH_LOG("module");
}

FIXTURE_TEARDOWN(fake_signal)
{
	if (self->r.t.sh)
		fs_end(&self->r);
}

TEST_F(fake_signal, from_io_uring)
{
	const char *name = variant->name;
	struct fs_run *r = &self->r;
	struct seccomp_sigfwd_signal s;
	struct seccomp_notif n1, n2;

	ASSERT_EQ(0, fs_start(r, variant->data, variant->flags, 1)) TH_LOG("trap child");
	if (variant->listener) {
		r->dev = sigfwd_open_bound(r->t.listener, O_NONBLOCK);
		ASSERT_TRUE(r->dev >= 0 && !sigfwd_set_policy(r->dev, variant->listener))
			TH_LOG("bind: %s", strerror(errno));
	}
	r->t.sh->go = 1;
	ASSERT_EQ(0, recv_notif(r->t.listener, &n1, 5000)) TH_LOG("no notification");
	ASSERT_EQ(0, wait_asleep(r->t.pid)) TH_LOG("child not asleep");
	ASSERT_EQ(1, write(r->pipe[1], "x", 1)) TH_LOG("pipe write");
	if (variant->restarts) {
		ASSERT_EQ(0, recv_notif(r->t.listener, &n2, 5000))
			TH_LOG("%s: the fake signal did not restart the call", name);
		ASSERT_EQ(ENOENT, reply(r->t.listener, n1.id, 1))
			TH_LOG("%s: reply to the withdrawn call: want ENOENT", name);
		ASSERT_TRUE(!reply(r->t.listener, n2.id, 2) && !call_returned(r, 2))
			TH_LOG("%s: the restarted call did not complete", name);
		printf("%s: fake signal -> call withdrawn (reply ENOENT) and sent again\n",
		       name);
		return;
	}
	ASSERT_FALSE(poll_fd(r->t.listener, POLLIN, 500))
		TH_LOG("%s: the fake signal restarted the call", name);
	if (r->dev >= 0) {
		ASSERT_NE(0, sigfwd_recv_signal(r->dev, &s))
			TH_LOG("%s: a fake signal was forwarded (signo %u)", name, s.signo);
		/* A real signal after the fake one is still forwarded. */
		kill(r->t.pid, SIGUSR1);
		ASSERT_TRUE(poll_fd(r->dev, POLLPRI, 2000) &&
			    !sigfwd_recv_signal(r->dev, &s) && s.signo == SIGUSR1)
			TH_LOG("%s: a real signal after the fake one was not forwarded",
			       name);
	}
	ASSERT_TRUE(!reply(r->t.listener, n1.id, 1) && !call_returned(r, 1))
		TH_LOG("%s: the held call did not complete with the reply", name);
	if (r->dev >= 0) {
		ASSERT_NE(0, r->t.sh->handled)
			TH_LOG("%s: the forwarded signal was lost", name);
	}
	printf("%s: fake signal -> call held, reply landed, nothing forwarded for it\n",
	       name);
}
