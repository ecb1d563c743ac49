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
#include "harness.h"
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

/* The trapped task: a pending io_uring poll on @pipe_rd, then one call. */
struct fs_shared {
	volatile int go;	/* the supervisor has bound its device */
	volatile int handled;
	volatile long ret;
	volatile int err;
	volatile int done;
};

static struct fs_shared *fs;

static void fs_handler(int sig)
{
	(void)sig;
	fs->handled++;
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

static void fs_child(int sock, int pipe_rd, unsigned int data, unsigned long flags)
{
	struct sigaction sa = { .sa_handler = fs_handler, .sa_flags = SA_RESTART };
	int listener;

	sigaction(SIGUSR1, &sa, NULL);
	listener = install_filter(__NR_getppid, data, flags);
	if (listener < 0 || send_fd(sock, listener))
		_exit(3);
	close(listener);
	if (pipe_rd >= 0 && uring_poll(pipe_rd) < 0)
		_exit(4);
	while (!fs->go)
		usleep(1000);
	errno = 0;
	fs->ret = syscall(__NR_getppid);
	fs->err = errno;
	fs->done = 1;
	_exit(0);
}

struct fs_run {
	pid_t pid;
	int listener, pipe[2];
};

static int fs_start(struct fs_run *r, unsigned int data, unsigned long flags,
		    int uring)
{
	int sv[2];

	if (!fs)
		fs = mmap(NULL, sizeof(*fs), PROT_READ | PROT_WRITE,
			  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	memset((void *)fs, 0, sizeof(*fs));
	r->pipe[0] = r->pipe[1] = -1;
	if ((uring && pipe(r->pipe)) || socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		return -1;
	r->pid = fork();
	if (!r->pid) {
		close(sv[0]);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		fs_child(sv[1], r->pipe[0], data, flags);
	}
	close(sv[1]);
	r->listener = recv_fd(sv[0]);
	close(sv[0]);
	return r->listener < 0 ? -1 : 0;
}

static void fs_end(struct fs_run *r)
{
	kill(r->pid, SIGKILL);
	waitpid(r->pid, NULL, 0);
	close(r->listener);
	if (r->pipe[0] >= 0) {
		close(r->pipe[0]);
		close(r->pipe[1]);
	}
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
static int call_returned(long val)
{
	long end = now_ms() + 5000;

	while (!fs->done && now_ms() < end)
		sleep_ms(5);
	return fs->done && fs->ret == val ? 0 : -1;
}

/*
 * Stock kernel, real livepatch: the task waiting for its supervisor keeps
 * the transition from completing until livepatch gives up waiting and sends
 * it a fake signal; the stock wait then withdraws the call and restarts it.
 */
CASE(livepatch_transition_withdraws_and_restarts_stock_wait)
{
	struct seccomp_notif n1, n2;
	struct fs_run r;
	long t0, t_done = -1;
	int err, ret = 1;

	if (access("/sys/kernel/livepatch", F_OK))
		SKIP("kernel without livepatch");
	ENSURE(!module_unload(), "rmmod");
	ENSURE(!livepatch_remove(), "a livepatch from an earlier case is stuck");
	ENSURE(!fs_start(&r, 0, 0, 0), "trap child");
	fs->go = 1;
	if (recv_notif(r.listener, &n1, 5000))
		BAIL("no notification");
	t0 = now_ms();
	if (insmod(LP_KO))
		BAIL("insmod %s: %s", LP_KO, strerror(errno));
	/* klp retries every second and signals after 15 tries. */
	while (now_ms() - t0 < 60000) {
		if (read_int_file(LP_SYSFS "/transition") == 0) {
			t_done = now_ms() - t0;
			break;
		}
		sleep_ms(50);
	}
	if (t_done < 0)
		BAIL("transition still blocked after 60 s");
	err = reply(r.listener, n1.id, 1);
	if (err != ENOENT)
		BAIL("reply to the first notification: %s, want ENOENT (withdrawn)",
		     strerror(err));
	if (recv_notif(r.listener, &n2, 5000))
		BAIL("the withdrawn call was not restarted");
	if (reply(r.listener, n2.id, 2) || call_returned(2))
		BAIL("the restarted call did not complete with the reply");
	printf("stock: the transition completed after %.1f s, when its fake signal withdrew the waiting call (reply ENOENT) and the call was sent again as a new notification\n",
	       t_done / 1000.0);
	ret = 0;
out:
	fs_end(&r);
	if (livepatch_remove())
		FAIL("cannot remove the livepatch");
	return ret;
}

/*
 * A livepatch of wait_for_completion_interruptible() and seccomp_sigfwd both
 * redirect that function through ftrace (IPMODIFY): whichever comes second
 * is refused cleanly, and the first keeps working.
 */
CASE(livepatch_of_hooked_function_and_module_refuse_each_other)
{
	int ret = 1;

	if (access("/sys/kernel/livepatch", F_OK))
		SKIP("kernel without livepatch");
	ENSURE(!livepatch_remove(), "a livepatch from an earlier case is stuck");
	ENSURE(!module_load(NULL), "insmod seccomp_sigfwd");
	if (!insmod(LP_KO))
		BAIL("the livepatch loaded over the module's hook");
	if (errno != EBUSY)
		BAIL("livepatch refused with %s, want EBUSY", strerror(errno));
	ENSURE(!system("policy_waits after_recv.policy_from_listener_survives.signal >/dev/null"),
	       "the module stopped working after the refused livepatch");
	ENSURE(!module_unload(), "rmmod");
	ENSURE(!insmod(LP_KO), "insmod the livepatch: %s", strerror(errno));
	if (!module_load(NULL))
		BAIL("seccomp_sigfwd loaded over the livepatch");
	if (errno != EBUSY)
		BAIL("seccomp_sigfwd refused with %s, want EBUSY", strerror(errno));
	if (system("dmesg | grep -q 'seccomp_sigfwd: refusing to load on .*: cannot hook wait_for_completion_interruptible (-16, already redirected'"))
		BAIL("no refusal line in the log");
	if (livepatch_remove())
		BAIL("cannot remove the livepatch");
	ENSURE(!module_load(NULL), "seccomp_sigfwd after the livepatch is gone");
	printf("EBUSY both ways; each keeps working; the module logs why\n");
	ret = 0;
out:
	livepatch_remove();
	return ret;
}

/*
 * The same fake signal, through io_uring, while the supervisor holds the
 * notification. "restarts": the call is withdrawn (reply ENOENT) and sent
 * again. "holds": the reply lands and the call completes once.
 */
struct fake_variant {
	unsigned int data, listener;
	unsigned long flags;
	int module, restarts;
};

static int fake_signal_case(const struct fake_variant *v, const char *name)
{
	struct seccomp_sigfwd_signal s;
	struct seccomp_notif n1, n2;
	int dev = -1, err, ret = 1;
	struct fs_run r;

	if (v->flags && !kernel_has_wait_killable_recv())
		SKIP("kernel without SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV");
	ENSURE(!(v->module ? module_load(NULL) : module_unload()), "module");
	ENSURE(!fs_start(&r, v->data, v->flags, 1), "trap child");
	if (v->listener) {
		dev = sigfwd_open_bound(r.listener, O_NONBLOCK);
		if (dev < 0 || sigfwd_set_policy(dev, v->listener))
			BAIL("bind: %s", strerror(errno));
	}
	fs->go = 1;
	if (recv_notif(r.listener, &n1, 5000))
		BAIL("no notification");
	ENSURE(!wait_asleep(r.pid), "child not asleep");
	if (write(r.pipe[1], "x", 1) != 1)
		BAIL("pipe write");
	if (v->restarts) {
		if (recv_notif(r.listener, &n2, 5000))
			BAIL("%s: the fake signal did not restart the call", name);
		err = reply(r.listener, n1.id, 1);
		if (err != ENOENT)
			BAIL("%s: reply to the withdrawn call: %s, want ENOENT",
			     name, strerror(err));
		if (reply(r.listener, n2.id, 2) || call_returned(2))
			BAIL("%s: the restarted call did not complete", name);
		printf("%s: fake signal -> call withdrawn (reply ENOENT) and sent again\n",
		       name);
		ret = 0;
		goto out;
	}
	if (poll_fd(r.listener, POLLIN, 500))
		BAIL("%s: the fake signal restarted the call", name);
	if (dev >= 0 && !sigfwd_recv_signal(dev, &s))
		BAIL("%s: a fake signal was forwarded (signo %u)", name, s.signo);
	if (dev >= 0) {
		/* A real signal after the fake one is still forwarded. */
		kill(r.pid, SIGUSR1);
		if (!poll_fd(dev, POLLPRI, 2000) || sigfwd_recv_signal(dev, &s) ||
		    s.signo != SIGUSR1)
			BAIL("%s: a real signal after the fake one was not forwarded",
			     name);
	}
	if (reply(r.listener, n1.id, 1) || call_returned(1))
		BAIL("%s: the held call did not complete with the reply", name);
	if (dev >= 0 && !fs->handled)
		BAIL("%s: the forwarded signal was lost", name);
	printf("%s: fake signal -> call held, reply landed, nothing forwarded for it\n",
	       name);
	ret = 0;
out:
	if (dev >= 0)
		close(dev);
	fs_end(&r);
	return ret;
}

#define DATA(p) SECCOMP_SIGFWD_RET_DATA(p)

CASE(fake_signal_restarts_stock_wait)
{
	return fake_signal_case(&(struct fake_variant){ .restarts = 1 }, "stock");
}

CASE(fake_signal_restarts_wait_with_empty_policy)
{
	return fake_signal_case(&(struct fake_variant){ .module = 1, .restarts = 1 },
				"empty policy");
}

CASE(fake_signal_held_by_native_wait_killable_recv)
{
	return fake_signal_case(&(struct fake_variant){
		.flags = SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV }, "native");
}

CASE(fake_signal_held_by_killable_after_recv)
{
	return fake_signal_case(&(struct fake_variant){ .module = 1,
		.data = DATA(SECCOMP_SIGFWD_KILLABLE_AFTER_RECV) }, "KILLABLE_AFTER_RECV");
}

CASE(fake_signal_held_by_killable)
{
	return fake_signal_case(&(struct fake_variant){ .module = 1,
		.data = DATA(SECCOMP_SIGFWD_KILLABLE) }, "KILLABLE");
}

CASE(fake_signal_held_by_forward_which_still_forwards_real_signals)
{
	return fake_signal_case(&(struct fake_variant){ .module = 1,
		.listener = SECCOMP_SIGFWD_FORWARD }, "FORWARD");
}

